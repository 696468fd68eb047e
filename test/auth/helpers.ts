import crypto from 'node:crypto';
import pg from 'pg';
import { type Config, loadConfig } from '../../src/config/config.js';
import { type Database, migrate, openDatabase } from '../../src/db/client.js';
import type { Secrets } from '../../src/server/context.js';

export const CI = process.env.CI === 'true';

/** Fixed test secrets: tests sign their own (expired, forged) tokens with them. */
export const TEST_SECRETS: Secrets = Object.freeze({
  jwt: 'test-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  jwtRefresh: 'test-refresh-secret-0123456789abcdefghijklmnopqrstuvw',
});

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({}, { LOG_LEVEL: 'silent', ...overrides });
}

/** Loopback only. */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export type DbKind = 'pglite' | 'postgres';

/**
 * A migrated, empty database: PGlite in memory, or a fresh PostgreSQL database created for this
 * caller and dropped by `drop()`.
 */
export async function freshDatabase(kind: DbKind): Promise<{ database: Database; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const database = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(database);
    return { database, drop: () => database.close() };
  }
  const name = `muscode_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  await migrate(database);
  return {
    database,
    drop: async () => {
      await database.close();
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
