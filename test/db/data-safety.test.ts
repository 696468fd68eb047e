import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBackup } from '../../src/db/backup.js';
import { embeddedDbDir, openDatabase } from '../../src/db/client.js';
import { createTestDatabase } from '../helpers/app.js';
import { muscode, type ServeProcess, startServe } from './serve-process.js';
import { type Acked, missing, startWriters } from './writers.js';

/**
 * Embedded data safety with real processes and real PGlite (issue 16): the data-directory lock,
 * SIGKILL during writes, online backups, restore, and the move to PostgreSQL.
 */

const tmp = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `muscode-${label}-`));
const dirs: string[] = [];
const servers: ServeProcess[] = [];
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill('SIGKILL');
  for (const d of drops) await d().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * PostgreSQL's cluster state from pg_control (DBState at byte 16): "shut down" only after a
 * clean shutdown checkpoint, "in production" while open or after a kill.
 */
function clusterState(dataDir: string): string {
  const state = fs.readFileSync(path.join(embeddedDbDir(dataDir), 'global/pg_control')).readInt32LE(16);
  return ['starting up', 'shut down', 'shut down in recovery', 'shutting down', 'in crash recovery', 'in archive recovery', 'in production'][state] ?? `state ${state}`;
}

/**
 * The service process: the supervisor's one Node child. Its other children are the sandbox
 * launchers its engine starts ahead of the next run (SANDBOX_PRESTART, docs/sandbox.md).
 */
function servicePid(supervisor: number): number {
  const kids = fs.readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const exe = (pid: number) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      return '';
    }
  };
  const node = kids.filter((pid) => exe(pid) === process.execPath);
  expect(node).toHaveLength(1);
  return node[0]!;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function serve(dir: string): Promise<ServeProcess> {
  const s = await startServe(dir);
  servers.push(s);
  return s;
}

/** Rows of every table of an embedded database (the server must be stopped), as sorted JSON. */
async function rowsOf(target: { pgliteDir?: string; url?: string }): Promise<Record<string, string[]>> {
  const db = await openDatabase(target);
  try {
    // jsonb keeps its keys in one canonical order on both; timestamps are printed in UTC.
    return await db.transaction(async (q) => {
      await q(`set local timezone = 'UTC'`);
      const tables = await q<{ t: string }>(`select relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and relkind = 'r' order by 1`);
      const out: Record<string, string[]> = {};
      for (const { t } of tables) {
        const rows = await q<{ r: unknown }>(`select to_jsonb(x) as r from "${t}" x`);
        out[t] = rows.map((r) => (typeof r.r === 'string' ? r.r : JSON.stringify(r.r))).sort();
      }
      return out;
    });
  } finally {
    await db.close();
  }
}

describe('embedded data safety (bin/muscode, real processes)', () => {
  it('a second serve, migrate, restore or repair on a DATA_DIR in use is refused at once, naming the holder; a restart right after SIGTERM waits for the old server', async () => {
    const dir = tmp('lock');
    dirs.push(dir);
    const first = await serve(dir);
    const acked: Acked = { accounts: [], projects: [] };
    const w = startWriters(first.url, acked, 1);
    await w.waitFor(2);
    await w.stop();

    const second = await muscode(['serve', '--data-dir', dir, '--port', '0', '--log-level', 'warn']);
    expect(second.code).toBe(75); // EX_TEMPFAIL
    expect(second.stderr).toContain('DATA_DIR_LOCKED');
    expect(second.stderr).toContain(`in use by pid ${first.child.pid} (since 20`);
    expect(second.stderr).toContain('running: muscode serve');
    expect(second.stderr).not.toContain('EADDRINUSE');
    expect(second.stdout).not.toContain('listening');
    for (const args of [['migrate'], ['restore', '/dev/null', '--force'], ['repair']]) {
      const r = await muscode([...args, '--data-dir', dir]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(75);
      expect(r.stderr).toContain(`in use by pid ${first.child.pid}`);
    }
    const backupFile = path.join(dir, 'while-running.backup');
    const restoreLocked = await muscode(['backup', backupFile, '--data-dir', dir]);
    expect(restoreLocked.code, restoreLocked.stderr).toBe(0);
    expect((await muscode(['restore', backupFile, '--data-dir', dir, '--force'])).stderr).toContain('DATA_DIR_LOCKED');
    // The first server still serves, untouched by all of that.
    expect(await missing(first.url, acked)).toEqual([]);

    // A restart as soon as the port closes: it waits for the old process group, then starts.
    first.child.kill('SIGTERM');
    while (await fetch(`${first.url}/api/v1/health`).then(() => true, () => false)) await new Promise((r) => setTimeout(r, 10));
    const restarted = await serve(dir);
    expect(first.child.exitCode).toBe(0);
    expect(await missing(restarted.url, acked)).toEqual([]);
    expect(clusterState(dir)).toBe('in production');

    // SIGTERM to the supervisor alone (as systemd's KillMode=mixed or a plain `kill` does): it
    // exits only after its service process has exited, and that one only after PGlite wrote its
    // shutdown checkpoint.
    const service = servicePid(restarted.child.pid!);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    expect(alive(service)).toBe(false);
    expect(clusterState(dir)).toBe('shut down');
  }, 300_000);

  it('SIGKILL ten times during writes (and the supervisor alone two more): after each restart every acknowledged account and project is there', async () => {
    const dir = tmp('sigkill');
    dirs.push(dir);
    const acked: Acked = { accounts: [], projects: [] };
    const errors: string[] = [];
    // Ten kills of the whole process group, and after every fifth one a kill of the supervisor
    // alone: its service then closes the database by itself while the next serve starts, whose
    // service must wait for the database lock.
    const rounds = Array.from({ length: 10 }, (_, i) => (i % 5 === 4 ? ['group', 'supervisor'] : ['group'])).flat();
    for (const [round, kind] of rounds.entries()) {
      const s = await serve(dir);
      expect(await missing(s.url, acked), `round ${round}`).toEqual([]);
      const w = startWriters(s.url, acked, 3);
      // Kill while writes are in flight: after a few more have been acknowledged.
      await w.waitFor(2 + (round % 4));
      if (kind === 'group') await s.kill('SIGKILL');
      else {
        s.child.kill('SIGKILL');
        await s.exited;
      }
      await w.stop();
      errors.push(...w.errors);
    }
    expect(rounds.filter((k) => k === 'group')).toHaveLength(10);
    const last = await serve(dir);
    expect(await missing(last.url, acked)).toEqual([]);
    expect(errors).toEqual([]);
    expect(acked.accounts.length).toBeGreaterThanOrEqual(10);
    expect(await last.kill('SIGTERM')).toBe(0);
  }, 900_000);

  it('a backup taken while writing restores to a consistent database, in PGlite and in PostgreSQL', async () => {
    const dir = tmp('backup');
    const restored = tmp('restored');
    dirs.push(dir, restored);
    const s = await serve(dir);
    const acked: Acked = { accounts: [], projects: [] };
    const w = startWriters(s.url, acked, 3);
    await w.waitFor(6);
    const before = { accounts: [...acked.accounts], projects: [...acked.projects] };
    const file = path.join(dir, 'online.backup');
    const b = await muscode(['backup', file, '--data-dir', dir]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain('taken by the running server');
    await w.waitFor(3);
    await w.stop();
    expect(w.errors).toEqual([]);
    expect(await s.kill('SIGTERM')).toBe(0);

    // Restore into a new DATA_DIR; an existing database is never replaced without --force.
    const r = await muscode(['restore', file, '--data-dir', restored]);
    expect(r.code, r.stderr).toBe(0);
    const again = await muscode(['restore', file, '--data-dir', restored]);
    expect(again.code).toBe(73);
    expect(again.stderr).toContain('RESTORE_TARGET_NOT_EMPTY');

    // Consistent: whatever the backup holds, it holds whole transactions. Registration writes
    // the user, its first refresh token and the audit row in one transaction.
    const counts = await checkBackup(fs.createReadStream(file));
    const db = await openDatabase({ pgliteDir: embeddedDbDir(restored) });
    try {
      const [row] = await db.query<{ users: number; orphans: number; projects: number }>(
        `select (select count(*)::int from users) as users,
                (select count(*)::int from projects) as projects,
                (select count(*)::int from users u where not exists (select 1 from refresh_tokens t where t.user_id = u.id)
                    or not exists (select 1 from audit_logs a where a.user_id = u.id and a.action = 'register')) as orphans`,
      );
      expect(row).toEqual({ users: counts.users, projects: counts.projects, orphans: 0 });
      expect(row!.users).toBeGreaterThanOrEqual(before.accounts.length);
      expect(row!.users).toBeLessThanOrEqual(acked.accounts.length + 3);
      const names = new Set((await db.query<{ username: string }>('select username from users')).map((u) => u.username));
      expect(before.accounts.filter((a) => !names.has(a.username))).toEqual([]);
    } finally {
      await db.close();
    }

    const restoredRows = await rowsOf({ pgliteDir: embeddedDbDir(restored) });

    // The restored server: everything acknowledged before the backup is there (users sign in;
    // tokens of the old DATA_DIR are signed with its secrets, so they sign in afresh).
    const s2 = await serve(restored);
    for (const a of before.accounts) {
      const login = await fetch(`${s2.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: a.email, password: a.password }),
      });
      expect(login.status, a.username).toBe(200);
      a.token = ((await login.json()) as { data: { token: string } }).data.token;
    }
    expect(await missing(s2.url, before)).toEqual([]);
    expect(await s2.kill('SIGTERM')).toBe(0);

    // Embedded to cluster: the same file into a fresh PostgreSQL database, then back out of it.
    const pg = await createTestDatabase();
    drops.push(() => pg.drop());
    const toPg = await muscode(['restore', file, '--database-url', pg.url]);
    expect(toPg.code, toPg.stderr).toBe(0);
    const fromPgFile = path.join(dir, 'from-pg.backup');
    const back = await muscode(['backup', fromPgFile, '--database-url', pg.url]);
    expect(back.code, back.stderr).toBe(0);
    expect(await checkBackup(fs.createReadStream(fromPgFile))).toEqual(counts);
    // Row for row the same as the PGlite restore of the same file (taken before anyone signed in there).
    expect(await rowsOf({ url: pg.url })).toEqual(restoredRows);
    // Into a database that already has data: refused, nothing changed.
    const twice = await muscode(['restore', file, '--database-url', pg.url]);
    expect(twice.code).toBe(73);
  }, 300_000);
});
