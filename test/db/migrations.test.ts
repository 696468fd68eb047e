import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db/client.js';
import { createTestDatabase } from '../helpers/app.js';

const EXPECTED = ['audit_logs', 'executions', 'login_failures', 'refresh_tokens', 'user_quotas', 'users'];

async function tables(db: Awaited<ReturnType<typeof openDatabase>>): Promise<string[]> {
  const res = await db.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
  const rows = (res as unknown as { rows: { table_name: string }[] }).rows ?? (res as unknown as { table_name: string }[]);
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  it('apply cleanly to an empty PGlite, and a second run changes nothing', async () => {
    const db = await openDatabase({ pgliteDir: 'memory://' });
    try {
      await migrate(db);
      const first = await tables(db);
      for (const t of EXPECTED) expect(first).toContain(t);
      await migrate(db);
      expect(await tables(db)).toEqual(first);
    } finally {
      await db.close();
    }
  });

  it('apply cleanly to an empty PostgreSQL, also from two processes at once', async () => {
    const pg = await createTestDatabase();
    drops.push(() => pg.drop());
    const a = await openDatabase({ url: pg.url });
    const b = await openDatabase({ url: pg.url });
    try {
      // Two replicas starting together: the advisory lock serialises them.
      await Promise.all([migrate(a), migrate(b)]);
      const got = await tables(a);
      for (const t of EXPECTED) expect(got).toContain(t);
      const applied = await a.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      const n = ((applied as unknown as { rows: { n: number }[] }).rows ?? (applied as unknown as { n: number }[]))[0]!.n;
      expect(n).toBeGreaterThanOrEqual(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
