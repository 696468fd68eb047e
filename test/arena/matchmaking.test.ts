import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MATCHMAKING,
  compatible,
  pairCost,
  pairTick,
  ratingWindow,
  type QueueEntry,
} from '../../src/arena/duels/matchmaking.js';

const NOW = 1_000_000;
function p(userId: string, rating: number, waitS = 0, extra: Partial<QueueEntry> = {}): QueueEntry {
  return { userId, rating, mode: 'duel', languages: [], enqueuedAt: NOW - waitS * 1000, lastOpponentId: null, ...extra };
}
const ids = (pairs: ReturnType<typeof pairTick>): string[][] => pairs.map((x) => [x.a.userId, x.b.userId].sort());

describe('rating window', () => {
  it.each([
    [0, 100],
    [3, 110],
    [30, 200],
    [60, 300],
    [90, 310],
    [600, 480],
    [960, 600],
    [5000, 600],
  ])('after %ss of waiting the window is %s', (waitS, expected) => {
    expect(ratingWindow(waitS * 1000)).toBeCloseTo(expected, 6);
  });

  it('widens monotonically with the wait', () => {
    let last = -1;
    for (let s = 0; s < 1200; s += 7) {
      const w = ratingWindow(s * 1000);
      expect(w).toBeGreaterThanOrEqual(last);
      last = w;
    }
  });
});

describe('compatibility', () => {
  it.each<[string, QueueEntry, QueueEntry, boolean]>([
    ['close ratings, no wait', p('a', 1500), p('b', 1590), true],
    ['too far at first', p('a', 1500), p('b', 1700), false],
    ['the longer wait opens the window for both', p('a', 1500, 30), p('b', 1700, 0), true],
    ['never oneself', p('a', 1500), p('a', 1500), false],
    ['not the last opponent (either side)', p('a', 1500, 0, { lastOpponentId: 'b' }), p('b', 1500), false],
    ['not the last opponent (other side)', p('a', 1500), p('b', 1500, 0, { lastOpponentId: 'a' }), false],
    ['another mode', p('a', 1500), p('b', 1500, 0, { mode: 'blitz' }), false],
    ['no common language', p('a', 1500, 0, { languages: ['python'] }), p('b', 1500, 0, { languages: ['cpp'] }), false],
    ['a common language', p('a', 1500, 0, { languages: ['python', 'cpp'] }), p('b', 1500, 0, { languages: ['cpp'] }), true],
  ])('%s', (_name, a, b, ok) => {
    expect(compatible(a, b, NOW) !== null).toBe(ok);
    expect(compatible(b, a, NOW) !== null).toBe(ok);
  });

  it('returns the common languages', () => {
    expect(compatible(p('a', 1500, 0, { languages: ['python', 'cpp'] }), p('b', 1500, 0, { languages: ['cpp', 'java'] }), NOW)).toEqual(['cpp']);
    expect(compatible(p('a', 1500), p('b', 1500, 0, { languages: ['java'] }), NOW)).toEqual(['java']);
  });
});

describe('pairTick', () => {
  it('pairs neighbours in rating, not the first comers', () => {
    const pairs = pairTick([p('a', 1500), p('b', 1800), p('c', 1520), p('d', 1790)], NOW);
    expect(ids(pairs)).toEqual([['a', 'c'], ['b', 'd']]);
  });

  it('pairs as many as it can before minimising the gap', () => {
    // a(1500) b(1560) c(1620) d(1680), window 100: a-b + c-d (gaps 60+60), not b-c alone.
    const pairs = pairTick([p('a', 1500), p('b', 1560), p('c', 1620), p('d', 1680)], NOW);
    expect(ids(pairs)).toEqual([['a', 'b'], ['c', 'd']]);
    // x(1400) y(1480) z(1560): x-z is outside the window, so one pair only.
    expect(pairTick([p('x', 1400), p('y', 1480), p('z', 1560)], NOW)).toHaveLength(1);
  });

  it('never pairs a player with itself or twice, even if the store returned duplicates', () => {
    const pairs = pairTick([p('a', 1500), p('a', 1500), p('b', 1500)], NOW);
    expect(ids(pairs)).toEqual([['a', 'b']]);
    expect(pairTick([p('a', 1500), p('a', 1500)], NOW)).toEqual([]);
  });

  it('no immediate rematch: a and b wait for others', () => {
    expect(pairTick([p('a', 1500, 0, { lastOpponentId: 'b' }), p('b', 1500, 0, { lastOpponentId: 'a' })], NOW)).toEqual([]);
    const pairs = pairTick([p('a', 1500, 0, { lastOpponentId: 'b' }), p('b', 1510), p('c', 1530), p('d', 1520)], NOW);
    expect(ids(pairs).some((x) => x.join() === 'a,b')).toBe(false);
    expect(pairs).toHaveLength(2);
  });

  it('a pair refused now is made once the longer wait widens the window', () => {
    const a = p('a', 1500, 0);
    const b = { ...p('b', 1750, 0) };
    expect(pairTick([a, b], NOW)).toEqual([]);
    expect(pairTick([a, b], NOW + 30_000)).toEqual([]); // window 200
    expect(ids(pairTick([a, b], NOW + 60_000))).toEqual([['a', 'b']]); // window 300
  });

  it('prefers the long waiter when one player must stay out', () => {
    // b could go with a or c at the same gap; c has waited longer, so a stays.
    const pairs = pairTick([p('a', 1450, 0), p('b', 1500, 0), p('c', 1550, 40)], NOW);
    expect(ids(pairs)).toEqual([['b', 'c']]);
  });

  it('keeps modes apart', () => {
    const pairs = pairTick([p('a', 1500), p('b', 1500, 0, { mode: 'x' }), p('c', 1500), p('d', 1500, 0, { mode: 'x' })], NOW);
    expect(ids(pairs)).toEqual([['a', 'c'], ['b', 'd']]);
  });

  it('is the minimum-cost maximum pairing (brute force, 300 random queues of up to 9)', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 300; round += 1) {
      const n = 2 + Math.floor(rand() * 8);
      const wait = Math.floor(rand() * 90);
      const queue = Array.from({ length: n }, (_, i) => p(`u${i}`, 1200 + Math.floor(rand() * 500), wait));
      const got = pairTick(queue, NOW);
      const best = bruteForce(queue);
      expect(got.length).toBe(best.pairs);
      expect(got.reduce((s, x) => s + x.cost, 0)).toBeCloseTo(best.cost, 6);
      const used = got.flatMap((x) => [x.a.userId, x.b.userId]);
      expect(new Set(used).size).toBe(used.length);
      for (const x of got) expect(compatible(x.a, x.b, NOW)).not.toBeNull();
    }
  });
});

function bruteForce(queue: QueueEntry[]): { pairs: number; cost: number } {
  let best = { pairs: 0, cost: 0 };
  const rec = (rest: QueueEntry[], pairs: number, cost: number): void => {
    if (pairs > best.pairs || (pairs === best.pairs && cost < best.cost)) best = { pairs, cost };
    if (rest.length < 2) return;
    const [first, ...others] = rest as [QueueEntry, ...QueueEntry[]];
    rec(others, pairs, cost); // first stays unmatched
    others.forEach((o, i) => {
      if (compatible(first, o, NOW, DEFAULT_MATCHMAKING) === null) return;
      rec([...others.slice(0, i), ...others.slice(i + 1)], pairs + 1, cost + pairCost(first, o, NOW));
    });
  };
  rec(queue, 0, 0);
  return best;
}
