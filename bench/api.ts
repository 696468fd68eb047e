/**
 * API benchmark (issue 3): end-to-end latency of `POST /execute?wait=true` for a python hello
 * against calling the engine directly in the same run, and throughput with 16 concurrent
 * clients in embedded mode and in cluster mode with 2 worker processes.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/api.js [--runs 200] [--no-cluster]
 *
 * Cluster mode needs PostgreSQL and Redis on 127.0.0.1 (`bash scripts/ensure-services.sh`).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig, REPO_ROOT } from '../src/config/config.js';
import { Engine } from '../src/engine/runner/engine.js';
import { startApiServer } from '../src/server/serve.js';
import { isMain, progress, requireRoot, spawnAndWait } from './common.js';
import { markdownTable, ms, quantile, ratio, summarize, textTable } from './stats.js';

const HELLO = 'print("hello")';
const PG_ADMIN = 'postgres://postgres:postgres@127.0.0.1:5432/test';
const OFF = {
  RATE_LIMIT_API: '0',
  RATE_LIMIT_EXECUTE: '0',
  RATE_LIMIT_AUTH: '0',
  QUOTA_EXECUTIONS_DAILY: '0',
  QUOTA_EXECUTIONS_MONTHLY: '0',
  // One user plays all 16 clients here: the per-user queue caps would measure fairness instead.
  QUEUE_USER_RUNNING_MAX: '0',
  QUEUE_USER_WAITING_MAX: '0',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
};

async function post(url: string, token: string, body: unknown): Promise<{ status: string; output: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data: { status: string; output: string } };
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json)}`);
  return json.data;
}

async function register(base: string): Promise<string> {
  const name = `bench${randomUUID().slice(0, 8)}`;
  const res = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.com`, username: name, password: 'benchmark password', fullName: 'Bench' }),
  });
  return ((await res.json()) as { data: { token: string } }).data.token;
}

/** `clients` concurrent loops, `total` requests in all; returns runs/s. */
async function throughput(base: string, token: string, clients: number, total: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        next++;
        const r = await post(`${base}/api/v1/execute?wait=true`, token, { language: 'python', code: HELLO });
        if (r.output !== 'hello\n') throw new Error(`unexpected ${JSON.stringify(r)}`);
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

export interface ApiBenchResult {
  /** Bare `python3 -c` spawned by Node, interleaved with the other two (issue 15's baseline). */
  bare: ReturnType<typeof summarize> & { p95: number };
  engine: ReturnType<typeof summarize> & { p95: number };
  api: ReturnType<typeof summarize> & { p95: number };
  overheadMs: number;
  embeddedRps: number;
  clusterRps: number | null;
}

export async function benchApi(opts: { runs?: number; cluster?: boolean } = {}): Promise<ApiBenchResult> {
  requireRoot();
  const runs = opts.runs ?? 200;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-api-'));
  const config = loadConfig(process.env, { ...OFF, DATA_DIR: dataDir, SANDBOX_UID_BASE: '58000' });
  const engine = Engine.create(config);
  const server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
  try {
    const token = await register(server.url);
    for (let i = 0; i < 10; i++) {
      await engine.run({ language: 'python', files: [{ path: 'main.py', content: HELLO }] });
      await post(`${server.url}/api/v1/execute?wait=true`, token, { language: 'python', code: HELLO });
    }
    // Interleaved, so that machine noise hits both series alike.
    const direct: number[] = [];
    const viaApi: number[] = [];
    const bareRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await spawnAndWait('/usr/bin/python3', ['-c', HELLO]);
      bareRuns.push(performance.now() - t);
      t = performance.now();
      await engine.run({ language: 'python', files: [{ path: 'main.py', content: HELLO }] });
      direct.push(performance.now() - t);
      t = performance.now();
      await post(`${server.url}/api/v1/execute?wait=true`, token, { language: 'python', code: HELLO });
      viaApi.push(performance.now() - t);
      if (i % 50 === 49) progress(`api latency ${i + 1}/${runs}`);
    }
    const b = { ...summarize(bareRuns), p95: quantile(bareRuns, 0.95) };
    const e = { ...summarize(direct), p95: quantile(direct, 0.95) };
    const a = { ...summarize(viaApi), p95: quantile(viaApi, 0.95) };
    progress('embedded throughput, 16 clients');
    const embeddedRps = await throughput(server.url, token, 16, 160);
    await server.close();
    await engine.close();
    const clusterRps = opts.cluster === false ? null : await clusterThroughput();
    return { bare: b, engine: e, api: a, overheadMs: a.median - e.median, embeddedRps, clusterRps };
  } finally {
    await server.close().catch(() => undefined);
    await engine.close().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Cluster mode: one API replica (no jobs), two `bin/muscode worker` processes with one slot each. */
async function clusterThroughput(): Promise<number> {
  const dbName = `muscode_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(PG_ADMIN);
  dbUrl.pathname = `/${dbName}`;
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const settings: Record<string, string> = {
    ...OFF,
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: randomUUID() + randomUUID(),
    JWT_REFRESH_SECRET: randomUUID() + randomUUID(),
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-cluster-'));
  const config = loadConfig(process.env, { ...settings, DATA_DIR: dataDir });
  const server = await startApiServer(config, undefined, { logger: false });
  const workers = [0, 1].map((i) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-worker-'));
    fs.chmodSync(dir, 0o755);
    return spawn(path.join(REPO_ROOT, 'bin/muscode'), ['worker'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...settings, DATA_DIR: dir, SANDBOX_SLOTS: '1', SANDBOX_UID_BASE: String(57000 + i * 10) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  });
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let out = '';
            w.stdout!.on('data', (d: Buffer) => {
              out += d.toString();
              if (out.includes('running')) resolve();
            });
            w.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
          }),
      ),
    );
    const token = await register(server.url);
    for (let i = 0; i < 10; i++) await post(`${server.url}/api/v1/execute?wait=true`, token, { language: 'python', code: HELLO });
    progress('cluster throughput, 16 clients, 2 workers');
    return await throughput(server.url, token, 16, 160);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await server.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Issue 15's targets: the API's own cost over the engine, and a python hello through it against bare. */
export const API_OVERHEAD_TARGET_MS = 3;
export const API_VS_BARE_TARGET = 1.25;

export function formatApi(r: ApiBenchResult, markdown = false): string {
  const rows = [
    ['bare python3 -c (Node spawn)', ms(r.bare.median), ms(r.bare.p95), ratio(r.bare.median / r.engine.median), '1.00x'],
    ['engine.run (direct)', ms(r.engine.median), ms(r.engine.p95), '1.00x', ratio(r.engine.median / r.bare.median)],
    ['POST /execute?wait=true', ms(r.api.median), ms(r.api.p95), ratio(r.api.median / r.engine.median), ratio(r.api.median / r.bare.median)],
  ];
  const table = (markdown ? markdownTable : textTable)(['python hello', 'median', 'p95', 'vs engine', 'vs bare'], rows);
  const lines = [
    table,
    `API overhead (median): ${ms(r.overheadMs)} (target <= ${API_OVERHEAD_TARGET_MS} ms); through the API ${ratio(r.api.median / r.bare.median)} of bare (target <= ${API_VS_BARE_TARGET}x)`,
    `throughput, 16 clients: embedded ${r.embeddedRps.toFixed(1)} runs/s` +
      (r.clusterRps === null ? '' : `; cluster with 2 workers ${r.clusterRps.toFixed(1)} runs/s`),
  ];
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 200;
  benchApi({ runs, cluster: !process.argv.includes('--no-cluster') }).then(
    (r) => {
      console.log(formatApi(r, process.argv.includes('--markdown')));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
