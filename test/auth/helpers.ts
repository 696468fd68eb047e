import crypto from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import pg from 'pg';
import { authPlugin } from '../../src/auth/plugin.js';
import { authRoutes } from '../../src/auth/routes.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { type Database, migrate, openDatabase } from '../../src/db/client.js';
import type { AppContext, Secrets } from '../../src/server/context.js';
import { installErrorHandlers } from '../../src/server/http-errors.js';

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

/**
 * The auth slice of the API (the same plugin and routes, mounted as src/server/app.ts mounts
 * them) on 127.0.0.1, over real HTTP, with an in-memory PGlite database.
 */
export async function startAuthServer(opts: { config?: Record<string, string> } = {}): Promise<{
  url: string;
  ctx: AppContext;
  close(): Promise<void>;
}> {
  const config = testConfig(opts.config);
  const { database, drop } = await freshDatabase('pglite');
  // Only what the auth area reads; the engine, queue and bus are never touched by it.
  const ctx = { config, database, secrets: TEST_SECRETS, instanceId: 'auth-test' } as unknown as AppContext;
  const app = Fastify({ logger: false, trustProxy: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  await app.register(fastifyCookie);
  await app.register(
    async (api) => {
      await authPlugin(api, ctx);
      await api.register(async (r) => authRoutes(r, ctx), { prefix: '/auth' });
      // A route that needs no login, to show that a bad token is refused even there.
      api.get('/ping', async (request) => ({ success: true, data: { user: request.user } }));
    },
    { prefix: '/api/v1' },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    ctx,
    close: async () => {
      await app.close();
      await drop();
    },
  };
}
