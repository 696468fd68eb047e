/**
 * Contests (issue 9, docs/arena.md "Contests"): create and update (authors, admins), join (live,
 * or virtual after the end), submit within one's window, and the scoreboard computed from the
 * log on every read. Every clock decision uses the database's now(), so API replicas with skewed
 * clocks agree. The engine and HTTP are not known here; the judge is the submission service's.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { contestParticipants, contestProblems, contests, contestSubmissions, duelRatings, problems, ratingHistory, submissionGroupScores, submissions, users } from '../../db/schema.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import type { AuthUser } from '../../server/context.js';
import { isAdmin, isAuthor, problemNotFound } from '../service/access.js';
import type { ProblemDetail, SubmissionInput, SubmissionView } from '../service/contract.js';
import type { SubmissionRow } from '../service/views.js';
import { type ContestRatingChange, rateContest } from '../ratings/contest-ratings.js';
import { NEW_PLAYER } from '../ratings/glicko2.js';
import type { SubmissionVerdict } from '../verdicts.js';
import { icpcBoard } from './scoreboard-icpc.js';
import { ioiBoard } from './scoreboard-ioi.js';
import type { BoardParticipant, ContestLogEntry, FreezeView } from './scoreboard-log.js';
import type { ContestDetail, ContestFormat, ContestInput, ContestPatch, ContestPhase, ContestServiceDeps, ContestSummary, Scoreboard } from './types.js';

export type * from './types.js';

type ContestRow = typeof contests.$inferSelect;

/** The bus key of a contest's "the board changed" pings (every replica's socket rooms listen). */
export const contestBusKey = (contestId: string) => `contest-${contestId}`;
const LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const labelOf = (i: number) => (i < 26 ? LABELS[i]! : `${LABELS[Math.floor(i / 26) - 1]}${LABELS[i % 26]}`);

const notFound = (slug: string) => new CallerError(ErrorCodes.contestNotFound, `contest ${slug} not found`, { slug });
const invalid = (message: string, details?: Record<string, unknown>) => new CallerError(ErrorCodes.contestInvalid, message, details);

export class ContestService {
  constructor(private readonly deps: ContestServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** The database's clock: every phase and window decision uses it. */
  async now(): Promise<Date> {
    const r = await this.db.execute<{ now: Date | string }>(sql`select now() as now`);
    const rows = (Array.isArray(r) ? r : (r as unknown as { rows: { now: Date | string }[] }).rows) as { now: Date | string }[];
    return new Date(rows[0]!.now);
  }

  private canManage(caller: AuthUser | null, c: ContestRow): boolean {
    return !!caller && (isAdmin(caller) || (caller.role === 'author' && c.ownerId === caller.id));
  }

  private async participant(c: ContestRow, userId: string | undefined) {
    if (!userId) return undefined;
    const [p] = await this.db.select().from(contestParticipants).where(and(eq(contestParticipants.contestId, c.id), eq(contestParticipants.userId, userId)));
    return p;
  }

  /** Invite-only contests are seen by their managers, the invited and participants only. */
  private async visibleRow(caller: AuthUser | null, slug: string): Promise<ContestRow> {
    const [c] = await this.db.select().from(contests).where(eq(contests.slug, slug));
    if (!c) throw notFound(slug);
    if (c.visibility === 'invite' && !this.canManage(caller, c) && !(caller && c.invited.includes(caller.username.toLowerCase())) && !(await this.participant(c, caller?.id))) {
      throw notFound(slug);
    }
    return c;
  }

  private phase(c: ContestRow, now: Date): ContestPhase {
    return now < c.startsAt ? 'upcoming' : now < c.endsAt ? 'running' : 'ended';
  }

  private summary(c: ContestRow, now: Date, participants: number): ContestSummary {
    return {
      slug: c.slug,
      title: c.title,
      format: c.format as ContestFormat,
      startsAt: c.startsAt.toISOString(),
      endsAt: c.endsAt.toISOString(),
      phase: this.phase(c, now),
      visibility: c.visibility as 'public' | 'invite',
      freezeMinutes: c.freezeMinutes,
      penaltyMinutes: c.penaltyMinutes,
      participants,
      rated: c.rated,
    };
  }

  private async counts(ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .select({ id: contestParticipants.contestId, n: sql<number>`count(*)::int` })
      .from(contestParticipants)
      .where(inArray(contestParticipants.contestId, ids))
      .groupBy(contestParticipants.contestId);
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  async list(caller: AuthUser | null): Promise<ContestSummary[]> {
    const now = await this.now();
    const rows = await this.db.select().from(contests).orderBy(asc(contests.startsAt), asc(contests.slug));
    const joined = caller ? new Set((await this.db.select({ id: contestParticipants.contestId }).from(contestParticipants).where(eq(contestParticipants.userId, caller.id))).map((r) => r.id)) : new Set<string>();
    const shown = rows.filter((c) => c.visibility === 'public' || this.canManage(caller, c) || joined.has(c.id) || (caller && c.invited.includes(caller.username.toLowerCase())));
    const counts = await this.counts(shown.map((c) => c.id));
    return shown.map((c) => this.summary(c, now, counts.get(c.id) ?? 0));
  }

  private async problemRows(c: ContestRow) {
    return this.db
      .select({ label: contestProblems.label, problem: problems })
      .from(contestProblems)
      .innerJoin(problems, eq(problems.id, contestProblems.problemId))
      .where(eq(contestProblems.contestId, c.id))
      .orderBy(asc(contestProblems.position));
  }

  /**
   * Who sees a contest's problems: its managers always; others from the start; during the
   * contest a draft problem only its participants (the problem's own author and admins see
   * drafts anyway through /problems).
   */
  private mayListProblem(caller: AuthUser | null, c: ContestRow, now: Date, joined: boolean, published: boolean): boolean {
    if (this.canManage(caller, c)) return true;
    const phase = this.phase(c, now);
    if (phase === 'upcoming') return false;
    if (phase === 'running') return joined || published;
    return true;
  }

  async get(caller: AuthUser | null, slug: string): Promise<ContestDetail> {
    const c = await this.visibleRow(caller, slug);
    const now = await this.now();
    const me = await this.participant(c, caller?.id);
    const rows = await this.problemRows(c);
    const counts = await this.counts([c.id]);
    return {
      ...this.summary(c, now, counts.get(c.id) ?? 0),
      description: c.description,
      now: now.toISOString(),
      ownerId: c.ownerId,
      canManage: this.canManage(caller, c),
      me: me ? { virtual: me.virtual, startsAt: me.startsAt.toISOString(), endsAt: me.endsAt.toISOString() } : null,
      problems: rows.filter((r) => this.mayListProblem(caller, c, now, !!me, r.problem.published)).map((r) => ({ label: r.label, slug: r.problem.slug, title: r.problem.title })),
    };
  }

  /** A contest problem's statement, for those `get` lists it to (a draft problem included). */
  async problem(caller: AuthUser | null, slug: string, label: string, lang?: string): Promise<ProblemDetail> {
    const c = await this.visibleRow(caller, slug);
    const now = await this.now();
    const me = await this.participant(c, caller?.id);
    const row = (await this.problemRows(c)).find((r) => r.label === label.toUpperCase());
    if (!row || !this.mayListProblem(caller, c, now, !!me, row.problem.published)) throw problemNotFound(`${slug}/${label}`);
    return this.deps.problems.detailOf(caller, row.problem, lang);
  }

  private async validate(input: ContestPatch & { startsAt: string; endsAt: string }): Promise<{ problemIds: string[] | undefined; startsAt: Date; endsAt: Date }> {
    const startsAt = new Date(input.startsAt);
    const endsAt = new Date(input.endsAt);
    if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) throw invalid('startsAt and endsAt must be ISO 8601 times');
    if (endsAt <= startsAt) throw invalid('the contest must end after it starts', { startsAt: input.startsAt, endsAt: input.endsAt });
    const lengthMin = (endsAt.getTime() - startsAt.getTime()) / 60_000;
    if ((input.freezeMinutes ?? 0) > lengthMin) throw invalid(`the freeze (${input.freezeMinutes} min) is longer than the contest (${lengthMin} min)`);
    let problemIds: string[] | undefined;
    if (input.problems) {
      if (new Set(input.problems).size !== input.problems.length) throw invalid('a problem is listed twice');
      const rows = input.problems.length ? await this.db.select({ id: problems.id, slug: problems.slug }).from(problems).where(inArray(problems.slug, input.problems)) : [];
      const bySlug = new Map(rows.map((r) => [r.slug, r.id]));
      const missing = input.problems.filter((s) => !bySlug.has(s));
      if (missing.length) throw new CallerError(ErrorCodes.problemNotFound, `problem ${missing[0]} not found`, { slug: missing[0] });
      problemIds = input.problems.map((s) => bySlug.get(s)!);
    }
    return { problemIds, startsAt, endsAt };
  }

  async create(caller: AuthUser, input: ContestInput): Promise<ContestDetail> {
    if (!isAuthor(caller)) throw new CallerError(ErrorCodes.forbiddenRole, 'creating a contest needs the author or admin role');
    const v = await this.validate(input);
    await this.db.transaction(async (tx) => {
      const [c] = await tx
        .insert(contests)
        .values({
          slug: input.slug,
          title: input.title,
          description: input.description ?? '',
          format: input.format,
          startsAt: v.startsAt,
          endsAt: v.endsAt,
          freezeMinutes: input.freezeMinutes ?? 0,
          penaltyMinutes: input.penaltyMinutes ?? 20,
          visibility: input.visibility ?? 'public',
          invited: (input.invited ?? []).map((u) => u.toLowerCase()),
          rated: input.rated ?? false,
          ownerId: caller.id,
        })
        .onConflictDoNothing()
        .returning();
      if (!c) throw new CallerError(ErrorCodes.contestExists, `contest ${input.slug} exists`, { slug: input.slug });
      if (v.problemIds?.length) await tx.insert(contestProblems).values(v.problemIds.map((problemId, i) => ({ contestId: c.id, problemId, label: labelOf(i), position: i })));
    });
    return this.get(caller, input.slug);
  }

  async update(caller: AuthUser, slug: string, patch: ContestPatch): Promise<ContestDetail> {
    const c = await this.visibleRow(caller, slug);
    if (!this.canManage(caller, c)) throw new CallerError(ErrorCodes.forbiddenRole, `contest ${slug} belongs to another author`, { slug });
    const v = await this.validate({ ...patch, startsAt: patch.startsAt ?? c.startsAt.toISOString(), endsAt: patch.endsAt ?? c.endsAt.toISOString(), freezeMinutes: patch.freezeMinutes ?? c.freezeMinutes });
    await this.db.transaction(async (tx) => {
      await tx
        .update(contests)
        .set({
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.format !== undefined ? { format: patch.format } : {}),
          ...(patch.freezeMinutes !== undefined ? { freezeMinutes: patch.freezeMinutes } : {}),
          ...(patch.penaltyMinutes !== undefined ? { penaltyMinutes: patch.penaltyMinutes } : {}),
          ...(patch.visibility !== undefined ? { visibility: patch.visibility } : {}),
          ...(patch.invited !== undefined ? { invited: patch.invited.map((u) => u.toLowerCase()) } : {}),
          ...(patch.rated !== undefined ? { rated: patch.rated } : {}),
          startsAt: v.startsAt,
          endsAt: v.endsAt,
          updatedAt: sql`now()`,
        })
        .where(eq(contests.id, c.id));
      // Live participants' windows follow the contest's.
      await tx.update(contestParticipants).set({ startsAt: v.startsAt, endsAt: v.endsAt }).where(and(eq(contestParticipants.contestId, c.id), eq(contestParticipants.virtual, false)));
      if (v.problemIds) {
        await tx.delete(contestProblems).where(eq(contestProblems.contestId, c.id));
        if (v.problemIds.length) await tx.insert(contestProblems).values(v.problemIds.map((problemId, i) => ({ contestId: c.id, problemId, label: labelOf(i), position: i })));
      }
    });
    await this.ping(c.id);
    return this.get(caller, slug);
  }

  /** Joins: live before the end, virtual after it (a window of the contest's length from now()). */
  async join(caller: AuthUser, slug: string): Promise<ContestDetail> {
    const c = await this.visibleRow(caller, slug);
    if (c.visibility === 'invite' && !this.canManage(caller, c) && !c.invited.includes(caller.username.toLowerCase())) {
      throw new CallerError(ErrorCodes.contestNotInvited, `contest ${slug} is by invitation`, { slug });
    }
    const now = await this.now();
    const virtual = now >= c.endsAt;
    const length = c.endsAt.getTime() - c.startsAt.getTime();
    const [row] = await this.db
      .insert(contestParticipants)
      .values({
        contestId: c.id,
        userId: caller.id,
        virtual,
        // A virtual window is computed by the database too (now() at the insert).
        startsAt: virtual ? sql`now()` : c.startsAt,
        endsAt: virtual ? sql`now() + ${`${length} milliseconds`}::interval` : c.endsAt,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new CallerError(ErrorCodes.contestAlreadyJoined, `you already joined contest ${slug}`, { slug });
    await this.ping(c.id);
    return this.get(caller, slug);
  }

  /** A submission in the contest: a participant, inside their window (the database's clock). */
  async submit(caller: AuthUser, slug: string, input: Omit<SubmissionInput, 'problemId' | 'problemSlug'> & { problem: string }, queueOwner: string): Promise<SubmissionView> {
    const c = await this.visibleRow(caller, slug);
    const me = await this.participant(c, caller.id);
    if (!me) throw new CallerError(ErrorCodes.contestNotJoined, `join contest ${slug} before submitting`, { slug });
    const now = await this.now();
    if (now < me.startsAt) throw new CallerError(ErrorCodes.contestNotStarted, `contest ${slug} starts at ${me.startsAt.toISOString()}`, { slug, startsAt: me.startsAt.toISOString() });
    if (now >= me.endsAt) throw new CallerError(ErrorCodes.contestEnded, `contest ${slug} ended at ${me.endsAt.toISOString()}`, { slug, endsAt: me.endsAt.toISOString() });
    const label = input.problem.toUpperCase();
    const row = (await this.problemRows(c)).find((r) => r.label === label || r.problem.slug === input.problem);
    if (!row) throw problemNotFound(`${slug}/${input.problem}`);
    const { problem: _omit, ...program } = input;
    return this.deps.submissions.create(caller, { ...program, problemId: row.problem.id }, {
      queueOwner,
      kind: 'submission',
      problem: row.problem,
      afterInsert: async (s) => {
        await this.db.insert(contestSubmissions).values({ submissionId: s.id, contestId: c.id, userId: caller.id, label: row.label });
        await this.ping(c.id);
      },
    });
  }

  async scoreboard(caller: AuthUser | null, slug: string): Promise<Scoreboard> {
    const c = await this.visibleRow(caller, slug);
    const now = await this.now();
    // The first read after a rated contest's end applies its ratings (once; see applyRatings).
    if (c.rated && !c.ratingsAppliedAt && now >= c.endsAt) await this.applyRatings(c);
    return this.board(caller, c, now);
  }

  private async board(caller: AuthUser | null, c: ContestRow, now: Date, opts: { withPending?: (pending: boolean) => void } = {}): Promise<Scoreboard> {
    const labels = (await this.problemRows(c)).map((r) => r.label);
    const people = await this.db
      .select({ userId: contestParticipants.userId, username: users.username, virtual: contestParticipants.virtual, startsAt: contestParticipants.startsAt })
      .from(contestParticipants)
      .innerJoin(users, eq(users.id, contestParticipants.userId))
      .where(eq(contestParticipants.contestId, c.id));
    const participants: BoardParticipant[] = people.map((p) => ({ userId: p.userId, username: p.username, virtual: p.virtual }));
    const subs = await this.db
      .select({
        id: submissions.id,
        userId: contestSubmissions.userId,
        label: contestSubmissions.label,
        status: submissions.status,
        verdict: submissions.verdict,
        score: submissions.score,
        // Times from the participant's own start, in the database.
        ms: sql<number>`(extract(epoch from ${submissions.createdAt} - ${contestParticipants.startsAt}) * 1000)::float8`,
      })
      .from(contestSubmissions)
      .innerJoin(submissions, eq(submissions.id, contestSubmissions.submissionId))
      .innerJoin(contestParticipants, and(eq(contestParticipants.contestId, contestSubmissions.contestId), eq(contestParticipants.userId, contestSubmissions.userId)))
      .where(eq(contestSubmissions.contestId, c.id));
    const groups = new Map<string, { name: string; score: number }[]>();
    if (c.format === 'ioi' && subs.length) {
      const g = await this.db
        .select({ id: submissionGroupScores.submissionId, name: submissionGroupScores.groupName, score: submissionGroupScores.score })
        .from(submissionGroupScores)
        .innerJoin(contestSubmissions, eq(contestSubmissions.submissionId, submissionGroupScores.submissionId))
        .where(eq(contestSubmissions.contestId, c.id));
      for (const r of g) groups.set(r.id, [...(groups.get(r.id) ?? []), { name: r.name, score: r.score }]);
    }
    opts.withPending?.(subs.some((s) => s.status !== 'done' && s.status !== 'cancelled' && people.some((p) => p.userId === s.userId && !p.virtual)));
    const log: ContestLogEntry[] = subs.map((s) => ({
      userId: s.userId,
      problem: s.label,
      timeMs: Number(s.ms),
      status: s.status === 'done' ? 'done' : s.status === 'cancelled' ? 'cancelled' : 'pending',
      verdict: (s.verdict as SubmissionVerdict | null) ?? null,
      score: s.score,
      ...(groups.has(s.id) ? { groups: groups.get(s.id)! } : {}),
    }));
    // The freeze: the last N minutes, until the end (the thaw); the managers see everything.
    const lengthMs = c.endsAt.getTime() - c.startsAt.getTime();
    const frozen = c.freezeMinutes > 0 && now < c.endsAt && !this.canManage(caller, c);
    const freeze: FreezeView | undefined = frozen ? { fromMs: lengthMs - c.freezeMinutes * 60_000, viewerId: caller?.id ?? null } : undefined;
    const base = { frozen, problems: labels, now: now.toISOString() };
    return c.format === 'ioi'
      ? { format: 'ioi', ...base, rows: ioiBoard(participants, log, { problems: labels, ...(freeze ? { freeze } : {}) }) }
      : { format: 'icpc', ...base, rows: icpcBoard(participants, log, { problems: labels, penaltyMinutes: c.penaltyMinutes, ...(freeze ? { freeze } : {}) }) };
  }

  /** Rated contests that ended and were not applied yet: the periodic check (duels' matchmaking tick). */
  async applyDueRatings(): Promise<number> {
    const due = await this.db.select().from(contests).where(and(eq(contests.rated, true), sql`${contests.ratingsAppliedAt} is null`, sql`${contests.endsAt} <= now()`));
    let n = 0;
    for (const c of due) if (await this.applyRatings(c)) n += 1;
    return n;
  }

  /**
   * Applies a rated contest's ratings once (docs/arena.md "Ratings and duels"): from the final,
   * unfrozen board, live participants with at least one submission, each pair one game, one
   * Glicko-2 period (src/arena/ratings/contest-ratings.ts). Waits while a live participant's
   * submission is still judged. The UPDATE … WHERE ratings_applied_at IS NULL in the same
   * transaction decides, so two replicas (or a read and the tick) apply it once.
   */
  async applyRatings(c: ContestRow): Promise<ContestRatingChange[] | null> {
    let pending = false;
    const board = await this.board(null, c, c.endsAt, { withPending: (p) => (pending = p) });
    if (pending) return null;
    const submitted = new Set((await this.db.select({ userId: contestSubmissions.userId }).from(contestSubmissions).where(eq(contestSubmissions.contestId, c.id))).map((r) => r.userId));
    const ranked = board.rows.filter((r) => !r.virtual && submitted.has(r.userId)).map((r) => ({ userId: r.userId, rank: r.rank }));
    const changes = await this.db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(contests)
        .set({ ratingsAppliedAt: sql`now()` })
        .where(and(eq(contests.id, c.id), eq(contests.rated, true), sql`${contests.ratingsAppliedAt} is null`, sql`${contests.endsAt} <= now()`))
        .returning({ id: contests.id });
      if (!claimed) return null;
      if (ranked.length < 2) return [];
      const ids = ranked.map((r) => r.userId).sort();
      // The duels' lock order (user id): a contest and a duel finishing together cannot deadlock.
      for (const u of ids) await tx.insert(duelRatings).values({ userId: u, ...NEW_PLAYER }).onConflictDoNothing();
      const rows = await tx.select().from(duelRatings).where(inArray(duelRatings.userId, ids)).orderBy(duelRatings.userId).for('update');
      const byId = new Map(rows.map((r) => [r.userId, { rating: r.rating, rd: r.rd, volatility: r.volatility }]));
      const out = rateContest(ranked.map((r) => ({ ...r, rating: byId.get(r.userId)! })));
      for (const ch of out) {
        await tx.update(duelRatings).set({ ...ch.after, updatedAt: sql`now()` }).where(eq(duelRatings.userId, ch.userId));
        await tx.insert(ratingHistory).values({ userId: ch.userId, contestId: c.id, ...ch.after, delta: ch.delta });
      }
      return out;
    });
    if (changes?.length) await this.deps.onRatingsChanged?.().catch(() => undefined);
    return changes;
  }

  /** Per-problem statistics of a contest: solved count, fastest AC (ms from start), acceptance. */
  async stats(caller: AuthUser | null, slug: string): Promise<{ label: string; submissions: number; accepted: number; solvedBy: number; acceptanceRate: number | null; fastestMs: number | null }[]> {
    const board = await this.scoreboard(caller, slug);
    const c = await this.visibleRow(caller, slug);
    const rows = await this.db
      .select({
        label: contestSubmissions.label,
        n: sql<number>`count(*) filter (where ${submissions.status} = 'done' and ${submissions.verdict} not in ('CE', 'JE'))::int`,
        ac: sql<number>`count(*) filter (where ${submissions.status} = 'done' and ${submissions.verdict} = 'AC')::int`,
        solvedBy: sql<number>`count(distinct ${contestSubmissions.userId}) filter (where ${submissions.status} = 'done' and ${submissions.verdict} = 'AC')::int`,
        fastest: sql<number | null>`(min(extract(epoch from ${submissions.createdAt} - ${contestParticipants.startsAt})) filter (where ${submissions.status} = 'done' and ${submissions.verdict} = 'AC') * 1000)::float8`,
      })
      .from(contestSubmissions)
      .innerJoin(submissions, eq(submissions.id, contestSubmissions.submissionId))
      .innerJoin(contestParticipants, and(eq(contestParticipants.contestId, contestSubmissions.contestId), eq(contestParticipants.userId, contestSubmissions.userId)))
      .where(eq(contestSubmissions.contestId, c.id))
      .groupBy(contestSubmissions.label);
    // While the board is frozen for the caller, the statistics would leak the frozen results.
    if (board.frozen) return board.problems.map((label) => ({ label, submissions: 0, accepted: 0, solvedBy: 0, acceptanceRate: null, fastestMs: null }));
    const by = new Map(rows.map((r) => [r.label, r]));
    return board.problems.map((label) => {
      const r = by.get(label);
      const n = Number(r?.n ?? 0);
      const ac = Number(r?.ac ?? 0);
      return { label, submissions: n, accepted: ac, solvedBy: Number(r?.solvedBy ?? 0), acceptanceRate: n ? ac / n : null, fastestMs: r?.fastest == null ? null : Math.round(Number(r.fastest)) };
    });
  }

  /** A contest submission reached a final state (the submission service's hook): ping its board. */
  async onSubmissionFinal(row: SubmissionRow): Promise<void> {
    const [link] = await this.db.select({ contestId: contestSubmissions.contestId }).from(contestSubmissions).where(eq(contestSubmissions.submissionId, row.id));
    if (link) await this.ping(link.contestId);
  }

  /** Resolves a slug to the id the socket room follows (visibility as for GET). */
  async idOf(caller: AuthUser | null, slug: string): Promise<string> {
    return (await this.visibleRow(caller, slug)).id;
  }

  private async ping(contestId: string): Promise<void> {
    await this.deps.bus.publish(contestBusKey(contestId), { type: 'status', status: 'done' }).catch(() => undefined);
  }
}
