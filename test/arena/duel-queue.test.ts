import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matchmaker } from '../../src/arena/duels/matchmaker.js';
import type { Pairing, QueueEntry } from '../../src/arena/duels/matchmaking.js';
import { MemoryQueueStore, RedisQueueStore, type MatchQueueStore } from '../../src/arena/duels/queue-store.js';
import { deleteKeys, listKeys, REDIS_URL, requireRedis, uniqueName } from '../helpers/redis.js';

const PREFIX = uniqueName('duels');
const connections: Redis[] = [];
beforeAll(requireRedis);
afterAll(async () => {
  for (const r of connections) r.disconnect();
  await deleteKeys(`${PREFIX}:*`);
});

let n = 0;
function redisStore(prefix: string): RedisQueueStore {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(r);
  return new RedisQueueStore(r, prefix);
}

const NOW = 5_000_000;
function entry(userId: string, rating: number, extra: Partial<QueueEntry> = {}): QueueEntry {
  return { userId, rating, mode: 'duel', languages: [], enqueuedAt: NOW, lastOpponentId: null, ...extra };
}

const drivers: { name: string; make(): { a: MatchQueueStore; b: MatchQueueStore } }[] = [
  {
    name: 'memory',
    make: () => {
      const s = new MemoryQueueStore();
      return { a: s, b: s };
    },
  },
  {
    name: 'redis',
    make: () => {
      const prefix = `${PREFIX}:${(n += 1)}`;
      return { a: redisStore(prefix), b: redisStore(prefix) };
    },
  },
];

describe.each(drivers)('$name queue store', (driver) => {
  it('adds a user once, removes, lists', async () => {
    const { a, b } = driver.make();
    expect(await a.add(entry('u1', 1500, { languages: ['python'] }))).toBe(true);
    expect(await b.add(entry('u1', 1600))).toBe(false);
    expect(await b.get('u1')).toEqual(entry('u1', 1500, { languages: ['python'] }));
    expect(await a.add(entry('u2', 1500))).toBe(true);
    expect((await b.list()).map((e) => e.userId).sort()).toEqual(['u1', 'u2']);
    expect(await b.remove('u1')).toBe(true);
    expect(await a.remove('u1')).toBe(false);
    expect(await a.get('u1')).toBeNull();
  });

  it('claims a pair once, never oneself, never a changed entry', async () => {
    const { a, b } = driver.make();
    const x = entry('x', 1500);
    const y = entry('y', 1510);
    await a.add(x);
    await a.add(y);
    expect(await a.claim(x, x)).toBe(false);
    expect(await a.claim(x, { ...y, rating: 1400 })).toBe(false);
    expect(await a.list()).toHaveLength(2);
    const results = await Promise.all([a.claim(x, y), b.claim(y, x)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await b.list()).toEqual([]);
    // A player who left is not claimed; the other stays queued.
    await a.add(x);
    expect(await b.claim(x, y)).toBe(false);
    expect((await a.list()).map((e) => e.userId)).toEqual(['x']);
  });

  it('the tick lock admits one tick at a time', async () => {
    const { a, b } = driver.make();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = a.withTickLock(async () => {
      await held;
      return 'first';
    });
    // Let the first acquisition land before the second tries.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    expect(await b.withTickLock(() => Promise.resolve('second'))).toBeNull();
    release();
    expect(await first).toBe('first');
    expect(await b.withTickLock(() => Promise.resolve('third'))).toBe('third');
  });

  it('two matchmakers ticking at once (as two replicas) pair each player exactly once', async () => {
    const { a, b } = driver.make();
    // Players enqueued on either replica; ratings in tight clusters so everyone can be paired.
    for (let i = 0; i < 60; i += 1) await (i % 2 ? a : b).add(entry(`p${i}`, 1400 + (i % 10) * 5 + Math.floor(i / 10) * 300));
    const started: Pairing[] = [];
    const mm = (store: MatchQueueStore) =>
      new Matchmaker({ store, now: () => Promise.resolve(NOW), intervalMs: 1000, onPair: (p) => Promise.resolve(void started.push(p)) });
    const [ra, rb] = await Promise.all([mm(a).tickUnlocked(), mm(b).tickUnlocked()]);
    const [rc, rd] = await Promise.all([mm(a).tickUnlocked(), mm(b).tickUnlocked()]);
    const all = [...ra, ...rb, ...rc, ...rd];
    expect(started).toHaveLength(all.length);
    const users = all.flatMap((p) => [p.a.userId, p.b.userId]);
    expect(new Set(users).size).toBe(users.length);
    expect(users).toHaveLength(60);
    expect(await a.list()).toEqual([]);
    for (const p of all) expect(Math.abs(p.a.rating - p.b.rating)).toBeLessThanOrEqual(100);
  });
});

describe('redis keys', () => {
  it('live under the configured prefix and the lock is released', async () => {
    const prefix = `${PREFIX}:keys`;
    const s = redisStore(prefix);
    await s.add(entry('k', 1500));
    await s.withTickLock(() => Promise.resolve(null));
    expect(await listKeys(`${prefix}:*`)).toEqual([`${prefix}:duels:queue`]);
  });
});
