/**
 * Glicko-2 (Glickman, "Example of the Glicko-2 system", glicko.net) and the Elo expectation, as
 * pure functions. Duels update a rating after every game, as lichess does (lila
 * `modules/rating/src/main/Glicko.scala`): one game = one rating period, so there is no K to tune
 * and a new player's rating settles in a few games.
 *
 * Parameters (docs/arena.md "Ratings and duels"): a new player starts at 1500 / RD 350 / σ 0.06
 * (Glickman's unrated defaults), τ = 0.5; the deviation never goes below 45 (lila's
 * minDeviation, so a veteran's rating still moves) nor above 350; volatility is capped at 0.1 (lila's
 * maxVolatility) so a streak of upsets cannot make a rating explode. A rating is provisional
 * while RD ≥ 110 (lila). The rating itself is kept within 400..4000 (lila's floor and ceiling).
 */

/** Glicko-2 scale factor between the Glicko scale (1500-centred) and μ/φ. */
export const GLICKO2_SCALE = 173.7178;

export interface Glicko2Params {
  tau: number;
  /** Convergence tolerance of the volatility iteration. */
  epsilon: number;
  minDeviation: number;
  maxDeviation: number;
  maxVolatility: number;
  minRating: number;
  maxRating: number;
}

export const DEFAULT_GLICKO2: Glicko2Params = {
  tau: 0.5,
  epsilon: 0.000001,
  minDeviation: 45,
  maxDeviation: 350,
  maxVolatility: 0.1,
  minRating: 400,
  maxRating: 4000,
};

/** Glickman's bare algorithm: no floors, caps or clamps (used to check the worked example). */
export const PURE_GLICKO2: Glicko2Params = {
  tau: 0.5,
  epsilon: 0.000001,
  minDeviation: 0,
  maxDeviation: Number.POSITIVE_INFINITY,
  maxVolatility: Number.POSITIVE_INFINITY,
  minRating: Number.NEGATIVE_INFINITY,
  maxRating: Number.POSITIVE_INFINITY,
};

export interface Rating {
  rating: number;
  /** Rating deviation (RD), on the Glicko scale. */
  rd: number;
  volatility: number;
}

export const NEW_PLAYER: Readonly<Rating> = Object.freeze({ rating: 1500, rd: 350, volatility: 0.06 });

/** RD at or above which a rating is shown as provisional (lila). */
export const PROVISIONAL_RD = 110;

export function isProvisional(r: Rating): boolean {
  return r.rd >= PROVISIONAL_RD;
}

/** Score of a game for the player: 1 win, 0.5 draw, 0 loss. */
export type GameScore = 0 | 0.5 | 1;

export interface GameResult {
  opponent: Rating;
  score: GameScore;
}

/** Elo expected score of A against B: 1 / (1 + 10^((R_B − R_A)/400)). */
export function eloExpected(ratingA: number, ratingB: number): number {
  return 1 / (1 + 10 ** ((ratingB - ratingA) / 400));
}

/** Elo update R' = R + K(S − E); kept for comparison and for the documented test vector. */
export function eloUpdate(ratingA: number, ratingB: number, score: GameScore, k: number): number {
  return ratingA + k * (score - eloExpected(ratingA, ratingB));
}

function g(phi: number): number {
  return 1 / Math.sqrt(1 + (3 * phi * phi) / (Math.PI * Math.PI));
}

function expected(mu: number, muJ: number, phiJ: number): number {
  return 1 / (1 + Math.exp(-g(phiJ) * (mu - muJ)));
}

/**
 * One rating period for `player` with the given games (Glickman's steps 2–8). With no games the
 * deviation grows by the volatility (step 6 only), which is how an idle player's RD would decay;
 * duels call this with exactly one game.
 */
export function updateRating(player: Rating, games: readonly GameResult[], params: Glicko2Params = DEFAULT_GLICKO2): Rating {
  const mu = (player.rating - 1500) / GLICKO2_SCALE;
  const phi = player.rd / GLICKO2_SCALE;
  const sigma = player.volatility;
  if (games.length === 0) {
    const rd = clamp(Math.sqrt(phi * phi + sigma * sigma) * GLICKO2_SCALE, params.minDeviation, params.maxDeviation);
    return { rating: player.rating, rd, volatility: sigma };
  }
  let vInv = 0;
  let deltaSum = 0;
  for (const game of games) {
    const muJ = (game.opponent.rating - 1500) / GLICKO2_SCALE;
    const phiJ = game.opponent.rd / GLICKO2_SCALE;
    const gJ = g(phiJ);
    const e = expected(mu, muJ, phiJ);
    vInv += gJ * gJ * e * (1 - e);
    deltaSum += gJ * (game.score - e);
  }
  const v = 1 / vInv;
  const delta = v * deltaSum;
  const newSigma = Math.min(newVolatility(phi, sigma, delta, v, params), params.maxVolatility);
  const phiStar = Math.sqrt(phi * phi + newSigma * newSigma);
  const newPhi = 1 / Math.sqrt(1 / (phiStar * phiStar) + 1 / v);
  const newMu = mu + newPhi * newPhi * deltaSum;
  return {
    rating: clamp(newMu * GLICKO2_SCALE + 1500, params.minRating, params.maxRating),
    rd: clamp(newPhi * GLICKO2_SCALE, params.minDeviation, params.maxDeviation),
    volatility: newSigma,
  };
}

/** Step 5: the new volatility by the Illinois algorithm (regula falsi), as Glickman gives it. */
function newVolatility(phi: number, sigma: number, delta: number, v: number, params: Glicko2Params): number {
  const a = Math.log(sigma * sigma);
  const tau = params.tau;
  const f = (x: number): number => {
    const ex = Math.exp(x);
    const d = phi * phi + v + ex;
    return (ex * (delta * delta - phi * phi - v - ex)) / (2 * d * d) - (x - a) / (tau * tau);
  };
  let A = a;
  let B: number;
  if (delta * delta > phi * phi + v) {
    B = Math.log(delta * delta - phi * phi - v);
  } else {
    let k = 1;
    while (f(a - k * tau) < 0) k += 1;
    B = a - k * tau;
  }
  let fA = f(A);
  let fB = f(B);
  // Bounded: the iteration converges in a handful of steps; the bound only guards against NaN input.
  for (let i = 0; i < 100 && Math.abs(B - A) > params.epsilon; i += 1) {
    const C = A + ((A - B) * fA) / (fB - fA);
    const fC = f(C);
    if (fC * fB <= 0) {
      A = B;
      fA = fB;
    } else {
      fA /= 2;
    }
    B = C;
    fB = fC;
  }
  return Math.exp(A / 2);
}

export interface DuelRatingChange {
  a: Rating;
  b: Rating;
}

/**
 * Both players' new ratings after one duel; `scoreA` is A's score (B gets 1 − scoreA). Both
 * updates use the ratings from before the game, as Glicko-2 requires.
 */
export function rateDuel(a: Rating, b: Rating, scoreA: GameScore, params: Glicko2Params = DEFAULT_GLICKO2): DuelRatingChange {
  const scoreB = (1 - scoreA) as GameScore;
  return {
    a: updateRating(a, [{ opponent: b, score: scoreA }], params),
    b: updateRating(b, [{ opponent: a, score: scoreB }], params),
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
