import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GLICKO2,
  NEW_PLAYER,
  PURE_GLICKO2,
  eloExpected,
  eloUpdate,
  isProvisional,
  rateDuel,
  updateRating,
} from '../../src/arena/ratings/glicko2.js';

describe('Elo (arena.md §8 test vector)', () => {
  it('1500 vs 1600 expects 0.35994; a win with K=32 gives +20.48', () => {
    expect(eloExpected(1500, 1600)).toBeCloseTo(0.35994, 5);
    expect(eloUpdate(1500, 1600, 1, 32) - 1500).toBeCloseTo(20.48, 2);
    expect(eloExpected(1500, 1600) + eloExpected(1600, 1500)).toBeCloseTo(1, 12);
  });
});

describe('Glicko-2', () => {
  it("matches Glickman's worked example (1500/200/0.06, τ 0.5)", () => {
    const player = { rating: 1500, rd: 200, volatility: 0.06 };
    const next = updateRating(
      player,
      [
        { opponent: { rating: 1400, rd: 30, volatility: 0.06 }, score: 1 },
        { opponent: { rating: 1550, rd: 100, volatility: 0.06 }, score: 0 },
        { opponent: { rating: 1700, rd: 300, volatility: 0.06 }, score: 0 },
      ],
      PURE_GLICKO2,
    );
    expect(next.rating).toBeCloseTo(1464.05, 1);
    expect(next.rd).toBeCloseTo(151.52, 1);
    // Glickman prints 0.05999 (truncated); the unrounded value is 0.0599960.
    expect(next.volatility).toBeCloseTo(0.059996, 6);
  });

  it('the default parameters give the same result inside the clamps', () => {
    const player = { rating: 1500, rd: 200, volatility: 0.06 };
    const games = [{ opponent: { rating: 1400, rd: 30, volatility: 0.06 }, score: 1 as const }];
    expect(updateRating(player, games, DEFAULT_GLICKO2)).toEqual(updateRating(player, games, PURE_GLICKO2));
  });

  it('a duel between new players: the winner gains what the loser loses, both RDs shrink', () => {
    const { a, b } = rateDuel(NEW_PLAYER, NEW_PLAYER, 1);
    expect(a.rating).toBeGreaterThan(1500);
    expect(b.rating).toBeLessThan(1500);
    expect(a.rating - 1500).toBeCloseTo(1500 - b.rating, 9);
    expect(a.rd).toBeLessThan(350);
    expect(a.rd).toBeCloseTo(b.rd, 9);
    // Glicko-2 with RD 350 on both sides: a first win is worth about +162.
    expect(a.rating).toBeGreaterThan(1600);
    expect(a.rating).toBeLessThan(1700);
  });

  it('a draw between equal players changes no rating; an upset moves more than an expected win', () => {
    const p = { rating: 1500, rd: 80, volatility: 0.06 };
    const { a, b } = rateDuel(p, p, 0.5);
    expect(a.rating).toBeCloseTo(1500, 9);
    expect(b.rating).toBeCloseTo(1500, 9);
    const strong = { rating: 1900, rd: 80, volatility: 0.06 };
    const weak = { rating: 1500, rd: 80, volatility: 0.06 };
    const expectedWin = rateDuel(strong, weak, 1).a.rating - strong.rating;
    const upset = rateDuel(weak, strong, 1).a.rating - weak.rating;
    expect(upset).toBeGreaterThan(expectedWin);
    expect(expectedWin).toBeGreaterThan(0);
  });

  it('keeps RD within 45..350, volatility ≤ 0.1 and the rating within 400..4000', () => {
    let r = { rating: 1500, rd: 50, volatility: 0.005 };
    for (let i = 0; i < 200; i += 1) r = updateRating(r, [{ opponent: { rating: 1500, rd: 45, volatility: 0.06 }, score: 0.5 }]);
    expect(r.rd).toBe(45);
    const idle = updateRating({ rating: 1500, rd: 349.9, volatility: 0.06 }, []);
    expect(idle.rd).toBe(350);
    let low = { rating: 420, rd: 300, volatility: 0.06 };
    for (let i = 0; i < 5; i += 1) low = updateRating(low, [{ opponent: { rating: 420, rd: 45, volatility: 0.06 }, score: 0 }]);
    expect(low.rating).toBe(400);
    let wild = { rating: 1500, rd: 60, volatility: 0.09 };
    for (let i = 0; i < 20; i += 1) {
      wild = updateRating(wild, [{ opponent: { rating: i % 2 ? 2600 : 600, rd: 45, volatility: 0.06 }, score: i % 2 ? 1 : 0 }]);
      expect(wild.volatility).toBeLessThanOrEqual(0.1);
    }
    expect(isProvisional(NEW_PLAYER)).toBe(true);
    expect(isProvisional({ rating: 1500, rd: 60, volatility: 0.06 })).toBe(false);
  });
});
