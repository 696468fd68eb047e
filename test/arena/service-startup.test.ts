/**
 * `make run` on a fresh database: the API imports the shipped packages (ARENA_PROBLEMS_DIR),
 * published and without author; a restart on the same database imports nothing again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/app.js';

const FIX = path.join(import.meta.dirname, '../fixtures');

describe('shipped problems at startup', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-shipped-'));
  const db = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-shipped-db-'));
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(db, { recursive: true, force: true });
  });

  it('imports every package whose slug is new, published, once', async () => {
    fs.cpSync(path.join(FIX, 'judge/sum-legacy'), path.join(dir, 'sum'), { recursive: true });
    fs.cpSync(path.join(FIX, 'problems/kattis-2025-groups'), path.join(dir, 'echo-words'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(path.join(dir, 'broken/problem.yaml'), 'name: [unclosed\n');
    const config = { ARENA_IMPORT_SHIPPED: 'true', ARENA_PROBLEMS_DIR: dir };
    const first = await startTestServer({ config, pgliteDir: db });
    try {
      expect(first.platform.shippedProblems.map((p) => `${p.slug}:${p.outcome}`)).toEqual(['broken:failed', 'echo-words:imported', 'sum:imported']);
      const list = await first.platform.ctx.problems.list(null, { page: 1, limit: 10 });
      expect(list.problems.map((p) => [p.slug, p.published, p.authorId])).toEqual(
        expect.arrayContaining([
          ['sum', true, null],
          ['echo-words', true, null],
        ]),
      );
    } finally {
      await first.stop();
    }
    const second = await startTestServer({ config, pgliteDir: db });
    try {
      expect(second.platform.shippedProblems.filter((p) => p.outcome === 'imported')).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
