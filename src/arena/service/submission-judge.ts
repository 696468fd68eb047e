/**
 * The worker's side of submissions: claim a queued row, load the package, judge it, store the
 * progress and the result, announce it on the bus; and the reconciler's pass that makes the
 * queue agree with the table. The API side (create, read, cancel, rejudge) is in submissions.ts.
 */
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { problems, submissionGroupScores, submissions } from '../../db/schema.js';
import type { EngineClient } from '../../engine/client.js';
import { LanguageRegistry } from '../../engine/languages/registry.js';
import type { Engine } from '../../engine/runner/engine.js';
import { CallerError, ErrorCodes, MuscodeError } from '../../errors.js';
import { type JobContext, jobAbortReason } from '../../queue/queue.js';
import { judgePlan } from '../judge/plan.js';
import { judgeSubmission, type JudgeResult } from '../judge/judge.js';
import type { LoadedProblemPackage, ProblemPackage, TestCase } from '../packages/model.js';
import type { SubmissionState } from '../verdicts.js';
import type { SubmissionTestView } from './contract.js';
import type { SubmissionServiceDeps } from './submissions.js';
import { type ProblemRow, type StoredResult, type StoredSource, storedResult, type SubmissionRow, type TestDataSource } from './views.js';

/** Rows younger than this are left alone by the reconciler: `create` inserts, then enqueues. */
const QUEUED_GRACE_MS = 2_000;
const MAX_ATTEMPTS = 2;
const ACTIVE = ['compiling', 'running'];

/** Queue job ids of submissions. */
export const SUBMISSION_JOB_PREFIX = 'sub-';
export const submissionJobId = (id: string) => `${SUBMISSION_JOB_PREFIX}${id}`;
export const isSubmissionJob = (jobId: string) => jobId.startsWith(SUBMISSION_JOB_PREFIX);

export class SubmissionJudge {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly deps: SubmissionServiceDeps,
    /** The package as judged for a kind of submission (a `run` sees the samples only). */
    private readonly modelFor: (problem: ProblemRow, kind: string) => ProblemPackage,
  ) {}

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

  async announceFinal(row: SubmissionRow): Promise<void> {
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
  }}

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
