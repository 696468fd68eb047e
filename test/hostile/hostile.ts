/**
 * Shared pieces of the hostile suite: host-side markers the attacks try to reach, host processes
 * they try to see or kill, and a parser for the "key=value" lines the attack programs print.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/config.js';

export const ERRNO = { EPERM: 1, ENOENT: 2, ESRCH: 3, E2BIG: 7, EXDEV: 18, EACCES: 13, ENOSPC: 28, EROFS: 30, ENOSYS: 38, EAFNOSUPPORT: 97 };

export function uniqueMarker(tag: string): string {
  return `MUSCODE-HOSTILE-${tag}-${randomBytes(12).toString('hex')}`;
}

/** A root-only (0600) file holding a unique marker, in a fresh directory under `parent`. */
export interface HostSecret {
  dir: string;
  file: string;
  marker: string;
  remove(): void;
}

export function hostSecret(parent: string, tag: string): HostSecret {
  const dir = fs.mkdtempSync(path.join(parent, 'muscode-hostile-'));
  fs.chmodSync(dir, 0o755);
  const marker = uniqueMarker(tag);
  const file = path.join(dir, 'secret.h');
  fs.writeFileSync(file, `${marker}\n`, { mode: 0o600 });
  return { dir, file, marker, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Two places for a secret: under the host's /tmp, which the sandbox does not see at all (its
 * /tmp is its own tmpfs), and under /usr/share, which *is* bound into every sandbox (read-only
 * /usr) so only file permissions stand between the program and the secret. (Not /usr/local:
 * the sandbox sees an empty one.)
 */
export function hostSecrets(tag: string): { hidden: HostSecret; visible: HostSecret; remove(): void } {
  const hidden = hostSecret(os.tmpdir(), `${tag}-hidden`);
  const visible = hostSecret('/usr/share', `${tag}-visible`);
  return { hidden, visible, remove: () => (hidden.remove(), visible.remove()) };
}

/** The uids of the engine's slots. */
export function slotUids(config: Config): number[] {
  return Array.from({ length: config.SANDBOX_SLOTS }, (_, i) => config.SANDBOX_UID_BASE + i);
}

/**
 * A host process running as `uid` (a slot uid, so that only the sandbox's walls, not plain
 * permissions, keep the program away from it). Its argv[0] and environment carry `marker`.
 */
export function hostSleeper(uid: number, marker: string): ChildProcess {
  const child = spawn('/usr/bin/sleep', ['120'], {
    uid,
    gid: uid,
    argv0: `sleep-${marker}`,
    env: { MUSCODE_HOSTILE_SECRET: marker },
    stdio: 'ignore',
  });
  if (!child.pid) throw new Error('cannot start a host sleeper');
  return child;
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** Parses the "key=value ..." lines an attack program prints: first token is the key. */
export function parseLines(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** A C prelude for syscall attacks: T("name", expr) prints "name=<ret> errno=<n>". */
export const C_PRELUDE = `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#define T(name, expr) do { errno = 0; long r_ = (long)(expr); int e_ = r_ < 0 ? errno : 0; \\
  printf("%s=%ld errno=%d\\n", name, r_ < 0 ? -1L : r_, e_); fflush(stdout); } while (0)
`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
