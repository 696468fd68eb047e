/**
 * Submissions: stored, then queued on the executions queue (job id `sub-<uuid>`: the queue
 * carries ids only, and BullMQ refuses `:` in ids), judged in whichever process runs jobs
 * (`process`), with progress on the bus keyed by the submission id. Mirrors
 * src/executions/service.ts: the row is the truth, a lease guards a running judge, a cancel
 * travels on the bus, a job handed back at shutdown is re-queued by the reconciler.
 */
import { and, count, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config/config.js';
import type { Db } from '../../db/client.js';
import { problems, submissionGroupScores, submissions, users } from '../../db/schema.js';
import type { EngineClient } from '../../engine/client.js';
import { LanguageRegistry } from '../../engine/languages/registry.js';
import { prepareJob } from '../../engine/runner/job.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import { type ExecutionQueue, type JobContext, QueueFullError, SYSTEM_OWNER } from '../../queue/queue.js';
import type { OutputBus } from '../../realtime/bus.js';
import type { AuthUser } from '../../server/context.js';
import { HttpCodes } from '../../server/http-errors.js';
import { judgePlan } from '../judge/plan.js';
import type { ProblemPackage } from '../packages/model.js';
import { isFinalState, type SubmissionState } from '../verdicts.js';
import { canManage, canSee, isAdmin, problemNotFound, submissionNotFound } from './access.js';
import type {
  Pagination,
  SubmissionInput,
  SubmissionKind,
  SubmissionListQuery,
  SubmissionServiceContract,
  SubmissionSummary,
  SubmissionView,
} from './contract.js';
import type { PackageCache } from './package-store.js';
import { SubmissionJudge, submissionJobId } from './submission-judge.js';
import { type ProblemRow, type StoredSource, type SubmissionRow, summaryOf, viewOf } from './views.js';

// Queue job ids of submissions (defined with the judge, which the API side imports).
export { isSubmissionJob, SUBMISSION_JOB_PREFIX, submissionJobId } from './submission-judge.js';

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

  constructor(private readonly deps: SubmissionServiceDeps) {
    this.judge = new SubmissionJudge(deps, (problem, kind) => this.modelFor(problem, kind));
  }

  private get db() {
    return this.deps.db;
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

  /** The worker's side (judging, reconciling) lives in submission-judge.ts. */
  private readonly judge: SubmissionJudge;

  /** Call once in processes that run jobs (see SubmissionJudge.listenForCancels). */
  listenForCancels(): Promise<void> {
    return this.judge.listenForCancels();
  }

  process(jobId: string, ctx: JobContext): Promise<void> {
    return this.judge.process(jobId, ctx);
  }

  reconcile(): Promise<void> {
    return this.judge.reconcile();
  }

  private announceFinal(row: SubmissionRow): Promise<void> {
    return this.judge.announceFinal(row);
  }
}
