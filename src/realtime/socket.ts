import { createAdapter } from '@socket.io/redis-adapter';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { verifyAccessToken } from '../auth/plugin.js';
import { presentExecution } from '../executions/presenter.js';
import { z } from 'zod';
import { CallerError, MuscodeError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { type ExecutionEvent, followExecution } from './bus.js';
import { registerContestHandlers } from './contest-subscriptions.js';
import { registerMatchHandlers } from './match-subscriptions.js';
import { registerSubmissionHandlers } from './submission-subscriptions.js';
import { recheckProjectRoom, registerProjectRoomHandlers } from './project-rooms.js';
import { wsErrorAnswer } from './ws-errors.js';
import { registerExecutionInputHandlers } from './execution-input.js';

/**
 * One execution followed by a socket. It is recorded before the first await of the subscribe
 * (red-team L4: check, await, set let two concurrent subscribes both subscribe, and the first
 * listener was never removed). `closed` is set by unsubscribe or disconnect, whichever comes
 * first; a subscription still being set up then removes itself as soon as it is active.
 */
interface Subscription {
  ready: Promise<void>;
  unsubscribe?: () => Promise<void>;
  closed: boolean;
}

interface SocketData {
  user: AuthUser | null;
  subs: Map<string, Subscription>;
}

const executionIdSchema = z.uuid();

function close(sub: Subscription): Promise<void> {
  sub.closed = true;
  return sub.unsubscribe ? sub.unsubscribe() : Promise.resolve();
}

type Ack = (answer: unknown) => void;

/**
 * socket.io at /ws. A client subscribes to an execution and gets, in order and each with its
 * `seq`: everything already published (replay), then live events. Events come from the bus, so
 * the program may run in any process and the socket may be on any API instance.
 */
export async function attachRealtime(app: FastifyInstance, ctx: AppContext): Promise<Server> {
  const origins = ctx.config.CORS_ORIGIN.split(',').map((s) => s.trim()).filter(Boolean);
  const io = new Server(app.server, {
    path: '/ws',
    serveClient: false,
    cors: origins.length ? { origin: origins.includes('*') ? true : origins, credentials: true } : undefined,
    maxHttpBufferSize: 1e6,
  });
  const closers: (() => Promise<unknown>)[] = [];
  if (ctx.config.mode === 'cluster') {
    const pub = new Redis(ctx.config.REDIS_URL!);
    const sub = pub.duplicate();
    // Both reconnect by themselves (Redis restarting); without listeners ioredis prints every attempt.
    pub.on('error', () => undefined);
    sub.on('error', () => undefined);
    io.adapter(createAdapter(pub, sub, { key: 'muscode-socket.io' }));
    closers.push(() => pub.quit(), () => sub.quit());
  }

  // Red-team M2: a project made private or deleted over HTTP empties its room of those who may no longer read it.
  app.projectRooms.listen((p) => recheckProjectRoom(io, p));

  io.use(async (socket, next) => {
    const token = handshakeToken(socket);
    const data = socket.data as SocketData;
    data.subs = new Map();
    data.user = null;
    if (typeof token !== 'string' || token === '') return next();
    try {
      data.user = await verifyAccessToken(token, ctx);
      next();
    } catch (err) {
      const e = new Error(err instanceof MuscodeError ? err.code : 'INVALID_TOKEN') as Error & { data?: unknown };
      e.data = { code: err instanceof MuscodeError ? err.code : 'INVALID_TOKEN' };
      next(e);
    }
  });

  io.on('connection', (socket: Socket) => {
    const data = socket.data as SocketData;
    registerProjectRoomHandlers(io, socket, ctx, app.log); // issue 4: project rooms (src/realtime/project-rooms.ts)
    registerSubmissionHandlers(socket, ctx, () => data.user, app.log); // issue 8: Arena submissions (src/realtime/submission-subscriptions.ts)
    registerContestHandlers(socket, ctx, () => data.user, app.log); // issue 9: live contest scoreboards (src/realtime/contest-subscriptions.ts)
    registerMatchHandlers(socket, ctx, app.log); // issue 9: duels (src/realtime/match-subscriptions.ts)
    registerExecutionInputHandlers(socket, ctx, () => data.user, app.log); // issue 11: interactive runs (src/realtime/execution-input.ts)
    socket.on('subscribe:execution', async (payload: unknown, maybeAck?: Ack) => {
      const ack: Ack = typeof maybeAck === 'function' ? maybeAck : () => undefined;
      const raw = typeof payload === 'string' ? payload : (payload as { executionId?: unknown } | null)?.executionId;
      try {
        // Red-team L2: an id that is not a UUID never reaches the database.
        const parsed = executionIdSchema.safeParse(raw);
        if (!parsed.success) throw new CallerError(HttpCodes.validation, 'executionId must be a UUID');
        const id = parsed.data;
        const existing = data.subs.get(id);
        if (existing) {
          // Already followed, or being set up by a concurrent subscribe: wait for it, answer the same.
          await existing.ready;
          const row = await ctx.executions.get(id, data.user);
          return ack({ status: row.status, seq: 0, alreadySubscribed: true });
        }
        const sub: Subscription = { ready: Promise.resolve(), closed: false };
        data.subs.set(id, sub); // before any await
        let last = 0;
        sub.ready = (async () => {
          await ctx.executions.get(id, data.user);
          // Replay, then live, with no gap and no duplicate (see followExecution).
          const unsubscribe = await followExecution(ctx.bus, id, (e) => {
            if (sub.closed) return;
            last = e.seq;
            void emit(socket, ctx, e);
          });
          sub.unsubscribe = unsubscribe;
          if (sub.closed) await unsubscribe(); // unsubscribed or disconnected meanwhile
        })();
        try {
          await sub.ready;
        } catch (err) {
          if (data.subs.get(id) === sub) data.subs.delete(id);
          throw err;
        }
        const now = await ctx.executions.get(id, data.user);
        ack({ status: now.status, seq: last });
      } catch (err) {
        ack(wsErrorAnswer(err, app.log, 'subscribe:execution'));
      }
    });
    socket.on('unsubscribe:execution', async (payload: unknown, maybeAck?: Ack) => {
      const id = typeof payload === 'string' ? payload : (payload as { executionId?: string } | null)?.executionId;
      const sub = typeof id === 'string' ? data.subs.get(id) : undefined;
      if (sub && id) {
        data.subs.delete(id);
        await close(sub).catch((err: unknown) => app.log.error({ err }, 'unsubscribe failed'));
      }
      if (typeof maybeAck === 'function') maybeAck({ ok: true });
    });
    socket.on('disconnect', () => {
      for (const sub of data.subs.values()) void close(sub).catch((err: unknown) => app.log.error({ err }, 'unsubscribe failed'));
      data.subs.clear();
    });
  });

  // Fastify runs onClose only after the HTTP server has closed, and the HTTP server waits for
  // every upgraded WebSocket: without this, a graceful shutdown with a browser connected hangs.
  // preClose drops this instance's sockets first (clients reconnect to another replica, or to
  // this one after a restart, and resubscribe with replay).
  app.addHook('preClose', async () => {
    io.local.disconnectSockets(true);
    io.engine.close();
  });
  app.addHook('onClose', async () => {
    await new Promise<void>((r) => io.close(() => r()));
    for (const c of closers) await c().catch(() => undefined);
  });
  return io;
}

/**
 * The access token of a handshake: `auth.token` (browsers), else the `Authorization: Bearer`
 * header (node and mobile clients, as the first seed accepts). A `Bearer ` prefix in
 * `auth.token` is tolerated too.
 */
export function handshakeToken(socket: Pick<Socket, 'handshake'>): unknown {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth !== '') return fromAuth.replace(/^Bearer +/i, '');
  const header = socket.handshake.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
  return m?.[1] ?? fromAuth;
}

async function emit(socket: Socket, ctx: AppContext, e: ExecutionEvent): Promise<void> {
  // Issue 12: every payload carries `timestamp` (ISO 8601, when it was sent), as in the first seed.
  const base = { executionId: e.executionId, seq: e.seq, timestamp: new Date().toISOString() };
  switch (e.type) {
    case 'status':
      socket.emit('execution:status', { ...base, status: e.status });
      break;
    case 'output':
      socket.emit('execution:output', { ...base, type: e.stream, data: e.data });
      break;
    case 'complete': {
      const row = await ctx.executions.get(e.executionId, (socket.data as SocketData).user).catch(() => null);
      socket.emit('execution:complete', { ...base, result: row ? presentExecution(row) : null });
      break;
    }
    case 'error':
      socket.emit('execution:error', { ...base, error: { code: e.code, message: e.message } });
      break;
  }
}
