import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { trustProxySetting } from '../../config/config.js';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { MuscodeError } from '../../errors.js';
import { STDIN_CHUNK_BYTES } from '../../executions/live-stdin.js';
import { LIVE_SIGNALS } from '../../engine/live-input.js';
import { type ExecutionEvent, followExecution } from '../../realtime/bus.js';
import type { AppContext, AuthUser } from '../../server/context.js';
import { reject } from '../../server/upgrades.js';
import { callerOf, CompatForbidden } from '../auth.js';
import { presentExecute } from './present.js';
import type { PistonService } from './service.js';
import { translateExecute } from './request.js';

/**
 * Piston's `WebSocket /api/v2/connect` (api/src/api/v2.js; docs/compat.md): an interactive run
 * driven by JSON frames. A thin translation onto interactive runs: `init` creates an execution
 * with `interactive: true` through the executions service (same queue, limits, quotas), its
 * events become `runtime`/`stage`/`data`/`exit` frames, and `data` (stdin) and `signal` frames
 * become the run's live input. Close codes as the reference.
 */
export const CLOSE = {
  alreadyInitialized: [4000, 'Already Initialized'],
  initTimeout: [4001, 'Initialization Timeout'],
  notifiedError: [4002, 'Notified Error'],
  notInitialized: [4003, 'Not yet Initialized'],
  stdinOnly: [4004, 'Can only write to stdin'],
  invalidSignal: [4005, 'Invalid signal'],
  completed: [4999, 'Job Completed'],
} as const satisfies Record<string, readonly [number, string]>;

/** Piston closes a socket that has not sent `init` within a second. */
const INIT_TIMEOUT_MS = 1000;
/** One frame at most (a whole `init` with its files fits the batch body limit). */
const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export function registerPistonConnect(app: FastifyInstance, ctx: AppContext, svc: PistonService): void {
  const prefix = ctx.config.PISTON_PREFIX.replace(/\/+$/, '');
  const paths = new Set([`${prefix}/api/v2/connect`, `${prefix}/api/v2/piston/connect`]);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const trust = trustProxySetting(ctx.config.TRUST_PROXY);
  app.upgrades.add('piston-connect', (p) => paths.has(p), (req, socket, head) => {
    callerOf({ headers: req.headers, method: 'GET', url: req.url ?? '' }, ctx, undefined, 'execute').then(
      (user) => wss.handleUpgrade(req, socket, head, (ws) => new Connection(ws, ctx, svc, user, queueOwner(req, user, trust))),
      (err: unknown) => reject(socket, err instanceof CompatForbidden ? 403 : 401, err instanceof CompatForbidden ? 'Forbidden' : 'Unauthorized'),
    );
  });
  app.addHook('preClose', async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
}

/** Whose lane the run waits in, as `rateLimitIdentity` says for HTTP (the client's address behind a trusted proxy: TRUST_PROXY). */
function queueOwner(req: IncomingMessage, user: AuthUser | null, trust: ReturnType<typeof trustProxySetting>): string {
  if (user) return `u:${user.id}`;
  const address = trust === false ? (req.socket.remoteAddress ?? 'unknown') : proxyaddr(req, trust);
  return `ip:${normalizeIP(address)}`;
}

type Frame = Record<string, unknown> & { type?: unknown };

/** One /connect socket: at most one job. */
class Connection {
  private executionId: string | null = null;
  private initialized = false;
  private closed = false;
  private stopFollowing: (() => Promise<void>) | null = null;
  /** Frames are handled one at a time, in order (stdin must not overtake init). */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: AppContext,
    private readonly svc: PistonService,
    private readonly user: AuthUser | null,
    private readonly owner: string,
  ) {
    const timer = setTimeout(() => {
      if (!this.initialized) this.close(CLOSE.initTimeout);
    }, INIT_TIMEOUT_MS);
    ws.on('message', (data: RawData) => {
      this.chain = this.chain.then(() => this.onFrame(data)).catch((err: unknown) => this.fail(err));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      this.closed = true;
      void this.stopFollowing?.().catch(() => undefined);
      // A client that leaves mid-run stops its program (it is the only one who could feed it).
      const id = this.executionId;
      if (id && !this.finished) void ctx.executions.cancel(id, user).catch(() => undefined);
    });
    ws.on('error', () => undefined);
  }

  private finished = false;

  private send(frame: Record<string, unknown>): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private close([code, reason]: readonly [number, string]): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
  }

  /** As the reference: an `error` frame with the message, then 4002. */
  private fail(err: unknown): void {
    const message = err instanceof MuscodeError || err instanceof PistonFrameError ? err.message : err instanceof SyntaxError ? err.message : 'internal error';
    this.send({ type: 'error', message });
    this.close(CLOSE.notifiedError);
  }

  private async onFrame(data: RawData): Promise<void> {
    if (this.closed) return;
    const msg = JSON.parse(String(data)) as Frame;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'init':
        if (this.initialized) return this.close(CLOSE.alreadyInitialized);
        this.initialized = true;
        return this.init(msg);
      case 'data':
        if (!this.initialized) return this.close(CLOSE.notInitialized);
        if (msg.stream !== 'stdin') return this.close(CLOSE.stdinOnly);
        if (typeof msg.data !== 'string') throw new PistonFrameError('data must be a string');
        return this.stdin(Buffer.from(msg.data, 'utf8'));
      case 'signal':
        if (!this.initialized) return this.close(CLOSE.notInitialized);
        if (typeof msg.signal !== 'string' || !LIVE_SIGNALS.includes(msg.signal)) return this.close(CLOSE.invalidSignal);
        if (this.executionId && !this.finished) await this.input({ kind: 'signal', signal: msg.signal });
        return;
      default:
        return; // the reference ignores other types
    }
  }

  private async stdin(data: Buffer): Promise<void> {
    for (let at = 0; at < data.length; at += STDIN_CHUNK_BYTES) await this.input({ kind: 'data', data: data.subarray(at, at + STDIN_CHUNK_BYTES) });
  }

  private async input(item: Parameters<AppContext['executions']['sendInput']>[2]): Promise<void> {
    if (!this.executionId || this.finished) return;
    try {
      await this.ctx.executions.sendInput(this.executionId, this.user, item);
    } catch (err) {
      // The run ended between the frame and now: input to it is moot, as in the reference.
      if (err instanceof MuscodeError && err.code === 'EXECUTION_ENDED') return;
      throw err;
    }
  }

  private async init(msg: Frame): Promise<void> {
    const runtimes = await this.svc.runtimes();
    // `stdin` of init is ignored by the reference: input comes as data frames.
    const t = translateExecute({ ...msg, stdin: '' }, runtimes, this.ctx.config.limits);
    if (!t.ok) throw new PistonFrameError(t.message);
    const row = await this.ctx.executions.create(this.user, { ...t.input, interactive: true }, { queueOwner: this.owner });
    this.executionId = row.id;
    this.send({ type: 'runtime', language: t.runtime.language, version: t.runtime.version });
    const compiled = Boolean(this.ctx.executions.languages.get(t.runtime.ourId).compile);
    let stage: 'none' | 'compile' | 'run' = 'none';
    const enterRun = () => {
      if (stage === 'run') return;
      // Compile output is not streamed: a run stage that starts means the compile succeeded.
      if (stage === 'compile') this.send({ type: 'exit', stage: 'compile', code: 0, signal: null });
      stage = 'run';
      this.send({ type: 'stage', stage: 'run' });
    };
    const onEvent = (e: ExecutionEvent) => {
      if (e.type === 'status' && e.status === 'running' && stage === 'none') {
        if (compiled) {
          stage = 'compile';
          this.send({ type: 'stage', stage: 'compile' });
        } else enterRun();
      } else if (e.type === 'output') {
        enterRun();
        this.send({ type: 'data', stream: e.stream, data: e.data });
      } else if (e.type === 'complete' || e.type === 'error') {
        void this.complete(row.id, t.runtime, compiled, stage, enterRun).catch((err: unknown) => this.fail(err));
      }
    };
    this.stopFollowing = await followExecution(this.ctx.bus, row.id, onEvent);
    if (this.closed) await this.stopFollowing();
  }

  private async complete(
    id: string,
    rt: Parameters<typeof presentExecute>[1],
    compiled: boolean,
    stage: 'none' | 'compile' | 'run',
    enterRun: () => void,
  ): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const row = await this.ctx.executions.get(id, this.user);
    const res = presentExecute(row, rt, null, compiled);
    if (res.compile && row.verdict === 'compile_error') {
      if (stage === 'none') this.send({ type: 'stage', stage: 'compile' });
      if (res.compile.stdout) this.send({ type: 'data', stream: 'stdout', data: res.compile.stdout });
      if (res.compile.stderr) this.send({ type: 'data', stream: 'stderr', data: res.compile.stderr });
      this.send({ type: 'exit', stage: 'compile', code: res.compile.code, signal: res.compile.signal });
    } else {
      enterRun();
      this.send({ type: 'exit', stage: 'run', code: res.run.code, signal: res.run.signal });
    }
    this.close(CLOSE.completed);
  }
}

/** A frame the reference answers with an `error` frame (its message as Piston words it). */
class PistonFrameError extends Error {}
