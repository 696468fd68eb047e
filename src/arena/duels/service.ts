/**
 * Duels: the queue (enqueue / dequeue poll / leave), matches (start, submit, forfeit, timeout,
 * first full AC wins) and the rating update (Glicko-2, at once, in the transaction that ends the
 * match). Knows nothing of HTTP. Every time is the database's (`now()`), so replicas with skewed
 * clocks agree on waits and deadlines.
 *
 * Who ends a match: the first of (a) the judge's `onJudged` hook seeing a full AC of a linked
 * submission made before `ends_at`, (b) a forfeit, (c) the timeout sweep (each matchmaking tick,
 * and any read of the match). Ending is one conditional UPDATE (`status = 'active'`), so exactly
 * one of them wins and ratings move once.
 */
import { and, desc, eq, inArray, notInArray, or, sql } from 'drizzle-orm';
import type { Config } from '../../config/config.js';
import type { Database, Db } from '../../db/client.js';
import { duelRatings, matches, matchSubmissions, problems, ratingHistory, submissions, users } from '../../db/schema.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import type { AuthUser } from '../../server/context.js';
import { notFound } from '../../server/http-errors.js';
import { NEW_PLAYER, type GameScore, type Rating, isProvisional, rateDuel } from '../ratings/glicko2.js';
import { Matchmaker } from './matchmaker.js';
import { DEFAULT_MATCHMAKING, ratingWindow, type Pairing, type QueueEntry } from './matchmaking.js';
import type { MatchQueueStore } from './queue-store.js';

export type MatchOutcome = 'ac' | 'timeout' | 'forfeit' | 'problem_deleted';

export interface RatingChange {
  before: Rating;
  after: Rating;
  delta: number;
}

export interface MatchResult {
  ratings: Record<string, RatingChange>;
}

export interface PlayerProgress {
  userId: string;
  username: string;
  rating: number;
  provisional: boolean;
  /** Judged submissions in this duel. */
  attempts: number;
  /** Most tests passed by one submission (never code, never which tests). */
  bestTestsPassed: number;
  testsTotal: number;
}

export interface MatchView {
  id: string;
  mode: string;
  status: 'active' | 'finished';
  problem: { id: string; slug: string; title: string; difficulty: string } | null;
  languages: string[];
  players: PlayerProgress[];
  winnerUserId: string | null;
  outcome: MatchOutcome | null;
  result: MatchResult | null;
  startedAt: string;
  endsAt: string;
  finishedAt: string | null;
  /** The database's time when this view was made (clients compute the timer from it). */
  now: string;
}

export type DequeueAnswer = { matched: true; matchId: string; problemId: string | null } | { matched: false; waitedMs: number; window: number };

/** A judged submission, as the judge's hook passes it. */
export interface JudgedSubmission {
  id: string;
  userId: string;
  kind: string;
  status: string;
  verdict: string | null;
  testsTotal: number;
}

/** Duel events, for the socket room of a match (`match:<id>`). */
export type DuelEvent =
  | { type: 'start'; matchId: string }
  | { type: 'progress'; matchId: string; players: PlayerProgress[] }
  | { type: 'result'; matchId: string; winnerUserId: string | null; outcome: MatchOutcome; result: MatchResult | null };

export interface DuelServiceDeps {
  database: Database;
  config: Config;
  store: MatchQueueStore;
  /** Called after a rating change (leaderboard cache invalidation). */
  onRatingsChanged?: () => Promise<void>;
  emit?: (e: DuelEvent) => Promise<void>;
  /** Run after every timed matchmaking tick (the periodic check of rated contests' ratings). */
  afterTick?: () => Promise<void>;
}

const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;

/** The difficulty that fits a pair's mean rating (documented in docs/arena.md). */
export function difficultyFor(meanRating: number): (typeof DIFFICULTIES)[number] {
  if (meanRating < 1400) return 'easy';
  if (meanRating < 1800) return 'medium';
  return 'hard';
}

export class DuelService {
  readonly matchmaker: Matchmaker;

  constructor(private readonly deps: DuelServiceDeps) {
    this.matchmaker = new Matchmaker({
      store: deps.store,
      now: () => this.dbNow(),
      intervalMs: deps.config.MATCHMAKING_INTERVAL_MS,
      onPair: (p) => this.startMatch(p),
      ...(deps.afterTick ? { afterTick: deps.afterTick } : {}),
    });
  }

  private get db(): Db {
    return this.deps.database.db;
  }

  async dbNow(): Promise<number> {
    const [row] = await this.deps.database.query<{ now: string | Date }>('select now() as now');
    return new Date(row!.now).getTime();
  }

  async ratingOf(userId: string): Promise<Rating & { games: number; lastOpponentId: string | null }> {
    const [r] = await this.db.select().from(duelRatings).where(eq(duelRatings.userId, userId));
    return r ? { rating: r.rating, rd: r.rd, volatility: r.volatility, games: r.games, lastOpponentId: r.lastOpponentId } : { ...NEW_PLAYER, games: 0, lastOpponentId: null };
  }

  private async activeMatchOf(userId: string) {
    const [m] = await this.db
      .select()
      .from(matches)
      .where(and(eq(matches.status, 'active'), or(eq(matches.playerOneId, userId), eq(matches.playerTwoId, userId))))
      .orderBy(desc(matches.startedAt))
      .limit(1);
    return m ?? null;
  }

  async enqueue(user: AuthUser, input: { mode: string; languages?: string[] }): Promise<{ status: 'queued'; window: number }> {
    await this.sweepTimeouts();
    const active = await this.activeMatchOf(user.id);
    if (active) throw new CallerError(ErrorCodes.alreadyInMatch, 'you are in a duel; finish or forfeit it first', { matchId: active.id });
    // Claimed by a tick whose match is being created: as good as queued.
    if (await this.deps.store.isPairing(user.id)) throw new CallerError(ErrorCodes.alreadyQueued, 'you are already waiting for an opponent');
    const r = await this.ratingOf(user.id);
    const entry: QueueEntry = {
      userId: user.id,
      rating: r.rating,
      mode: input.mode,
      languages: [...new Set(input.languages ?? [])].sort(),
      enqueuedAt: await this.dbNow(),
      lastOpponentId: r.lastOpponentId,
    };
    if (!(await this.deps.store.add(entry))) throw new CallerError(ErrorCodes.alreadyQueued, 'you are already waiting for an opponent');
    return { status: 'queued', window: ratingWindow(0, DEFAULT_MATCHMAKING) };
  }

  /** The poll: runs a tick, then says whether the caller has a duel. */
  async dequeue(user: AuthUser): Promise<DequeueAnswer> {
    await this.matchmaker.tick();
    const active = await this.activeMatchOf(user.id);
    if (active) return { matched: true, matchId: active.id, problemId: active.problemId };
    const entry = await this.deps.store.get(user.id);
    if (entry) {
      const waitedMs = Math.max(0, (await this.dbNow()) - entry.enqueuedAt);
      return { matched: false, waitedMs, window: ratingWindow(waitedMs, DEFAULT_MATCHMAKING) };
    }
    // Claimed by a tick whose match insert is still running (another replica): keep polling.
    if (await this.deps.store.isPairing(user.id)) return { matched: false, waitedMs: 0, window: 0 };
    throw new CallerError(ErrorCodes.notQueued, 'you are not waiting for an opponent (enqueue first)');
  }

  async leave(user: AuthUser): Promise<{ left: boolean }> {
    return { left: await this.deps.store.remove(user.id) };
  }

  /** Starts the match of a claimed pair; with no fitting problem both go back to the queue. */
  async startMatch(pair: Pairing): Promise<void> {
    try {
      const problem = await this.pickProblem(pair.a.userId, pair.b.userId, (pair.a.rating + pair.b.rating) / 2);
      if (!problem) {
        // Nothing both can play: back to the queue, not to be paired together right away.
        await this.deps.store.add({ ...pair.a, lastOpponentId: pair.b.userId });
        await this.deps.store.add({ ...pair.b, lastOpponentId: pair.a.userId });
        return;
      }
      const [m] = await this.db
        .insert(matches)
        .values({
          mode: pair.a.mode,
          problemId: problem,
          playerOneId: pair.a.userId,
          playerTwoId: pair.b.userId,
          languages: pair.languages,
          startedAt: sql`now()`,
          endsAt: sql`now() + make_interval(secs => ${this.deps.config.DUEL_TIMEOUT_S})`,
        })
        .returning({ id: matches.id });
      await this.deps.emit?.({ type: 'start', matchId: m!.id }).catch(() => undefined);
    } finally {
      await this.deps.store.pairingDone(pair.a.userId, pair.b.userId);
    }
  }

  /** A published problem neither player has solved, of the difficulty closest to their ratings. */
  private async pickProblem(a: string, b: string, meanRating: number): Promise<string | null> {
    const solved = this.db
      .select({ id: submissions.problemId })
      .from(submissions)
      .where(and(inArray(submissions.userId, [a, b]), eq(submissions.kind, 'submission'), eq(submissions.verdict, 'AC')));
    const rows = await this.db
      .select({ id: problems.id, difficulty: problems.difficulty })
      .from(problems)
      .where(and(eq(problems.published, true), notInArray(problems.id, solved)));
    if (rows.length === 0) return null;
    const want = DIFFICULTIES.indexOf(difficultyFor(meanRating));
    const dist = (d: string) => Math.abs(DIFFICULTIES.indexOf(d as (typeof DIFFICULTIES)[number]) - want);
    const best = Math.min(...rows.map((r) => dist(r.difficulty)));
    const fitting = rows.filter((r) => dist(r.difficulty) === best);
    return fitting[Math.floor(Math.random() * fitting.length)]!.id;
  }

  private async matchRow(id: string) {
    const [m] = await this.db.select().from(matches).where(eq(matches.id, id));
    if (!m) throw new CallerError(ErrorCodes.matchNotFound, 'no such duel');
    return m;
  }

  async get(id: string): Promise<MatchView> {
    await this.sweepTimeouts();
    let m = await this.matchRow(id);
    if (m.status === 'active' && m.problemId === null) {
      await this.finish(m.id, null, 'problem_deleted');
      m = await this.matchRow(id);
    }
    return this.viewOf(m);
  }

  private async viewOf(m: typeof matches.$inferSelect): Promise<MatchView> {
    const [problem] = m.problemId
      ? await this.db.select({ id: problems.id, slug: problems.slug, title: problems.title, difficulty: problems.difficulty }).from(problems).where(eq(problems.id, m.problemId))
      : [];
    return {
      id: m.id,
      mode: m.mode,
      status: m.status as MatchView['status'],
      problem: problem ?? null,
      languages: m.languages,
      players: await this.progress(m),
      winnerUserId: m.winnerUserId,
      outcome: (m.outcome as MatchOutcome | null) ?? null,
      result: (m.result as MatchResult | null) ?? null,
      startedAt: m.startedAt.toISOString(),
      endsAt: m.endsAt.toISOString(),
      finishedAt: m.finishedAt?.toISOString() ?? null,
      now: new Date(await this.dbNow()).toISOString(),
    };
  }

  private async progress(m: typeof matches.$inferSelect): Promise<PlayerProgress[]> {
    const ids = [m.playerOneId, m.playerTwoId];
    const names = await this.db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, ids));
    const subs = await this.db
      .select({ userId: submissions.userId, status: submissions.status, result: submissions.result, testsTotal: submissions.testsTotal, verdict: submissions.verdict })
      .from(matchSubmissions)
      .innerJoin(submissions, eq(submissions.id, matchSubmissions.submissionId))
      .where(eq(matchSubmissions.matchId, m.id));
    const out: PlayerProgress[] = [];
    for (const id of ids) {
      const r = await this.ratingOf(id);
      const mine = subs.filter((s) => s.userId === id && s.status === 'done');
      const passed = (s: (typeof subs)[number]) => ((s.result as { tests?: { verdict: string }[] } | null)?.tests ?? []).filter((t) => t.verdict === 'AC').length;
      out.push({
        userId: id,
        username: names.find((n) => n.id === id)?.username ?? '',
        rating: r.rating,
        provisional: isProvisional(r),
        attempts: mine.length,
        bestTestsPassed: mine.reduce((b, s) => Math.max(b, passed(s)), 0),
        testsTotal: mine.reduce((b, s) => Math.max(b, s.testsTotal), 0),
      });
    }
    return out;
  }

  /**
   * Checks that the caller may submit in the duel now; returns the problem's slug for the
   * submission service. The caller then links the created submission with `link`.
   */
  async submissionTarget(user: AuthUser, id: string, languageId: string): Promise<{ problemSlug: string }> {
    const m = await this.playable(user, id);
    if (m.languages.length > 0 && !m.languages.includes(languageId)) {
      throw new CallerError(ErrorCodes.languageNotAllowed, `this duel is played in ${m.languages.join(', ')}`, { language: languageId, allowed: m.languages });
    }
    const [p] = await this.db.select({ slug: problems.slug }).from(problems).where(eq(problems.id, m.problemId!));
    if (!p) throw await this.deleted(m.id);
    return { problemSlug: p.slug };
  }

  async link(matchId: string, submissionId: string, userId: string): Promise<void> {
    await this.db.insert(matchSubmissions).values({ matchId, submissionId, userId }).onConflictDoNothing();
  }

  async forfeit(user: AuthUser, id: string): Promise<MatchView> {
    const m = await this.playable(user, id);
    const winner = m.playerOneId === user.id ? m.playerTwoId : m.playerOneId;
    await this.finish(m.id, winner, 'forfeit');
    return this.viewOf(await this.matchRow(id));
  }

  private async playable(user: AuthUser, id: string) {
    await this.sweepTimeouts();
    const m = await this.matchRow(id);
    if (m.playerOneId !== user.id && m.playerTwoId !== user.id) throw new CallerError(ErrorCodes.notAPlayer, 'you do not play in this duel');
    if (m.status !== 'active') throw new CallerError(ErrorCodes.matchFinished, 'this duel has ended', { outcome: m.outcome });
    if (m.problemId === null) throw await this.deleted(m.id);
    return m;
  }

  private async deleted(id: string): Promise<CallerError> {
    await this.finish(id, null, 'problem_deleted');
    return new CallerError(ErrorCodes.matchProblemDeleted, "the duel's problem was deleted; the duel ended without a rating change");
  }

  /** The judge's hook: a full AC of a linked submission made before the deadline wins. */
  async onJudged(s: JudgedSubmission): Promise<void> {
    if (s.kind !== 'submission' || s.status !== 'done') return;
    const [link] = await this.db
      .select({ matchId: matchSubmissions.matchId, inTime: sql<boolean>`${submissions.createdAt} <= ${matches.endsAt}` })
      .from(matchSubmissions)
      .innerJoin(matches, eq(matches.id, matchSubmissions.matchId))
      .innerJoin(submissions, eq(submissions.id, matchSubmissions.submissionId))
      .where(eq(matchSubmissions.submissionId, s.id));
    if (!link) return;
    if (s.verdict === 'AC' && link.inTime) await this.finish(link.matchId, s.userId, 'ac');
    else await this.deps.emit?.({ type: 'progress', matchId: link.matchId, players: await this.progress(await this.matchRow(link.matchId)) }).catch(() => undefined);
  }

  /** Ends every active duel past its deadline as a draw (the database decides "past"). */
  async sweepTimeouts(): Promise<number> {
    const expired = await this.db.select({ id: matches.id }).from(matches).where(and(eq(matches.status, 'active'), sql`${matches.endsAt} <= now()`));
    for (const m of expired) await this.finish(m.id, null, 'timeout');
    return expired.length;
  }

  /**
   * Ends a match once: the conditional update decides; ratings move in the same transaction
   * (not for a deleted problem: nobody could play it).
   */
  async finish(id: string, winner: string | null, outcome: MatchOutcome): Promise<boolean> {
    const result = await this.db.transaction(async (tx) => {
      const [m] = await tx
        .update(matches)
        .set({ status: 'finished', winnerUserId: winner, outcome, finishedAt: sql`now()` })
        .where(and(eq(matches.id, id), eq(matches.status, 'active')))
        .returning();
      if (!m) return null;
      if (outcome === 'problem_deleted') return { ratings: {} } satisfies MatchResult;
      const [p1, p2] = [m.playerOneId, m.playerTwoId];
      // Lock both rows (created if missing) in a fixed order so two finishes cannot interleave.
      for (const u of [p1, p2].sort()) {
        await tx.insert(duelRatings).values({ userId: u, ...NEW_PLAYER }).onConflictDoNothing();
      }
      const rows = await tx.select().from(duelRatings).where(inArray(duelRatings.userId, [p1, p2])).orderBy(duelRatings.userId).for('update');
      const r1 = rows.find((r) => r.userId === p1)!;
      const r2 = rows.find((r) => r.userId === p2)!;
      const score1: GameScore = winner === null ? 0.5 : winner === p1 ? 1 : 0;
      const next = rateDuel(r1, r2, score1);
      const res: MatchResult = { ratings: {} };
      for (const [row, after, score, opp] of [
        [r1, next.a, score1, p2],
        [r2, next.b, (1 - score1) as GameScore, p1],
      ] as const) {
        await tx
          .update(duelRatings)
          .set({
            rating: after.rating,
            rd: after.rd,
            volatility: after.volatility,
            games: sql`${duelRatings.games} + 1`,
            wins: sql`${duelRatings.wins} + ${score === 1 ? 1 : 0}`,
            losses: sql`${duelRatings.losses} + ${score === 0 ? 1 : 0}`,
            draws: sql`${duelRatings.draws} + ${score === 0.5 ? 1 : 0}`,
            lastOpponentId: opp,
            updatedAt: sql`now()`,
          })
          .where(eq(duelRatings.userId, row.userId));
        const before = { rating: row.rating, rd: row.rd, volatility: row.volatility };
        await tx.insert(ratingHistory).values({ userId: row.userId, matchId: id, ...after, delta: after.rating - row.rating });
        res.ratings[row.userId] = { before, after, delta: after.rating - row.rating };
      }
      await tx.update(matches).set({ result: res }).where(eq(matches.id, id));
      return res;
    });
    if (!result) return false;
    if (outcome !== 'problem_deleted') await this.deps.onRatingsChanged?.().catch(() => undefined);
    await this.deps.emit?.({ type: 'result', matchId: id, winnerUserId: winner, outcome, result }).catch(() => undefined);
    return true;
  }

  /** The profile's rating and history, by username (case-insensitive, as logins are). */
  async profile(username: string): Promise<{ userId: string; rating: number; rd: number; volatility: number; provisional: boolean; games: number; history: Awaited<ReturnType<DuelService['history']>> }> {
    const [u] = await this.db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = lower(${username})`);
    if (!u) throw notFound('user');
    const r = await this.ratingOf(u.id);
    return { userId: u.id, rating: r.rating, rd: r.rd, volatility: r.volatility, provisional: isProvisional(r), games: r.games, history: await this.history(u.id) };
  }

  async history(userId: string): Promise<{ matchId: string | null; contestId: string | null; rating: number; rd: number; delta: number; at: string }[]> {
    const rows = await this.db.select().from(ratingHistory).where(eq(ratingHistory.userId, userId)).orderBy(ratingHistory.createdAt);
    return rows.map((r) => ({ matchId: r.matchId, contestId: r.contestId, rating: r.rating, rd: r.rd, delta: r.delta, at: r.createdAt.toISOString() }));
  }

  start(): void {
    this.matchmaker.start();
  }

  async stop(): Promise<void> {
    await this.matchmaker.stop();
  }
}
