import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BusHistoryOptions,
  type ExecutionEvent,
  type ExecutionEventBody,
  followExecution,
  FENCED_SEQ,
  HISTORY_TRUNCATED,
  type OutputBus,
} from '../../src/realtime/bus.js';
import { MemoryBus } from '../../src/realtime/memory-bus.js';
import { RedisBus } from '../../src/realtime/redis-bus.js';
import { waitFor } from '../helpers/async.js';
import { deleteKeys, listKeys, REDIS_URL, requireRedis, uniqueName } from '../helpers/redis.js';

const PREFIX = uniqueName('bus');

beforeAll(requireRedis);
afterAll(async () => {
  await deleteKeys(`${PREFIX}:*`);
});

/** Buses opened by a test, closed after it. */
const open: OutputBus[] = [];
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
});

interface Driver {
  name: 'memory' | 'redis';
  /** A bus; with `shared` in a memory driver, the same instance (one process has one bus). */
  make(opts?: BusHistoryOptions): OutputBus;
  /** A second bus, as another process would have it; for memory the same instance. */
  peer(bus: OutputBus): OutputBus;
}

const drivers: Driver[] = [
  {
    name: 'memory',
    make: (opts) => track(new MemoryBus(opts)),
    peer: (bus) => bus,
  },
  {
    name: 'redis',
    make: (opts) => track(new RedisBus({ url: REDIS_URL, keyPrefix: PREFIX, ...opts })),
    peer: () => track(new RedisBus({ url: REDIS_URL, keyPrefix: PREFIX })),
  },
];

function track<T extends OutputBus>(b: T): T {
  open.push(b);
  return b;
}

const out = (data: string, stream: 'stdout' | 'stderr' = 'stdout'): ExecutionEventBody => ({ type: 'output', stream, data });

function collector() {
  const events: ExecutionEvent[] = [];
  return { events, listener: (e: ExecutionEvent) => void events.push(e) };
}

describe.each(drivers)('$name bus', (driver) => {
  it('assigns seq from 1 per execution and keeps the history in seq order', async () => {
    const bus = driver.make();
    const a = randomUUID();
    const b = randomUUID();
    const first = await bus.publish(a, { type: 'status', status: 'queued' });
    expect(first).toEqual({ type: 'status', status: 'queued', executionId: a, seq: 1 });
    await bus.publish(a, out('x'));
    expect((await bus.publish(b, out('other'))).seq).toBe(1);
    await bus.publish(a, { type: 'complete' });
    const h = await bus.history(a);
    expect(h.map((e) => [e.seq, e.type])).toEqual([
      [1, 'status'],
      [2, 'output'],
      [3, 'complete'],
    ]);
    expect(h[1]).toEqual({ type: 'output', stream: 'stdout', data: 'x', executionId: a, seq: 2 });
    expect(await bus.history(randomUUID())).toEqual([]);
  });

  it('keeps history order == seq order == delivery order under concurrent publishers', async () => {
    const bus = driver.make();
    const other = driver.peer(bus);
    const id = randomUUID();
    const seen = collector();
    await bus.subscribe(id, seen.listener);
    // Two "processes" publishing at once, without awaiting each other.
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? bus : other).publish(id, out(`chunk ${i}\n`, i % 3 ? 'stdout' : 'stderr'))),
    );
    const seqs = sent.map((e) => e.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const history = await bus.history(id);
    expect(history.map((e) => e.seq)).toEqual(seqs);
    // Each seq carries the data it was returned with.
    const bySeq = new Map(sent.map((e) => [e.seq, e]));
    for (const e of history) expect(e).toEqual(bySeq.get(e.seq));
    await waitFor('all 200 events delivered', () => seen.events.length === 200);
    expect(seen.events.map((e) => e.seq)).toEqual(seqs);
  });

  it('a late follower gets the history, then live events, with no gap and no duplicate', async () => {
    const bus = driver.make();
    const publisher = driver.peer(bus);
    const id = randomUUID();
    for (let i = 0; i < 5; i++) await publisher.publish(id, out(`early ${i}`));
    const seen = collector();
    // Publish while the follower is replaying, to hit the subscribe/history overlap.
    const racing = Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publish(id, out(`racing ${i}`))));
    const unsubscribe = await followExecution(bus, id, seen.listener);
    await racing;
    await publisher.publish(id, { type: 'complete' });
    await waitFor('the complete event', () => seen.events.at(-1)?.type === 'complete');
    expect(seen.events.map((e) => e.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(seen.events[0]).toMatchObject({ data: 'early 0' });
    await unsubscribe();
  });

  it('fences attempts: once attempt 2 published, attempt 1 (a worker cut off, back online) is dropped, even after complete', async () => {
    const bus = driver.make();
    const id = randomUUID();
    const seen = collector();
    const unsubscribe = await followExecution(bus, id, seen.listener);
    await bus.publish(id, { type: 'status', status: 'running' }, { fence: 1 });
    await bus.publish(id, out('a1'), { fence: 1 });
    await bus.publish(id, { type: 'status', status: 'running' }, { fence: 2 });
    const late = await bus.publish(id, out('a1 late'), { fence: 1 });
    expect(late.seq).toBe(FENCED_SEQ);
    await bus.publish(id, out('a2'), { fence: 2 });
    await bus.publish(id, { type: 'complete' });
    expect((await bus.publish(id, out('a1 after the end'), { fence: 1 })).seq).toBe(FENCED_SEQ);
    // Unfenced events (the reconciler's, the final ones) always pass.
    await waitFor('the complete event', () => seen.events.at(-1)?.type === 'complete');
    const history = await bus.history(id);
    expect(history.map((e) => (e.type === 'output' ? e.data : e.type))).toEqual(['status', 'a1', 'status', 'a2', 'complete']);
    expect(history.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    await unsubscribe();
  });

  it('unsubscribe stops delivery to that listener only', async () => {
    const bus = driver.make();
    const publisher = driver.peer(bus);
    const id = randomUUID();
    const a = collector();
    const b = collector();
    const unA = await bus.subscribe(id, a.listener);
    const unB = await bus.subscribe(id, b.listener);
    await publisher.publish(id, out('1'));
    await waitFor('both listeners got seq 1', () => a.events.length === 1 && b.events.length === 1);
    await unA();
    await unA(); // idempotent
    await publisher.publish(id, out('2'));
    await waitFor('b got seq 2', () => b.events.length === 2);
    await unB();
    await publisher.publish(id, out('3'));
    // A marker subscription on the same bus proves seq 3 went through delivery before we look.
    const marker = collector();
    const unMarker = await bus.subscribe(id, marker.listener);
    await publisher.publish(id, out('4'));
    await waitFor('marker got seq 4', () => marker.events.length === 1);
    expect(a.events.map((e) => e.seq)).toEqual([1]);
    expect(b.events.map((e) => e.seq)).toEqual([1, 2]);
    await unMarker();
  });

  it('a throwing listener does not stop delivery to the others', async () => {
    const errors: unknown[] = [];
    const bus =
      driver.name === 'memory'
        ? track(new MemoryBus({ onListenerError: (e) => errors.push(e) }))
        : track(new RedisBus({ url: REDIS_URL, keyPrefix: PREFIX, onListenerError: (e) => errors.push(e) }));
    const id = randomUUID();
    const good = collector();
    await bus.subscribe(id, () => {
      throw new Error('listener bug');
    });
    await bus.subscribe(id, good.listener);
    await bus.publish(id, out('x'));
    await waitFor('the good listener', () => good.events.length === 1);
    expect(errors).toHaveLength(1);
  });

  it('delivers cancel requests to every onCancel listener', async () => {
    const bus = driver.make();
    const requester = driver.peer(bus);
    const got: string[] = [];
    await bus.onCancel((id) => got.push(id));
    const id = randomUUID();
    await requester.requestCancel(id);
    await waitFor('the cancel request', () => got.includes(id));
    expect(got).toEqual([id]);
  });

  it('bounds the history: past the limit output is delivered live but not stored, after one marker', async () => {
    const bus = driver.make({ maxHistoryBytes: 10, maxHistoryEvents: 100 });
    const id = randomUUID();
    const live = collector();
    await bus.subscribe(id, live.listener);
    await bus.publish(id, { type: 'status', status: 'running' });
    await bus.publish(id, out('12345'));
    await bus.publish(id, out('é1234')); // 6 bytes in UTF-8: 11 > 10, truncates
    await bus.publish(id, out('x'));
    await bus.publish(id, { type: 'complete' });
    const h = await bus.history(id);
    expect(h.map((e) => [e.seq, e.type === 'status' ? e.status : e.type])).toEqual([
      [1, 'running'],
      [2, 'output'],
      [3, HISTORY_TRUNCATED],
      [6, 'complete'],
    ]);
    await waitFor('all live events', () => live.events.length === 6);
    expect(live.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(live.events[3]).toMatchObject({ type: 'output', data: 'é1234' });

    // The event-count bound works the same way.
    const counted = driver.make({ maxHistoryEvents: 3 });
    const id2 = randomUUID();
    for (let i = 0; i < 6; i++) await counted.publish(id2, out(String(i)));
    const h2 = await counted.history(id2);
    expect(h2.map((e) => (e.type === 'output' ? e.data : e.type === 'status' ? e.status : e.type))).toEqual(['0', '1', '2', HISTORY_TRUNCATED]);
  });

  it('forgets the history historyTtlMs after complete, not before', async () => {
    const bus = driver.make({ historyTtlMs: 300 });
    const id = randomUUID();
    await bus.publish(id, out('kept while running'));
    await new Promise((r) => setTimeout(r, 500));
    expect(await bus.history(id)).toHaveLength(1);
    await bus.publish(id, { type: 'error', code: 'INTERNAL', message: 'boom' });
    expect(await bus.history(id)).toHaveLength(2);
    await waitFor('history expiry', async () => (await bus.history(id)).length === 0, 5000);
  });

  it('pings while open, not after close', async () => {
    const bus = driver.make();
    expect(await bus.ping()).toBe(true);
    await bus.close();
    expect(await bus.ping()).toBe(false);
    await expect(bus.publish(randomUUID(), out('x'))).rejects.toThrow(/closed/);
  });
});

describe('redis bus across processes', () => {
  const make = (prefix = PREFIX) => track(new RedisBus({ url: REDIS_URL, keyPrefix: prefix }));

  it('subscribe resolves only once Redis confirmed it: an immediate publish elsewhere is delivered', async () => {
    const a = make();
    const b = make();
    // Repeated so that a subscribe resolving early would show up as a lost event.
    for (let i = 0; i < 25; i++) {
      const id = randomUUID();
      const seen = collector();
      const un = await a.subscribe(id, seen.listener);
      await b.publish(id, out('now'));
      await waitFor(`event of round ${i}`, () => seen.events.length === 1, 2000);
      await un();
    }
  });

  it('sees the other instance events, and its cancel requests', async () => {
    const api = make();
    const worker = make();
    const id = randomUUID();
    const seen = collector();
    await api.subscribe(id, seen.listener);
    const cancels: string[] = [];
    await worker.onCancel((c) => cancels.push(c));
    await worker.publish(id, { type: 'status', status: 'running' });
    await worker.publish(id, out('hello'));
    await api.requestCancel(id);
    await waitFor('cancel at the worker', () => cancels.includes(id));
    await worker.publish(id, { type: 'complete' });
    await waitFor('complete at the api', () => seen.events.length === 3);
    expect(seen.events.map((e) => e.type)).toEqual(['status', 'output', 'complete']);
    expect(await api.history(id)).toEqual(seen.events);
  });

  it('multiplexes listeners on one subscription per channel and drops it after the last unsubscribe', async () => {
    const bus = make();
    const admin = new Redis(REDIS_URL);
    try {
      const id = randomUUID();
      const channel = `${PREFIX}:exec:${id}`;
      const numsub = async () => Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1]);
      const uns = await Promise.all(Array.from({ length: 10 }, () => bus.subscribe(id, () => {})));
      expect(await numsub()).toBe(1);
      for (const un of uns) await un();
      expect(await numsub()).toBe(0);
      // Subscribing again after the channel was dropped works (the SUBSCRIBE follows the UNSUBSCRIBE).
      const seen = collector();
      const un = await bus.subscribe(id, seen.listener);
      await make().publish(id, out('again'));
      await waitFor('delivery after resubscribe', () => seen.events.length === 1);
      await un();
    } finally {
      admin.disconnect();
    }
  });

  it('uses only its prefix, and every key it writes expires', async () => {
    const prefix = uniqueName('bus-keys');
    const bus = make(prefix);
    const id = randomUUID();
    await bus.publish(id, out('x'));
    const keys = await listKeys(`${prefix}:*`);
    expect(keys).toEqual([`${prefix}:exec:${id}:events`, `${prefix}:exec:${id}:seq`, `${prefix}:exec:${id}:stats`]);
    const admin = new Redis(REDIS_URL);
    try {
      for (const k of keys) {
        const ttl = await admin.pttl(k);
        expect(ttl).toBeGreaterThan(50 * 60_000); // the active TTL, 1 h by default
      }
      await bus.publish(id, { type: 'complete' });
      for (const k of keys) {
        const ttl = await admin.pttl(k);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(10 * 60_000); // shortened to the history TTL
      }
    } finally {
      admin.disconnect();
      await deleteKeys(`${prefix}:*`);
    }
  });

  it('reports an unreachable Redis as a failed ping, not a hang', async () => {
    // Port 1 on loopback: nothing listens there.
    const bus = track(new RedisBus({ url: 'redis://127.0.0.1:1', keyPrefix: PREFIX, pingTimeoutMs: 500 }));
    expect(await bus.ping()).toBe(false);
  });
});
