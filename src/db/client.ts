import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { REPO_ROOT } from '../config/config.js';
import { acquireDirLock, type DirLock } from './data-dir-lock.js';
import { openFailedError, probeIntegrity } from './integrity.js';
import { hasCluster, initdbInChild, pgliteStartParams } from './pglite-settings.js';
import * as schema from './schema.js';

/** One type for both drivers: the code above this line never knows which it has. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Cheap liveness probe for /health. */
  ping(): Promise<boolean>;
  /** Plain SQL with $1.. parameters, same result shape on both drivers (backups, probes). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in one transaction, committed if it returns: REPEATABLE READ on PostgreSQL (a
   * consistent snapshot); on PGlite every other query waits meanwhile (one connection).
   */
  transaction<T>(fn: (query: Database['query']) => Promise<T>, opts?: { readOnly?: boolean }): Promise<T>;
  close(): Promise<void>;
  /** PGlite: the size of its WebAssembly memory in bytes (it only grows); null on PostgreSQL. */
  heapBytes(): number | null;
}

export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'src/db/migrations');

/** Where the embedded database lives: DATA_DIR/service belongs to the service user. */
export function embeddedDbDir(dataDir: string): string {
  return path.join(dataDir, 'service', 'db');
}

export interface OpenOptions {
  /** PostgreSQL URL (cluster mode), or undefined for PGlite. */
  url?: string;
  /** PGlite data directory; "memory://" for an in-memory database (tests). */
  pgliteDir?: string;
  /**
   * A PGlite directory is locked (src/db/data-dir-lock.ts) before it is opened, so that two
   * PGlite instances never share it. How long to wait for another holder to let go (the service
   * process started while its predecessor still closes the database). Default 0: refuse at once.
   */
  lockWaitMs?: number;
  /** Read every table after opening, and refuse a damaged database (default: on for a directory). */
  probe?: boolean;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: 10 });
    // An idle connection dropped by the server (restart, failover, DROP DATABASE) must not crash
    // the process: the pool discards it and the next query opens a new one.
    pool.on('error', () => undefined);
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    const query = async <T,>(text: string, params?: unknown[]): Promise<T[]> => (await pool.query(text, params)).rows as T[];
    return {
      db,
      kind: 'postgres',
      query,
      transaction: async (fn, txOpts) => {
        const conn = await pool.connect();
        try {
          await conn.query(`begin isolation level repeatable read${txOpts?.readOnly ? ' read only' : ''}`);
          const out = await fn(async (text, params) => (await conn.query(text, params)).rows as never);
          await conn.query('commit');
          return out;
        } catch (err) {
          await conn.query('rollback').catch(() => undefined);
          throw err;
        } finally {
          conn.release();
        }
      },
      ping: async () => {
        try {
          await pool.query('select 1');
          return true;
        } catch {
          return false;
        }
      },
      close: () => pool.end(),
      heapBytes: () => null,
    };
  }
  const dir = opts.pgliteDir ?? 'memory://';
  let lock: DirLock | undefined;
  if (!dir.startsWith('memory://')) {
    fs.mkdirSync(dir, { recursive: true });
    lock = await acquireDirLock(dir, { scope: 'pglite', waitForAnyMs: opts.lockWaitMs ?? 0 });
  }
  let client: PGlite;
  try {
    // A new directory's initdb runs in a child process: see initdbInChild.
    if (lock && !hasCluster(dir)) await initdbInChild(dir);
    client = new PGlite(dir, { startParams: pgliteStartParams() });
    await client.waitReady;
  } catch (err) {
    await lock?.release();
    throw await openFailedError(dir, err);
  }
  const database = pgliteDatabase(client, () => lock?.release());
  if (lock && opts.probe !== false) {
    try {
      await probeIntegrity(database, dir);
    } catch (err) {
      await database.close().catch(() => undefined);
      throw err;
    }
  }
  return database;
}

/** A Database over an open PGlite; `afterClose` runs once PGlite is closed (releases the lock). */
export function pgliteDatabase(client: PGlite, afterClose?: () => Promise<void> | undefined): Database {
  const query = async <T,>(text: string, params?: unknown[]): Promise<T[]> => (await client.query<T>(text, params)).rows;
  return {
    db: drizzlePglite(client, { schema }) as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    query,
    transaction: (fn) => client.transaction((tx) => fn(async (text, params) => (await tx.query(text, params)).rows as never)),
    heapBytes: () => (client as unknown as { mod?: { HEAPU8?: Uint8Array } }).mod?.HEAPU8?.byteLength ?? null,
    close: async () => {
      try {
        await client.close();
      } finally {
        await afterClose?.();
      }
    },
  };
}

/**
 * Applies the checked-in SQL migrations. On PostgreSQL an advisory lock serialises replicas that
 * start at the same time.
 */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_DIR });
    return;
  }
  await database.db.execute(sql`select pg_advisory_lock(727274)`);
  try {
    await migratePg(database.db as never, { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await database.db.execute(sql`select pg_advisory_unlock(727274)`);
  }
}
