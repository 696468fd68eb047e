/**
 * `muscode problem import` and `muscode user role` as a user runs them (bin/muscode, built dist/),
 * against an embedded database in a private DATA_DIR.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { embeddedDbDir, openDatabase } from '../../src/db/client.js';
import { problemFiles, problems, users } from '../../src/db/schema.js';

const BIN = path.join(REPO_ROOT, 'bin/muscode');
const FIX = path.join(REPO_ROOT, 'test/fixtures');
// A uid block of its own (see verify-cli.test.ts for the others): base + 14 and + 15.
const UID_BASE = 61000 + (process.pid % 400) * 16 + 14;
let dataDir: string;

function cli(...args: string[]) {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    timeout: 110_000,
    env: { ...process.env, DATA_DIR: dataDir, SANDBOX_SLOTS: '1', SANDBOX_UID_BASE: String(UID_BASE), LOG_LEVEL: 'silent' },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const database = await openDatabase({ pgliteDir: embeddedDbDir(dataDir) });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

describe('muscode problem import / user role', () => {
  beforeAll(() => {
    // bin/muscode runs dist/: build it from this checkout's sources.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-arena-cli-'));
  }, 300_000);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('imports folders into the database, refuses a second import unless --replace', async () => {
    const r = cli('problem', 'import', path.join(FIX, 'judge/sum-legacy'), path.join(FIX, 'problems/kattis-2025-groups'), '--publish');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/sum-legacy: created sum-legacy \(published\)/);
    expect(r.stdout).toMatch(/created kattis-2025-groups/);
    expect(r.stdout).toMatch(/warning: sum-legacy: .*no time limit/);
    const again = cli('problem', 'import', path.join(FIX, 'judge/sum-legacy'));
    expect(again.status).toBe(65);
    expect(again.stderr).toMatch(/PROBLEM_EXISTS/);
    const replaced = cli('problem', 'import', path.join(FIX, 'judge/sum-legacy'), '--replace');
    expect(replaced.status).toBe(0);
    expect(replaced.stdout).toMatch(/replaced sum-legacy/);
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bad-'));
    fs.writeFileSync(path.join(bad, 'problem.yaml'), 'name: [unclosed\n');
    const broken = cli('problem', 'import', bad);
    fs.rmSync(bad, { recursive: true, force: true });
    expect(broken.status).toBe(65);
    expect(broken.stderr).toMatch(/PACKAGE_INVALID/);
    await withDb(async ({ db }) => {
      const rows = await db.select().from(problems);
      expect(rows.map((p) => [p.slug, p.published, p.version]).sort()).toEqual([
        ['kattis-2025-groups', true, 1],
        ['sum-legacy', true, 2],
      ]);
      const files = await db.select({ path: problemFiles.path }).from(problemFiles).where(eq(problemFiles.problemId, rows.find((p) => p.slug === 'sum-legacy')!.id));
      expect(files.length).toBeGreaterThan(8);
    });
  }, 240_000);

  it('sets a user role, and refuses an unknown role or email', async () => {
    await withDb(({ db }) => db.insert(users).values({ email: 'Ada@Example.invalid', username: 'ada', passwordHash: 'x' }));
    const r = cli('user', 'role', 'ada@example.invalid', 'author');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('ada is now author\n');
    expect(cli('user', 'role', 'ada@example.invalid', 'superuser').status).toBe(64);
    expect(cli('user', 'role', 'nobody@example.invalid', 'admin').status).toBe(64);
    const role = await withDb(({ db }) => db.select({ role: users.role }).from(users).where(eq(users.username, 'ada')));
    expect(role).toEqual([{ role: 'author' }]);
  }, 120_000);
});
