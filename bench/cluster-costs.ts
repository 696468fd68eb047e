/**
 * Per-run costs of cluster mode, for docs/scaling.md and its queue model (bench/queue-model.ts):
 *
 *   engine      service time of a Python "hello" run on one slot (one core): mean, CV, samples
 *   queue       Redis commands and Redis CPU per run, on a redis-server of this bench's own (so
 *               that nothing else's traffic is counted), through BullMQ and the fair lanes
 *   database    PostgreSQL transactions and rows written per run (pg_stat_database of a
 *               database of this bench's own)
 *   end to end  runs/s through one API replica and two `bin/muscode worker` processes
 *
 *   npx tsc -p tsconfig.json && node dist/bench/cluster-costs.js [--runs 200] [--json FILE]
 *
 * Needs root (the sandbox), PostgreSQL on 127.0.0.1:5432 and `redis-server` on PATH.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, REPO_ROOT } from '../src/config/config.js';
import { Engine } from '../src/engine/runner/engine.js';
import { startApiServer } from '../src/server/serve.js';
import { isMain, progress, requireRoot } from './common.js';
import { mean, quantile } from './stats.js';

const HELLO = 'print("hello")';
const PG_ADMIN = 'postgres://postgres:postgres@127.0.0.1:5432/test';
const OFF = {
  RATE_LIMIT_API: '0', RATE_LIMIT_EXECUTE: '0', RATE_LIMIT_AUTH: '0',
  QUOTA_EXECUTIONS_DAILY: '0', QUOTA_EXECUTIONS_MONTHLY: '0',
  QUEUE_USER_RUNNING_MAX: '0', QUEUE_USER_WAITING_MAX: '0',
  LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0',
};

export interface ClusterCosts {
  measuredAt: string;
  cores: number;
  engine: { runs: number; meanMs: number; p50Ms: number; p95Ms: number; cv: number; samplesMs: number[] };
  queue: { redisCommandsPerRun: number; redisCpuMsPerRun: number; topCommands: Record<string, number> };
  database: { transactionsPerRun: number; rowsWrittenPerRun: number; rowsReadPerRun: number };
  endToEnd: { runs: number; clients: number; workers: number; runsPerSecond: number; p50Ms: number; p95Ms: number };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function post(url: string, token: string, body: unknown): Promise<{ output: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data: { output: string } };
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

/** Sequential runs on a one-slot engine: the service time a worker core gives one run. */
async function engineServiceTimes(runs: number): Promise<ClusterCosts['engine']> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-costs-'));
  const engine = Engine.create(loadConfig(process.env, { ...OFF, DATA_DIR: dataDir, SANDBOX_SLOTS: '1', SANDBOX_UID_BASE: '58600' }));
  try {
    for (let i = 0; i < 5; i++) await engine.run({ language: 'python', files: [{ path: 'main.py', content: HELLO }] });
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await engine.run({ language: 'python', files: [{ path: 'main.py', content: HELLO }] });
      xs.push(performance.now() - t);
    }
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    return { runs, meanMs: m, p50Ms: quantile(xs, 0.5), p95Ms: quantile(xs, 0.95), cv: sd / m, samplesMs: xs.map((x) => Math.round(x * 10) / 10) };
  } finally {
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function redisCounters(r: Redis): Promise<{ calls: Map<string, number>; cpuMs: number }> {
  const stats = await r.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  const cpu = await r.info('cpu');
  const f = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  return { calls, cpuMs: (f('used_cpu_sys') + f('used_cpu_user')) * 1000 };
}

async function pgCounters(admin: pg.Client, db: string) {
  const { rows } = await admin.query<{ x: string; ins: string; upd: string; del: string; ret: string }>(
    'select xact_commit::text as x, tup_inserted::text as ins, tup_updated::text as upd, tup_deleted::text as del, tup_returned::text as ret from pg_stat_database where datname = $1',
    [db],
  );
  const r = rows[0]!;
  return { xacts: Number(r.x), written: Number(r.ins) + Number(r.upd) + Number(r.del), read: Number(r.ret) };
}

export async function benchClusterCosts(opts: { runs?: number } = {}): Promise<ClusterCosts> {
  requireRoot();
  const runs = opts.runs ?? 200;
  progress(`engine service time, ${runs} sequential runs on one slot`);
  const engine = await engineServiceTimes(runs);

  const redisPort = await freePort();
  const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-redis-'));
  const redisServer: ChildProcess = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' });
  const dbName = `muscode_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(PG_ADMIN);
  dbUrl.pathname = `/${dbName}`;
  const settings: Record<string, string> = {
    ...OFF,
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    JWT_SECRET: randomUUID() + randomUUID(),
    JWT_REFRESH_SECRET: randomUUID() + randomUUID(),
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-cluster-'));
  const redis = new Redis(settings.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 3 });
  let server: Awaited<ReturnType<typeof startApiServer>> | null = null;
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      try {
        await redis.connect();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    server = await startApiServer(loadConfig(process.env, { ...settings, DATA_DIR: dataDir }), undefined, { logger: false });
    for (const i of [0, 1]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-worker-'));
      fs.chmodSync(dir, 0o755);
      workers.push(spawn(path.join(REPO_ROOT, 'bin/muscode'), ['worker'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...settings, DATA_DIR: dir, SANDBOX_SLOTS: '1', SANDBOX_UID_BASE: String(58700 + i * 10) },
        stdio: ['ignore', 'pipe', 'inherit'],
      }));
    }
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      let out = '';
      w.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('running')) resolve();
      });
      w.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
    })));
    const token = await register(server.url);
    for (let i = 0; i < 10; i++) await post(`${server.url}/api/v1/execute?wait=true`, token, { language: 'python', code: HELLO });

    // Idle background (heartbeats, the reconciler) over the same time is subtracted below.
    const clients = 4;
    progress(`cluster: ${runs} runs, ${clients} clients, 2 workers`);
    const r0 = await redisCounters(redis);
    const p0 = await pgCounters(admin, dbName);
    const lat: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < runs) {
        next++;
        const t = performance.now();
        const r = await post(`${server!.url}/api/v1/execute?wait=true`, token, { language: 'python', code: HELLO });
        lat.push(performance.now() - t);
        if (r.output !== 'hello\n') throw new Error(`unexpected ${JSON.stringify(r)}`);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    const r1 = await redisCounters(redis);
    const p1 = await pgCounters(admin, dbName);
    progress(`idle background, ${seconds.toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const r2 = await redisCounters(redis);
    const p2 = await pgCounters(admin, dbName);

    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const top: Record<string, number> = {};
    for (const [k, v] of r1.calls) {
      const d = v - (r0.calls.get(k) ?? 0) - ((r2.calls.get(k) ?? 0) - v);
      if (d / runs >= 0.5) top[k] = Math.round((d / runs) * 10) / 10;
    }
    const busy = { cmds: sum(r1.calls) - sum(r0.calls), cpu: r1.cpuMs - r0.cpuMs };
    const idle = { cmds: sum(r2.calls) - sum(r1.calls), cpu: r2.cpuMs - r1.cpuMs };
    return {
      measuredAt: new Date().toISOString(),
      cores: os.availableParallelism(),
      engine,
      queue: {
        redisCommandsPerRun: (busy.cmds - idle.cmds) / runs,
        redisCpuMsPerRun: Math.max(0, busy.cpu - idle.cpu) / runs,
        topCommands: Object.fromEntries(Object.entries(top).sort((a, b) => b[1] - a[1])),
      },
      database: {
        transactionsPerRun: (p1.xacts - p0.xacts - (p2.xacts - p1.xacts)) / runs,
        rowsWrittenPerRun: (p1.written - p0.written - (p2.written - p1.written)) / runs,
        rowsReadPerRun: (p1.read - p0.read - (p2.read - p1.read)) / runs,
      },
      endToEnd: { runs, clients, workers: 2, runsPerSecond: runs / seconds, p50Ms: quantile(lat, 0.5), p95Ms: quantile(lat, 0.95) },
    };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await server?.close();
    redis.disconnect();
    redisServer.kill('SIGTERM');
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(redisDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const arg = (f: string) => {
    const i = process.argv.indexOf(f);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const r = await benchClusterCosts({ runs: Number(arg('--runs') ?? 200) });
  const out = arg('--json');
  if (out) fs.writeFileSync(out, `${JSON.stringify(r, null, 1)}\n`);
  const { samplesMs: _s, ...engine } = r.engine;
  console.log(JSON.stringify({ ...r, engine }, null, 2));
}
