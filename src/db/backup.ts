import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { SystemError } from '../errors.js';
import type { Database } from './client.js';
import { DataErrorCodes } from './data-dir-lock.js';

/**
 * Logical backups: one format for both drivers, so the same file restores into PGlite (embedded)
 * or PostgreSQL (cluster), which makes it the migration path from embedded to cluster too.
 *
 * The file is gzip'd JSON lines:
 *   {"format":"muscode-backup","version":1,"createdAt":..,"source":"pglite","migrations":N}
 *   {"table":"users","rows":N}        then N lines {"r":{...}}, each a row as to_jsonb() gives it
 *   ...                               tables in foreign-key order (referenced tables first)
 *   {"end":true,"tables":{"users":N,...}}
 * Rows are read with to_jsonb and written back with jsonb_populate_recordset, so every column
 * type (bytea, jsonb, timestamptz, uuid) round-trips through PostgreSQL's own text forms. The
 * export runs in one transaction: a consistent snapshot. A file without its end line (a
 * truncated copy, a server that died mid-backup) is refused by restore.
 */

export const BACKUP_FORMAT = 'muscode-backup';
export const BACKUP_VERSION = 1;
const BATCH = 500;

export interface BackupHeader {
  format: string;
  version: number;
  createdAt: string;
  source: Database['kind'];
  migrations: number;
}

type Query = Database['query'];

const invalid = (message: string) => new SystemError(DataErrorCodes.backupInvalid, message);

interface TableInfo {
  name: string;
  /** "public"."name", safe to interpolate. */
  ident: string;
  /** Columns that reference the same table (fork_from, parent_id): restored in a second pass. */
  selfRefs: string[];
  pk: string[];
}

/** Tables of the public schema, referenced tables first. */
async function tablesInOrder(q: Query): Promise<TableInfo[]> {
  const rows = await q<{ name: string; ident: string; deps: string[] | null; self_refs: string[] | null; pk: string[] | null }>(
    `select c.relname as name, format('%I.%I', n.nspname, c.relname) as ident,
            (select array_agg(distinct r.relname::text) from pg_constraint f join pg_class r on r.oid = f.confrelid
              where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid) as deps,
            (select array_agg(a.attname::text) from pg_constraint f
               join pg_attribute a on a.attrelid = c.oid and a.attnum = any (f.conkey)
              where f.conrelid = c.oid and f.contype = 'f' and f.confrelid = c.oid) as self_refs,
            (select array_agg(a.attname::text order by a.attnum) from pg_constraint p
               join pg_attribute a on a.attrelid = c.oid and a.attnum = any (p.conkey)
              where p.conrelid = c.oid and p.contype = 'p') as pk
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = 'public'
      order by c.relname`,
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const out: TableInfo[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: Set<string>) => {
    if (done.has(name) || path.has(name)) return;
    const r = byName.get(name);
    if (!r) return;
    path.add(name);
    for (const d of r.deps ?? []) visit(d, path);
    done.add(name);
    out.push({ name: r.name, ident: r.ident, selfRefs: r.self_refs ?? [], pk: r.pk ?? [] });
  };
  for (const r of rows) visit(r.name, new Set());
  return out;
}

async function migrationCount(q: Query): Promise<number> {
  const [exists] = await q<{ ok: boolean }>(`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`);
  if (!exists?.ok) return 0;
  const [row] = await q<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
  return row?.n ?? 0;
}

function write(out: Writable, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.destroyed) return reject(new Error('backup stream closed'));
    if (out.write(line)) resolve();
    else {
      const onErr = (e: Error) => reject(e);
      out.once('error', onErr);
      out.once('drain', () => {
        out.off('error', onErr);
        resolve();
      });
    }
  });
}

/**
 * Writes a backup of `database` to `out` (gzip'd by this function), in one transaction.
 * Resolves with the row count per table once the last byte is flushed.
 */
export async function exportDatabase(database: Database, out: Writable): Promise<Record<string, number>> {
  const gz = zlib.createGzip();
  const piped = new Promise<void>((resolve, reject) => {
    gz.pipe(out);
    out.once('error', reject);
    gz.once('error', reject);
    out.once('finish', resolve);
    out.once('close', resolve);
  });
  const counts: Record<string, number> = {};
  await database.transaction(
    async (q) => {
      // The same file whichever server wrote it: timestamps in UTC.
      await q(`set local timezone = 'UTC'`);
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date().toISOString(),
        source: database.kind,
        migrations: await migrationCount(q),
      };
      await write(gz, `${JSON.stringify(header)}\n`);
      for (const t of await tablesInOrder(q)) {
        const [c] = await q<{ n: number }>(`select count(*)::int as n from ${t.ident}`);
        await write(gz, `${JSON.stringify({ table: t.name, rows: c?.n ?? 0 })}\n`);
        // A cursor, so a big table never sits in memory whole.
        await q(`declare muscode_backup no scroll cursor for select to_jsonb(t) as r from ${t.ident} t`);
        let n = 0;
        for (;;) {
          const rows = await q<{ r: unknown }>(`fetch ${BATCH} from muscode_backup`);
          for (const row of rows) await write(gz, `${JSON.stringify({ r: typeof row.r === 'string' ? JSON.parse(row.r) : row.r })}\n`);
          n += rows.length;
          if (rows.length < BATCH) break;
        }
        await q('close muscode_backup');
        counts[t.name] = n;
      }
      await write(gz, `${JSON.stringify({ end: true, tables: counts })}\n`);
    },
    { readOnly: true },
  );
  gz.end();
  await piped;
  return counts;
}

/** Reads a backup's lines; checks the header and the end line. */
async function* lines(input: Readable): AsyncGenerator<Record<string, unknown>> {
  const rl = readline.createInterface({ input: input.pipe(zlib.createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      if (!line) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw invalid('not a MUSCode backup (a line is not JSON)');
      }
      if (!parsed || typeof parsed !== 'object') throw invalid('not a MUSCode backup (a line is not an object)');
      yield parsed as Record<string, unknown>;
    }
  } catch (err) {
    if (err instanceof SystemError) throw err;
    throw invalid(`cannot read the backup: ${(err as Error).message}`);
  }
}

/**
 * Checks a backup file's structure without a database: a header, rows under tables, and an end
 * line whose counts match. Catches truncated and foreign files; returns the row counts.
 */
export async function checkBackup(input: Readable): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let current: string | null = null;
  let first = true;
  let ended = false;
  for await (const line of lines(input)) {
    if (first) {
      first = false;
      if (line.format !== BACKUP_FORMAT) throw invalid('not a MUSCode backup (no header)');
      if (line.version !== BACKUP_VERSION) throw invalid(`backup format version ${String(line.version)} is not supported`);
      continue;
    }
    if (ended) throw invalid('data after the end of the backup');
    if ('r' in line) {
      if (!current) throw invalid('a row before any table');
      counts[current] = (counts[current] ?? 0) + 1;
    } else if (typeof line.table === 'string') {
      current = line.table;
      counts[current] = 0;
    } else if (line.end === true) {
      for (const [name, n] of Object.entries((line.tables ?? {}) as Record<string, number>)) {
        if ((counts[name] ?? 0) !== n) throw invalid(`table ${name}: the backup says ${n} rows, it holds ${counts[name] ?? 0}`);
      }
      ended = true;
    } else throw invalid('an unknown line in the backup');
  }
  if (first) throw invalid('not a MUSCode backup (empty)');
  if (!ended) throw invalid('the backup is truncated (no end line): it was not completely written');
  return counts;
}

/**
 * Restores a backup into `database`, whose schema is already migrated and whose tables must be
 * empty. Everything happens in one transaction: a backup that turns out truncated or invalid
 * leaves the target as it was.
 */
export async function importDatabase(database: Database, input: Readable): Promise<Record<string, number>> {
  try {
    return await importInTransaction(database, input);
  } finally {
    // Refused before reading (a target with data): the file must not stay open, and a late
    // error of a stream nobody reads any more is nobody's business.
    input.on('error', () => undefined);
    input.destroy();
  }
}

function importInTransaction(database: Database, input: Readable): Promise<Record<string, number>> {
  return database.transaction(async (q) => {
    const tables = new Map((await tablesInOrder(q)).map((t) => [t.name, t]));
    for (const t of tables.values()) {
      const [row] = await q<{ any: boolean }>(`select exists (select 1 from ${t.ident}) as any`);
      if (row?.any) {
        throw new SystemError(
          DataErrorCodes.restoreTargetNotEmpty,
          `the target database already has data (table ${t.name}); restore only into an empty database`,
        );
      }
    }
    const targetMigrations = await migrationCount(q);
    const it = lines(input);
    const first = await it.next();
    const header = first.value as Partial<BackupHeader> | undefined;
    if (first.done || header?.format !== BACKUP_FORMAT) throw invalid('not a MUSCode backup (no header)');
    if (header.version !== BACKUP_VERSION) throw invalid(`backup format version ${header.version} is not supported (this MUSCode reads ${BACKUP_VERSION})`);
    if ((header.migrations ?? 0) > targetMigrations) {
      throw invalid(`the backup was made by a newer MUSCode (${header.migrations} migrations, this one has ${targetMigrations}); upgrade first`);
    }
    const counts: Record<string, number> = {};
    let current: TableInfo | null = null;
    let batch: Record<string, unknown>[] = [];
    const deferred: Record<string, unknown>[] = [];
    let ended = false;

    const flush = async () => {
      if (!current || batch.length === 0) return;
      const rows = batch;
      batch = [];
      if (current.selfRefs.length) {
        // Rows that point at other rows of the same table: insert without the link, set it after.
        for (const r of rows) {
          if (current.selfRefs.some((c) => r[c] !== null && r[c] !== undefined)) deferred.push(r);
        }
      }
      const stripped = current.selfRefs.length ? rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, current!.selfRefs.includes(k) ? null : v]))) : rows;
      await q(`insert into ${current.ident} select * from jsonb_populate_recordset(null::${current.ident}, $1::jsonb)`, [JSON.stringify(stripped)]);
    };
    const finishTable = async () => {
      await flush();
      if (current && deferred.length) {
        const set = current.selfRefs.map((c) => `${quoteIdent(c)} = v.${quoteIdent(c)}`).join(', ');
        const on = current.pk.map((c) => `t.${quoteIdent(c)} = v.${quoteIdent(c)}`).join(' and ');
        for (let i = 0; i < deferred.length; i += BATCH) {
          await q(`update ${current.ident} t set ${set} from jsonb_populate_recordset(null::${current.ident}, $1::jsonb) v where ${on}`, [
            JSON.stringify(deferred.slice(i, i + BATCH)),
          ]);
        }
        deferred.length = 0;
      }
    };

    for await (const line of it) {
      if (ended) throw invalid('data after the end of the backup');
      if ('r' in line) {
        if (!current) throw invalid('a row before any table');
        const r = line.r;
        if (!r || typeof r !== 'object') throw invalid(`a row of ${current.name} is not an object`);
        batch.push(r as Record<string, unknown>);
        counts[current.name] = (counts[current.name] ?? 0) + 1;
        if (batch.length >= BATCH) await flush();
      } else if (typeof line.table === 'string') {
        await finishTable();
        const t = tables.get(line.table);
        if (!t) throw invalid(`the backup has a table this MUSCode does not know: ${line.table}`);
        current = t;
        counts[t.name] = 0;
      } else if (line.end === true) {
        await finishTable();
        const expected = (line.tables ?? {}) as Record<string, number>;
        for (const [name, n] of Object.entries(expected)) {
          if ((counts[name] ?? 0) !== n) throw invalid(`table ${name}: the backup says ${n} rows, it holds ${counts[name] ?? 0}`);
        }
        ended = true;
      } else throw invalid('an unknown line in the backup');
    }
    if (!ended) throw invalid('the backup is truncated (no end line): it was not completely written');
    return counts;
  });
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
