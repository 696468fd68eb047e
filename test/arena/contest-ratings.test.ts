import { describe, expect, it } from 'vitest';
import { rateContest } from '../../src/arena/ratings/contest-ratings.js';
import { NEW_PLAYER, type Rating, updateRating } from '../../src/arena/ratings/glicko2.js';

const A: Rating = { rating: 1700, rd: 80, volatility: 0.06 };
const B: Rating = { rating: 1500, rd: 200, volatility: 0.06 };
const C: Rating = { ...NEW_PLAYER };
const D: Rating = { rating: 1400, rd: 60, volatility: 0.05 };

describe('rateContest (each pair one game, one Glicko-2 period)', () => {
  // Board: A 1st, B and C tied 2nd, D 4th.
  const board = [
    { userId: 'a', rank: 1, rating: A },
    { userId: 'b', rank: 2, rating: B },
    { userId: 'c', rank: 2, rating: C },
    { userId: 'd', rank: 4, rating: D },
  ];
  const out = new Map(rateContest(board).map((r) => [r.userId, r]));
  // The games written out by hand, each player's in one period with the pre-contest ratings.
  const table: [string, Rating, ReturnType<typeof updateRating>, [number, number, number]][] = [
    ['a', A, updateRating(A, [{ opponent: B, score: 1 }, { opponent: C, score: 1 }, { opponent: D, score: 1 }]), [3, 0, 0]],
    ['b', B, updateRating(B, [{ opponent: A, score: 0 }, { opponent: C, score: 0.5 }, { opponent: D, score: 1 }]), [1, 1, 1]],
    ['c', C, updateRating(C, [{ opponent: A, score: 0 }, { opponent: B, score: 0.5 }, { opponent: D, score: 1 }]), [1, 1, 1]],
    ['d', D, updateRating(D, [{ opponent: A, score: 0 }, { opponent: B, score: 0 }, { opponent: C, score: 0 }]), [0, 3, 0]],
  ];
  it.each(table)('%s', (id, before, after, [wins, losses, draws]) => {
    const r = out.get(id)!;
    expect(r.before).toEqual(before);
    expect(r.after.rating).toBeCloseTo(after.rating, 9);
    expect(r.after.rd).toBeCloseTo(after.rd, 9);
    expect(r.after.volatility).toBeCloseTo(after.volatility, 9);
    expect(r.delta).toBeCloseTo(after.rating - before.rating, 9);
    expect({ wins: r.wins, losses: r.losses, draws: r.draws }).toEqual({ wins, losses, draws });
  });

  it('moves the winner up, the last down, and is not one period per game', () => {
    expect(out.get('a')!.delta).toBeGreaterThan(0);
    expect(out.get('d')!.delta).toBeLessThan(0);
    // Sequential one-game periods (as duels do) give another result: the contest is one period.
    let seq = A;
    for (const o of [B, C, D]) seq = updateRating(seq, [{ opponent: o, score: 1 }]);
    // (The gap is small for a settled rating: A's RD is 80.)
    expect(Math.abs(seq.rating - out.get('a')!.after.rating)).toBeGreaterThan(1e-6);
  });

  it('the input order does not matter', () => {
    const rev = new Map(rateContest([...board].reverse()).map((r) => [r.userId, r]));
    for (const [id, r] of out) expect(rev.get(id)!.after).toEqual(r.after);
  });

  it('fewer than two players: no game, no change', () => {
    expect(rateContest([{ userId: 'a', rank: 1, rating: A }])).toEqual([]);
    expect(rateContest([])).toEqual([]);
  });
});
