import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { ErrorCodes } from '../../src/errors.js';
import { FairGate } from '../../src/queue/bullmq-fair.js';
import { type BullmqQueueOptions, createBullmqQueue } from '../../src/queue/bullmq-queue.js';
import { createEmbeddedQueue } from '../../src/queue/embedded-queue.js';
import { type ExecutionQueue, type JobContext, QueueFullError } from '../../src/queue/queue.js';
import { deferred, waitFor } from '../helpers/async.js';
import { deleteKeys, REDIS_URL, requireRedis, uniqueName } from '../helpers/redis.js';

/**
 * Red-team finding M3: one FIFO let one account's flood of long runs keep another user's 30 ms
 * hello waiting 58.7 s. The same scenarios run against both queues; every assertion is about
 * the ORDER in which jobs start and end, never about time.
 */

const PREFIX = uniqueName('fair');
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/bullmq-stall-worker.mjs');
const closers: (() => Promise<unknown>)[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  await requireRedis();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await deleteKeys(`${PREFIX}:*`);
});

/** Jobs run until the test releases them; `log` is the order of starts and ends. */
function gatedHandler() {
  const gates = new Map<string, () => void>();
  const log: string[] = [];
  const started: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const handler = async (id: string, ctx: JobContext) => {
    started.push(id);
    log.push(`start ${id}`);
    maxRunning = Math.max(maxRunning, ++running);
    const gate = deferred();
    gates.set(id, gate.resolve);
    ctx.signal.addEventListener('abort', () => gate.resolve(), { once: true });
    await gate.promise;
    running -= 1;
    log.push(`end ${id}`);
  };
  return {
    handler,
    log,
    started,
    release: (id: string) => gates.get(id)!(),
    get running() {
      return running;
    },
    get maxRunning() {
      return maxRunning;
    },
  };
}

interface Rig {
  queue: ExecutionQueue;
  start(handler: (id: string, ctx: JobContext) => Promise<void>): Promise<void>;
}

type Make = (o: { concurrency: number; perOwnerRunning: number }) => Rig;

const makeEmbedded: Make = (o) => {
  const { queue, consumer } = createEmbeddedQueue(o);
  closers.push(() => consumer.close({ abort: true }));
  return {
    queue,
    async start(handler) {
      consumer.start(handler);
    },
  };
};

function bullOpts(o: Partial<BullmqQueueOptions>): BullmqQueueOptions {
  return {
    redisUrl: REDIS_URL,
    queueName: uniqueName('q'),
    prefix: PREFIX,
    concurrency: 1,
    lockDurationMs: 10_000,
    stalledIntervalMs: 1000,
    workerId: 'w-fair',
    ...o,
  };
}

const makeBullmq: Make = (o) => {
  const opts = bullOpts(o);
  const { queue } = createBullmqQueue(opts);
  closers.push(() => queue.close());
  return {
    queue,
    async start(handler) {
      // A worker process of its own (its own queue object and connections), as in production.
      const w = createBullmqQueue(opts);
      const consumer = w.consumer();
      closers.push(() => w.queue.close(), () => consumer.close({ abort: true }));
      consumer.start(handler);
      await consumer.waitUntilReady();
    },
  };
};

/** Releases the running job `id` and waits for the next job to start (or none, when `last`). */
async function releaseAndWait(h: ReturnType<typeof gatedHandler>, id: string, expectStart = true): Promise<void> {
  const before = h.started.length;
  h.release(id);
  await waitFor(`${id} ended`, () => h.log.includes(`end ${id}`));
  if (expectStart) await waitFor(`a job to start after ${id}`, () => h.started.length > before);
}

for (const [mode, make] of [
  ['embedded', makeEmbedded],
  ['bullmq', makeBullmq],
] as const) {
  describe(`fair scheduling (${mode})`, () => {
    it("M3: with one owner flooding long jobs, another owner's job starts after at most one of them ends", async () => {
      const { queue, start } = make({ concurrency: 2, perOwnerRunning: 2 });
      const h = gatedHandler();
      await start(h.handler);
      const flood = Array.from({ length: 6 }, (_, i) => `a${i}-${randomUUID()}`);
      for (const id of flood) await queue.enqueue(id, { owner: 'u:alice' });
      await waitFor('alice holds both slots', () => h.started.length === 2);
      const hello = `b-${randomUUID()}`;
      await queue.enqueue(hello, { owner: 'u:bob' });
      expect(await queue.position(hello)).toBe(1);
      // Release alice's jobs one at a time, each time waiting for the next start.
      while (!h.started.includes(hello)) await releaseAndWait(h, h.started.find((id) => !h.log.includes(`end ${id}`))!);
      const bobStart = h.log.indexOf(`start ${hello}`);
      const aliceEndsBefore = h.log.slice(0, bobStart).filter((e) => e.startsWith('end a')).length;
      expect(aliceEndsBefore).toBe(1);
      // And bob's job took the very slot that freed: no other alice job started before it.
      expect(h.log.slice(0, bobStart).filter((e) => e.startsWith('start a'))).toHaveLength(2);
      for (const id of [...flood, hello]) {
        await waitFor(`${id} started`, () => h.started.includes(id));
        h.release(id);
      }
      await waitFor('all ended', () => h.log.filter((e) => e.startsWith('end ')).length === 7);
      expect(h.maxRunning).toBe(2);
      expect(await queue.depth()).toEqual({ waiting: 0, active: 0 });
    });

    it('serves owners round-robin, one turn each', async () => {
      const { queue, start } = make({ concurrency: 1, perOwnerRunning: 1 });
      const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i + 1}`);
      for (const id of ids('a', 3)) await queue.enqueue(id, { owner: 'u:a' });
      for (const id of ids('c', 3)) await queue.enqueue(id, { owner: 'u:c' });
      await queue.enqueue('b1', { owner: 'ip:192.0.2.7' });
      expect(await queue.depth()).toEqual({ waiting: 7, active: 0 });
      const h = gatedHandler();
      await start(h.handler);
      for (let i = 0; i < 7; i += 1) {
        await waitFor(`start number ${i + 1}`, () => h.started.length === i + 1);
        await releaseAndWait(h, h.started[i]!, false);
      }
      expect(h.started).toEqual(['a1', 'c1', 'b1', 'a2', 'c2', 'a3', 'c3']);
    });

    it("caps an owner's running jobs even with slots free, and gives the free slots to others", async () => {
      const { queue, start } = make({ concurrency: 3, perOwnerRunning: 2 });
      const h = gatedHandler();
      await start(h.handler);
      for (const id of ['a1', 'a2', 'a3', 'a4']) await queue.enqueue(id, { owner: 'u:a' });
      await waitFor('two of a running', () => h.started.length === 2);
      // A moment in which a wrong scheduler would start a third job of `a` on the free slot.
      await new Promise((r) => setTimeout(r, 300));
      expect(h.started).toEqual(['a1', 'a2']);
      expect(await queue.depth()).toEqual({ waiting: 2, active: 2 });
      expect(await queue.waitingFor('u:a')).toBe(2);
      await queue.enqueue('b1', { owner: 'u:b' });
      await waitFor('b1 on the free slot', () => h.started.includes('b1'));
      expect(h.running).toBe(3);
      for (const id of ['a1', 'a2', 'b1']) h.release(id);
      await waitFor('a3 and a4 started', () => h.started.length === 5);
      h.release('a3');
      h.release('a4');
      await waitFor('all ended', () => h.running === 0 && h.log.length === 10);
    });

    it('refuses a new job beyond the per-owner waiting limit with QUEUE_FULL; re-queues and others pass', async () => {
      const { queue, start } = make({ concurrency: 1, perOwnerRunning: 1 });
      const h = gatedHandler();
      await start(h.handler);
      await queue.enqueue('a1', { owner: 'u:a', maxWaiting: 2 });
      await waitFor('a1 running', () => h.started.length === 1);
      await queue.enqueue('a2', { owner: 'u:a', maxWaiting: 2 });
      await queue.enqueue('a3', { owner: 'u:a', maxWaiting: 2 });
      const refused = await queue.enqueue('a4', { owner: 'u:a', maxWaiting: 2 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(QueueFullError);
      expect((refused as QueueFullError).code).toBe(ErrorCodes.queueFull);
      expect((refused as QueueFullError).details).toEqual({ waiting: 2, max: 2 });
      expect(await queue.has('a4')).toBe(false);
      // Another owner has its own lane; the reconciler's re-queue (no limit) is never refused.
      await queue.enqueue('b1', { owner: 'u:b', maxWaiting: 2 });
      await queue.enqueue('a4', { owner: 'u:a' });
      expect(await queue.waitingFor('u:a')).toBe(3);
      for (const id of ['a1', 'b1', 'a2', 'a3', 'a4']) {
        await waitFor(`${id} started`, () => h.started.includes(id));
        h.release(id);
      }
      expect(h.started).toEqual(['a1', 'b1', 'a2', 'a3', 'a4']);
    });

    it('a cancelled (removed) waiting job frees its place for the owner', async () => {
      const { queue, start } = make({ concurrency: 1, perOwnerRunning: 1 });
      const h = gatedHandler();
      await start(h.handler);
      await queue.enqueue('a1', { owner: 'u:a' });
      await waitFor('a1 running', () => h.started.length === 1);
      await queue.enqueue('a2', { owner: 'u:a' });
      await queue.enqueue('a3', { owner: 'u:a' });
      expect(await queue.position('a3')).toBe(2);
      expect(await queue.remove('a2')).toBe(true);
      expect(await queue.position('a3')).toBe(1);
      await releaseAndWait(h, 'a1');
      expect(h.started).toEqual(['a1', 'a3']);
      h.release('a3');
    });
  });
}

describe('fair scheduling (bullmq): crashes', () => {
  it("a worker killed -9 mid-job: the job is recovered and the owner's next job still runs (no leaked count)", async () => {
    const opts = bullOpts({ perOwnerRunning: 1, maxStalledCount: 1 });
    const { queue } = createBullmqQueue(opts);
    closers.push(() => queue.close());
    const [a1, a2] = [randomUUID(), randomUUID()];
    await queue.enqueue(a1, { owner: 'u:a' });
    await queue.enqueue(a2, { owner: 'u:a' });
    // Only a1 is in BullMQ (the cap); a2 waits in the owner's lane.
    expect(await queue.bull.getJob(a2)).toBeUndefined();
    await killChildMidJob(opts, a1);
    const ran: string[] = [];
    const rescuer = createBullmqQueue({ ...opts, workerId: 'rescuer' });
    const consumer = rescuer.consumer();
    closers.push(() => rescuer.queue.close(), () => consumer.close({ abort: true }));
    consumer.start(async (id) => void ran.push(id));
    await waitFor('a1 re-run, then a2', () => ran.length === 2, 20_000);
    expect(ran).toEqual([a1, a2]);
    await waitFor('queue empty', async () => (await queue.depth()).waiting + (await queue.depth()).active === 0);
    await queue.repair();
    expect(await queue.waitingFor('u:a')).toBe(0);
    // The owner's count is back to 0: a new job goes straight into BullMQ.
    const a3 = randomUUID();
    await queue.enqueue(a3, { owner: 'u:a' });
    await waitFor('a3 ran', () => ran.includes(a3));
  });

  it('a stalled job failed past maxStalledCount releases its place (the failed path)', async () => {
    const opts = bullOpts({ perOwnerRunning: 1, maxStalledCount: 0 });
    const { queue } = createBullmqQueue(opts);
    closers.push(() => queue.close());
    const [a1, a2] = [randomUUID(), randomUUID()];
    await queue.enqueue(a1, { owner: 'u:a' });
    await queue.enqueue(a2, { owner: 'u:a' });
    await killChildMidJob(opts, a1);
    const ran: string[] = [];
    const failed: string[] = [];
    const rescuer = createBullmqQueue({ ...opts, workerId: 'rescuer', onFailed: (id) => failed.push(id) });
    const consumer = rescuer.consumer();
    closers.push(() => rescuer.queue.close(), () => consumer.close({ abort: true }));
    consumer.start(async (id) => void ran.push(id));
    await waitFor('a2 ran after a1 failed', () => ran.includes(a2), 20_000);
    expect(failed).toEqual([a1]);
    expect(ran).toEqual([a2]);
  });

  it('a job left half-moved by a dead API process is forgotten by repair, and its re-queue runs', async () => {
    const opts = bullOpts({ perOwnerRunning: 1 });
    const { queue } = createBullmqQueue(opts);
    closers.push(() => queue.close());
    const redis = new Redis(REDIS_URL);
    closers.push(async () => redis.disconnect());
    const keys = { jobBase: queue.bull.toKey(''), active: queue.bull.keys.active!, wait: queue.bull.keys.wait! };
    // The process "dies" between picking the job and adding it to BullMQ.
    const dying = new FairGate(redis, keys, 1, async () => Promise.reject(new Error('process died')), 0);
    const [a1, a2] = [randomUUID(), randomUUID()];
    await expect(dying.enqueue(a1, 'u:a', 0)).rejects.toThrow(/died/);
    expect(await queue.has(a1)).toBe(true);
    // The half-moved job still counts against the cap: a2 waits in the lane.
    await queue.enqueue(a2, { owner: 'u:a' });
    expect(await queue.bull.getJob(a2)).toBeUndefined();
    // Another process's repair, with moves stale after 0 ms here (30 s by default).
    const fixer = createBullmqQueue({ ...opts, staleMoveMs: 0 }).queue;
    closers.push(() => fixer.close());
    await fixer.repair();
    expect(await queue.has(a1)).toBe(false); // so the reconciler re-queues its row
    // ...and the owner's count is back to 0: repair handed a2 over.
    expect((await queue.bull.getJob(a2))?.id).toBe(a2);
    await queue.enqueue(a1, { owner: 'u:a' });
    const ran: string[] = [];
    const w = createBullmqQueue(opts);
    const consumer = w.consumer();
    closers.push(() => w.queue.close(), () => consumer.close({ abort: true }));
    consumer.start(async (id) => void ran.push(id));
    await waitFor('both ran', () => ran.length === 2);
    expect(ran).toEqual([a2, a1]);
  });
});

/** Runs the fixture worker until it is inside job `id`, then kills it with SIGKILL. */
async function killChildMidJob(opts: BullmqQueueOptions, id: string): Promise<void> {
  const child = spawn(process.execPath, [FIXTURE, opts.redisUrl, opts.queueName, opts.prefix!], { stdio: ['ignore', 'pipe', 'pipe'] });
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
}
