import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { requireUser } from '../auth/guard.js';
import { verifyAccessToken } from '../auth/plugin.js';
import { MuscodeError } from '../errors.js';
import { projectServicesFor } from '../projects/services.js';
import { bodyLimitsFor } from '../server/body-limits.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, errorResponse, ok, uuidParam } from '../server/envelope.js';
import { statusOf } from '../server/http-errors.js';
import { reject } from '../server/upgrades.js';
import { RedisWorkspaceRegistry } from './registry.js';
import { WorkspaceService } from './service.js';

/** Set on a request one replica forwards to another, so that it is never forwarded twice. */
const FORWARDED = 'x-muscode-workspace-forwarded';

const services = new WeakMap<object, WorkspaceService>();

/** The workspace service of an app context (one per server; closed with the app). */
export function workspaceServiceFor(ctx: AppContext): WorkspaceService {
  let s = services.get(ctx);
  if (!s) {
    const { projects } = projectServicesFor(ctx);
    const registry = ctx.redis ? new RedisWorkspaceRegistry(ctx.redis, ctx.config.REDIS_KEY_PREFIX) : undefined;
    s = new WorkspaceService({ db: ctx.database.db, config: ctx.config, languages: projects.languages, projects, registry, instanceId: ctx.instanceId });
    services.set(ctx, s);
  }
  return s;
}

const statusEnum = z.enum(['stopped', 'starting', 'running', 'stopping']);
const workspaceSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  name: z.string(),
  language: z.string(),
  ownerId: z.uuid(),
  role: z.enum(['owner', 'write', 'read']),
  status: statusEnum,
  terminals: z.array(z.string()),
  createdAt: z.string(),
  lastActiveAt: z.string(),
});
const statusSchema = z.object({
  status: statusEnum,
  terminals: z.array(z.string()),
  syncErrors: z.array(z.object({ rel: z.string(), code: z.string(), message: z.string() })),
  skipped: z.array(z.object({ rel: z.string(), reason: z.string() })),
  memoryBytes: z.number(),
  sockets: z.number().describe('terminal sockets attached now'),
});
// The file's path is one URL-encoded segment ("src%2Fa.py"), as seed 004's /file/{filename}.
const fileParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), path: z.string().min(1).max(1000).describe('the file path, URL-encoded: src%2Fa.py') });
const errors = { 403: errorResponse, 409: errorResponse, 413: errorResponse, 503: errorResponse, ...commonErrors };

/** /workspaces: seed 004's operations, on projects (docs/workspaces.md). */
export async function workspaceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const ws = workspaceServiceFor(ctx);
  const tags = ['workspaces'];
  // preClose: before the HTTP server waits for its connections (the terminal sockets among them).
  app.addHook('preClose', async () => ws.close());
  // Cluster mode: this replica's address in the registry, once it listens.
  app.server.once('listening', () => {
    const a = app.server.address();
    if (a && typeof a === 'object') ws.me.url = ctx.config.WORKSPACE_ADVERTISE_URL || `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address === '0.0.0.0' ? '127.0.0.1' : a.address}:${a.port}`;
  });
  // A workspace running on another replica: the request goes there (its processes, ptys and
  // directory are there), answered as that replica answers.
  app.addHook('preHandler', async (req, reply) => {
    const id = (req.params as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || req.headers[FORWARDED]) return;
    const owner = await ws.remoteOwner(id);
    if (!owner) return;
    const headers: Record<string, string> = { [FORWARDED]: '1' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${owner.url}${req.url}`, { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) });
    const text = await res.text();
    return reply.status(res.status).header('content-type', res.headers.get('content-type') ?? 'application/json').send(text);
  });

  r.get('/workspaces', { schema: { tags, summary: 'My workspaces and those shared with me', response: { 200: envelope(z.object({ workspaces: z.array(workspaceSchema) })), ...errors } } }, async (req) =>
    ok({ workspaces: await ws.list(requireUser(req)) }),
  );

  r.post(
    '/workspaces',
    {
      schema: {
        tags,
        summary: 'Open a project as a workspace (projectId), or create an empty one from a language',
        body: z.object({ projectId: z.uuid().optional(), language: z.string().max(50).optional(), name: z.string().min(1).max(200).optional() }).strict(),
        response: { 201: envelope(workspaceSchema), ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(ok(await ws.create(requireUser(req), req.body))),
  );

  r.get('/workspaces/:id', { schema: { tags, summary: 'A workspace with its status', params: uuidParam, response: { 200: envelope(workspaceSchema), ...errors } } }, async (req) =>
    ok(await ws.get(req.params.id, requireUser(req))),
  );

  r.get('/workspaces/:id/status', { schema: { tags, summary: 'Running state, terminals, sync problems', params: uuidParam, response: { 200: envelope(statusSchema), ...errors } } }, async (req) => {
    await ws.access(req.params.id, requireUser(req));
    return ok(ws.status(req.params.id));
  });

  r.post('/workspaces/:id/start', { schema: { tags, summary: 'Start the environment', params: uuidParam, response: { 200: envelope(workspaceSchema), ...errors } } }, async (req) =>
    ok(await ws.start(req.params.id, requireUser(req))),
  );

  r.post('/workspaces/:id/stop', { schema: { tags, summary: 'Stop it: a last sync, then every process is killed; the files stay', params: uuidParam, response: { 200: envelope(workspaceSchema), ...errors } } }, async (req) =>
    ok(await ws.stop(req.params.id, requireUser(req))),
  );

  r.post('/workspaces/:id/ensure-default', { schema: { tags, summary: "The language's starter main file, if the workspace is empty", params: uuidParam, response: { 200: envelope(z.object({ created: z.boolean() })), ...errors } } }, async (req) =>
    ok(await ws.ensureDefault(req.params.id, requireUser(req))),
  );

  r.put(
    '/workspaces/:id/collaborators',
    {
      schema: {
        tags,
        summary: 'Invite someone (read: watch terminals and read files; write: type and edit), or remove them (role null); owner only',
        params: uuidParam,
        body: z.object({ username: z.string().min(1).max(50), role: z.enum(['read', 'write']).nullable() }).strict(),
        response: { 200: envelope(z.object({ ok: z.literal(true) })), ...errors },
      },
    },
    async (req) => {
      await ws.setCollaborator(req.params.id, requireUser(req), req.body.username, req.body.role);
      return ok({ ok: true as const });
    },
  );

  r.get(
    '/workspaces/:id/files',
    {
      schema: {
        tags,
        summary: "The workspace's files (the project's), after a sync",
        params: uuidParam,
        response: { 200: envelope(z.object({ files: z.array(z.object({ path: z.string(), size: z.number(), encoding: z.string(), isMain: z.boolean() })) })), ...errors },
      },
    },
    async (req) => ok({ files: await ws.listFiles(req.params.id, requireUser(req)) }),
  );

  r.get(
    '/workspaces/:id/file/:path',
    { schema: { tags, summary: 'A file: text (utf8) or bytes (base64)', params: fileParams, response: { 200: envelope(z.object({ path: z.string(), content: z.string(), encoding: z.string(), size: z.number() })), ...errors } } },
    async (req) => ok(await ws.readFile(req.params.id, requireUser(req), req.params.path)),
  );

  r.post(
    '/workspaces/:id/file/:path',
    {
      schema: {
        tags,
        summary: 'Save a file: database first, then the running directory',
        params: fileParams,
        body: z.object({ content: z.string(), encoding: z.enum(['utf8', 'base64']).default('utf8') }).strict(),
        response: { 200: envelope(z.object({ path: z.string(), size: z.number() })), ...errors },
      },
      bodyLimit: bodyLimitsFor(ctx.config).projectFile * 2,
    },
    async (req) => {
      const bytes = req.body.encoding === 'base64' ? Buffer.from(req.body.content, 'base64') : Buffer.from(req.body.content, 'utf8');
      return ok(await ws.writeFile(req.params.id, requireUser(req), req.params.path, bytes));
    },
  );

  r.delete(
    '/workspaces/:id/file/:path',
    { schema: { tags, summary: 'Delete a file (or a directory of files)', params: fileParams, response: { 200: envelope(z.object({ deleted: z.literal(true) })), ...errors } } },
    async (req) => {
      await ws.deleteFile(req.params.id, requireUser(req), req.params.path);
      return ok({ deleted: true as const });
    },
  );

  registerTerminalSocket(app, ctx, ws);
}

const SOCKET_PATH = /^\/api\/v1\/workspaces\/([0-9a-f-]{36})\/terminals\/([A-Za-z0-9_-]{1,32})\/socket$/;

/**
 * The terminal socket: GET /api/v1/workspaces/{id}/terminals/{tid|new}/socket?token=…&cols=&rows=
 * (a browser cannot set headers on a WebSocket, so the access token rides in the query; an
 * Authorization header works too). Refused before the upgrade with a plain HTTP status.
 */
function registerTerminalSocket(app: FastifyInstance, ctx: AppContext, ws: WorkspaceService): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  app.addHook('preClose', async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  app.upgrades.add('workspace-terminal', SOCKET_PATH, (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => {
    void (async () => {
      const m = SOCKET_PATH.exec(url.pathname)!;
      const owner = req.headers[FORWARDED] ? null : await ws.remoteOwner(m[1]!);
      if (owner) return forwardUpgrade(req, socket, head, owner.url);
      const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const token = header ?? url.searchParams.get('token') ?? '';
      let user;
      try {
        user = await verifyAccessToken(token, ctx);
      } catch {
        return reject(socket, 401, 'Unauthorized');
      }
      const tid = m[2] === 'new' ? null : m[2]!;
      const size = { cols: Number(url.searchParams.get('cols') ?? 80), rows: Number(url.searchParams.get('rows') ?? 24) };
      let t;
      try {
        t = await ws.terminal(m[1]!, user, tid, size);
      } catch (err) {
        const status = err instanceof MuscodeError ? statusOf(err) : 500;
        return reject(socket, status, err instanceof MuscodeError ? err.code : 'Internal Server Error');
      }
      wss.handleUpgrade(req, socket, head, (client) => {
        client.on('close', t.release);
        t.session.attach(client, t.readOnly);
      });
    })();
  });
}

/**
 * Hands a terminal socket's upgrade to the replica running the workspace: the request as it came
 * (plus the forwarded mark), then bytes both ways. Authentication happens there.
 */
function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: string): void {
  const t = new URL(target);
  const upstream = net.connect({ host: t.hostname.replace(/^\[|\]$/g, ''), port: Number(t.port || 80) });
  upstream.once('connect', () => {
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    lines.push(`${FORWARDED}: 1`, '', '');
    upstream.write(lines.join('\r\n'));
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const end = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.once('error', () => (socket.writable ? reject(socket, 502, 'Bad Gateway') : end()));
  upstream.once('close', end);
  socket.once('error', end);
  socket.once('close', end);
}
