import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** Loopback only: tests never talk to another host. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Throws (so every test of the file fails, under CI or not) when Redis does not answer: these
 * tests exist to exercise the real thing, a silent skip would hide a broken cluster mode.
 */
export async function requireRedis(): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    if ((await r.ping()) !== 'PONG') throw new Error('no PONG');
  } catch (err) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}); these tests need a real Redis. ` +
        'Start one: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    );
  } finally {
    r.disconnect();
  }
}

/** A namespace no other test (or run) uses. */
export function uniqueName(kind: string): string {
  return `test-${kind}-${randomUUID()}`;
}

/** Deletes every key matching `pattern` (SCAN, never KEYS); returns how many. */
export async function deleteKeys(pattern: string): Promise<number> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await r.unlink(...keys);
    } while (cursor !== '0');
    return n;
  } finally {
    r.disconnect();
  }
}

/** Keys matching `pattern`, for assertions about what a driver leaves behind. */
export async function listKeys(pattern: string): Promise<string[]> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
    return out.sort();
  } finally {
    r.disconnect();
  }
}
