/**
 * Interactive runs' plumbing on the host side (bwrap.ts calls these): the live stdin, signals to
 * the program, and the pseudo-terminal of `tty` runs.
 *
 * The terminal: the pty pair is opened here, outside the sandbox, with @lydell/node-pty's native
 * `open` (openpty). Its slave side becomes the launcher's stdin, stdout and stderr, and the
 * sandbox's init makes the program the session leader with the slave as its controlling terminal
 * (`init --tty`: setsid + TIOCSCTTY). The master side never leaves this process. node-pty's own
 * `spawn` is not used: it cannot hand the launcher its extra descriptors (the seccomp program on
 * fd 3, the status pipe on fd 4, the control pipe on fd 5), nor start it the way every other run
 * starts. A terminal stage's launcher is its own (startPending with the slave), never the one the
 * slot started ahead with pipes (bwrap.ts takePending).
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import tty from 'node:tty';
import type { Writable } from 'node:stream';
import type { LiveInput } from '../live-input.js';

/**
 * Output batching of interactive stages (OutputCoalescer's delay, 25 ms for batch runs): a person
 * waits for the echo of what they typed, so batches are held 2 ms at most. A program writing
 * byte by byte then costs at most 500 batches a second per stream, still far from one per byte.
 */
export const LIVE_OUTPUT_DELAY_MS = 2;

interface PtyBinding {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
  resize(fd: number, cols: number, rows: number): void;
}

let binding: PtyBinding | null = null;
function ptyBinding(): PtyBinding {
  // The prebuilt binary of @lydell/node-pty, loaded as that package loads it.
  binding ??= createRequire(import.meta.url)(`@lydell/node-pty-${process.platform}-${process.arch}/pty.node`) as PtyBinding;
  return binding;
}

export interface Terminal {
  /** The slave side, for the launcher's stdio (close it here once spawned: `releaseSlave`). */
  slave: number;
  /** The master side: the program's output is read from it and its input written to it. */
  master: tty.ReadStream;
  releaseSlave(): void;
  resize(cols: number, rows: number): void;
  /** Resolves once everything the program wrote has been read (the slave side is closed everywhere). */
  drained(timeoutMs: number): Promise<void>;
  close(): void;
}

export function openTerminal(cols: number, rows: number): Terminal {
  const pty = ptyBinding();
  const fds = pty.open(cols, rows);
  const master = new tty.ReadStream(fds.master);
  let slaveOpen = true;
  let closed = false;
  let ended = false;
  const endWaiters: (() => void)[] = [];
  const markEnded = () => {
    ended = true;
    for (const w of endWaiters.splice(0)) w();
  };
  // Linux answers EIO on the master once the last slave descriptor is closed: that is the end.
  master.on('error', markEnded);
  master.on('end', markEnded);
  master.on('close', markEnded);
  return {
    slave: fds.slave,
    master,
    releaseSlave() {
      if (!slaveOpen) return;
      slaveOpen = false;
      fs.closeSync(fds.slave);
    },
    resize(c, r) {
      if (!closed) pty.resize(fds.master, c, r);
    },
    drained(timeoutMs) {
      if (ended) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        t.unref();
        endWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    close() {
      this.releaseSlave();
      if (closed) return;
      closed = true;
      master.destroy();
    },
  };
}

/**
 * Connects an interactive run's LiveInput to the program: data to `target` (the stdin pipe, or
 * the terminal's master), end of input (the pipe closed; on a terminal the EOF character, ^D),
 * signals through `kill`, sizes to the terminal.
 */
export function attachLiveInput(
  input: LiveInput,
  target: Writable,
  opts: { terminal: Terminal | null; kill: (signal: string) => void },
): void {
  target.on('error', () => undefined); // EPIPE: the program closed its stdin
  input.attach({
    write: (data) => {
      if (!target.destroyed) target.write(data);
    },
    end: () => {
      if (target.destroyed) return;
      if (opts.terminal) target.write(Buffer.from([4]));
      else target.end();
    },
    signal: (name) => opts.kill(name),
    resize: (cols, rows) => opts.terminal?.resize(cols, rows),
    pending: () => target.writableLength,
  });
}

/**
 * The program's processes among a run's cgroup: everything but the launcher, bubblewrap (the
 * launcher's child) and the sandbox's init (bubblewrap's child: with --as-pid-1 bubblewrap's
 * namespace child execs the init, no process between them), found by parent pid. The same for a
 * launcher started ahead or a sandbox prepared ahead (warm-launcher.ts).
 */
export function programPids(pids: readonly number[], launcherPid: number | undefined): number[] {
  const parent = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(pid, ppid);
    } catch {
      // gone
    }
  }
  const depth = (pid: number): number => {
    let d = 0;
    for (let p: number | undefined = pid; p !== undefined && d < 4; d++) {
      if (p === launcherPid) return d;
      p = parent.get(p);
    }
    return 4;
  };
  // depth 0: the launcher, 1: bubblewrap, 2: the init; the program and its children are deeper.
  return [...parent.keys()].filter((pid) => depth(pid) >= 3);
}
