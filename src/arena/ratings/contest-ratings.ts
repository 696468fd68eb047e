/**
 * Ratings after a rated contest (issue 9, docs/arena.md "Ratings and duels"): every pair of
 * (live) participants is one game, won by the better rank (a draw on equal ranks), and all of a
 * player's games form ONE Glicko-2 rating period. Glicko-2 is designed for this: Glickman's
 * "Example of the Glicko-2 system" rates "a collection of games" per period (he suggests 10–15
 * games per player per period), and the update of step 7 sums over all of them using the
 * ratings from before the period, so the order of the games does not matter.
 *
 * Why not the Codeforces method: pairwise Glicko-2 keeps contests on the same scale, with the same
 * RD and volatility, as duels (one rating per user); it is deterministic and needs no extra
 * parameters (Codeforces' seed/performance bisection and its inflation corrections would be a
 * second, separately tuned system on the same number).
 */
import { DEFAULT_GLICKO2, type GameResult, type GameScore, type Glicko2Params, type Rating, updateRating } from './glicko2.js';

export interface ContestStanding {
  userId: string;
  /** The final board's rank (1 = best; equal ranks are a tie). */
  rank: number;
  /** The rating before the contest. */
  rating: Rating;
}

export interface ContestRatingChange {
  userId: string;
  before: Rating;
  after: Rating;
  delta: number;
  wins: number;
  losses: number;
  draws: number;
}

/** The new ratings of every standing; fewer than two players change nothing (no game). */
export function rateContest(standings: readonly ContestStanding[], params: Glicko2Params = DEFAULT_GLICKO2): ContestRatingChange[] {
  if (standings.length < 2) return [];
  return standings.map((me) => {
    const games: GameResult[] = [];
    let wins = 0;
    let losses = 0;
    let draws = 0;
    for (const other of standings) {
      if (other.userId === me.userId) continue;
      const score: GameScore = me.rank < other.rank ? 1 : me.rank > other.rank ? 0 : 0.5;
      if (score === 1) wins += 1;
      else if (score === 0) losses += 1;
      else draws += 1;
      games.push({ opponent: other.rating, score });
    }
    const after = updateRating(me.rating, games, params);
    return { userId: me.userId, before: me.rating, after, delta: after.rating - me.rating.rating, wins, losses, draws };
  });
}
