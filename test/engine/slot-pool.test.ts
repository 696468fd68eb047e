import { describe, expect, it } from 'vitest';
import { SlotPool } from '../../src/engine/runner/pool.js';

/** The slot pool's accounting for interactive pairs: two slots at once, in order, cancellable. */
describe('SlotPool.acquireMany', () => {
  it('gives a pair two slots at once, and never one of them to a later single run first', async () => {
    const pool = new SlotPool(2);
    const a = await pool.acquire();
    const order: string[] = [];
    const pair = pool.acquireMany(2).then((s) => {
      order.push(`pair ${s.length}`);
      return s;
    });
    const single = pool.acquire().then((s) => {
      order.push('single');
      return s;
    });
    expect(pool.idle).toBe(1); // one slot free, but the pair waits for two and the single waits behind it
    expect(pool.queued).toBe(2);
    pool.release(a);
    const slots = await pair;
    expect(slots.sort()).toEqual([0, 1]);
    expect(order).toEqual(['pair 2']);
    pool.release(slots[0]!);
    expect(await single).toBe(slots[0]);
    expect(order).toEqual(['pair 2', 'single']);
  });

  it('two pairs on two slots run one after the other (no deadlock)', async () => {
    const pool = new SlotPool(2);
    const first = await pool.acquireMany(2);
    const second = pool.acquireMany(2);
    first.forEach((s) => pool.release(s));
    expect((await second).sort()).toEqual([0, 1]);
  });

  it('a cancelled pair leaves the queue and lets the next waiter in', async () => {
    const pool = new SlotPool(2);
    const held = await pool.acquire();
    const controller = new AbortController();
    const pair = pool.acquireMany(2, controller.signal);
    const single = pool.acquire();
    controller.abort();
    await expect(pair).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await single).not.toBe(held);
    expect(pool.queued).toBe(0);
  });

  it('refuses more slots than the pool has', async () => {
    await expect(new SlotPool(1).acquireMany(2)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
