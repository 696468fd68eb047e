import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/config.js';
import type { EngineClient } from '../../src/engine/client.js';
import { Engine } from '../../src/engine/runner/engine.js';
import { type RunningServer, startApiServer } from '../../src/server/serve.js';
import { deleteKeys, REDIS_URL, requireRedis } from './redis.js';

/** Loopback only. */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test';

export const TEST_SECRETS = {
  JWT_SECRET: 'test-access-secret-0123456789abcdef0123456789',
  JWT_REFRESH_SECRET: 'test-refresh-secret-0123456789abcdef012345678',
};

/** Settings for API tests: limits and quotas off (their own tests turn them on), quiet logs. */
export const API_TEST_DEFAULTS: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_API: '0',
  RATE_LIMIT_EXECUTE: '0',
  RATE_LIMIT_AUTH: '0',
  QUOTA_EXECUTIONS_DAILY: '0',
  QUOTA_EXECUTIONS_MONTHLY: '0',
  QUOTA_STORAGE_MB: '0',
  SANDBOX_SLOTS: '2',
  // The shipped problems are imported by one test that turns this on (test/arena/service-startup.test.ts).
  ARENA_IMPORT_SHIPPED: 'false',
};

/** A fresh PostgreSQL database for one test file; fails loudly when PostgreSQL is not there. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `muscode_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(err as Error).message}); these tests need it.`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestServer extends RunningServer {
  config: Config;
  engine: EngineClient;
  /** Stops the server and everything it created (engine, database, Redis keys, data dir). */
  stop(): Promise<void>;
}

export type Mode = 'embedded' | 'cluster';

/**
 * Starts the real API on 127.0.0.1, port 0. Embedded: PGlite in memory, in-process queue, a
 * real engine (this test process is root, so no supervisor). Cluster: a fresh PostgreSQL
 * database, a unique Redis prefix and queue, and by default an in-process worker; pass
 * `worker: false` to run workers yourself (e.g. as separate processes).
 */
export async function startTestServer(
  opts: { mode?: Mode; config?: Record<string, string>; worker?: boolean; engine?: Engine; pgliteDir?: string; dataDir?: string } = {},
): Promise<TestServer> {
  const mode = opts.mode ?? 'embedded';
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-api-'));
  const uidBase = String(62000 + (process.pid % 300) * 16 + Math.floor(Math.random() * 8) * 2);
  const cleanups: (() => Promise<unknown>)[] = [];
  let extra: Record<string, string> = {};
  const prefix = `test-${randomUUID()}`;
  if (mode === 'cluster') {
    await requireRedis();
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    cleanups.push(() => deleteKeys(`${prefix}*`));
    extra = { DATABASE_URL: db.url, REDIS_URL: REDIS_URL, REDIS_KEY_PREFIX: prefix, ...TEST_SECRETS };
  }
  const config = loadConfig(process.env, { ...API_TEST_DEFAULTS, DATA_DIR: dataDir, SANDBOX_UID_BASE: uidBase, ...extra, ...opts.config });
  const engine = opts.engine ?? Engine.create(config);
  if (!opts.engine) cleanups.push(() => engine.close());
  if (!opts.dataDir) cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const server = await startApiServer(config, mode === 'embedded' ? engine : undefined, {
    pgliteDir: opts.pgliteDir ?? 'memory://',
    logger: false,
  });
  let workerClose: (() => Promise<void>) | undefined;
  if (mode === 'cluster' && opts.worker !== false) {
    const { startWorker } = await import('../../src/server/serve.js');
    const worker = await startWorker(config, engine);
    workerClose = () => worker.close({ abort: true });
  }
  return {
    ...server,
    config,
    engine,
    async stop() {
      await server.close({ abort: true });
      await workerClose?.();
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
}

/** JSON request helper against a test server. */
export async function api<T = unknown>(
  server: { url: string },
  method: string,
  url: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${server.url}${url}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A second API instance on the same database, Redis and queue (cluster mode). */
export async function startExtraApi(server: TestServer): Promise<RunningServer> {
  return startApiServer(server.config, undefined, { logger: false, reconcile: false });
}

/**
 * `bin/muscode worker` as a separate process (supervisor as root, worker as the service user),
 * configured like `server`. Resolves once the worker announced itself.
 */
export async function startWorkerProcess(server: TestServer, extraEnv: Record<string, string> = {}) {
  const { spawn } = await import('node:child_process');
  const { REPO_ROOT } = await import('../../src/config/config.js');
  const c = server.config;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-worker-'));
  fs.chmodSync(dataDir, 0o755);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    DATABASE_URL: c.DATABASE_URL!,
    REDIS_URL: c.REDIS_URL!,
    REDIS_KEY_PREFIX: c.REDIS_KEY_PREFIX,
    JWT_SECRET: c.JWT_SECRET!,
    JWT_REFRESH_SECRET: c.JWT_REFRESH_SECRET!,
    DATA_DIR: dataDir,
    SANDBOX_SLOTS: String(c.SANDBOX_SLOTS),
    SANDBOX_UID_BASE: String(c.SANDBOX_UID_BASE + 100),
    QUEUE_LOCK_DURATION_MS: String(c.QUEUE_LOCK_DURATION_MS),
    QUEUE_STALLED_INTERVAL_MS: String(c.QUEUE_STALLED_INTERVAL_MS),
    EXECUTION_LEASE_MS: String(c.EXECUTION_LEASE_MS),
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  // Its own process group, so that a test can kill -9 the whole worker (supervisor and service).
  const child = spawn(path.join(REPO_ROOT, 'bin/muscode'), ['worker'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('worker') && output.includes('running')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)));
    setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 30_000).unref();
  });
  await ready;
  return {
    child,
    output: () => output,
    /** The service process (child of the supervisor), the one running jobs. */
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        if (signal === 'SIGKILL') process.kill(-child.pid!, 'SIGKILL');
        else child.kill(signal);
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let userSeq = 0;
/** Registers a fresh user and returns its tokens. */
export async function registerUser(server: { url: string }, name = `u${process.pid}x${++userSeq}x${randomUUID().slice(0, 6)}`) {
  const res = await api<{ data: { userId: string; token: string; refreshToken: string } }>(server, 'POST', '/api/v1/auth/register', {
    body: { email: `${name}@example.com`, username: name, password: 'correct horse battery', fullName: 'Test User' },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body.data, username: name, email: `${name}@example.com`, password: 'correct horse battery' };
}
