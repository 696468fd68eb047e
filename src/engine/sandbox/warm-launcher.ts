import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { CgroupDriver, RunCgroup } from '../cgroups/cgroup.js';

/** fd on which a launcher started ahead of time reads the rest of its options (muscode-sandbox.c). */
export const CONTROL_FD = 5;

/**
 * A launcher process started before its stage is known: it has joined its slot's cgroups and
 * waits, as root, for its options on the control fd. Moving a process into a cgroup waits for an
 * RCU grace period on a default kernel (5–23 ms on cgroup v1, see docs/performance.md); done
 * here, between runs, the run path has no cgroup move at all. The stage's processes are all
 * forked below this one, so they are born inside the cgroups, as before.
 *
 * Used for exactly one stage (or disposed of); the slot starts the next one after the stage.
 */
export class PendingLauncher {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; sig: NodeJS.Signals | null }>;
  spawnError: Error | null = null;
  dead = false;
  private started = false;

  constructor(
    launcherPath: string,
    readonly cg: RunCgroup,
    statusFd: number,
    terminal?: number,
  ) {
    this.child = spawn(
      launcherPath,
      ['launch', '--status-fd', String(statusFd), '--control-fd', String(CONTROL_FD), ...cg.procsFiles.flatMap((f) => ['--cgroup', f])],
      // 0-2: the program's stdio (0 is replaced by the stdin file for batch stages; a terminal
      // stage's pty slave for all three), 3: bwrap's seccomp program, 4: status, 5: control.
      {
        stdio: terminal === undefined ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : [terminal, terminal, terminal, 'pipe', 'pipe', 'pipe'],
        detached: true,
        env: {},
      },
    );
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.spawnError = err;
        this.dead = true;
        resolve({ code: null, sig: null });
      });
      this.child.once('exit', (code, sig) => {
        this.dead = true;
        resolve({ code, sig });
      });
    });
    for (const s of this.child.stdio) (s as (Readable | Writable) & { on?: unknown } | null)?.on?.('error', () => undefined);
    // Waiting must not keep the engine's process alive (a CLI run that never calls close()).
    this.setRef(false);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * The launcher and every process below it (a prepared sandbox: bubblewrap, the init), from
   * /proc/PID/task/TID/children. Anything else in the slot's cgroup is not the engine's own.
   */
  tree(): Set<number> {
    const out = new Set<number>();
    const todo = this.child.pid !== undefined && !this.dead ? [this.child.pid] : [];
    while (todo.length && out.size < 64) {
      const pid = todo.pop()!;
      if (out.has(pid)) continue;
      out.add(pid);
      let tasks: string[] = [];
      try {
        tasks = fs.readdirSync(`/proc/${pid}/task`);
      } catch {
        continue; // gone
      }
      for (const t of tasks) {
        try {
          for (const c of fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ')) if (c.trim()) todo.push(Number(c));
        } catch {
          // gone
        }
      }
    }
    return out;
  }

  private setRef(on: boolean): void {
    if (on) this.child.ref();
    else this.child.unref();
    for (const s of this.child.stdio) {
      const h = s as { ref?: () => void; unref?: () => void } | null;
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }

  private control(): Writable {
    return (this.child.stdio as readonly unknown[])[CONTROL_FD] as Writable;
  }

  /**
   * What this launcher was prepared for (`prepare`): the sandbox is then being set up, or is
   * ready, its init waiting for its stage. Undefined: only the cgroups are joined.
   */
  key: string | undefined;

  /**
   * Sends the sandbox's options (launcher options, "--", bubblewrap and its argv) and bwrap's
   * seccomp program: the launcher sets the sandbox up and its init waits for `start`.
   */
  prepare(args: readonly string[], seccomp: Buffer, key: string): void {
    if (this.key !== undefined || this.started) throw new Error('launcher already prepared');
    this.key = key;
    (this.child.stdio[3] as Writable).end(seccomp);
    this.control().write(frame(args));
  }

  /**
   * Hands the prepared sandbox its stage: the batch stdin file (or none: the stdin socket stays),
   * the environment and the program's argv, which the launcher passes on to the init.
   */
  start(stdinPath: string | undefined, env: Record<string, string>, argv: readonly string[]): void {
    if (this.key === undefined || this.started) throw new Error('launcher not prepared, or already started');
    this.started = true;
    this.setRef(true);
    const envEntries = Object.entries(env).map(([k, v]) => {
      if (k.includes('=') || !k) throw new Error(`bad environment name ${JSON.stringify(k)}`);
      return `${k}=${v}`;
    });
    const stage = [String(envEntries.length), ...envEntries, ...argv];
    this.control().end(frame([...(stdinPath ? ['--stdin-file', stdinPath] : []), '--', ...stage]));
  }

  /** Ends a launcher that will not be used: end-of-file with no options makes it exit 0. */
  async dispose(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.control().end();
    }
    const stuck = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await this.exited;
    clearTimeout(stuck);
    for (const s of this.child.stdio) (s as { destroy?: () => void } | null)?.destroy?.();
  }
}

/**
 * Starts a launcher for the next stage of `slot`, in a cgroup acquired for it now. `terminal`:
 * a pty's slave side as its fds 0-2 (an interactive terminal stage; started for that stage only).
 */
export function startPending(launcherPath: string, cgroups: CgroupDriver, slot: number, statusFd: number, terminal?: number): PendingLauncher {
  const cg = cgroups.acquire(slot);
  try {
    return new PendingLauncher(launcherPath, cg, statusFd, terminal);
  } catch (err) {
    cgroups.release(cg);
    throw err;
  }
}

/**
 * One control message: the entry count, then the entries, each NUL-terminated (entries may be
 * empty; an entry holding a NUL would become two, so it is refused).
 */
export function frame(entries: readonly string[]): Buffer {
  if (entries.some((a) => a.includes('\0'))) throw new Error('an argument contains a NUL byte');
  return Buffer.from(`${entries.length}\0${entries.map((e) => `${e}\0`).join('')}`, 'utf8');
}
