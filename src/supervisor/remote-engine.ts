import type { Config } from '../config/config.js';
import type { EngineClient } from '../engine/client.js';
import type { LanguageInfo } from '../engine/languages/registry.js';
import type { LimitTable } from '../engine/limits.js';
import type { InteractiveRunRequest, InteractiveRunResult, InteractiveSide, RunRequest, RunResult, SourceFile, StageResult } from '../engine/types.js';
import { CallerError, ErrorCodes, SystemError } from '../errors.js';
import type { ChildMessage, ParentMessage } from './protocol.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onStdout?: (c: Buffer) => void;
  onStderr?: (c: Buffer) => void;
}

/** The engine as the unprivileged service process sees it: requests over the IPC channel to the root supervisor. */
export class RemoteEngine implements EngineClient {
  readonly limits: LimitTable;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly onMessage = (raw: unknown) => this.handle(raw as ParentMessage);

  constructor(config: Config) {
    if (!process.send) throw new Error('RemoteEngine needs an IPC channel to the supervisor');
    this.limits = config.limits;
    process.on('message', this.onMessage);
  }

  private send(m: ChildMessage): void {
    process.send!(m);
  }

  private handle(m: ParentMessage): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.t === 'out') (m.stream === 'stdout' ? p.onStdout : p.onStderr)?.(Buffer.from(m.chunk));
    else if (m.t === 'value') {
      this.pending.delete(m.id);
      p.resolve(m.value);
    } else {
      this.pending.delete(m.id);
      const E = m.error.family === 'caller' ? CallerError : SystemError;
      p.reject(new E(m.error.code, m.error.message, m.error.details));
    }
  }

  private request<T>(build: (id: number) => ChildMessage, extra: Partial<Pending> = {}): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...extra });
      this.send(build(id));
    });
  }

  async run(req: RunRequest): Promise<RunResult> {
    if (req.signal?.aborted) throw new CallerError(ErrorCodes.cancelled, 'cancelled');
    let id = 0;
    const onAbort = () => this.send({ t: 'cancel', id });
    const result = this.request<RunResult>(
      (i) => {
        id = i;
        return {
          t: 'run',
          id: i,
          req: {
            language: req.language,
            files: req.files.map((f) => ({ path: f.path, content: f.content })),
            mainFile: req.mainFile,
            stdin: req.stdin,
            ...(req.stdinLimitBytes !== undefined ? { stdinLimitBytes: req.stdinLimitBytes } : {}),
            ...(req.dataFiles ? { dataFiles: plainFiles(req.dataFiles) } : {}),
            ...(req.collectFiles ? { collectFiles: req.collectFiles } : {}),
            ...(req.outputFiles ? { outputFiles: req.outputFiles } : {}),
            ...(req.timeline ? { timeline: true } : {}),
            args: req.args,
            ...(req.compileOptions?.length ? { compileOptions: req.compileOptions } : {}),
            limits: req.limits,
            compileLimits: req.compileLimits,
            stream: Boolean(req.onStdout || req.onStderr),
            ...(req.input ? { interactive: req.tty ? { tty: req.tty } : {} } : {}),
          },
        };
      },
      { onStdout: req.onStdout, onStderr: req.onStderr },
    );
    // Live input goes over the channel as it comes; the supervisor's own LiveInput bounds it.
    req.input?.attach({
      write: (data) => this.send({ t: 'input', id, item: { kind: 'data', data } }),
      end: () => this.send({ t: 'input', id, item: { kind: 'eof' } }),
      signal: (signal) => this.send({ t: 'input', id, item: { kind: 'signal', signal } }),
      resize: (cols, rows) => this.send({ t: 'input', id, item: { kind: 'resize', cols, rows } }),
      pending: () => 0,
    });
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return revive(await result);
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
      req.input?.close();
    }
  }

  async runInteractive(req: InteractiveRunRequest): Promise<InteractiveRunResult> {
    if (req.signal?.aborted) throw new CallerError(ErrorCodes.cancelled, 'cancelled');
    let id = 0;
    const onAbort = () => this.send({ t: 'cancel', id });
    const result = this.request<InteractiveRunResult>((i) => {
      id = i;
      return { t: 'interactive', id: i, req: { submission: plainSide(req.submission), interactor: plainSide(req.interactor), wallMs: req.wallMs } };
    });
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await result;
      return { ...r, submission: revive(r.submission), interactor: revive(r.interactor) };
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  listLanguages(): Promise<LanguageInfo[]> {
    return this.request((id) => ({ t: 'languages', id }));
  }

  status(): Promise<{ slots: number; idle: number; queued: number }> {
    return this.request((id) => ({ t: 'status', id }));
  }

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    for (const p of this.pending.values()) p.reject(new SystemError(ErrorCodes.engineClosed, 'engine closed'));
    this.pending.clear();
  }
}

/** Structured clone turns Buffers into Uint8Arrays: make them Buffers again. */
function revive(r: RunResult): RunResult {
  const stage = (s: StageResult | null): StageResult | null =>
    s && { ...s, stdout: Buffer.from(s.stdout), stderr: Buffer.from(s.stderr) };
  const out: RunResult = { ...r, compile: stage(r.compile), run: stage(r.run) };
  if (r.files) out.files = r.files.map((f) => ({ path: f.path, content: Buffer.from(f.content) }));
  if (r.outputFiles) out.outputFiles = r.outputFiles.map((f) => ({ ...f, content: Buffer.from(f.content) }));
  return out;
}

function plainFiles(files: SourceFile[]): { path: string; content: string | Uint8Array }[] {
  return files.map((f) => ({ path: f.path, content: f.content }));
}

/** Only the fields the channel's schema knows (it refuses unknown keys). */
function plainSide(s: InteractiveSide) {
  return {
    language: s.language,
    files: plainFiles(s.files),
    ...(s.mainFile !== undefined ? { mainFile: s.mainFile } : {}),
    ...(s.args ? { args: s.args } : {}),
    ...(s.dataFiles ? { dataFiles: plainFiles(s.dataFiles) } : {}),
    ...(s.collectFiles ? { collectFiles: s.collectFiles } : {}),
    ...(s.limits ? { limits: s.limits } : {}),
    ...(s.compileLimits ? { compileLimits: s.compileLimits } : {}),
  };
}
