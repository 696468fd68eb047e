/**
 * The duel queue: who is waiting, and the atomic claim of a pair.
 *
 * Embedded mode keeps it in process. Cluster mode keeps it in one Redis hash (user id → entry),
 * so every API replica and worker sees the same queue. Two replicas may tick at the same moment
 * and compute overlapping pairings from the same snapshot; what makes each player paired once is
 * `claim`, a Lua script that removes both entries only if both are still there unchanged (the
 * second replica's claim of a taken player fails and it simply drops that pair). A tick lock
 * (SET NX PX, released by token) only saves the duplicate work; correctness does not rest on it,
 * so a lock that expires mid-tick is harmless.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { QueueEntry } from './matchmaking.js';

export interface MatchQueueStore {
  /** Adds the entry; false (and no change) when the user is already waiting. */
  add(entry: QueueEntry): Promise<boolean>;
  /** Removes the user; false when they were not waiting. */
  remove(userId: string): Promise<boolean>;
  get(userId: string): Promise<QueueEntry | null>;
  list(): Promise<QueueEntry[]>;
  /**
   * Takes both players out of the queue at once if both still wait with exactly these entries;
   * false (and no change) otherwise, e.g. one left or another replica paired them first.
   */
  claim(a: QueueEntry, b: QueueEntry): Promise<boolean>;
  /** True between a claim of this user and `pairingDone` (the match is being created). */
  isPairing(userId: string): Promise<boolean>;
  pairingDone(a: string, b: string): Promise<void>;
  /** Runs `fn` if no other tick runs (cluster: across replicas); null when one does. */
  withTickLock<T>(fn: () => Promise<T>): Promise<T | null>;
}

export class MemoryQueueStore implements MatchQueueStore {
  private readonly entries = new Map<string, QueueEntry>();
  private readonly pairing = new Set<string>();
  private ticking = false;

  isPairing(userId: string): Promise<boolean> {
    return Promise.resolve(this.pairing.has(userId));
  }

  pairingDone(a: string, b: string): Promise<void> {
    this.pairing.delete(a);
    this.pairing.delete(b);
    return Promise.resolve();
  }

  add(entry: QueueEntry): Promise<boolean> {
    if (this.entries.has(entry.userId)) return Promise.resolve(false);
    this.entries.set(entry.userId, { ...entry, languages: [...entry.languages] });
    return Promise.resolve(true);
  }

  remove(userId: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(userId));
  }

  get(userId: string): Promise<QueueEntry | null> {
    return Promise.resolve(this.entries.get(userId) ?? null);
  }

  list(): Promise<QueueEntry[]> {
    return Promise.resolve([...this.entries.values()]);
  }

  claim(a: QueueEntry, b: QueueEntry): Promise<boolean> {
    const ea = this.entries.get(a.userId);
    const eb = this.entries.get(b.userId);
    if (a.userId === b.userId || !ea || !eb || !sameEntry(ea, a) || !sameEntry(eb, b)) return Promise.resolve(false);
    this.entries.delete(a.userId);
    this.entries.delete(b.userId);
    this.pairing.add(a.userId);
    this.pairing.add(b.userId);
    return Promise.resolve(true);
  }

  async withTickLock<T>(fn: () => Promise<T>): Promise<T | null> {
    if (this.ticking) return null;
    this.ticking = true;
    try {
      return await fn();
    } finally {
      this.ticking = false;
    }
  }
}

function sameEntry(x: QueueEntry, y: QueueEntry): boolean {
  return encode(x) === encode(y);
}

/** Canonical JSON of an entry: the claim compares stored strings byte for byte. */
function encode(e: QueueEntry): string {
  return JSON.stringify({
    userId: e.userId,
    rating: e.rating,
    mode: e.mode,
    languages: [...e.languages],
    enqueuedAt: e.enqueuedAt,
    lastOpponentId: e.lastOpponentId,
  });
}

const CLAIM_LUA = `
if ARGV[1] == ARGV[3] then return 0 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] and redis.call('HGET', KEYS[1], ARGV[3]) == ARGV[4] then
  redis.call('HDEL', KEYS[1], ARGV[1], ARGV[3])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[5])
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[5])
  return 1
end
return 0`;

/** A claimed pair's match should exist well before this; past it a crashed replica's pair is forgotten. */
const PAIRING_TTL_MS = 30_000;

const UNLOCK_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisQueueStore implements MatchQueueStore {
  private readonly queueKey: string;
  private readonly lockKey: string;

  /** `prefix` is REDIS_KEY_PREFIX; `lockMs` bounds how long a crashed replica blocks ticks. */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly lockMs = 10_000,
  ) {
    this.queueKey = `${prefix}:duels:queue`;
    this.lockKey = `${prefix}:duels:tick-lock`;
  }

  async add(entry: QueueEntry): Promise<boolean> {
    return (await this.redis.hsetnx(this.queueKey, entry.userId, encode(entry))) === 1;
  }

  async remove(userId: string): Promise<boolean> {
    return (await this.redis.hdel(this.queueKey, userId)) === 1;
  }

  async get(userId: string): Promise<QueueEntry | null> {
    const raw = await this.redis.hget(this.queueKey, userId);
    return raw === null ? null : (JSON.parse(raw) as QueueEntry);
  }

  async list(): Promise<QueueEntry[]> {
    const all = await this.redis.hvals(this.queueKey);
    return all.map((raw) => JSON.parse(raw) as QueueEntry);
  }

  async claim(a: QueueEntry, b: QueueEntry): Promise<boolean> {
    const res = await this.redis.eval(CLAIM_LUA, 3, this.queueKey, this.pairingKey(a.userId), this.pairingKey(b.userId), a.userId, encode(a), b.userId, encode(b), PAIRING_TTL_MS);
    return res === 1;
  }

  private pairingKey(userId: string): string {
    return `${this.prefix}:duels:pairing:${userId}`;
  }

  async isPairing(userId: string): Promise<boolean> {
    return (await this.redis.exists(this.pairingKey(userId))) === 1;
  }

  async pairingDone(a: string, b: string): Promise<void> {
    await this.redis.del(this.pairingKey(a), this.pairingKey(b));
  }

  async withTickLock<T>(fn: () => Promise<T>): Promise<T | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.lockKey, token, 'PX', this.lockMs, 'NX');
    if (ok !== 'OK') return null;
    try {
      return await fn();
    } finally {
      await this.redis.eval(UNLOCK_LUA, 1, this.lockKey, token).catch(() => undefined);
    }
  }
}
