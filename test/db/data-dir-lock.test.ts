import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { openDatabase } from '../../src/db/client.js';
import { acquireDirLock, DataDirLockedError } from '../../src/db/data-dir-lock.js';

/** A separate process that takes the lock (from dist/, as bin/muscode does) and reports. */
function holder(dir: string): { child: ChildProcess; result: Promise<string> } {
  const mod = path.join(REPO_ROOT, 'dist/src/db/data-dir-lock.js');
  const code = `
    const { acquireDirLock } = await import(${JSON.stringify(mod)});
    try {
      await acquireDirLock(${JSON.stringify(dir)}, { command: 'test holder' });
      process.stdout.write('got\\n');
      setInterval(() => {}, 1000);
    } catch (err) {
      process.stdout.write('refused ' + err.code + ' ' + err.message + '\\n');
      process.exit(3);
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const result = new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => resolve(out.trim()));
  });
  return { child, result };
}

const kill = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });

describe('the data-directory lock', () => {
  let dir = '';
  const children: ChildProcess[] = [];
  // Made when a test runs (not at collection), so a filtered run leaves nothing behind.
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-lock-'));
  });
  afterAll(async () => {
    await Promise.all(children.map(kill));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is exclusive, names its holder, and is free again once released', async () => {
    const first = await acquireDirLock(dir, { command: 'first holder' });
    const err = await acquireDirLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).code).toBe('DATA_DIR_LOCKED');
    expect((err as DataDirLockedError).holder).toMatchObject({ pid: process.pid, command: 'first holder', state: 'running' });
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    await first.release();
    const again = await acquireDirLock(dir);
    await again.release();
  });

  it('a holder killed with SIGKILL leaves no stale lock: of several starters racing to take it over, exactly one wins', async () => {
    const h = holder(dir);
    children.push(h.child);
    expect(await h.result).toBe('got');
    const refused = await acquireDirLock(dir).catch((e: unknown) => e);
    expect((refused as DataDirLockedError).holder?.pid).toBe(h.child.pid);
    await kill(h.child);
    const racers = Array.from({ length: 4 }, () => holder(dir));
    children.push(...racers.map((r) => r.child));
    const results = await Promise.all(racers.map((r) => r.result));
    expect(results.filter((r) => r === 'got')).toHaveLength(1);
    const winner = racers[results.indexOf('got')]!.child.pid;
    for (const r of results.filter((x) => x !== 'got')) expect(r).toMatch(new RegExp(`^refused DATA_DIR_LOCKED .*pid ${winner}\\b`));
    await Promise.all(racers.map((r) => kill(r.child)));
    // And once the winner is gone too, the directory is free.
    const last = await acquireDirLock(dir);
    await last.release();
  });

  it('a waiter for a holder that is stopping gets the lock when it lets go', async () => {
    const first = await acquireDirLock(dir);
    first.markStopping();
    const waiting = acquireDirLock(dir, { waitForStoppingMs: 60_000 });
    // A running holder is refused at once even with a wait budget for stopping ones.
    const other = await acquireDirLock(dir, { scope: 'other' });
    const refusedAtOnce = await acquireDirLock(dir, { scope: 'other', waitForStoppingMs: 60_000 }).catch((e: unknown) => e);
    expect(refusedAtOnce).toBeInstanceOf(DataDirLockedError);
    await other.release();
    await first.release();
    const second = await waiting;
    // The database lock of a new service process waits for any holder (its predecessor, whose
    // supervisor was killed, still closing PGlite).
    const waitingForAny = acquireDirLock(dir, { waitForAnyMs: 60_000 });
    await second.release();
    const third = await waitingForAny;
    await third.release();
  });

  it('two PGlite instances can never open one directory', async () => {
    const dbDir = path.join(dir, 'db');
    const a = await openDatabase({ pgliteDir: dbDir });
    try {
      const err = await openDatabase({ pgliteDir: dbDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
    } finally {
      await a.close();
    }
    const b = await openDatabase({ pgliteDir: dbDir });
    await b.close();
  });
});
