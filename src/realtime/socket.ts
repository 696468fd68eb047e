import { createAdapter } from '@socket.io/redis-adapter';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { verifyAccessToken } from '../auth/plugin.js';
import { presentExecution } from '../executions/presenter.js';
import { CallerError, MuscodeError } from '../errors.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { type ExecutionEvent, followExecution } from './bus.js';
import { registerProjectRoomHandlers } from './project-rooms.js';
import { wsErrorCode } from './ws-errors.js';

interface SocketData {
  user: AuthUser | null;
  /** executionId -> unsubscribe */
  subs: Map<string, () => Promise<void>>;
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
    io.adapter(createAdapter(pub, sub, { key: 'muscode-socket.io' }));
    closers.push(() => pub.quit(), () => sub.quit());
  }

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown })?.token;
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
    registerProjectRoomHandlers(io, socket, ctx); // issue 4: project rooms (src/realtime/project-rooms.ts)
    socket.on('subscribe:execution', async (payload: unknown, maybeAck?: Ack) => {
      const ack: Ack = typeof maybeAck === 'function' ? maybeAck : () => undefined;
      const id = typeof payload === 'string' ? payload : (payload as { executionId?: unknown } | null)?.executionId;
      try {
        if (typeof id !== 'string') throw new CallerError('VALIDATION_ERROR', 'executionId is required');
        const row = await ctx.executions.get(id, data.user);
        if (data.subs.has(id)) return ack({ status: row.status, seq: 0, alreadySubscribed: true });
        // Replay, then live, with no gap and no duplicate (see followExecution).
        let last = 0;
        const unsubscribe = await followExecution(ctx.bus, id, (e) => {
          last = e.seq;
          void emit(socket, ctx, e);
        });
        data.subs.set(id, unsubscribe);
        const now = await ctx.executions.get(id, data.user);
        ack({ status: now.status, seq: last });
      } catch (err) {
        const code = wsErrorCode(err);
        ack({ error: { code, message: err instanceof Error ? err.message : 'error' } });
      }
    });
    socket.on('unsubscribe:execution', async (payload: unknown, maybeAck?: Ack) => {
      const id = typeof payload === 'string' ? payload : (payload as { executionId?: string } | null)?.executionId;
      const unsubscribe = typeof id === 'string' ? data.subs.get(id) : undefined;
      if (unsubscribe && id) {
        data.subs.delete(id);
        await unsubscribe();
      }
      if (typeof maybeAck === 'function') maybeAck({ ok: true });
    });
    socket.on('disconnect', () => {
      for (const u of data.subs.values()) void u();
      data.subs.clear();
    });
  });

  app.addHook('onClose', async () => {
    await new Promise<void>((r) => io.close(() => r()));
    for (const c of closers) await c().catch(() => undefined);
  });
  return io;
}

async function emit(socket: Socket, ctx: AppContext, e: ExecutionEvent): Promise<void> {
  const base = { executionId: e.executionId, seq: e.seq };
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
