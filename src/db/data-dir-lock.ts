import fs from 'node:fs';
import net from 'node:net';
import { SystemError } from '../errors.js';

/**
 * An exclusive lock on a directory, held by the kernel for the life of the process.
 *
 * The lock is a listening Unix socket in Linux's abstract namespace, named after the directory's
 * device and inode. Binding a name is atomic, so of two starters exactly one wins; the name
 * disappears when the last file descriptor of the socket is closed, i.e. when the process exits
 * however it exits (SIGKILL included). There is therefore no stale lock to detect and no
 * take-over race: a dead holder's lock is simply gone. The socket is opened close-on-exec, so no
 * sandbox or helper process ever inherits it.
 *
 * A process that finds the name taken connects to it: the holder answers with who it is (pid,
 * since when, command line, running or stopping), which is what the refusal message prints.
 *
 * Limitation: abstract socket names are per network namespace. Two containers with their own
 * network namespaces that share one data volume do not see each other's lock (see
 * docs/operations.md).
 */

/** Stable codes for the startup errors of this module (CLI only: never an HTTP answer). */
export const DataErrorCodes = {
  dataDirLocked: 'DATA_DIR_LOCKED',
  databaseDamaged: 'DATABASE_DAMAGED',
  backupInvalid: 'BACKUP_INVALID',
  restoreTargetNotEmpty: 'RESTORE_TARGET_NOT_EMPTY',
} as const;

export interface LockHolder {
  pid: number;
  /** ISO time the holder took the lock. */
  since: string;
  command: string;
  state: 'running' | 'stopping';
}

export class DataDirLockedError extends SystemError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      DataErrorCodes.dataDirLocked,
      holder
        ? `${dir} is in use by pid ${holder.pid} (since ${holder.since}, ${holder.state}: ${holder.command}); ` +
            'stop that process first, or give this one another DATA_DIR'
        : `${dir} is in use by another MUSCode process (it did not say which); stop it first, or give this one another DATA_DIR`,
      { dir, holder },
    );
  }
}

export interface DirLock {
  readonly dir: string;
  readonly holder: LockHolder;
  /** Tell processes that find the lock taken that this holder is shutting down (they may wait). */
  markStopping(): void;
  release(): Promise<void>;
}

export interface LockOptions {
  /** Which lock on the directory: the data directory itself, or the database inside it. */
  scope?: string;
  /** What `command` the holder reports. */
  command?: string;
  /**
   * How long to wait when the holder is shutting down (its state is "stopping"), so that a
   * restart started right after the old server closed its port waits for it to finish closing
   * the database. A holder that is running is refused at once. 0: never wait.
   */
  waitForStoppingMs?: number;
  /** Wait this long for any holder, running or not (the service process's database lock). */
  waitForAnyMs?: number;
}

/** The abstract socket name of a directory's lock ("\0" prefix = abstract namespace). */
export function lockName(dir: string, scope = 'data-dir'): string {
  const st = fs.statSync(dir);
  return `\0muscode-lock/${scope}/${st.dev}/${st.ino}`;
}

/** Takes the lock or throws DataDirLockedError naming the holder. `dir` must exist. */
export async function acquireDirLock(dir: string, opts: LockOptions = {}): Promise<DirLock> {
  const name = lockName(dir, opts.scope);
  const holder: LockHolder = {
    pid: process.pid,
    since: new Date().toISOString(),
    command: opts.command ?? process.argv.slice(1).join(' '),
    state: 'running',
  };
  const started = Date.now();
  let vanished = 0;
  for (;;) {
    const server = await tryListen(name, holder);
    if (server) {
      let released = false;
      return {
        dir,
        holder,
        markStopping() {
          holder.state = 'stopping';
        },
        async release() {
          if (released) return;
          released = true;
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    }
    let other = await askHolder(name);
    // The holder exited between our bind and our connect: try again. A name that stays bound but
    // refuses connections (not a MUSCode holder) must not make us spin: after a few tries it is
    // an unknown holder.
    if (other === 'gone' && ++vanished < 20) {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    if (other === 'gone') other = null;
    const waited = Date.now() - started;
    const budget = other?.state === 'stopping' ? Math.max(opts.waitForStoppingMs ?? 0, opts.waitForAnyMs ?? 0) : (opts.waitForAnyMs ?? 0);
    if (waited >= budget) throw new DataDirLockedError(dir, other);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tryListen(name: string, holder: LockHolder): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(`${JSON.stringify(holder)}\n`);
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(null);
      else reject(err);
    });
    server.listen({ path: name, exclusive: true }, () => {
      // The lock must never keep a process alive on its own.
      server.unref();
      resolve(server);
    });
  });
}

/** Who holds the lock: their answer, null if they did not answer in time, 'gone' if nobody listens any more. */
function askHolder(name: string): Promise<LockHolder | null | 'gone'> {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect({ path: name });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, 2000);
    socket.on('data', (d: Buffer) => {
      data += d.toString('utf8');
      if (data.length > 65536) socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'gone' : null);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(data) as LockHolder;
        resolve(typeof parsed.pid === 'number' ? parsed : null);
      } catch {
        resolve(null);
      }
    });
  });
}
