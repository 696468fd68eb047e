import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { embeddedDbDir, openDatabase } from '../../src/db/client.js';
import { DatabaseDamagedError } from '../../src/db/integrity.js';
import { createTestDatabase } from '../helpers/app.js';
import { muscode, type ServeProcess, startServe } from './serve-process.js';

/**
 * The data directory the newcomer's walk-through left broken (ux-2026-11-29.md B1): every
 * sign-in answered 500 ("MultiXactId 5 has not been created yet -- apparent wraparound"). It is
 * checked in (xz, 1 MB) exactly as it was found. The server must refuse it with a diagnosis and
 * what to do, never serve 500s; `muscode repair` salvages it.
 */
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/embedded-data-dir-broken-2026-11-29.tar.xz');

function extract(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-broken-'));
  execFileSync('tar', ['-xJf', FIXTURE, '-C', dir]);
  return dir;
}

describe('the damaged data directory of 2026-11-29', () => {
  const dirs: string[] = [];
  const servers: ServeProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is refused at open with the damaged table, the cause, and what to do', async () => {
    const dir = extract();
    dirs.push(dir);
    const err = await openDatabase({ pgliteDir: embeddedDbDir(dir) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseDamagedError);
    const e = err as DatabaseDamagedError;
    expect(e.code).toBe('DATABASE_DAMAGED');
    expect(e.where).toBe('public.users');
    expect(e.problem).toContain('MultiXactId 5 has not been created yet');
    expect(e.message).toContain('two processes writing one data directory');
    expect(e.message).toContain('bin/muscode repair');
    expect(e.message).toContain('bin/muscode restore');
  });

  it('serve exits with EX_DATAERR and the diagnosis instead of answering 500; repair salvages it and serve then works', async () => {
    const dir = extract();
    dirs.push(dir);
    const refused = await startServe(dir).then(
      (s) => {
        servers.push(s);
        return null;
      },
      (e: { code: number; output: string }) => e,
    );
    expect(refused, 'the server must not start on a damaged database').not.toBeNull();
    expect(refused!.code).toBe(65);
    expect(refused!.output).toContain('DATABASE_DAMAGED');
    expect(refused!.output).toContain('MultiXactId 5 has not been created yet');
    expect(refused!.output).toContain('bin/muscode repair --data-dir');

    const repaired = await muscode(['repair', '--data-dir', dir]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain('removed an old row version');
    expect(repaired.stdout).toMatch(/users 1\b/);
    const kept = fs.readdirSync(path.join(dir, 'service')).filter((n) => n.startsWith('db.damaged-'));
    expect(kept).toHaveLength(1);

    const s = await startServe(dir);
    servers.push(s);
    // The account that could not sign in exists once; the paths that failed (a refresh-token
    // insert references the user row) work: a new account registers, signs in, refreshes.
    const post = (p: string, body: unknown) =>
      fetch(`${s.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const dup = await post('/api/v1/auth/register', { email: 'newbie@example.com', username: 'newbie2', password: 'correct horse battery' });
    expect(dup.status).toBe(409);
    const reg = await post('/api/v1/auth/register', { email: 'again@example.com', username: 'again', password: 'correct horse battery' });
    expect(reg.status).toBe(201);
    const login = await post('/api/v1/auth/login', { email: 'again@example.com', password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const { refreshToken } = ((await login.json()) as { data: { refreshToken: string } }).data;
    const refresh = await post('/api/v1/auth/refresh', { refreshToken });
    expect(refresh.status).toBe(200);
    expect(await s.kill('SIGTERM')).toBe(0);

    // The salvaged data moves to PostgreSQL like any other (bytea outputs and jsonb included).
    const file = path.join(dir, 'salvaged.backup');
    expect((await muscode(['backup', file, '--data-dir', dir])).code).toBe(0);
    const pg = await createTestDatabase();
    try {
      const r = await muscode(['restore', file, '--database-url', pg.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/executions 13\b/);
    } finally {
      await pg.drop();
    }
  }, 300_000);
});
