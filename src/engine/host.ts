import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Host-side helpers of the sandbox driver: mounts and the sweep of what an engine process that
 * died without closing (kill -9, a crash) left behind.
 */

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of an instance directory or cgroup named "<pid>-<id>", or null. */
export function instancePid(name: string): number | null {
  const pid = Number(name.split('-')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function isMountPoint(dir: string): boolean {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
  } catch {
    return false;
  }
}

/** Removes box mounts and directories left by engine processes that died without closing. */
export function sweepStaleInstances(runDir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(runDir);
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = instancePid(name);
    if (pid === null || processAlive(pid)) continue;
    const dir = path.join(runDir, name);
    for (const slot of safeReaddir(dir)) {
      const p = path.join(dir, slot);
      if (isMountPoint(p)) spawnSync('umount', ['-l', p]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Unmounts (lazily if busy) and removes the mount point. */
export function unmountAndRemove(dir: string): void {
  spawnSync('umount', [dir]);
  if (fs.existsSync(dir) && isMountPoint(dir)) spawnSync('umount', ['-l', dir]);
  try {
    fs.rmdirSync(dir);
  } catch {
    // removed with its parent
  }
}

/** Whether a uid that is neither owner nor group could reach `p` (every parent needs o+x). */
export function reachableByOthers(p: string): boolean {
  let dir = path.resolve(p);
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    try {
      if ((fs.statSync(parent).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    dir = parent;
  }
}
