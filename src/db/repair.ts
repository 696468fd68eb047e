import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pageinspect } from '@electric-sql/pglite/contrib/pageinspect';
import { pg_surgery } from '@electric-sql/pglite/contrib/pg_surgery';
import { SystemError } from '../errors.js';
import { exportDatabase } from './backup.js';
import { pgliteDatabase } from './client.js';
import { DataErrorCodes } from './data-dir-lock.js';
import { findDamage } from './integrity.js';

/** t_infomask bits (PostgreSQL's htup_details.h). */
const XMAX_INVALID = 0x0800;
const XMAX_IS_MULTI = 0x1000;

/**
 * Salvages a damaged PGlite directory IN PLACE (give it a copy) and writes what it can read as a
 * backup to `dumpFile`; returns what it changed.
 *
 * The damage we know (docs/operations.md): rows whose xmax is a MultiXactId the database has no
 * record of, left behind by two processes writing one directory. For each such row version, read
 * with pageinspect: if it points to a newer version of itself (t_ctid is not its own address) it
 * was updated, and the newer version holds the data, so this old version is removed
 * (pg_surgery's heap_force_kill); otherwise the multixact could only have been row locks, so the
 * row is kept with its lock forgotten (heap_force_freeze). Then every table must read back, or
 * the salvage stops and says which table still fails.
 */
export async function salvage(workDir: string, dumpFile: string): Promise<string[]> {
  const client = new PGlite(workDir, { extensions: { pageinspect, pg_surgery } });
  await client.waitReady;
  const database = pgliteDatabase(client);
  const fixed: string[] = [];
  try {
    await client.exec('create extension if not exists pageinspect; create extension if not exists pg_surgery;');
    const tables = await database.query<{ ident: string; oid: number; pages: number }>(
      `select format('%I.%I', n.nspname, c.relname) as ident, c.oid::int as oid, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int as pages
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname in ('public', 'drizzle') order by 1`,
    );
    const multiOk = new Map<string, boolean>();
    const readable = async (multi: string) => {
      if (!multiOk.has(multi)) {
        try {
          await database.query('select pg_get_multixact_members($1::xid)', [multi]);
          multiOk.set(multi, true);
        } catch {
          multiOk.set(multi, false);
        }
      }
      return multiOk.get(multi)!;
    };
    for (const t of tables) {
      const kill: string[] = [];
      const freeze: string[] = [];
      for (let page = 0; page < t.pages; page++) {
        const items = await database.query<{ lp: number; t_xmax: string; t_ctid: string; t_infomask: number }>(
          `select lp, t_xmax::text, t_ctid::text, t_infomask from heap_page_items(get_raw_page($1, $2)) where t_infomask is not null`,
          [t.ident, page],
        );
        for (const it of items) {
          if (!(it.t_infomask & XMAX_IS_MULTI) || it.t_infomask & XMAX_INVALID) continue;
          if (await readable(it.t_xmax)) continue;
          const self = `(${page},${it.lp})`;
          (it.t_ctid === self ? freeze : kill).push(self);
        }
      }
      if (kill.length) await database.query(`select heap_force_kill($1::regclass, $2::tid[])`, [t.ident, `{${kill.map((x) => `"${x}"`).join(',')}}`]);
      if (freeze.length) await database.query(`select heap_force_freeze($1::regclass, $2::tid[])`, [t.ident, `{${freeze.map((x) => `"${x}"`).join(',')}}`]);
      for (const x of kill) fixed.push(`${t.ident} ${x}: removed an old row version (its newer version is kept)`);
      for (const x of freeze) fixed.push(`${t.ident} ${x}: kept the row, forgot a row lock nobody holds`);
    }
    const left = await findDamage(database);
    if (left.length) {
      throw new SystemError(
        DataErrorCodes.databaseDamaged,
        `repair cannot read ${left.map((p) => p.table).join(', ')} (${left[0]!.error}); restore a backup instead`,
      );
    }
    await exportDatabase(database, fs.createWriteStream(dumpFile, { mode: 0o600 }));
    return fixed;
  } finally {
    await database.close();
  }
}
