/**
 * Fair queueing (red-team finding M3), measured through the API in embedded mode with the
 * default limits on 2 slots: Alice POSTs `--flood` (6) runs of `while True: pass` with
 * `timeout: --timeout` (15 s, the maximum CPU time), then Bob POSTs `print("bob hello")` with
 * `?wait=true`. Printed: how long Bob's run waited in the queue, against the length of one of
 * Alice's runs, and how many of Alice's runs started before his. Then the same with every run in
 * one lane (the FIFO the queue had before; `--no-fifo` skips it).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/fairness.js [--timeout 15] [--flood 6] [--no-fifo] [--markdown]
 *
 * Measured, not asserted: nothing here fails on a figure.
 */
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/engine/runner/engine.js';
import type { ExecutionQueue } from '../src/queue/queue.js';
import { startApiServer } from '../src/server/serve.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { markdownTable, ratio, textTable } from './stats.js';

interface Row {
  executionId: string;
  status: string;
  output: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface FairnessResult {
  order: 'fair' | 'fifo';
  /** Bob's run: created -> started (queue wait), and his request's round trip. */
  bobWaitMs: number;
  bobRoundTripMs: number;
  /** Median of Alice's runs, started -> completed. */
  aliceRunMs: number;
  aliceStartedBeforeBob: number;
  flood: number;
}

async function call<T>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

async function register(base: string, name: string): Promise<string> {
  const body = { email: `${name}@example.com`, username: name, password: 'benchmark password', fullName: name };
  return (await call<{ token: string }>(base, 'POST', '/api/v1/auth/register', undefined, body)).token;
}

/** Every job in one lane: the single FIFO the queue was before per-owner lanes. */
function asFifo(queue: ExecutionQueue): void {
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (id) => enqueue(id, { owner: 'bench:one-fifo' });
  queue.waitingFor = async () => 0;
}

export async function runScenario(order: 'fair' | 'fifo', opts: { timeoutS: number; flood: number }): Promise<FairnessResult> {
  // The defaults (rate limits, quotas, queue caps) except the slot count, which the red team had at 2.
  const { config, dispose } = benchConfig({ SANDBOX_SLOTS: '2', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' });
  const engine = Engine.create(config);
  const server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
  try {
    if (order === 'fifo') asFifo(server.platform.ctx.queue);
    const base = server.url;
    const suffix = Math.random().toString(36).slice(2, 8);
    const alice = await register(base, `alice${suffix}`);
    const bob = await register(base, `bob${suffix}`);
    const long = { language: 'python', code: 'while True: pass', timeout: opts.timeoutS };
    const ids: string[] = [];
    for (let i = 0; i < opts.flood; i++) ids.push((await call<Row>(base, 'POST', '/api/v1/execute', alice, long)).executionId);
    progress(`${order}: alice queued ${opts.flood} runs of ${opts.timeoutS} s CPU; bob says hello`);
    const t = performance.now();
    const hello = await call<Row>(base, 'POST', '/api/v1/execute?wait=true', bob, { language: 'python', code: 'print("bob hello")' });
    const bobRoundTripMs = performance.now() - t;
    if (hello.output !== 'bob hello\n') throw new Error(`bob's run: ${JSON.stringify(hello)}`);
    progress(`${order}: bob answered after ${(bobRoundTripMs / 1000).toFixed(1)} s; waiting for alice's runs`);
    let rows: Row[] = [];
    // One list request every 2 s: the default API rate limit (100 per 15 min) applies here too.
    for (;;) {
      const listed = await call<{ executions: Row[] }>(base, 'GET', '/api/v1/execute?limit=100', alice);
      rows = listed.executions.filter((r) => ids.includes(r.executionId));
      if (rows.length === ids.length && rows.every((r) => r.completedAt !== null)) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const lengths = rows.map((r) => Date.parse(r.completedAt!) - Date.parse(r.startedAt!)).sort((a, b) => a - b);
    const bobStart = Date.parse(hello.startedAt!);
    return {
      order,
      bobWaitMs: bobStart - Date.parse(hello.createdAt),
      bobRoundTripMs,
      aliceRunMs: lengths[Math.floor(lengths.length / 2)]!,
      aliceStartedBeforeBob: rows.filter((r) => Date.parse(r.startedAt!) < bobStart).length,
      flood: opts.flood,
    };
  } finally {
    await server.close({ abort: true });
    await engine.close();
    dispose();
  }
}

export function formatFairness(results: FairnessResult[], markdown = false): string {
  const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
  const rows = results.map((r) => [
    r.order === 'fair' ? 'per-user lanes (now)' : 'one FIFO (before)',
    s(r.bobWaitMs),
    s(r.bobRoundTripMs),
    s(r.aliceRunMs),
    ratio(r.bobWaitMs / r.aliceRunMs),
    `${r.aliceStartedBeforeBob} of ${r.flood}`,
  ]);
  const header = ["queue", "Bob's wait in the queue", "Bob's request", "one of Alice's runs", 'wait / run', "Alice's runs started first"];
  return (markdown ? markdownTable : textTable)(header, rows);
}

if (isMain(import.meta.url)) {
  requireRoot();
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const opts = { timeoutS: arg('--timeout', 15), flood: arg('--flood', 6) };
  const orders: ('fair' | 'fifo')[] = process.argv.includes('--no-fifo') ? ['fair'] : ['fair', 'fifo'];
  (async () => {
    const results: FairnessResult[] = [];
    for (const order of orders) results.push(await runScenario(order, opts));
    console.log(formatFairness(results, process.argv.includes('--markdown')));
    process.exit(0);
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
