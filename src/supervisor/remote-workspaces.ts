import type { IDisposable } from '@lydell/node-pty';
import { CallerError, ErrorCodes, SystemError } from '../errors.js';
import type { DbFile } from '../workspaces/project-files.js';
import type { EnvStatus, TerminalPty, WorkspaceEnv, WorkspaceRuntime } from '../workspaces/runtime.js';
import type { SyncSink } from '../workspaces/sync.js';
import type { WsChildMessage, WsParentMessage, WsRequest } from './workspace-protocol.js';

type Listener<T> = (e: T) => unknown;

/** A pty that lives in the supervisor: input and control go over the channel, output comes back. */
class RemotePty implements TerminalPty {
  private readonly data = new Set<Listener<string>>();
  private readonly exit = new Set<Listener<{ exitCode: number; signal?: number }>>();
  private gone = false;
  /** Given to a session (until then an exit keeps it in the runtime's table, for the spawn's answer to find). */
  handedOut = false;
  /** Output and exit that came before the session listened (messages can arrive in one burst). */
  private early: string[] | null = [];
  private earlyExit: { exitCode: number; signal?: number } | null = null;

  constructor(
    private readonly runtime: RemoteWorkspaceRuntime,
    readonly term: number,
    public pid: number,
    public cols: number,
    public rows: number,
  ) {}

  onData = (l: Listener<string>): IDisposable => {
    this.data.add(l);
    const early = this.early;
    this.early = null;
    for (const d of early ?? []) l(d);
    return { dispose: () => this.data.delete(l) };
  };

  onExit = (l: Listener<{ exitCode: number; signal?: number }>): IDisposable => {
    this.exit.add(l);
    if (this.earlyExit) queueMicrotask(() => l(this.earlyExit!));
    return { dispose: () => this.exit.delete(l) };
  };

  get exited(): boolean {
    return this.gone;
  }

  emitData(d: string): void {
    if (this.early) this.early.push(d);
    for (const l of this.data) l(d);
  }

  emitExit(exitCode: number, signal: number | null): void {
    if (this.gone) return;
    this.gone = true;
    this.earlyExit = signal === null ? { exitCode } : { exitCode, signal };
    for (const l of this.exit) l(this.earlyExit);
  }

  private ctl(m: Omit<Extract<WsChildMessage, { t: 'pty' }>, 't' | 'term'>): void {
    if (!this.gone) this.runtime.send({ t: 'pty', term: this.term, ...m });
  }

  write(data: string): void {
    this.ctl({ op: 'write', data });
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.ctl({ op: 'resize', cols, rows });
  }

  pause(): void {
    this.ctl({ op: 'pause' });
  }

  resume(): void {
    this.ctl({ op: 'resume' });
  }

  kill(): void {
    this.ctl({ op: 'kill' });
  }
}

/**
 * Workspaces as the unprivileged service process sees them under `muscode serve`: the root half
 * runs in the supervisor (src/supervisor/workspace-channel.ts), reached over the IPC channel.
 * The directory's changes come back as `ws-apply` requests, which this side writes to the
 * database through the workspace's sink and answers.
 */
export class RemoteWorkspaceRuntime implements WorkspaceRuntime {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly sinks = new Map<string, SyncSink>();
  private readonly ptys = new Map<number, RemotePty>();
  private readonly onMessage = (raw: unknown) => this.handle(raw as WsParentMessage);

  constructor() {
    if (!process.send) throw new Error('RemoteWorkspaceRuntime needs an IPC channel to the supervisor');
    process.on('message', this.onMessage);
  }

  send(m: WsChildMessage): void {
    if (process.connected) process.send!(m);
  }

  private request<T>(req: WsRequest): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ t: 'ws', id, req });
    });
  }

  private handle(m: WsParentMessage): void {
    switch (m?.t) {
      case 'ws-reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (!m.error) p.resolve(m.value);
        else p.reject(new (m.error.family === 'caller' ? CallerError : SystemError)(m.error.code, m.error.message, m.error.details));
        return;
      }
      case 'pty-data':
        this.pty(m.term).emitData(m.data);
        return;
      case 'pty-exit':
      {
        const p = this.pty(m.term);
        p.emitExit(m.exitCode, m.signal);
        if (p.handedOut) this.ptys.delete(m.term);
        return;
      }
      case 'ws-apply': {
        const sink = this.sinks.get(m.key);
        if (!sink) return this.send({ t: 'ws-applied', id: m.id, error: 'not running here' });
        sink.apply(m.upserts, m.deletes).then(
          (result) => this.send({ t: 'ws-applied', id: m.id, result }),
          (err: unknown) => this.send({ t: 'ws-applied', id: m.id, error: err instanceof Error ? err.message : String(err) }),
        );
        return;
      }
      case 'ws-change':
        this.sinks.get(m.key)?.onChange(m.event);
        return;
    }
  }

  /** The pty of a terminal id; made on its first message if that comes before the spawn's answer is read. */
  private pty(term: number, pid = 0, cols = 80, rows = 24): RemotePty {
    let p = this.ptys.get(term);
    if (!p) {
      p = new RemotePty(this, term, pid, cols, rows);
      this.ptys.set(term, p);
    }
    return p;
  }

  async start(key: string, files: readonly DbFile[], sink: SyncSink): Promise<WorkspaceEnv> {
    this.sinks.set(key, sink);
    try {
      await this.request({ op: 'start', key, files: files.map((f) => ({ rel: f.rel, content: f.content, encoding: f.encoding === 'base64' ? 'base64' : 'utf8' })) });
    } catch (err) {
      this.sinks.delete(key);
      throw err;
    }
    return {
      spawnTerminal: async (size) => {
        const t = await this.request<{ term: number; pid: number; cols: number; rows: number }>({ op: 'spawn', key, size });
        const pty = this.pty(t.term, t.pid, t.cols, t.rows);
        Object.assign(pty, { pid: t.pid, cols: t.cols, rows: t.rows });
        pty.handedOut = true;
        if (pty.exited) this.ptys.delete(t.term);
        return pty;
      },
      wrote: (rel, bytes) => this.request({ op: 'wrote', key, rel, bytes }),
      remove: (rel) => this.request({ op: 'remove', key, rel }),
      syncNow: () => this.request({ op: 'sync', key }),
      status: () => this.request<EnvStatus>({ op: 'status', key }),
      stop: async () => {
        try {
          await this.request({ op: 'stop', key });
        } finally {
          this.sinks.delete(key);
        }
      },
    };
  }

  /** The boxes are the supervisor's; it checks them when the service exits. */
  leftovers() {
    return { boxes: 0, pids: [], mounts: [] };
  }

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    for (const p of this.pending.values()) p.reject(new SystemError(ErrorCodes.engineClosed, 'the supervisor channel is closed'));
    this.pending.clear();
    for (const pty of this.ptys.values()) pty.emitExit(0, null);
    this.ptys.clear();
  }
}
