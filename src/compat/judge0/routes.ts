import os from 'node:os';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MuscodeError } from '../../errors.js';
import { rateLimitGuard, rateLimitIdentity } from '../../guards/rate-limit.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../../server/body-limits.js';
import type { AppContext } from '../../server/context.js';
import { compatAuth, CompatForbidden, CompatUnauthorized } from '../auth.js';
import { STATUSES } from './format.js';
import { judge0ErrorOf, Judge0Reply, Judge0Service } from './service.js';

/** The version Judge0 clients check (judge0-python keys its language table by it). */
export const JUDGE0_VERSION = '1.13.1';

type Query = Record<string, string | undefined>;

/**
 * Judge0 CE 1.13.1's routes (config/routes.rb) under JUDGE0_PREFIX. Handlers only parse and
 * answer; Judge0Service does the work. Hidden from our OpenAPI document: the contract is
 * Judge0's (docs/compat.md), with its merged query/body parameters and Rails errors, which our
 * zod schemas would misdescribe.
 */
export async function judge0Routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const svc = new Judge0Service(ctx);
  compatAuth(app, ctx, { tokenHeader: 'x-auth-token' });
  await rateLimitGuard(app, ctx);
  const hide = { hide: true };
  const big = { bodyLimit: bodyLimitsFor(ctx.config).batch, config: { rateLimitGroup: 'execute' as const, maxJsonValues: maxJsonValuesFor(ctx.config).batch } };

  // Rails reads a JSON body only with Content-Type: application/json, and form fields; any other
  // body is ignored (so the request is judged on its query string, judge0/judge0#70).
  app.addContentTypeParser('*', { parseAs: 'string' }, (req: FastifyRequest, body: string | Buffer, done) => {
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('application/x-www-form-urlencoded')) done(null, Object.fromEntries(new URLSearchParams(String(body))));
    else done(null, {});
  });

  app.setErrorHandler((err: FastifyError | Error, request, reply) => judge0Error(err, request, reply));
  app.setNotFoundHandler((request, reply) => void notFound(request, reply));
  // The web app's SPA fallback (GET /*) must not answer for paths under this prefix.
  app.all('/*', { schema: { hide: true } }, async (request, reply) => notFound(request, reply));

  const flag = (q: Query, name: string) => q[name] === 'true';
  const params = (req: FastifyRequest): Record<string, unknown> => ({ ...(req.query as Query), ...bodyObject(req.body) });

  app.get('/', { schema: hide }, async (_req, reply) => reply.status(200).send(''));

  app.post('/submissions', { schema: hide, ...big }, async (req, reply) => {
    const q = req.query as Query;
    const base64 = flag(q, 'base64_encoded');
    const fields = flag(q, 'wait') ? svc.fields(q.fields) : [];
    const created = await svc.create(req.user, params(req), base64, rateLimitIdentity(req));
    if ('errors' in created) return reply.status(422).send(created.errors);
    if (!flag(q, 'wait')) return reply.status(201).send({ token: created.token });
    return reply.status(201).send(await svc.waitAndPresent(created.token, fields, base64));
  });

  app.post('/submissions/batch', { schema: hide, ...big }, async (req, reply) => {
    const q = req.query as Query;
    const base64 = flag(q, 'base64_encoded');
    const list = bodyObject(req.body).submissions;
    const items: unknown[] = Array.isArray(list) ? list : [];
    svc.batchSize(items.length);
    const out: Record<string, unknown>[] = [];
    let anyValid = false;
    for (const item of items) {
      const created = await svc.create(req.user, bodyObject(item), base64, rateLimitIdentity(req));
      if ('errors' in created) out.push(created.errors);
      else {
        anyValid = true;
        out.push({ token: created.token });
      }
    }
    return reply.status(anyValid ? 201 : 422).send(out);
  });

  app.get('/submissions/batch', { schema: hide }, async (req) => {
    const q = req.query as Query;
    const raw = q.tokens ?? (typeof req.headers.tokens === 'string' ? req.headers.tokens : '');
    const tokens = raw.split(',').map((t) => t.trim()).filter(Boolean);
    const fields = svc.fields(q.fields);
    return { submissions: await svc.batchGet(tokens, req.user, fields, flag(q, 'base64_encoded')) };
  });

  app.get('/submissions/:token', { schema: hide }, async (req) => {
    const q = req.query as Query;
    const fields = svc.fields(q.fields);
    return svc.get((req.params as { token: string }).token, req.user, fields, flag(q, 'base64_encoded'));
  });

  app.get('/submissions', { schema: hide }, async (req) => {
    if (!req.user) throw new Judge0Reply(403, null);
    const q = req.query as Query;
    return svc.list(req.user, q.page, q.per_page, svc.fields(q.fields), flag(q, 'base64_encoded'));
  });

  // Judge0's default (ENABLE_SUBMISSION_DELETE=false): authorization first, then "not allowed".
  app.delete('/submissions/:token', { schema: hide }, async (req) => {
    if (!req.user) throw new Judge0Reply(403, null);
    throw new Judge0Reply(400, { error: 'delete not allowed' });
  });

  app.get('/languages', { schema: hide }, async () =>
    (await svc.languages())
      .filter((l) => !l.is_archived)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((l) => ({ id: l.id, name: l.name })),
  );
  app.get('/languages/all', { schema: hide }, async () =>
    (await svc.languages()).sort((a, b) => a.id - b.id).map((l) => ({ id: l.id, name: l.name, is_archived: l.is_archived })),
  );
  app.get('/languages/:id', { schema: hide }, async (req) => {
    const id = Number((req.params as { id: string }).id);
    if (!Number.isInteger(id)) throw new Judge0Reply(404, null);
    return svc.languageById(id);
  });
  app.get('/statuses', { schema: hide }, async () => STATUSES);

  app.get('/about', { schema: hide }, async () => ({
    version: JUDGE0_VERSION,
    homepage: 'https://github.com/muscode/muscode',
    source_code: 'https://github.com/muscode/muscode',
    maintainer: 'MUSCode (a Judge0 CE 1.13.1 compatible API; see docs/compat.md)',
  }));
  app.get('/version', { schema: hide }, async (_req, reply) => reply.type('text/plain').send(JUDGE0_VERSION));
  app.get('/license', { schema: hide }, async (_req, reply) => reply.type('text/plain').send('MIT (MUSCode); this API follows Judge0 CE, which is GPL-3.0.'));
  app.get('/isolate', { schema: hide }, async (_req, reply) => reply.type('text/plain').send('MUSCode sandbox (bubblewrap + cgroups), not isolate'));
  app.get('/config_info', { schema: hide }, async () => svc.configInfo());
  app.get('/system_info', { schema: hide }, async () => ({
    Architecture: os.arch(),
    'CPU(s)': String(os.availableParallelism()),
    'Model name': os.cpus()[0]?.model ?? 'unknown',
    Mem: `${Math.round(os.totalmem() / 2 ** 30)}G`,
    Swap: 'unknown',
  }));
  app.get('/statistics', { schema: hide }, async () => svc.statistics());
  app.get('/workers', { schema: hide }, async () => svc.workers());

  // Judge0: 200 and an empty body when the caller passes; 401 / 403 with an empty body otherwise.
  app.post('/authenticate', { schema: hide }, async (req, reply) => {
    if (!req.user && !ctx.config.ANONYMOUS_EXECUTE) throw new Judge0Reply(401, null);
    return reply.status(200).send('');
  });
  app.post('/authorize', { schema: hide }, async (req, reply) => {
    if (!req.user) throw new Judge0Reply(403, null);
    return reply.status(200).send('');
  });
}

function bodyObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Rails' 404: `{"status":404,"error":"Not Found"}` for a JSON client, else an empty body. */
function notFound(request: FastifyRequest, reply: FastifyReply) {
  const json = String(request.headers.accept ?? '').includes('application/json');
  return json ? reply.status(404).send({ status: 404, error: 'Not Found' }) : reply.status(404).send('');
}

function judge0Error(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof Judge0Reply) {
    if (err.status === 404) return notFound(request, reply);
    return err.body === null ? reply.status(err.status).send('') : reply.status(err.status).send(err.body);
  }
  if (err instanceof CompatUnauthorized) return reply.status(401).send('');
  if (err instanceof CompatForbidden) return reply.status(403).send('');
  if (err instanceof MuscodeError) {
    const mapped = judge0ErrorOf(err);
    if (mapped instanceof Judge0Reply) return judge0Error(mapped, request, reply);
    return reply.status(422).send(mapped);
  }
  const fe = err as FastifyError;
  // Malformed JSON: 400 with an empty body (judge0/judge0#221).
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
    return reply.status(400).send('');
  }
  if (fe.statusCode === 429) return reply.status(429).send({ error: fe.message || 'too many requests' });
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return reply.status(fe.statusCode).send({ error: fe.message });
  request.log.error({ err }, 'judge0 compat: unhandled error');
  return reply.status(500).send({ error: 'internal error' });
}
