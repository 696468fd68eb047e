/**
 * Duel matchmaking, as pure functions: who may be paired, and the pairing of one tick.
 *
 * Window (Pokémon Showdown `ladders.ts` `matchmakingOK`, docs/arena.md "Ratings and duels"): two
 * players may meet while |Δrating| ≤ w(t), where t is the LONGER of their two waits (the shorter
 * one would starve high-rated players at quiet hours, smogon/pokemon-showdown#11329):
 * w = 100 + t / 0.3 s; past 300 it grows ten times slower; capped at 600.
 * Never oneself, never the opponent of one's previous duel (either side), only within one mode,
 * and, when both players restrict their languages, only with a language in common.
 *
 * Pairing (lichess pools pair by weighted matching on |Δr| − wait bonus): each tick pairs as many
 * players as possible, then minimises Σ (|Δr| − bonus(a) − bonus(b)), the bonus favouring those
 * who waited longest. The optimum is searched among pairings that do not nest or cross in rating
 * order, by dynamic programming over the players sorted by rating with a bounded look-ahead
 * (`lookahead` positions): uncrossing two pairs never increases Σ|Δr| and keeps the same players
 * matched, so this is the exact optimum whenever the constraints allow the uncrossed pairs
 * (checked against brute force in test/arena/matchmaking.test.ts). When the rematch, language or
 * unequal-wait rules forbid an uncrossed pair, local moves repair the result (one more pair by an
 * augmenting path of length 3, then cost-lowering swaps of two pairs); that is locally optimal,
 * not always the global optimum a blossom matching (lichess) gives at O(n³), which a tick of
 * 1,000 waiting players could not afford every 2 s (bench/matchmaking.ts).
 */

export interface QueueEntry {
  userId: string;
  rating: number;
  mode: string;
  /** Languages the player accepts; empty = any. */
  languages: readonly string[];
  /** When the player enqueued, in ms (database time). */
  enqueuedAt: number;
  /** The opponent of the player's previous duel, never paired again right away. */
  lastOpponentId: string | null;
}

export interface Pairing {
  a: QueueEntry;
  b: QueueEntry;
  /** Languages both accept (empty = any). */
  languages: string[];
  cost: number;
}

export interface MatchmakingOptions {
  /** Window at zero wait. */
  baseWindow: number;
  /** Rating points added per second of the longer wait (Showdown: 1 per 0.3 s). */
  windowPerSecond: number;
  /** Past this window the growth is ten times slower. */
  slowdownAt: number;
  maxWindow: number;
  /** Wait bonus per second of waiting, capped at `maxWaitBonus`. */
  waitBonusPerSecond: number;
  maxWaitBonus: number;
  /** How many positions (in rating order) a player may look ahead for a partner. */
  lookahead: number;
}

export const DEFAULT_MATCHMAKING: MatchmakingOptions = {
  baseWindow: 100,
  windowPerSecond: 1 / 0.3,
  slowdownAt: 300,
  maxWindow: 600,
  waitBonusPerSecond: 2,
  maxWaitBonus: 200,
  lookahead: 8,
};

/** The rating window for a wait of `waitMs`. */
export function ratingWindow(waitMs: number, opts: MatchmakingOptions = DEFAULT_MATCHMAKING): number {
  let w = opts.baseWindow + (Math.max(0, waitMs) / 1000) * opts.windowPerSecond;
  if (w > opts.slowdownAt) w = opts.slowdownAt + (w - opts.slowdownAt) / 10;
  return Math.min(w, opts.maxWindow);
}

export function waitBonus(waitMs: number, opts: MatchmakingOptions = DEFAULT_MATCHMAKING): number {
  return Math.min(opts.maxWaitBonus, (Math.max(0, waitMs) / 1000) * opts.waitBonusPerSecond);
}

export function commonLanguages(a: readonly string[], b: readonly string[]): string[] | null {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  const common = a.filter((l) => b.includes(l));
  return common.length > 0 ? common : null;
}

/** Whether a and b may meet at `now`; returns the common languages, or null when they may not. */
export function compatible(a: QueueEntry, b: QueueEntry, now: number, opts: MatchmakingOptions = DEFAULT_MATCHMAKING): string[] | null {
  if (a.userId === b.userId || a.mode !== b.mode) return null;
  if (a.lastOpponentId === b.userId || b.lastOpponentId === a.userId) return null;
  const longerWait = now - Math.min(a.enqueuedAt, b.enqueuedAt);
  if (Math.abs(a.rating - b.rating) > ratingWindow(longerWait, opts)) return null;
  return commonLanguages(a.languages, b.languages);
}

export function pairCost(a: QueueEntry, b: QueueEntry, now: number, opts: MatchmakingOptions = DEFAULT_MATCHMAKING): number {
  return Math.abs(a.rating - b.rating) - waitBonus(now - a.enqueuedAt, opts) - waitBonus(now - b.enqueuedAt, opts);
}

/** One matchmaking tick over every waiting player (all modes): the pairs to start. */
export function pairTick(waiting: readonly QueueEntry[], now: number, opts: MatchmakingOptions = DEFAULT_MATCHMAKING): Pairing[] {
  const byMode = new Map<string, QueueEntry[]>();
  const seen = new Set<string>();
  for (const e of waiting) {
    // A user is in the queue once; a duplicate (a store race) must not be paired twice.
    if (seen.has(e.userId)) continue;
    seen.add(e.userId);
    const list = byMode.get(e.mode) ?? [];
    list.push(e);
    byMode.set(e.mode, list);
  }
  const out: Pairing[] = [];
  for (const mode of [...byMode.keys()].sort()) out.push(...pairMode(byMode.get(mode) ?? [], now, opts));
  return out;
}

interface Best {
  pairs: number;
  cost: number;
  /** Index of the partner of player i-1 in a pair (j, i-1), or -1 if i-1 stays unmatched. */
  from: number;
}

function better(pairs: number, cost: number, than: Best): boolean {
  return pairs > than.pairs || (pairs === than.pairs && cost < than.cost - 1e-9);
}

function pairMode(players: QueueEntry[], now: number, opts: MatchmakingOptions): Pairing[] {
  // Stable order: rating, then earliest enqueue, then id, so a tick is deterministic.
  const sorted = [...players].sort((x, y) => x.rating - y.rating || x.enqueuedAt - y.enqueuedAt || (x.userId < y.userId ? -1 : x.userId > y.userId ? 1 : 0));
  const n = sorted.length;
  // dp[i]: the best pairing of sorted[0..i-1].
  const dp: Best[] = [{ pairs: 0, cost: 0, from: -1 }];
  for (let i = 1; i <= n; i += 1) {
    const prev = dp[i - 1]!;
    let best: Best = { pairs: prev.pairs, cost: prev.cost, from: -1 };
    const right = sorted[i - 1]!;
    for (let j = i - 2; j >= 0 && j >= i - 1 - opts.lookahead; j -= 1) {
      const left = sorted[j]!;
      if (compatible(left, right, now, opts) === null) continue;
      const base = dp[j]!;
      const pairs = base.pairs + 1;
      const cost = base.cost + pairCost(left, right, now, opts);
      if (better(pairs, cost, best)) best = { pairs, cost, from: j };
    }
    dp.push(best);
  }
  const pairs: Pairing[] = [];
  let i = n;
  while (i > 0) {
    const step = dp[i]!;
    if (step.from < 0) {
      i -= 1;
      continue;
    }
    const a = sorted[step.from]!;
    const b = sorted[i - 1]!;
    pairs.push({ a, b, languages: compatible(a, b, now, opts) ?? [], cost: pairCost(a, b, now, opts) });
    i = step.from;
  }
  return improve(sorted, pairs.reverse(), now, opts);
}

/**
 * The constraints (rematch, languages, unequal waits) can forbid the uncrossed pairs, so the DP can
 * miss pairings that nest or cross: repair with local moves among rating neighbours until none
 * helps (bounded passes): an augmenting path u–x=y–v (one more pair), then a 2-swap of two pairs
 * when it lowers the cost.
 */
function improve(sorted: QueueEntry[], pairs: Pairing[], now: number, opts: MatchmakingOptions): Pairing[] {
  const partner = new Map<string, QueueEntry>();
  const index = new Map<string, number>();
  sorted.forEach((e, i) => index.set(e.userId, i));
  const link = (a: QueueEntry, b: QueueEntry): void => {
    partner.set(a.userId, b);
    partner.set(b.userId, a);
  };
  for (const x of pairs) link(x.a, x.b);
  const near = (e: QueueEntry): QueueEntry[] => {
    const i = index.get(e.userId)!;
    return sorted.slice(Math.max(0, i - opts.lookahead), i + opts.lookahead + 1).filter((o) => o.userId !== e.userId);
  };
  const ok = (a: QueueEntry, b: QueueEntry): boolean => compatible(a, b, now, opts) !== null;
  for (let pass = 0; pass < 4; pass += 1) {
    let changed = false;
    for (const u of sorted) {
      if (partner.has(u.userId)) continue;
      search: for (const x of near(u)) {
        const y = partner.get(x.userId);
        if (!y || !ok(u, x)) continue;
        for (const v of near(y)) {
          if (v.userId === u.userId || partner.has(v.userId) || !ok(y, v)) continue;
          link(u, x);
          link(y, v);
          changed = true;
          break search;
        }
      }
    }
    for (const a of sorted) {
      const b = partner.get(a.userId);
      if (!b) continue;
      for (const c of near(a)) {
        const d = partner.get(c.userId);
        if (!d || c.userId === b.userId || d.userId === a.userId) continue;
        const current = pairCost(a, b, now, opts) + pairCost(c, d, now, opts);
        if (ok(a, c) && ok(b, d) && pairCost(a, c, now, opts) + pairCost(b, d, now, opts) < current - 1e-9) {
          link(a, c);
          link(b, d);
          changed = true;
          break;
        }
        if (ok(a, d) && ok(b, c) && pairCost(a, d, now, opts) + pairCost(b, c, now, opts) < current - 1e-9) {
          link(a, d);
          link(b, c);
          changed = true;
          break;
        }
      }
    }
    if (!changed) break;
  }
  const out: Pairing[] = [];
  for (const a of sorted) {
    const b = partner.get(a.userId);
    if (!b || index.get(b.userId)! < index.get(a.userId)!) continue;
    out.push({ a, b, languages: compatible(a, b, now, opts) ?? [], cost: pairCost(a, b, now, opts) });
  }
  return out;
}
