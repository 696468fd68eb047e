import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBackup, exportDatabase, importDatabase } from '../../src/db/backup.js';
import { type Database, migrate, openDatabase } from '../../src/db/client.js';

/**
 * The backup format on its own (in-process, in-memory PGlite): rows that point at rows of their
 * own table, every column type we store, and files that must be refused.
 */
describe('backup format', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bk-'));
  const file = path.join(dir, 'b.backup');
  let source: Database;

  beforeAll(async () => {
    source = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(source);
    const [u] = await source.query<{ id: string }>(
      `insert into users (email, username, password_hash) values ('a@example.com', 'a', 'x') returning id`,
    );
    const [parent] = await source.query<{ id: string }>(`insert into projects (user_id, name, language) values ($1, 'parent', 'python') returning id`, [u!.id]);
    const [fork] = await source.query<{ id: string }>(`insert into projects (user_id, name, language, fork_from) values ($1, 'fork', 'python', $2) returning id`, [
      u!.id,
      parent!.id,
    ]);
    // The fork of the fork, then an update that moves the parent behind its forks on disk: the
    // export meets children before their parents.
    await source.query(`insert into projects (user_id, name, language, fork_from) values ($1, 'fork2', 'python', $2)`, [u!.id, fork!.id]);
    await source.query(`update projects set name = 'parent renamed' where id = $1`, [parent!.id]);
    const [c1] = await source.query<{ id: string }>(`insert into comments (project_id, user_id, content) values ($1, $2, 'top') returning id`, [parent!.id, u!.id]);
    await source.query(`insert into comments (project_id, user_id, content, parent_id) values ($1, $2, 'reply', $3)`, [parent!.id, u!.id, c1!.id]);
    await source.query(`update comments set content = 'top, edited' where id = $1`, [c1!.id]);
    // Output is bytes (a NUL, invalid UTF-8), the job is jsonb.
    await source.query(`insert into executions (user_id, language, status, request, stdout) values ($1, 'python', 'completed', $2::jsonb, $3)`, [
      u!.id,
      JSON.stringify({ files: [{ path: 'main.py', content: 'print(1)' }], args: ['-x'] }),
      Buffer.from([0, 0xff, 0x0a, 0xc3]),
    ]);
    await source.query(`insert into audit_logs (user_id, action, metadata) values ($1, 'test', '{"nested": {"b": [1, 2], "a": "x"}}'::jsonb)`, [u!.id]);
    await exportDatabase(source, fs.createWriteStream(file));
  });

  afterAll(async () => {
    await source.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const dump = async (db: Database) => {
    const out: Record<string, string[]> = {};
    for (const t of ['users', 'projects', 'comments', 'audit_logs', 'executions']) {
      out[t] = (await db.query<{ r: unknown }>(`select to_jsonb(x)::text as r from ${t} x`)).map((r) => String(r.r)).sort();
    }
    return out;
  };

  it('round-trips every row, including rows that point at rows of their own table', async () => {
    const target = await openDatabase({ pgliteDir: 'memory://' });
    try {
      await migrate(target);
      const counts = await importDatabase(target, fs.createReadStream(file));
      expect(counts).toMatchObject({ users: 1, projects: 3, comments: 2, audit_logs: 1, executions: 1 });
      expect(await dump(target)).toEqual(await dump(source));
    } finally {
      await target.close();
    }
  });

  it('refuses a truncated file, a foreign file and a non-empty target, and leaves the target as it was', async () => {
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString().trimEnd().split('\n');
    const truncated = path.join(dir, 'truncated.backup');
    fs.writeFileSync(truncated, zlib.gzipSync(`${lines.slice(0, -1).join('\n')}\n`));
    const foreign = path.join(dir, 'foreign.backup');
    fs.writeFileSync(foreign, zlib.gzipSync('{"hello": "world"}\n'));
    const lying = path.join(dir, 'lying.backup');
    fs.writeFileSync(lying, zlib.gzipSync(`${lines.filter((l, i) => !(i > 1 && l.startsWith('{"r":') && lines[i - 1]!.startsWith('{"table":"users"'))).join('\n')}\n`));

    await expect(checkBackup(fs.createReadStream(truncated))).rejects.toMatchObject({ code: 'BACKUP_INVALID', message: expect.stringContaining('truncated') });
    await expect(checkBackup(fs.createReadStream(foreign))).rejects.toMatchObject({ code: 'BACKUP_INVALID' });
    await expect(checkBackup(fs.createReadStream(lying))).rejects.toMatchObject({ code: 'BACKUP_INVALID', message: expect.stringContaining('users') });

    const target = await openDatabase({ pgliteDir: 'memory://' });
    try {
      await migrate(target);
      await expect(importDatabase(target, fs.createReadStream(truncated))).rejects.toMatchObject({ code: 'BACKUP_INVALID' });
      // One transaction: nothing of the truncated file stayed.
      expect(await target.query(`select * from users`)).toEqual([]);
      await importDatabase(target, fs.createReadStream(file));
      await expect(importDatabase(target, fs.createReadStream(file))).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    } finally {
      await target.close();
    }
  });
});
