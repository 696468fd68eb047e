import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MuscodeError } from '../../errors.js';
import { rateLimitGuard, rateLimitIdentity } from '../../guards/rate-limit.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../../server/body-limits.js';
import type { AppContext } from '../../server/context.js';
import { statusOf } from '../../server/http-errors.js';
import { compatAuth, CompatForbidden, CompatUnauthorized } from '../auth.js';
import { registerPistonConnect } from './connect.js';
import { PistonReply, PistonService } from './service.js';

/** The Piston release whose API this follows (GET / answers it as Piston does). */
export const PISTON_VERSION = '3.1.1';

/**
 * Piston v2's routes (api/src/api/v2.js) under PISTON_PREFIX, at /api/v2/... and at the public
 * host's /api/v2/piston/... alias. Errors are `{message}`. Requests are parsed as JSON whatever
 * their Content-Type (piston-client sends none, and real Piston answers it 415): a deliberate
 * leniency. Hidden from our OpenAPI document, as the Judge0 routes (docs/compat.md).
 */
export async function pistonRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const svc = new PistonService(ctx);
  compatAuth(app, ctx, {});
  registerPistonConnect(app, ctx, svc); // WebSocket /api/v2/connect (connect.ts)
  await rateLimitGuard(app, ctx);
  const hide = { hide: true };
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('*', { parseAs: 'string' }, (req: FastifyRequest, body: string | Buffer, done) => parse(req, String(body), done));
  app.setErrorHandler((err: FastifyError | Error, request, reply) => pistonError(err, request, reply));
  const notFound = async (_req: FastifyRequest, reply: FastifyReply) => reply.status(404).send({ message: 'Not Found' });
  app.setNotFoundHandler(notFound);
  // The web app's SPA fallback (GET /*) must not answer for paths under this prefix.
  app.all('/*', { schema: hide }, notFound);

  // Exactly Piston's answer (the reference lists it); what serves it is in the docs.
  app.get('/', { schema: hide }, async () => ({ message: `Piston v${PISTON_VERSION}` }));
  for (const base of ['/api/v2', '/api/v2/piston']) {
    app.get(`${base}/runtimes`, { schema: hide }, async () => svc.publicRuntimes());
    app.post(
      `${base}/execute`,
      { schema: hide, bodyLimit: bodyLimitsFor(ctx.config).batch, config: { rateLimitGroup: 'execute', maxJsonValues: maxJsonValuesFor(ctx.config).batch } },
      async (req) => svc.execute(req.user, req.body, rateLimitIdentity(req)),
    );
    app.get(`${base}/packages`, { schema: hide }, async () => svc.packages());
    const readOnly = async (_req: FastifyRequest, reply: FastifyReply) =>
      reply.status(501).send({ message: 'packages are managed by the MUSCode operator: this server does not install or remove packages (see GET /api/v2/runtimes)' });
    app.post(`${base}/packages`, { schema: hide }, readOnly);
    app.delete(`${base}/packages`, { schema: hide }, readOnly);
  }
}

function pistonError(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof PistonReply) return reply.status(err.status).send({ message: err.message });
  if (err instanceof CompatUnauthorized) return reply.status(401).send({ message: err.message });
  if (err instanceof CompatForbidden) return reply.status(403).send({ message: err.message });
  if (err instanceof MuscodeError) return reply.status(statusOf(err)).send({ message: err.message });
  const fe = err as FastifyError;
  // Malformed JSON: Piston (express.json) answers 400 with the parser's stack.
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
    return reply.status(400).send({ stack: `SyntaxError: ${fe.message}` });
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return reply.status(fe.statusCode).send({ message: fe.message });
  request.log.error({ err }, 'piston compat: unhandled error');
  return reply.status(500).send({ message: 'internal error' });
}
