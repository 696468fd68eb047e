/**
 * Submissions: stored, then queued on the executions queue (job id `sub-<uuid>`: the queue
 * carries ids only, and BullMQ refuses `:` in ids), judged in whichever process runs jobs
 * (`process`), with progress on the bus keyed by the submission id. Mirrors
 * src/executions/service.ts: the row is the truth, a lease guards a running judge, a cancel
 * travels on the bus, a job handed back at shutdown is re-queued by the reconciler.
 */
import { and, count, desc, eq, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config/config.js';
import type { Db } from '../../db/client.js';
import { problems, submissionGroupScores, submissions, users } from '../../db/schema.js';
import type { EngineClient } from '../../engine/client.js';
import { LanguageRegistry } from '../../engine/languages/registry.js';
import { prepareJob } from '../../engine/runner/job.js';
import type { Engine } from '../../engine/runner/engine.js';
import { CallerError, ErrorCodes, MuscodeError } from '../../errors.js';
import { type ExecutionQueue, type JobContext, jobAbortReason, QueueFullError, SYSTEM_OWNER } from '../../queue/queue.js';
import type { OutputBus } from '../../realtime/bus.js';
import type { AuthUser } from '../../server/context.js';
import { HttpCodes } from '../../server/http-errors.js';
import { judgePlan } from '../judge/plan.js';
import { judgeSubmission, type JudgeResult } from '../judge/judge.js';
import type { LoadedProblemPackage, ProblemPackage, TestCase } from '../packages/model.js';
import { isFinalState, type SubmissionState } from '../verdicts.js';
import { canManage, canSee, isAdmin, problemNotFound, submissionNotFound } from './access.js';
import type {
  Pagination,
  SubmissionInput,
  SubmissionKind,
  SubmissionListQuery,
  SubmissionServiceContract,
  SubmissionSummary,
  SubmissionTestView,
  SubmissionView,
} from './contract.js';
import type { PackageCache } from './package-store.js';
import { type ProblemRow, type StoredResult, type StoredSource, storedResult, type SubmissionRow, summaryOf, type TestDataSource, viewOf } from './views.js';

/** Queue job ids of submissions. */
export const SUBMISSION_JOB_PREFIX = 'sub-';
export const submissionJobId = (id: string) => `${SUBMISSION_JOB_PREFIX}${id}`;
export const isSubmissionJob = (jobId: string) => jobId.startsWith(SUBMISSION_JOB_PREFIX);

/** Rows younger than this are left alone by the reconciler: `create` inserts, then enqueues. */
const QUEUED_GRACE_MS = 2_000;
const MAX_ATTEMPTS = 2;
const ACTIVE = ['compiling', 'running'];

export interface SubmissionServiceDeps {
  db: Db;
  engine: EngineClient;
  queue: ExecutionQueue;
  bus: OutputBus;
  config: Config;
  packages: PackageCache;
  /** Quotas, as for executions; throws to refuse. */
  beforeCreate?: (user: AuthUser) => Promise<void>;
  /**
   * Called in the judging process once a submission reaches a final state, before it is
   * announced (duels: the first full AC wins; contests refresh their live boards). Its failure
   * is swallowed: the verdict is stored and announced regardless.
   */
  onFinal?: (row: SubmissionRow) => Promise<void>;
}

/** What a contest passes to `create`: the problem it resolved (possibly a draft), and its link row. */
export interface SubmissionCreateHooks {
  problem?: ProblemRow;
  /** Runs after the insert, before the enqueue (so the link exists before any judge finishes). */
  afterInsert?: (row: SubmissionRow) => Promise<void>;
}

type VerifyProgram = { path: string; language: string; files: { name: string; content: string }[]; mainFile?: string };

export class SubmissionService implements SubmissionServiceContract {
  readonly languages = new LanguageRegistry();
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: SubmissionServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /**
   * Call once in processes that run jobs. A cancel names the job (`sub-<id>`): the queue's
   * consumer then aborts the job's signal too, and remembers a cancel that arrives just before
   * the job reaches the handler.
   */
  async listenForCancels(): Promise<void> {
    await this.deps.bus.onCancel((jobId) => {
      if (isSubmissionJob(jobId)) this.running.get(jobId.slice(SUBMISSION_JOB_PREFIX.length))?.abort();
    });
  }

  async create(caller: AuthUser, input: SubmissionInput, opts: { queueOwner: string; kind?: SubmissionKind } & SubmissionCreateHooks): Promise<SubmissionView> {
    const { config } = this.deps;
    const kind = opts.kind ?? 'submission';
    const problem = opts.problem ?? (await this.problemFor(caller, input));
    const lang = this.languages.get(input.language);
    const info = (await this.deps.engine.listLanguages()).find((l) => l.id === lang.id);
    if (!info?.available) {
      throw new CallerError(ErrorCodes.languageUnavailable, `${lang.id} is not available: ${info?.reason ?? 'unknown'}`, { language: lang.id });
    }
    let files: { name: string; content: string }[];
    if (input.files && input.files.length > 0) files = input.files.map((f) => ({ name: f.name, content: f.content }));
    else {
      const code = input.code ?? '';
      if (code.length > config.limits.codeChars.default) {
        throw new CallerError(ErrorCodes.sourceTooLarge, `code is ${code.length} characters, over the limit of ${config.limits.codeChars.default}`, { max: config.limits.codeChars.default });
      }
      files = [{ name: input.mainFile ?? lang.sourceFile, content: code }];
    }
    // The engine's own validation now: a bad submission is a 400, not a judged JE.
    prepareJob({ language: lang.id, files: files.map((f) => ({ path: f.name, content: f.content })), ...(input.mainFile ? { mainFile: input.mainFile } : {}), stdin: Buffer.alloc(0) }, lang, config.limits);
    const model = this.modelFor(problem, kind);
    if (kind === 'run' && judgePlan(model).scoring.order.length === 0) {
      throw new CallerError(ErrorCodes.packageInvalid, `problem ${problem.slug} has no samples to run on`, { slug: problem.slug, reason: 'no-samples' });
    }
    const maxWaiting = opts.queueOwner === SYSTEM_OWNER ? 0 : config.QUEUE_USER_WAITING_MAX;
    if (maxWaiting > 0) {
      const waiting = await this.deps.queue.waitingFor(opts.queueOwner);
      if (waiting >= maxWaiting) throw new QueueFullError(waiting, maxWaiting);
    }
    await this.deps.beforeCreate?.(caller);
    const source: StoredSource = { files, ...(input.mainFile ? { mainFile: input.mainFile } : {}) };
    const row = await this.insertAndEnqueue(caller, problem, { kind, language: lang.id, source, testsTotal: judgePlan(model).scoring.order.length, queueOwner: opts.queueOwner }, maxWaiting, opts.afterInsert);
    // The row as stored (queued): a worker may already have taken it, which `get` then shows.
    const queuePosition = await this.deps.queue.position(submissionJobId(row.id)).catch(() => null);
    return viewOf(row, { problemSlug: problem.slug, problemTitle: problem.title, username: caller.username }, { showCode: true, queuePosition });
  }

  private async insertAndEnqueue(
    caller: AuthUser,
    problem: ProblemRow,
    v: { kind: string; language: string; source: StoredSource; testsTotal: number; queueOwner: string; verifyProgram?: string },
    maxWaiting: number,
    afterInsert?: (row: SubmissionRow) => Promise<void>,
  ): Promise<SubmissionRow> {
    const [row] = await this.db
      .insert(submissions)
      .values({ problemId: problem.id, problemVersion: problem.version, userId: caller.id, ...v })
      .returning();
    if (afterInsert) {
      try {
        await afterInsert(row!);
      } catch (err) {
        await this.db.delete(submissions).where(eq(submissions.id, row!.id));
        throw err;
      }
    }
    await this.deps.bus.publish(row!.id, { type: 'status', status: 'queued' });
    try {
      await this.deps.queue.enqueue(submissionJobId(row!.id), { owner: v.queueOwner, maxWaiting });
    } catch (err) {
      if (err instanceof QueueFullError) await this.db.delete(submissions).where(eq(submissions.id, row!.id));
      throw err;
    }
    return row!;
  }

  /** The package's own programs, judged like submissions of its author, never counted. */
  async enqueueVerify(caller: AuthUser, problem: ProblemRow, programs: VerifyProgram[]): Promise<void> {
    const total = judgePlan(problem.model as ProblemPackage).scoring.order.length;
    for (const p of programs) {
      const source: StoredSource = { files: p.files, ...(p.mainFile ? { mainFile: p.mainFile } : {}) };
      await this.insertAndEnqueue(caller, problem, { kind: 'verify', language: p.language, source, testsTotal: total, queueOwner: `u:${caller.id}`, verifyProgram: p.path }, 0);
    }
  }

  private async problemFor(caller: AuthUser | null, input: SubmissionInput): Promise<ProblemRow> {
    const key = input.problemId ?? input.problemSlug ?? '';
    const where = input.problemId ? (/^[0-9a-f-]{36}$/i.test(input.problemId) ? eq(problems.id, input.problemId) : sql`false`) : eq(problems.slug, key);
    const [row] = await this.db.select().from(problems).where(where);
    if (!row || !canSee(caller, row)) throw problemNotFound(key);
    return row;
  }

  /** A run is judged on the samples only. */
  private modelFor(problem: ProblemRow, kind: string): ProblemPackage {
    const model = problem.model as ProblemPackage;
    if (kind !== 'run') return model;
    return { ...model, testData: model.testData.filter((g) => g.kind === 'sample') };
  }

  private async rowWithJoin(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const [r] = await this.db
      .select({ s: submissions, slug: problems.slug, title: problems.title, authorId: problems.authorId, published: problems.published, username: users.username })
      .from(submissions)
      .innerJoin(problems, eq(problems.id, submissions.problemId))
      .innerJoin(users, eq(users.id, submissions.userId))
      .where(eq(submissions.id, id));
    return r;
  }

  private mayRead(caller: AuthUser | null, r: { s: SubmissionRow; authorId: string | null }): boolean {
    return !!caller && (caller.id === r.s.userId || isAdmin(caller) || canManage(caller, { authorId: r.authorId }));
  }

  private async viewOfJoined(caller: AuthUser | null, r: NonNullable<Awaited<ReturnType<SubmissionService['rowWithJoin']>>>): Promise<SubmissionView> {
    const queuePosition = r.s.status === 'queued' ? await this.deps.queue.position(submissionJobId(r.s.id)).catch(() => null) : undefined;
    return viewOf(r.s, { problemSlug: r.slug, problemTitle: r.title, username: r.username }, { showCode: this.mayRead(caller, r), ...(queuePosition !== undefined ? { queuePosition } : {}) });
  }

  async get(caller: AuthUser | null, id: string): Promise<SubmissionView> {
    const r = await this.rowWithJoin(id);
    if (!r || !this.mayRead(caller, r)) throw submissionNotFound(id);
    return this.viewOfJoined(caller, r);
  }

  async waitForFinal(caller: AuthUser | null, id: string, ms: number): Promise<SubmissionView> {
    await this.get(caller, id);
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const unsubscribe = await this.deps.bus.subscribe(id, (e) => {
      if (e.type === 'complete' || e.type === 'error') done();
    });
    try {
      const [now] = await this.db.select({ status: submissions.status }).from(submissions).where(eq(submissions.id, id));
      if (now && !isFinalState(now.status as SubmissionState)) {
        const timer = setTimeout(done, ms);
        await finished;
        clearTimeout(timer);
      }
      return await this.get(caller, id);
    } finally {
      await unsubscribe();
    }
  }

  async list(caller: AuthUser | null, q: SubmissionListQuery): Promise<{ submissions: SubmissionSummary[]; pagination: Pagination }> {
    const where: SQL[] = [];
    const kind = q.kind ?? 'submission';
    where.push(eq(submissions.kind, kind));
    if (q.problem) where.push(or(eq(problems.slug, q.problem), /^[0-9a-f-]{36}$/i.test(q.problem) ? eq(problems.id, q.problem) : sql`false`)!);
    if (q.user) {
      if (q.user === 'me') where.push(caller ? eq(submissions.userId, caller.id) : sql`false`);
      else where.push(or(sql`lower(${users.username}) = lower(${q.user})`, /^[0-9a-f-]{36}$/i.test(q.user) ? eq(submissions.userId, q.user) : sql`false`)!);
    }
    if (q.verdict) where.push(and(eq(submissions.verdict, q.verdict), eq(submissions.status, 'done'))!);
    // Runs are their owner's; drafts' submissions are seen by their author and admins only.
    if (kind === 'run') where.push(caller ? eq(submissions.userId, caller.id) : sql`false`);
    if (!isAdmin(caller)) {
      where.push(or(eq(problems.published, true), caller ? or(eq(problems.authorId, caller.id), eq(submissions.userId, caller.id)) : sql`false`)!);
      // A running contest's submissions are its participants' own until the end (the list would
      // otherwise show verdicts the frozen scoreboard hides): the database's clock decides.
      where.push(
        or(
          caller ? eq(submissions.userId, caller.id) : sql`false`,
          sql`not exists (select 1 from contest_submissions cs join contests c on c.id = cs.contest_id where cs.submission_id = ${submissions.id} and c.ends_at > now())`,
        )!,
      );
    }
    const cond = and(...where);
    const base = () =>
      this.db
        .select({ s: submissions, slug: problems.slug, title: problems.title, username: users.username })
        .from(submissions)
        .innerJoin(problems, eq(problems.id, submissions.problemId))
        .innerJoin(users, eq(users.id, submissions.userId));
    const [rows, [total]] = await Promise.all([
      base().where(cond).orderBy(desc(submissions.createdAt), desc(submissions.id)).limit(q.limit).offset((q.page - 1) * q.limit),
      this.db
        .select({ n: count() })
        .from(submissions)
        .innerJoin(problems, eq(problems.id, submissions.problemId))
        .innerJoin(users, eq(users.id, submissions.userId))
        .where(cond),
    ]);
    const n = Number(total?.n ?? 0);
    return {
      submissions: rows.map((r) => summaryOf(r.s, { problemSlug: r.slug, problemTitle: r.title, username: r.username })),
      pagination: { total: n, page: q.page, limit: q.limit, pages: Math.ceil(n / q.limit) },
    };
  }

  async cancel(caller: AuthUser, id: string): Promise<SubmissionView> {
    const r = await this.rowWithJoin(id);
    if (!r || !this.mayRead(caller, r)) throw submissionNotFound(id);
    if (r.s.userId !== caller.id && !isAdmin(caller)) throw new CallerError(ErrorCodes.forbiddenRole, 'only its owner or an admin cancels a submission');
    if (isFinalState(r.s.status as SubmissionState)) {
      throw new CallerError(HttpCodes.notCancellable, `submission is already ${r.s.status}`, { status: r.s.status });
    }
    if (r.s.status === 'queued') {
      await this.deps.queue.remove(submissionJobId(id));
      const [ended] = await this.db
        .update(submissions)
        .set({ status: 'cancelled', judgedAt: new Date(), leaseUntil: null })
        .where(and(eq(submissions.id, id), eq(submissions.status, 'queued')))
        .returning();
      if (ended) {
        await this.announceFinal(ended);
        return this.get(caller, id);
      }
    }
    const final = this.waitForFinal(caller, id, 10_000);
    await this.deps.bus.requestCancel(submissionJobId(id));
    return final;
  }

  async rejudge(caller: AuthUser, id: string): Promise<SubmissionView> {
    const r = await this.rowWithJoin(id);
    if (!r || !this.mayRead(caller, r)) throw submissionNotFound(id);
    if (!canManage(caller, { authorId: r.authorId })) throw new CallerError(ErrorCodes.forbiddenRole, 'only the problem author or an admin rejudges');
    const [back] = await this.requeue([r.s]);
    if (!back) return this.get(caller, id);
    return viewOf(back, { problemSlug: r.slug, problemTitle: r.title, username: r.username }, { showCode: true });
  }

  async rejudgeProblem(caller: AuthUser, slug: string): Promise<{ count: number }> {
    const [p] = await this.db.select().from(problems).where(eq(problems.slug, slug));
    if (!p || !canSee(caller, p)) throw problemNotFound(slug);
    if (!canManage(caller, p)) throw new CallerError(ErrorCodes.forbiddenRole, `problem ${slug} belongs to another author`, { slug });
    const rows = await this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.problemId, p.id), eq(submissions.kind, 'submission'), inArray(submissions.status, ['done', 'cancelled'])));
    return { count: (await this.requeue(rows)).length };
  }

  /** Final rows back to `queued` (a rejudge: results and group scores cleared), then enqueued. */
  private async requeue(rows: SubmissionRow[]): Promise<SubmissionRow[]> {
    const out: SubmissionRow[] = [];
    for (const s of rows) {
      if (!isFinalState(s.status as SubmissionState)) continue;
      const [back] = await this.db.transaction(async (tx) => {
        await tx.delete(submissionGroupScores).where(eq(submissionGroupScores.submissionId, s.id));
        return tx
          .update(submissions)
          .set({ status: 'queued', verdict: null, score: 0, result: null, testsDone: 0, cpuMs: null, memoryKb: null, judgedAt: null, startedAt: null, attempts: 0, workerId: null, leaseUntil: null })
          .where(and(eq(submissions.id, s.id), inArray(submissions.status, ['done', 'cancelled'])))
          .returning();
      });
      if (!back) continue;
      out.push(back);
      await this.deps.bus.publish(s.id, { type: 'status', status: 'queued' });
      await this.deps.queue.enqueue(submissionJobId(s.id), { owner: back.queueOwner ?? `u:${back.userId}` });
    }
    return out;
  }

  /** The worker's side: claim, load the package, judge, store progress and the result. */
  async process(jobId: string, ctx: JobContext): Promise<void> {
    const id = jobId.slice(SUBMISSION_JOB_PREFIX.length);
    const { db, bus, config } = this.deps;
    const leaseMs = config.EXECUTION_LEASE_MS;
    const local = new AbortController();
    this.running.set(id, local);
    const now = new Date();
    const [row] = await db
      .update(submissions)
      .set({ status: 'compiling', startedAt: now, attempts: sql`${submissions.attempts} + 1`, workerId: ctx.workerId, leaseUntil: new Date(now.getTime() + leaseMs) })
      .where(and(eq(submissions.id, id), or(eq(submissions.status, 'queued'), and(inArray(submissions.status, ACTIVE), lt(submissions.leaseUntil, now)))))
      .returning();
    if (!row) {
      this.running.delete(id);
      return;
    }
    const renew = setInterval(() => {
      void db
        .update(submissions)
        .set({ leaseUntil: new Date(Date.now() + leaseMs) })
        .where(and(eq(submissions.id, id), eq(submissions.workerId, ctx.workerId)))
        .catch(() => undefined);
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    const mine = and(eq(submissions.id, id), eq(submissions.workerId, ctx.workerId), inArray(submissions.status, ACTIVE));
    // Progress writes are chained so that they land in order, and awaited before the final write.
    let writes: Promise<unknown> = Promise.resolve();
    try {
      await bus.publish(id, { type: 'status', status: 'compiling' });
      const [problem] = await db.select().from(problems).where(eq(problems.id, row.problemId));
      if (!problem) throw new CallerError(ErrorCodes.problemNotFound, 'the problem was deleted');
      const loaded = await this.deps.packages.load(problem.id, problem.version);
      const model = this.modelFor(problem, row.kind);
      const data = testData(loaded, model, problem.publicTests);
      // A rejudge after a new package version may have another number of tests.
      const testsTotal = judgePlan(model).scoring.order.length;
      const src = row.source as StoredSource;
      const reported = new Set<string>();
      let status: SubmissionState = 'compiling';
      let testsDone = 0;
      const signal = AbortSignal.any([ctx.signal, local.signal]);
      const result = await judgeSubmission({
        engine: judgeEngine(this.deps.engine, config.SANDBOX_SLOTS, data),
        problem: model,
        files: loaded.files,
        submission: { language: row.language, files: src.files.map((f) => ({ path: f.name, content: f.content })), ...(src.mainFile ? { mainFile: src.mainFile } : {}) },
        signal,
        concurrency: config.SANDBOX_SLOTS,
        onProgress: (r) => {
          const stored = storedResult(r, problem.publicTests, data);
          const fresh: SubmissionTestView[] = [];
          for (const t of stored.tests) {
            if (t.verdict === 'pending' || reported.has(t.name)) continue;
            reported.add(t.name);
            fresh.push(t);
          }
          testsDone = reported.size;
          const wasCompiling = status === 'compiling';
          status = 'running';
          const done = testsDone;
          writes = writes
            .then(async () => {
              if (wasCompiling) await bus.publish(id, { type: 'status', status: 'running' });
              await db.update(submissions).set({ status: 'running', testsDone: done, testsTotal, result: stored, problemVersion: problem.version }).where(mine);
              for (const t of fresh) await bus.publish(id, { type: 'progress', status: 'running', test: t, testsDone: done, testsTotal });
            })
            .catch(() => undefined);
        },
      });
      await writes;
      await this.storeFinal(id, ctx.workerId, row, problem, result, storedResult(result, problem.publicTests, data));
    } catch (err) {
      await writes;
      const why = jobAbortReason(ctx.signal);
      const cancelled = err instanceof MuscodeError && err.code === ErrorCodes.cancelled;
      if (cancelled && !local.signal.aborted && why !== 'cancelled') {
        // This process is shutting down: hand the submission back for the reconciler.
        const [back] = await db.update(submissions).set({ status: 'queued', workerId: null, leaseUntil: null, startedAt: null }).where(mine).returning({ id: submissions.id });
        if (back) await bus.publish(id, { type: 'status', status: 'queued' }).catch(() => undefined);
        return;
      }
      const [ended] = cancelled
        ? await db.update(submissions).set({ status: 'cancelled', judgedAt: new Date(), leaseUntil: null }).where(mine).returning()
        : await db
            .update(submissions)
            .set({ status: 'done', verdict: 'JE', judgedAt: new Date(), leaseUntil: null, result: { tests: [], groups: [], compileMessage: undefined, firstFailure: undefined } satisfies StoredResult })
            .where(mine)
            .returning();
      if (ended) await this.announceFinal(ended);
    } finally {
      clearInterval(renew);
      this.running.delete(id);
    }
  }

  private async storeFinal(id: string, workerId: string, row: SubmissionRow, problem: ProblemRow, r: JudgeResult, stored: StoredResult): Promise<void> {
    const maxOf = (k: 'cpuMs' | 'memoryKb') => {
      const xs = r.tests.map((t) => t[k]).filter((x): x is number => x !== null);
      return xs.length ? Math.max(...xs) : null;
    };
    const ended = await this.db.transaction(async (tx) => {
      const [e] = await tx
        .update(submissions)
        .set({
          status: 'done',
          verdict: r.verdict ?? 'JE',
          score: r.score,
          maxScore: r.maxScore,
          cpuMs: maxOf('cpuMs'),
          memoryKb: maxOf('memoryKb'),
          testsDone: r.tests.filter((t) => t.verdict !== 'pending').length,
          testsTotal: r.tests.length,
          result: stored,
          problemVersion: problem.version,
          judgedAt: new Date(),
          leaseUntil: null,
        })
        .where(and(eq(submissions.id, id), eq(submissions.workerId, workerId), inArray(submissions.status, ACTIVE)))
        .returning();
      // Per-group scores for the IOI rule: counted submissions of scoring problems only.
      if (e && row.kind === 'submission' && problem.type === 'scoring') {
        const groups = r.groups.filter((g) => !g.sample);
        if (groups.length) {
          await tx
            .insert(submissionGroupScores)
            .values(groups.map((g) => ({ submissionId: id, problemId: problem.id, userId: row.userId, groupName: g.name, score: g.score })))
            .onConflictDoNothing();
        }
      }
      return e;
    });
    if (ended) await this.announceFinal(ended);
  }

  private async announceFinal(row: SubmissionRow): Promise<void> {
    await this.deps.onFinal?.(row).catch(() => undefined);
    await this.deps.bus.publish(row.id, { type: 'status', status: row.status });
    await this.deps.bus.publish(row.id, { type: 'complete' });
  }

  /**
   * Makes the queue agree with the table (the reconciler calls it on every pass): a `queued`
   * row no queue holds is enqueued again; a judging row whose lease expired is re-queued, or
   * ended as JE after MAX_ATTEMPTS.
   */
  async reconcile(): Promise<void> {
    const now = Date.now();
    const queued = await this.db
      .select({ id: submissions.id, owner: submissions.queueOwner, userId: submissions.userId })
      .from(submissions)
      .where(and(eq(submissions.status, 'queued'), lt(submissions.createdAt, new Date(now - QUEUED_GRACE_MS))));
    for (const q of queued) {
      const job = submissionJobId(q.id);
      if (!(await this.deps.queue.has(job))) await this.deps.queue.enqueue(job, { owner: q.owner ?? `u:${q.userId}` });
    }
    const expired = await this.db
      .select()
      .from(submissions)
      .where(and(inArray(submissions.status, ACTIVE), lt(submissions.leaseUntil, new Date(now))));
    for (const s of expired) {
      const cond = and(eq(submissions.id, s.id), inArray(submissions.status, ACTIVE), lt(submissions.leaseUntil, new Date(now)));
      if (s.attempts >= MAX_ATTEMPTS) {
        const [ended] = await this.db.update(submissions).set({ status: 'done', verdict: 'JE', judgedAt: new Date(), leaseUntil: null }).where(cond).returning();
        if (ended) await this.announceFinal(ended);
        continue;
      }
      const [back] = await this.db.update(submissions).set({ status: 'queued', workerId: null, leaseUntil: null }).where(cond).returning();
      if (back) {
        await this.deps.bus.publish(s.id, { type: 'status', status: 'queued' });
        await this.deps.queue.remove(submissionJobId(s.id)).catch(() => false);
        await this.deps.queue.enqueue(submissionJobId(s.id), { owner: back.queueOwner ?? `u:${back.userId}` });
      }
    }
  }
}

/** Where the data of each test is, for the shown (sample and public) tests' views. */
function testData(loaded: LoadedProblemPackage, model: ProblemPackage, publicTests: readonly string[]): TestDataSource & { shownInputs: Map<Buffer, string>; outputs: Map<string, Buffer> } {
  const paths = new Map<string, { input: string | null; answer: string | null }>();
  const shownInputs = new Map<Buffer, string>();
  const plan = judgePlan(model);
  for (const g of plan.scoring.groups) {
    for (const name of g.tests) {
      const tc = (plan.cases as ReadonlyMap<string, TestCase>).get(name)!;
      paths.set(name, { input: tc.input, answer: tc.answer });
      if ((g.sample || publicTests.includes(name)) && tc.input && loaded.files.exists(tc.input)) shownInputs.set(loaded.files.read(tc.input), name);
    }
  }
  return { problem: model, files: loaded.files, paths, outputs: new Map(), shownInputs };
}

/**
 * The engine as the judge wants it. The judge takes the in-process Engine (it reads
 * `languages`, `limits` and `stats.slots`); a remote engine client (the supervisor channel) gets
 * those from here. And the judge's result holds no program output, which sample and public
 * tests show: the judge passes a test's input as `stdin` exactly as the package files return it
 * (the same Buffer object, held in memory by the loaded package), so a run whose stdin is one of
 * the shown tests' inputs is that test's submission run, and its stdout is kept. A validator's
 * run gets the output, never the input, as stdin.
 */
const registry = new LanguageRegistry();
function judgeEngine(client: EngineClient, slots: number, data: { shownInputs: Map<Buffer, string>; outputs: Map<string, Buffer> }): Engine {
  const local = 'languages' in client && 'stats' in client ? (client as Engine) : null;
  const run = async (req: Parameters<EngineClient['run']>[0]) => {
    const r = await client.run(req);
    const name = Buffer.isBuffer(req.stdin) ? data.shownInputs.get(req.stdin) : undefined;
    if (name !== undefined && r.run) data.outputs.set(name, r.run.stdout);
    return r;
  };
  // Every other member (whatever the engine client offers: status, interactive runs...) is the client's own.
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'run') return run;
      if (prop === 'languages') return local?.languages ?? registry;
      if (prop === 'stats') return local?.stats ?? { slots, idle: 0, queued: 0 };
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as unknown as Engine;
}
