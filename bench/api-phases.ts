/**
 * Where `POST /api/v1/execute?wait=true` spends its time outside the engine (issue 15, item 4),
 * phase by phase, in embedded mode (PGlite in memory, in-process queue) and cluster mode
 * (PostgreSQL + Redis + BullMQ, the API and one worker platform in this same process so that
 * one clock times both sides). Each round runs the bare `engine.run` and the API request back
 * to back (interleaved: machine noise hits both alike); medians per phase.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/api-phases.js [--runs 100] [--no-cluster] [--markdown]
 *
 * The phases are timed by wrapping, from outside, the methods the request goes through (the
 * service's, the queue's, the bus's, the quota service's, the driver's `query`): nothing in src/
 * knows it is measured. Sequential requests, so each mark belongs to the one request in flight.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { type Config, loadConfig } from '../src/config/config.js';
import type { EngineClient } from '../src/engine/client.js';
import { Engine } from '../src/engine/runner/engine.js';
import { createPlatform, type Platform } from '../src/server/platform.js';
import { type RunningServer, startApiServer } from '../src/server/serve.js';
import { isMain, progress, requireRoot } from './common.js';
import { markdownTable, median, ms, textTable } from './stats.js';

const HELLO = 'print("hello")';
const PG_ADMIN = 'postgres://postgres:postgres@127.0.0.1:5432/test';
const OFF = {
  RATE_LIMIT_API: '0',
  RATE_LIMIT_EXECUTE: '0',
  RATE_LIMIT_AUTH: '0',
  QUOTA_EXECUTIONS_DAILY: '0',
  QUOTA_EXECUTIONS_MONTHLY: '0',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
};

/** One request's marks (ms, performance.now()) and its database statements. */
interface Marks {
  [k: string]: number;
}
let cur: Marks | null = null;
const mark = (k: string) => {
  if (cur && cur[k] === undefined) cur[k] = performance.now();
};
const add = (k: string, v: number) => {
  if (cur) cur[k] = (cur[k] ?? 0) + v;
};

type AnyFn = (...a: unknown[]) => unknown;
/** Replaces `obj[name]` by a timed version: marks `<label>0`/`<label>1` (the first call) and sums `<label>` (ms). */
function wrap(obj: object, name: string, label: string): void {
  const o = obj as Record<string, AnyFn>;
  const orig = o[name];
  if (typeof orig !== 'function') return;
  o[name] = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    mark(`${label}0`);
    const done = () => {
      mark(`${label}1`);
      add(label, performance.now() - t);
    };
    const r = orig.apply(this, args);
    if (r && typeof (r as Promise<unknown>).then === 'function') return (r as Promise<unknown>).finally(done);
    done();
    return r;
  };
}

/** Counts and times every statement the database driver runs (drizzle's `$client.query`). */
function wrapDriver(platform: Platform, prefix: string): void {
  const client = (platform.ctx.database.db as unknown as { $client: object }).$client;
  const o = client as Record<string, AnyFn>;
  const orig = o.query!;
  o.query = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    add(`${prefix}statements`, 1);
    const r = orig.apply(this, args) as Promise<unknown>;
    return r.finally(() => add(`${prefix}sql`, performance.now() - t));
  } as AnyFn;
}

/** The service, queue, bus and quota methods of one platform. `side`: api or worker prefix. */
function instrument(p: Platform, engineRun: boolean, prefix = ''): void {
  const { ctx } = p;
  const svc = ctx.executions as unknown as Record<string, unknown>;
  wrap(svc, 'create', `${prefix}create`);
  wrap(svc, 'waitForFinal', `${prefix}wait`);
  wrap(svc, 'process', `${prefix}process`);
  wrap(svc, 'finish', `${prefix}finish`);
  wrap(ctx.engine, 'listLanguages', `${prefix}languages`);
  wrap(ctx.queue, 'waitingFor', `${prefix}waitingFor`);
  wrap(ctx.queue, 'enqueue', `${prefix}enqueue`);
  wrap(ctx.quotas, 'consumeExecution', `${prefix}quota`);
  wrap(ctx.bus, 'publish', `${prefix}publish`);
  if (engineRun) wrap(ctx.engine, 'run', `${prefix}engine`);
  wrapDriver(p, prefix);
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

async function post(base: string, token: string): Promise<void> {
  const res = await fetch(`${base}/api/v1/execute?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ language: 'python', code: HELLO }),
  });
  const json = (await res.json()) as { data: { output: string } };
  if (res.status !== 200 || json.data.output !== 'hello\n') throw new Error(`HTTP ${res.status}: ${JSON.stringify(json)}`);
}

export interface PhaseRow {
  phase: string;
  median: number;
}
export interface PhaseResult {
  mode: string;
  rounds: number;
  engine: number;
  api: number;
  overhead: number;
  /** Medians of this process's CPU (ms) per engine.run and per request. */
  cpuEngine: number;
  cpuApi: number;
  statements: number;
  phases: PhaseRow[];
}

/** Phases of one request from its marks; `w` is the prefix of the side that ran the job. */
function phasesOf(m: Marks, w: string): Record<string, number> {
  const d = (a: string, b: string) => (m[a] !== undefined && m[b] !== undefined ? m[b]! - m[a]! : NaN);
  return {
    'HTTP in, auth, body validation (client send -> handler)': d('t0', 'create0'),
    'languages check': m.languages ?? 0,
    'queue lane check (waitingFor)': m.waitingFor ?? 0,
    quota: m.quota ?? 0,
    'rest of create (insert, publish queued, enqueue)': d('create0', 'create1') - (m.languages ?? 0) - (m.waitingFor ?? 0) - (m.quota ?? 0),
    'of which enqueue': m.enqueue ?? 0,
    'create -> wait subscribed and history read': d('create1', 'wait0'),
    'queue hand-off (create returned -> job starts)': d('create1', `${w}process0`),
    'claim and announce (job start -> engine.run)': d(`${w}process0`, `${w}engine0`),
    'engine.run inside the API': d(`${w}engine0`, `${w}engine1`),
    'completion write and finish (engine.run -> process end)': d(`${w}engine1`, `${w}process1`),
    'wake the waiting request (process end -> wait returns)': d(`${w}process1`, 'wait1'),
    'present, serialise, HTTP out, client parse': d('wait1', 't1'),
    'database statements (count)': (m.statements ?? 0) + (w ? (m[`${w}statements`] ?? 0) : 0),
    'database time, all statements': (m.sql ?? 0) + (w ? (m[`${w}sql`] ?? 0) : 0),
  };
}

async function measure(mode: string, base: string, token: string, engine: EngineClient, rounds: number, w: string): Promise<PhaseResult> {
  for (let i = 0; i < 10; i++) {
    await engine.run({ language: 'python', files: [{ path: 'main.py', content: HELLO }] });
    await post(base, token);
  }
  const direct: number[] = [];
  const viaApi: number[] = [];
  // CPU of this process (user + system, µs) per engine.run and per request: the request's
  // includes the client's (fetch) and the API's, the engine's Node side in both (embedded;
  // in cluster mode the worker platform is in this process too). Steadier than wall time under load.
  const cpuDirect: number[] = [];
  const cpuApi: number[] = [];
  const cpu = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  const per: Record<string, number[]> = {};
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    let c0 = process.cpuUsage();
    await engine.run({ language: 'python', files: [{ path: 'main.py', content: HELLO }] });
    direct.push(performance.now() - t);
    cpuDirect.push(cpu(process.cpuUsage(c0)));
    cur = {};
    c0 = process.cpuUsage();
    t = performance.now();
    cur.t0 = t;
    await post(base, token);
    cur.t1 = performance.now();
    viaApi.push(cur.t1 - t);
    cpuApi.push(cpu(process.cpuUsage(c0)));
    for (const [k, v] of Object.entries(phasesOf(cur, w))) (per[k] ??= []).push(v);
    cur = null;
    if (i % 25 === 24) progress(`${mode} ${i + 1}/${rounds}`);
  }
  const engineMedian = median(direct);
  const apiMedian = median(viaApi);
  const phases = Object.entries(per).map(([phase, xs]) => ({ phase, median: median(xs.filter((x) => !Number.isNaN(x))) }));
  return {
    mode,
    rounds,
    engine: engineMedian,
    api: apiMedian,
    overhead: apiMedian - engineMedian,
    cpuEngine: median(cpuDirect),
    cpuApi: median(cpuApi),
    statements: phases.find((p) => p.phase.startsWith('database statements'))!.median,
    phases,
  };
}

async function embedded(rounds: number): Promise<PhaseResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-phases-'));
  const config = loadConfig(process.env, { ...OFF, DATA_DIR: dataDir, SANDBOX_UID_BASE: '58100' });
  const engine = Engine.create(config);
  let server: RunningServer | undefined;
  try {
    server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
    instrument(server.platform, true);
    const token = await register(server.url);
    return await measure('embedded (PGlite)', server.url, token, engine, rounds, '');
  } finally {
    await server?.close().catch(() => undefined);
    await engine.close().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function cluster(rounds: number): Promise<PhaseResult> {
  const dbName = `muscode_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(PG_ADMIN);
  dbUrl.pathname = `/${dbName}`;
  const settings = {
    ...OFF,
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    JWT_SECRET: randomUUID() + randomUUID(),
    JWT_REFRESH_SECRET: randomUUID() + randomUUID(),
  };
  const apiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-phases-'));
  const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-phases-w-'));
  fs.chmodSync(workerDir, 0o755);
  const apiConfig: Config = loadConfig(process.env, { ...settings, DATA_DIR: apiDir });
  const workerConfig: Config = loadConfig(process.env, { ...settings, DATA_DIR: workerDir, SANDBOX_SLOTS: '1', SANDBOX_UID_BASE: '58200' });
  const engine = Engine.create(workerConfig);
  let server: RunningServer | undefined;
  let worker: Platform | undefined;
  try {
    worker = await createPlatform(workerConfig, { role: 'worker', engine });
    server = await startApiServer(apiConfig, undefined, { logger: false });
    instrument(server.platform, false);
    instrument(worker, true, 'w.');
    const token = await register(server.url);
    return await measure('cluster (PostgreSQL, Redis, BullMQ)', server.url, token, engine, rounds, 'w.');
  } finally {
    await server?.close().catch(() => undefined);
    await worker?.close().catch(() => undefined);
    await engine.close().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(apiDir, { recursive: true, force: true });
    fs.rmSync(workerDir, { recursive: true, force: true });
  }
}

export async function benchApiPhases(opts: { runs?: number; cluster?: boolean } = {}): Promise<PhaseResult[]> {
  requireRoot();
  const runs = opts.runs ?? 100;
  const out = [await embedded(runs)];
  if (opts.cluster !== false) out.push(await cluster(runs));
  return out;
}

export function formatApiPhases(results: PhaseResult[], markdown = false): string {
  const header = ['python hello, medians', ...results.map((r) => r.mode)];
  const rows: string[][] = [
    ['engine.run alone', ...results.map((r) => ms(r.engine))],
    ['POST /execute?wait=true', ...results.map((r) => ms(r.api))],
    ['API overhead (difference of medians; target <= 3 ms)', ...results.map((r) => ms(r.overhead))],
    ['CPU of the bench process: engine.run alone', ...results.map((r) => ms(r.cpuEngine))],
    ['CPU of the bench process: POST (client, API and engine side)', ...results.map((r) => ms(r.cpuApi))],
    ['API overhead in CPU (difference of medians)', ...results.map((r) => ms(r.cpuApi - r.cpuEngine))],
  ];
  for (const [i, p] of results[0]!.phases.entries()) {
    rows.push([p.phase, ...results.map((r) => (p.phase.includes('(count)') ? String(r.phases[i]!.median) : ms(r.phases[i]!.median)))]);
  }
  return (markdown ? markdownTable : textTable)(header, rows);
}

if (isMain(import.meta.url)) {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 100;
  benchApiPhases({ runs, cluster: !process.argv.includes('--no-cluster') }).then(
    (r) => {
      console.log(formatApiPhases(r, process.argv.includes('--markdown')));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
