import { CallerError, ErrorCodes, MuscodeError, SystemError } from '../errors.js';
import type { Rejected, Upsert } from '../workspaces/project-files.js';
import type { TerminalPty, WorkspaceEnv, WorkspaceRuntime } from '../workspaces/runtime.js';
import { type WsParentMessage, wsChildMessage } from './workspace-protocol.js';

/** How long the root side waits for the service to write a sync's changes to the database. */
const APPLY_TIMEOUT_MS = 30_000;

/**
 * The supervisor's side of the workspace channel: runs the root half of workspaces
 * (`WorkspaceRuntime`: environments, ptys, the directory) for the unprivileged service process.
 * Every message is parsed (workspace-protocol.ts); a malformed one is ignored, never obeyed.
 * Exported for tests.
 */
export function workspaceChannel(runtime: WorkspaceRuntime, send: (m: WsParentMessage) => void): { onMessage: (raw: unknown) => void; close: () => Promise<void> } {
  const envs = new Map<string, Promise<WorkspaceEnv>>();
  const ptys = new Map<number, TerminalPty>();
  const applies = new Map<number, { resolve: (v: { written: string[]; deleted: string[]; rejected: Rejected[] }) => void; reject: (e: Error) => void }>();
  let termSeq = 0;
  let applySeq = 0;
  let closed = false;

  const env = (key: string): Promise<WorkspaceEnv> => {
    const e = envs.get(key);
    if (!e) throw new CallerError(ErrorCodes.workspaceNotRunning, 'the workspace is not running');
    return e;
  };

  const sinkFor = (key: string) => ({
    apply: (upserts: Upsert[], deletes: string[]) =>
      new Promise<{ written: string[]; deleted: string[]; rejected: Rejected[] }>((resolve, reject) => {
        if (closed) return reject(new Error('the service is gone'));
        const id = ++applySeq;
        const timer = setTimeout(() => {
          applies.delete(id);
          reject(new Error('the service did not answer a sync'));
        }, APPLY_TIMEOUT_MS);
        timer.unref();
        applies.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        send({ t: 'ws-apply', id, key, upserts, deletes });
      }),
    onChange: (event: { written: string[]; deleted: string[]; rejected: Rejected[]; skipped: { rel: string; reason: string }[] }) => send({ t: 'ws-change', key, event }),
  });

  const perform = async (req: Extract<ReturnType<typeof wsChildMessage.parse>, { t: 'ws' }>['req']): Promise<unknown> => {
    switch (req.op) {
      case 'start': {
        if (envs.has(req.key)) throw new SystemError(ErrorCodes.internal, 'the workspace is running already');
        const files = req.files.map((f) => {
          const i = f.rel.lastIndexOf('/');
          return { rel: f.rel, path: i < 0 ? '/' : `/${f.rel.slice(0, i)}`, name: f.rel.slice(i + 1), content: f.content, encoding: f.encoding, size: 0, isMain: false };
        });
        const started = runtime.start(req.key, files, sinkFor(req.key));
        envs.set(req.key, started);
        try {
          await started;
        } catch (err) {
          envs.delete(req.key);
          throw err;
        }
        return null;
      }
      case 'spawn': {
        const pty = await (await env(req.key)).spawnTerminal(req.size);
        const term = ++termSeq;
        ptys.set(term, pty);
        pty.onData((data) => send({ t: 'pty-data', term, data }));
        pty.onExit(({ exitCode, signal }) => {
          ptys.delete(term);
          send({ t: 'pty-exit', term, exitCode, signal: signal ?? null });
        });
        return { term, pid: pty.pid, cols: pty.cols, rows: pty.rows };
      }
      case 'wrote':
        return (await env(req.key)).wrote(req.rel, Buffer.from(req.bytes));
      case 'remove':
        return (await env(req.key)).remove(req.rel);
      case 'sync':
        return (await env(req.key)).syncNow();
      case 'status':
        return (await env(req.key)).status();
      case 'stop': {
        const e = envs.get(req.key);
        if (!e) return null;
        try {
          await (await e).stop();
        } finally {
          envs.delete(req.key);
        }
        return null;
      }
    }
  };

  const onMessage = (raw: unknown) => {
    const parsed = wsChildMessage.safeParse(raw);
    if (!parsed.success) return;
    const m = parsed.data;
    if (m.t === 'ws') {
      perform(m.req).then(
        (value) => send({ t: 'ws-reply', id: m.id, value: value ?? null }),
        (err: unknown) =>
          send({
            t: 'ws-reply',
            id: m.id,
            error:
              err instanceof MuscodeError
                ? { family: err instanceof CallerError ? 'caller' : 'system', code: err.code, message: err.message, details: err.details }
                : { family: 'system', code: ErrorCodes.internal, message: err instanceof Error ? err.message : String(err) },
          }),
      );
    } else if (m.t === 'pty') {
      const pty = ptys.get(m.term);
      if (!pty) return;
      try {
        if (m.op === 'write' && m.data !== undefined) pty.write(m.data);
        else if (m.op === 'resize' && m.cols !== undefined && m.rows !== undefined) pty.resize(clamp(m.cols, 500), clamp(m.rows, 200));
        else if (m.op === 'pause') pty.pause();
        else if (m.op === 'resume') pty.resume();
        else if (m.op === 'kill') pty.kill('SIGKILL');
      } catch {
        // the pty is gone; its exit message follows
      }
    } else {
      const a = applies.get(m.id);
      if (!a) return;
      applies.delete(m.id);
      if (m.result) a.resolve(m.result);
      else a.reject(new Error(m.error ?? 'the sync was refused'));
    }
  };

  /** The service is gone: every workspace stops (its files are in the database up to the last sync). */
  const close = async () => {
    closed = true;
    for (const a of applies.values()) a.reject(new Error('the service is gone'));
    applies.clear();
    for (const [key, e] of [...envs]) {
      await e.then((x) => x.stop()).catch(() => undefined);
      envs.delete(key);
    }
    await runtime.close();
  };
  return { onMessage, close };
}

function clamp(v: number, max: number): number {
  return Math.max(1, Math.min(max, Math.floor(v)));
}
