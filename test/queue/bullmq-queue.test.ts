import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { type BullmqQueueOptions, createBullmqQueue } from '../../src/queue/bullmq-queue.js';
import { type JobContext, jobAbortReason } from '../../src/queue/queue.js';
import { RedisBus } from '../../src/realtime/redis-bus.js';
import { deferred, waitFor } from '../helpers/async.js';
import { deleteKeys, REDIS_URL, requireRedis, uniqueName } from '../helpers/redis.js';

const PREFIX = uniqueName('bullmq');
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/bullmq-stall-worker.mjs');

/** Closers of whatever a test opened, run after it (in reverse). */
const closers: (() => Promise<unknown>)[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  await requireRedis();
  ensureFreshDist();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await deleteKeys(`${PREFIX}:*`);
});

/** The stall test's child runs dist/: rebuild it when the driver sources are newer. */
function ensureFreshDist(): void {
  const pairs = ['queue/bullmq-queue', 'queue/queue'].map((m) => [
    path.join(REPO_ROOT, `src/${m}.ts`),
    path.join(REPO_ROOT, `dist/src/${m}.js`),
  ]);
  const stale = () => pairs.some(([src, out]) => !fs.existsSync(out!) || fs.statSync(out!).mtimeMs < fs.statSync(src!).mtimeMs);
  if (!stale()) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere in the tree still emit; the check below decides.
  }
  if (stale()) throw new Error('dist/ is stale and `npx tsc -p tsconfig.json` did not refresh it');
}

function setup(overrides: Partial<BullmqQueueOptions> = {}) {
  const opts: BullmqQueueOptions = {
    redisUrl: REDIS_URL,
    queueName: uniqueName('q'),
    prefix: PREFIX,
    concurrency: 2,
    // Long enough that a loaded machine never loses a live worker's lock; the stall tests'
    // child uses 1 s so that its death is noticed quickly.
    lockDurationMs: 10_000,
    stalledIntervalMs: 1000,
    workerId: 'w-test',
    ...overrides,
  };
  const q = createBullmqQueue(opts);
  closers.push(() => q.queue.close());
  return { ...q, opts };
}

/** Starts a consumer (sharing the queue name) and registers its close. */
async function startConsumer(base: BullmqQueueOptions, overrides: Partial<BullmqQueueOptions>, handler: (id: string, ctx: JobContext) => Promise<void>) {
  const q = createBullmqQueue({ ...base, ...overrides });
  const consumer = q.consumer();
  // The consumer hands owners' next jobs over through its queue: closed after it.
  closers.push(() => q.queue.close(), () => consumer.close({ abort: true }));
  consumer.start(handler);
  await consumer.waitUntilReady();
  return consumer;
}

/** Jobs run until released by the test or aborted. */
function gatedHandler() {
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  const contexts = new Map<string, JobContext>();
  let running = 0;
  let maxRunning = 0;
  const handler = async (id: string, ctx: JobContext) => {
    started.push(id);
    contexts.set(id, ctx);
    maxRunning = Math.max(maxRunning, ++running);
    const gate = deferred();
    gates.set(id, gate.resolve);
    ctx.signal.addEventListener('abort', () => gate.resolve(), { once: true });
    if (ctx.signal.aborted) gate.resolve();
    await gate.promise;
    running -= 1;
  };
  return {
    handler,
    started,
    contexts,
    release: (id: string) => gates.get(id)!(),
    get running() {
      return running;
    },
    get maxRunning() {
      return maxRunning;
    },
  };
}

describe('bullmq queue', () => {
  it('uses the execution id as the job id, once, and keeps no finished job', async () => {
    const { queue, opts } = setup();
    const id = randomUUID();
    await queue.enqueue(id);
    await queue.enqueue(id); // the reconciler may re-enqueue: still one job
    expect((await queue.bull.getJob(id))?.id).toBe(id);
    expect(await queue.depth()).toEqual({ waiting: 1, active: 0 });
    const ran: string[] = [];
    await startConsumer(opts, {}, async (jobId) => void ran.push(jobId));
    await waitFor('the job ran', async () => ran.length === 1 && !(await queue.has(id)));
    expect(ran).toEqual([id]);
    expect(await queue.bull.getJob(id)).toBeUndefined(); // removeOnComplete
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0 });
  });

  it('reports positions and depth, and removes only waiting jobs', async () => {
    const { queue } = setup();
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await queue.enqueue(id);
    expect(await Promise.all(ids.map((id) => queue.position(id)))).toEqual([1, 2, 3, 4]);
    expect(await queue.position(randomUUID())).toBeNull();
    expect(await queue.depth()).toEqual({ waiting: 4, active: 0 });
    expect(await queue.has(ids[1]!)).toBe(true);
    expect(await queue.remove(ids[1]!)).toBe(true);
    expect(await queue.remove(ids[1]!)).toBe(false);
    expect(await queue.remove(randomUUID())).toBe(false);
    expect(await queue.has(ids[1]!)).toBe(false);
    expect(await Promise.all(ids.map((id) => queue.position(id)))).toEqual([1, null, 2, 3]);
  });

  it('is consumed only where consumer() is started, `concurrency` at a time; running jobs cannot be removed', async () => {
    const { queue, opts } = setup({ concurrency: 2 });
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) await queue.enqueue(id);
    // An API process: the queue alone opens no worker.
    expect(await queue.bull.getWorkers()).toHaveLength(0);
    const h = gatedHandler();
    await startConsumer(opts, { workerId: 'w-a' }, h.handler);
    expect((await queue.bull.getWorkers()).length).toBeGreaterThan(0);
    await waitFor('two jobs running', () => h.started.length === 2);
    expect([...h.started].sort()).toEqual(ids.slice(0, 2).sort());
    expect(h.contexts.get(ids[0]!)!.workerId).toBe('w-a');
    expect(await queue.depth()).toEqual({ waiting: 3, active: 2 });
    expect(await queue.position(ids[2]!)).toBe(1);
    expect(await queue.position(ids[0]!)).toBeNull();
    expect(await queue.has(ids[0]!)).toBe(true);
    expect(await queue.remove(ids[0]!)).toBe(false);
    // Give the worker a moment in which it could (wrongly) take a third job.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.started).toHaveLength(2);
    for (const id of ids) {
      await waitFor(`${id} started`, () => h.started.includes(id));
      h.release(id);
    }
    await waitFor('queue drained', async () => (await queue.depth()).active === 0 && h.running === 0);
    expect(h.maxRunning).toBe(2);
    expect([...h.started].sort()).toEqual([...ids].sort());
  });

  it('fails a throwing handler once (no retry) and reports it through onFailed', async () => {
    const { queue, opts } = setup();
    const failed: [string, string, string][] = [];
    let calls = 0;
    await startConsumer(opts, { onFailed: (id, reason, info) => failed.push([id, reason, info.message]) }, async () => {
      calls += 1;
      throw new Error('handler exploded');
    });
    const id = randomUUID();
    await queue.enqueue(id);
    await waitFor('onFailed', () => failed.length === 1);
    expect(failed).toEqual([[id, 'handler_error', 'handler exploded']]);
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(1);
    expect(await queue.has(id)).toBe(false); // removeOnFail
  });

  it('aborts a running job when any process requests its cancel on the bus', async () => {
    const { queue, opts } = setup();
    const workerBus = new RedisBus({ url: REDIS_URL, keyPrefix: PREFIX });
    const apiBus = new RedisBus({ url: REDIS_URL, keyPrefix: PREFIX });
    closers.push(() => workerBus.close(), () => apiBus.close());
    const h = gatedHandler();
    await startConsumer(opts, { bus: workerBus }, h.handler);
    const [a, b] = [randomUUID(), randomUUID()];
    await queue.enqueue(a);
    await queue.enqueue(b);
    await waitFor('both running', () => h.started.length === 2);
    await apiBus.requestCancel(a);
    await waitFor('a aborted', () => h.contexts.get(a)!.signal.aborted);
    expect(jobAbortReason(h.contexts.get(a)!.signal)).toBe('cancelled');
    await waitFor('a finished', async () => !(await queue.has(a)));
    expect(h.contexts.get(b)!.signal.aborted).toBe(false);
    h.release(b);
  });

  it('close({ abort: true }) aborts running jobs with reason "shutdown" and waits for them', async () => {
    const { queue, opts } = setup();
    const h = gatedHandler();
    const consumer = await startConsumer(opts, {}, h.handler);
    const id = randomUUID();
    await queue.enqueue(id);
    await waitFor('running', () => h.started.length === 1);
    await consumer.close({ abort: true });
    expect(jobAbortReason(h.contexts.get(id)!.signal)).toBe('shutdown');
    expect(h.running).toBe(0);
  });

  it('aborts a job whose lock vanished (as after a Redis flush) with reason "lock_lost"', async () => {
    const { queue, opts } = setup();
    const h = gatedHandler();
    // A short lock so that the next renewal (every lockDuration / 2) comes soon.
    await startConsumer(opts, { lockDurationMs: 1000 }, h.handler);
    const id = randomUUID();
    await queue.enqueue(id);
    await waitFor('running', () => h.started.length === 1);
    const admin = new Redis(REDIS_URL);
    try {
      expect(await admin.del(`${PREFIX}:${opts.queueName}:${id}:lock`)).toBe(1);
    } finally {
      admin.disconnect();
    }
    await waitFor('the job aborted', () => h.contexts.get(id)!.signal.aborted, 10_000);
    expect(jobAbortReason(h.contexts.get(id)!.signal)).toBe('lock_lost');
  });

  it('hands the job of a worker killed with -9 to another worker', async () => {
    const { queue, opts } = setup();
    const id = randomUUID();
    await queue.enqueue(id);
    await killChildMidJob(opts, id);
    const stalled: string[] = [];
    const ran: [string, string][] = [];
    await startConsumer(opts, { workerId: 'rescuer', maxStalledCount: 1, onStalled: (s) => stalled.push(s) }, async (jobId, ctx) => {
      ran.push([jobId, ctx.workerId]);
    });
    await waitFor('the job re-run by the rescuer', () => ran.length === 1, 20_000);
    expect(ran).toEqual([[id, 'rescuer']]);
    expect(stalled).toEqual([id]);
    await waitFor('job gone', async () => !(await queue.has(id)));
  });

  it('fails a stalled job past maxStalledCount through onFailed("stalled"), without running it', async () => {
    const { queue, opts } = setup();
    const id = randomUUID();
    await queue.enqueue(id);
    await killChildMidJob(opts, id);
    const failed: [string, string][] = [];
    let ran = 0;
    await startConsumer(
      opts,
      { workerId: 'rescuer', maxStalledCount: 0, onFailed: (jobId, reason) => failed.push([jobId, reason]) },
      async () => {
        ran += 1;
      },
    );
    await waitFor('onFailed for the stalled job', () => failed.length === 1, 20_000);
    expect(failed).toEqual([[id, 'stalled']]);
    expect(ran).toBe(0);
    await waitFor('job gone', async () => !(await queue.has(id)));
  });
});

/** Runs the fixture worker until it is inside job `id`, then kills it with SIGKILL. */
async function killChildMidJob(opts: BullmqQueueOptions, id: string): Promise<void> {
  const child = spawn(process.execPath, [FIXTURE, opts.redisUrl, opts.queueName, opts.prefix!], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitFor('the child worker to take the job', () => stdout.includes(`started ${id}`) || child.exitCode !== null, 20_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}; child stderr: ${stderr}`);
  }
  if (child.exitCode !== null) throw new Error(`the child worker exited (${child.exitCode}): ${stderr}`);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
}
