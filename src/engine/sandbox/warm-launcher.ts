import { type ChildProcess, spawn } from 'node:child_process';
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
  ) {
    this.child = spawn(
      launcherPath,
      ['launch', '--status-fd', String(statusFd), '--control-fd', String(CONTROL_FD), ...cg.procsFiles.flatMap((f) => ['--cgroup', f])],
      // 0-2: the program's stdio (0 is replaced by the stdin file for batch stages), 3: bwrap's
      // seccomp program, 4: status, 5: control.
      { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'], detached: true, env: {} },
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

  /** Hands the launcher its stage: the options (and "--", bubblewrap's path and argv). */
  start(args: readonly string[], seccomp: Buffer): void {
    if (this.started) throw new Error('launcher already started');
    // The framing is NUL-separated: an entry holding a NUL would become two options.
    if (args.some((a) => a.includes('\0'))) throw new Error('an argument contains a NUL byte');
    this.started = true;
    this.setRef(true);
    const seccompPipe = this.child.stdio[3] as Writable;
    seccompPipe.end(seccomp);
    const control = this.control();
    control.end(Buffer.from(args.map((a) => `${a}\0`).join(''), 'utf8'));
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

/** Starts a launcher for the next stage of `slot`, in a cgroup acquired for it now. */
export function startPending(launcherPath: string, cgroups: CgroupDriver, slot: number, statusFd: number): PendingLauncher {
  const cg = cgroups.acquire(slot);
  try {
    return new PendingLauncher(launcherPath, cg, statusFd);
  } catch (err) {
    cgroups.release(cg);
    throw err;
  }
}
