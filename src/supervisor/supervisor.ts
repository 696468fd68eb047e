import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Config, REPO_ROOT } from '../config/config.js';
import { reachableByOthers } from '../engine/host.js';
import type { Engine } from '../engine/runner/engine.js';
import type { RunResult } from '../engine/types.js';
import { CallerError, ErrorCodes, MuscodeError, SystemError } from '../errors.js';
import { LiveInput, TTY_DEFAULT, validSize } from '../engine/live-input.js';
import { childMessage, type ParentMessage } from './protocol.js';
import { LocalWorkspaceRuntime } from '../workspaces/runtime.js';
import { workspaceChannel } from './workspace-channel.js';

/** uid/gid of a user from /etc/passwd (Node has no getpwnam). */
export function lookupUser(name: string): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === name);
  if (!line) {
    throw new SystemError(ErrorCodes.invalidConfig, `SERVICE_USER ${name} does not exist (make creates it: useradd --system ${name})`);
  }
  const [, , uid, gid] = line.split(':');
  if (Number(uid) === 0) throw new SystemError(ErrorCodes.invalidConfig, `SERVICE_USER ${name} is root; it must be an unprivileged user`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * V8 flags of the service process (issue 15, item 5; measured in docs/performance.md, "Resident
 * memory"): a 1 MB semi-space keeps V8's young generation at ~3 MB instead of growing to ~48 MB
 * under load (more, shorter scavenges); without PGLITE_OPTIMIZE, PGlite's WebAssembly runs on
 * V8's baseline compiler only (Liftoff), which saves the ~60 MB that the optimizing tier's
 * compilations leave in the process.
 */
export function serviceNodeFlags(config: Pick<Config, 'PGLITE_OPTIMIZE' | 'mode'>): string[] {
  return ['--max-semi-space-size=1', ...(config.mode === 'embedded' && !config.PGLITE_OPTIMIZE ? ['--liftoff-only'] : [])];
}

/**
 * The engine's supervisor: the only process that keeps root. It starts the service process
 * (HTTP API or queue worker) as SERVICE_USER and runs sandboxes on its behalf over the IPC
 * channel. When the service exits, so does the supervisor (after killing every sandbox).
 */
export async function supervise(
  config: Config,
  engine: Engine,
  childArgs: string[],
  settings: Record<string, string> = {},
  hooks: { onStopping?: () => void } = {},
): Promise<number> {
  const { uid, gid } = lookupUser(config.SERVICE_USER);
  // The service process runs MUSCode's own code as SERVICE_USER: it must be able to reach it.
  if (!reachableByOthers(path.join(REPO_ROOT, 'dist'))) {
    throw new SystemError(
      ErrorCodes.invalidConfig,
      `${REPO_ROOT} is not reachable by ${config.SERVICE_USER} (a parent directory lacks o+x, e.g. /root): ` +
        'put the checkout somewhere world-traversable such as /opt/muscode, or chmod o+x the parent directories',
    );
  }
  // The service's own state (embedded database, generated secrets) belongs to it; the compile
  // cache stays root-only.
  const serviceDir = path.join(config.DATA_DIR, 'service');
  fs.mkdirSync(serviceDir, { recursive: true, mode: 0o700 });
  chownTree(serviceDir, uid, gid);
  fs.chmodSync(config.DATA_DIR, 0o711);

  const entry = path.join(path.dirname(new URL(import.meta.url).pathname), '../cli/service-main.js');
  // Settings given as flags reach the service through its environment (it parses its own config).
  const child = fork(entry, childArgs, {
    uid,
    gid,
    serialization: 'advanced',
    stdio: 'inherit',
    env: { ...process.env, ...settings },
    execArgv: [...new Set([...process.execArgv, ...serviceNodeFlags(config)])],
  });
  const channel = engineChannel(engine, (m) => {
    if (child.connected) child.send(m);
  });
  child.on('message', channel.onMessage);
  // Workspaces: their root half (environments, ptys, the directory) lives here too.
  const workspaces = workspaceChannel(new LocalWorkspaceRuntime(config), (m) => {
    if (child.connected) child.send(m);
  });
  child.on('message', workspaces.onMessage);

  // The supervisor outlives the service: it exits only after the service has exited, i.e. after
  // the service closed the database, so whoever waits for this process's data-dir lock waits for that.
  const forward = (sig: NodeJS.Signals) => () => {
    hooks.onStopping?.();
    child.kill(sig);
  };
  const onTerm = forward('SIGTERM');
  const onInt = forward('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 128 + 15 : 1))));
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  channel.abortAll();
  await workspaces.close();
  await engine.close();
  return code;
}

/**
 * The supervisor's side of the engine channel: parses each message of the (untrusted) service
 * process and runs it on the engine. Exported for tests, which drive it with a forked child.
 */
export function engineChannel(engine: Engine, send: (m: ParentMessage) => void): { onMessage: (raw: unknown) => void; abortAll: () => void } {
  const running = new Map<number, AbortController>();
  const inputs = new Map<number, LiveInput>();

  const onMessage = (raw: unknown) => {
    const parsed = childMessage.safeParse(raw);
    if (!parsed.success) return; // a malformed message from the service is ignored, never obeyed
    const m = parsed.data;
    switch (m.t) {
      case 'run': {
        const abort = new AbortController();
        running.set(m.id, abort);
        const { stream, stdin, files, dataFiles, interactive, ...rest } = m.req;
        const input = interactive ? new LiveInput() : undefined;
        if (input) inputs.set(m.id, input);
        const tty = interactive?.tty && validSize(interactive.tty.cols, interactive.tty.rows) ? interactive.tty : interactive?.tty ? { ...TTY_DEFAULT } : undefined;
        engine
          .run({
            ...rest,
            ...(input ? { input } : {}),
            ...(tty ? { tty } : {}),
            files: bufferFiles(files),
            ...(dataFiles ? { dataFiles: bufferFiles(dataFiles) } : {}),
            stdin: stdin === undefined ? undefined : typeof stdin === 'string' ? stdin : Buffer.from(stdin),
            signal: abort.signal,
            onStdout: stream ? (c) => send({ t: 'out', id: m.id, stream: 'stdout', chunk: c }) : undefined,
            onStderr: stream ? (c) => send({ t: 'out', id: m.id, stream: 'stderr', chunk: c }) : undefined,
          })
          .then(
            (result: RunResult) => send({ t: 'value', id: m.id, value: result }),
            (err: unknown) => send({ t: 'error', id: m.id, error: errorOf(err) }),
          )
          .finally(() => {
            running.delete(m.id);
            inputs.delete(m.id);
          });
        break;
      }
      case 'input': {
        const item = m.item;
        inputs.get(m.id)?.apply(item.kind === 'data' ? { kind: 'data', data: Buffer.from(item.data) } : item);
        break;
      }
      case 'interactive': {
        const abort = new AbortController();
        running.set(m.id, abort);
        const side = (x: typeof m.req.submission) => {
          const { files, dataFiles, ...rest } = x;
          return { ...rest, files: bufferFiles(files), ...(dataFiles ? { dataFiles: bufferFiles(dataFiles) } : {}) };
        };
        engine
          .runInteractive({ submission: side(m.req.submission), interactor: side(m.req.interactor), wallMs: m.req.wallMs, signal: abort.signal })
          .then(
            (value) => send({ t: 'value', id: m.id, value }),
            (err: unknown) => send({ t: 'error', id: m.id, error: errorOf(err) }),
          )
          .finally(() => running.delete(m.id));
        break;
      }
      case 'cancel':
        running.get(m.id)?.abort();
        break;
      case 'languages':
        engine.listLanguages().then(
          (value) => send({ t: 'value', id: m.id, value }),
          (err) => send({ t: 'error', id: m.id, error: errorOf(err) }),
        );
        break;
      case 'status':
        engine.status().then(
          (value) => send({ t: 'value', id: m.id, value }),
          (err) => send({ t: 'error', id: m.id, error: errorOf(err) }),
        );
        break;
    }
  };
  return { onMessage, abortAll: () => running.forEach((a) => a.abort()) };
}

function errorOf(err: unknown): Extract<ParentMessage, { t: 'error' }>['error'] {
  if (err instanceof MuscodeError) {
    return { family: err instanceof CallerError ? 'caller' : 'system', code: err.code, message: err.message, details: err.details };
  }
  return { family: 'system', code: ErrorCodes.internal, message: err instanceof Error ? err.message : String(err) };
}

function bufferFiles(files: { path: string; content: string | Uint8Array }[]): { path: string; content: string | Buffer }[] {
  return files.map((f) => ({ path: f.path, content: typeof f.content === 'string' ? f.content : Buffer.from(f.content) }));
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) chownTree(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

export type { ChildProcess };
