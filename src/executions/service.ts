import { StringDecoder } from 'node:string_decoder';
import { and, count, desc, eq, getTableColumns, inArray, lt, or, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { executions } from '../db/schema.js';
import type { EngineClient } from '../engine/client.js';
import { type LanguageInfo, LanguageRegistry } from '../engine/languages/registry.js';
import { resolveLimits } from '../engine/limits.js';
import { runFiguresOfCancel } from '../engine/runner/cancel.js';
import { prepareJob } from '../engine/runner/job.js';
import { compileOutputGlobs } from '../engine/runner/output-files.js';
import { type LiveInputItem, TTY_DEFAULT } from '../engine/live-input.js';
import { checkInputItem, followInput, inputEvent, type InteractiveSettings } from './live-stdin.js';
import { type LimitOverrides, type RefusedOutputFile, type RunResult, type StageResult, stageToJson } from '../engine/types.js';
import { CallerError, ErrorCodes, MuscodeError } from '../errors.js';
import { type ExecutionQueue, type JobContext, jobAbortReason, ownerOf, QueueFullError, type QueueOwner, SYSTEM_OWNER } from '../queue/queue.js';
import type { OutputBus } from '../realtime/bus.js';
import type { AuthUser } from '../server/context.js';
import { HttpCodes, notFound } from '../server/http-errors.js';
import { accountGoneOr, pgCode, type QuotaService } from '../guards/quotas.js';
import { type RepeatSpec, repeatRuns } from './repeat.js';

export type ExecutionRow = typeof executions.$inferSelect;
export const FINAL_STATUSES = ['completed', 'timeout', 'failed', 'cancelled'] as const;
const isFinal = (s: string) => (FINAL_STATUSES as readonly string[]).includes(s);

/** What a caller asks for: one file (`code`) or several (`files`). Units as in the first seed. */
export interface ExecuteInput {
  language: string;
  code?: string;
  files?: { name: string; content: string }[];
  mainFile?: string;
  /** Text (UTF-8), or exact bytes (the compatibility APIs decode base64 stdin). */
  stdin?: string | Buffer;
  args?: string[];
  /** Extra compiler arguments (the engine's RunRequest.compileOptions; Judge0's compiler_options). */
  compileOptions?: string[];
  /** Run up to this many times in the one job (Judge0's number_of_runs): see repeat.ts. */
  repeat?: RepeatSpec;
  /** CPU seconds (float). */
  timeout?: number;
  /** MB. */
  memoryLimit?: number;
  /** Limits in the engine's own units, applied over `timeout` and `memoryLimit` (the compatibility APIs). */
  limits?: LimitOverrides;
  /**
   * What a compatibility API must remember about the request that the engine does not use
   * (Judge0's expected_output, its limits as given, its callback_url): stored with the request,
   * read back by that API's presenter (`compatOf`). Plain JSON.
   */
  compat?: Record<string, unknown>;
  projectId?: string;
  /** Globs of files the run leaves that the caller wants back (the engine's `outputFiles`, same bounds). */
  outputFiles?: string[];
  /** Sample the run stage's CPU and memory (the engine's `timeline`). */
  timeline?: boolean;
  /** Keep stdin open and feed it while the program runs (live-stdin.ts); `stdin` is sent first. */
  interactive?: boolean;
  /** With `interactive`: run the program on a pseudo-terminal (of `ttySize`, default 80×24). */
  tty?: boolean;
  ttySize?: { cols: number; rows: number };
}

/**
 * `executions.artifacts`: what the run left for the caller, as JSON (file content base64).
 * Null when the request asked for neither output files nor a timeline.
 */
export interface StoredArtifacts {
  outputFiles?: { name: string; size: number; type: string; content: string }[];
  refusedOutputFiles?: RefusedOutputFile[];
  timeline?: [number, number, number][];
}

/** The job as stored in `executions.request` (everything but stdin, which is bytea). */
interface StoredRequest {
  files: { path: string; content: string }[];
  mainFile: string;
  args: string[];
  limits: LimitOverrides;
  compileOptions?: string[];
  repeat?: RepeatSpec;
  compat?: Record<string, unknown>;
  outputFiles?: string[];
  timeline?: boolean;
  interactive?: InteractiveSettings;
}

/** The `compat` data a compatibility API stored with the request (see ExecuteInput.compat). */
export function compatOf(row: ExecutionRow): Record<string, unknown> | null {
  return (row.request as StoredRequest | null)?.compat ?? null;
}

/** The stored request's files and arguments (Judge0 shows source_code and command_line_arguments back). */
export function storedRequestOf(row: ExecutionRow): { files: { path: string; content: string }[]; mainFile: string; args: string[] } {
  const r = row.request as StoredRequest;
  return { files: r.files, mainFile: r.mainFile, args: r.args };
}

export interface ExecutionServiceDeps {
  db: Db;
  engine: EngineClient;
  queue: ExecutionQueue;
  bus: OutputBus;
  config: Config;
  /** Called before a run is accepted (quotas); throws to refuse. */
  beforeCreate?: (user: AuthUser | null) => Promise<void>;
  /**
   * Signed-in users' quotas, taken by the execution insert itself (one statement: the quota
   * upsert as a CTE, see `statements.insertCounted`); used instead of a quota in `beforeCreate`.
   */
  quotas?: Pick<QuotaService, 'consumeSql' | 'refuse'>;
  /** Called when a run reaches a final state (metrics). */
  onFinished?: (row: ExecutionRow) => void;
}

/**
 * Executions: the row is the source of truth, the job id is the execution id. `create` validates
 * everything the engine would refuse (so bad input is a 400 now, not a failed job later),
 * stores the row and enqueues it; `process` is what a worker (or the embedded pool) does with
 * a job; `cancel` works whether the run is waiting or running on another process.
 */
export class ExecutionService {
  readonly languages = new LanguageRegistry();
  /**
   * Rows this process just ended, for `waitForFinal` (embedded mode: the process that ran the
   * program answers the waiting request without reading the row back). Small and short-lived.
   */
  private readonly recentlyFinished = new Map<string, ExecutionRow>();
  /** Runs in this process, so that a cancel request (from any API instance) can reach them. */
  private readonly running = new Map<string, AbortController>();
  /** Rows create() stored already claimed, until their job starts (process() then skips the claim). */
  private readonly claimed = new Map<string, ExecutionRow>();

  /**
   * The two statements on every run's path, prepared once: PGlite (and PostgreSQL) then skip
   * parsing and planning, and Drizzle skips building the query (measured: an insert 3.1 -> 1.6 ms).
   */
  private readonly statements;

  constructor(private readonly deps: ExecutionServiceDeps) {
    const p = sql.placeholder;
    // Stored `queued`, or already claimed (`running`, a worker, a lease) when create() holds a
    // slot of the embedded queue for it (see `create`): the same statement either way.
    const row = {
      userId: p('userId'),
      projectId: p('projectId'),
      language: p('language'),
      request: p('request'),
      stdin: p('stdin'),
      status: sql`${p('status')}`,
      attempts: sql`${p('attempts')}::integer`,
      workerId: sql`${p('workerId')}`,
      startedAt: sql`${p('startedAt')}::timestamptz`,
      leaseUntil: sql`${p('leaseUntil')}::timestamptz`,
    };
    // The quota upsert as a CTE of the insert: admitted, it returns the user and the language is
    // selected from it; refused, it returns nothing, the language is null and the NOT NULL
    // constraint fails the whole statement (so the row is never stored). Atomic as the upsert
    // alone was (its row lock orders concurrent runs), and one statement instead of two.
    const admitted = deps.quotas ? deps.db.$with('quota_admitted', { userId: sql<string>`user_id` }).as(deps.quotas.consumeSql) : null;
    this.statements = {
      insert: deps.db.insert(executions).values(row).returning().prepare('muscode_execution_insert'),
      insertCounted: admitted
        ? deps.db
            .with(admitted)
            .insert(executions)
            .values({ ...row, language: sql`(select ${p('language')}::varchar from ${admitted})` })
            .returning()
            .prepare('muscode_execution_insert_counted')
        : null,
      claim: deps.db
        .update(executions)
        .set({
          status: 'running',
          startedAt: sql`${p('startedAt')}::timestamptz`,
          attempts: sql`${executions.attempts} + 1`,
          workerId: sql`${p('workerId')}`,
          leaseUntil: sql`${p('leaseUntil')}::timestamptz`,
        })
        .where(
          and(
            eq(executions.id, p('id')),
            or(eq(executions.status, 'queued'), and(eq(executions.status, 'running'), sql`${executions.leaseUntil} < ${p('now')}::timestamptz`)),
          ),
        )
        .returning()
        .prepare('muscode_execution_claim'),
      complete: deps.db
        .update(executions)
        .set({
          status: sql`${p('status')}`,
          verdict: sql`${p('verdict')}`,
          stdout: sql`${p('stdout')}::bytea`,
          stderr: sql`${p('stderr')}::bytea`,
          exitCode: sql`${p('exitCode')}::integer`,
          signal: sql`${p('signal')}`,
          cpuMs: sql`${p('cpuMs')}::integer`,
          wallMs: sql`${p('wallMs')}::integer`,
          memoryKb: sql`${p('memoryKb')}::bigint`,
          truncated: sql`${p('truncated')}::boolean`,
          compile: sql`${p('compile')}::jsonb`,
          artifacts: sql`${p('artifacts')}::jsonb`,
          compilationError: sql`${p('compilationError')}`,
          failureReason: sql`${p('failureReason')}`,
          completedAt: sql`${p('completedAt')}::timestamptz`,
          leaseUntil: null,
        })
        .where(and(eq(executions.id, p('id')), eq(executions.workerId, p('workerId')), eq(executions.status, 'running')))
        .returning()
        .prepare('muscode_execution_complete'),
    };
  }

  private languagesSeen: { at: number; list: Promise<LanguageInfo[]> } | null = null;

  /**
   * The engine's languages as `create` checks them, kept for LANGUAGES_CHECK_TTL_MS (issue 15
   * item 4: an IPC round trip to the supervisor, or a Redis SCAN and MGET of the workers'
   * heartbeats in cluster mode, on every run). A language that goes away meanwhile is still
   * accepted for that long; the engine refuses it at run time (the run then fails, as it would
   * had the language gone while the run waited in the queue).
   */
  private availableLanguages(): Promise<LanguageInfo[]> {
    const ttl = this.deps.config.LANGUAGES_CHECK_TTL_MS;
    const now = Date.now();
    if (ttl > 0 && this.languagesSeen && now - this.languagesSeen.at < ttl) return this.languagesSeen.list;
    const list = this.deps.engine.listLanguages();
    if (ttl > 0) {
      const seen = { at: now, list };
      this.languagesSeen = seen;
      // A failed look-up is not kept.
      list.catch(() => {
        if (this.languagesSeen === seen) this.languagesSeen = null;
      });
    }
    return list;
  }

  /** Call once in processes that run jobs. */
  async listenForCancels(): Promise<void> {
    await this.deps.bus.onCancel((id) => this.running.get(id)?.abort());
  }

  private get db() {
    return this.deps.db;
  }

  /**
   * `caller.queueOwner`: whose lane the run waits in (the rate limiter's identity: `u:<id>` or
   * `ip:<address>`); default the user, or the platform's own lane when there is no user.
   */
  async create(user: AuthUser | null, input: ExecuteInput, caller: { queueOwner?: QueueOwner; waits?: boolean } = {}): Promise<ExecutionRow> {
    const { config } = this.deps;
    if (!user && !config.ANONYMOUS_EXECUTE) throw new CallerError(HttpCodes.unauthorized, 'sign in to run code (anonymous runs are off)');
    if ((input.tty || input.ttySize) && !input.interactive) throw new CallerError(HttpCodes.validation, 'tty needs interactive: true');
    const lang = this.languages.get(input.language);
    // Availability as the engine sees it (in cluster mode: the workers), not this host.
    const info = (await this.availableLanguages()).find((l) => l.id === (lang.availableWith ?? lang.id));
    if (!info?.available) {
      throw new CallerError(ErrorCodes.languageUnavailable, `${lang.id} is not available: ${info?.reason ?? 'unknown'}`, { language: lang.id });
    }
    let files: { path: string; content: string }[];
    let mainFile: string;
    if (input.files) {
      files = input.files.map((f) => ({ path: f.name, content: f.content }));
      mainFile = input.mainFile ?? files[0]?.path ?? lang.sourceFile;
    } else {
      const code = input.code ?? '';
      if (code.length > config.limits.codeChars.default) {
        throw new CallerError(ErrorCodes.sourceTooLarge, `code is ${code.length} characters, over the limit of ${config.limits.codeChars.default}`, {
          max: config.limits.codeChars.default,
        });
      }
      files = [{ path: input.mainFile ?? lang.sourceFile, content: code }];
      mainFile = files[0]!.path;
    }
    const limits: LimitOverrides = {};
    // A huge but finite value (1e308) must read as "too high", not overflow to Infinity ("invalid").
    const whole = (x: number) => Math.min(Math.round(x), Number.MAX_SAFE_INTEGER);
    if (input.timeout !== undefined) limits.cpuMs = whole(input.timeout * 1000);
    if (input.memoryLimit !== undefined) limits.memoryBytes = whole(input.memoryLimit * 2 ** 20);
    Object.assign(limits, input.limits);
    // An interactive program mostly waits for a person: without a time limit of the caller's,
    // it gets the longest wall time allowed (CPU time keeps its default).
    if (input.interactive && limits.cpuMs === undefined && limits.wallMs === undefined) limits.wallMs = config.limits.run.max.wallMs;
    // The engine's own validation, now: a bad request never becomes a queued job.
    resolveLimits('run', config.limits, limits);
    const stdin = Buffer.isBuffer(input.stdin) ? input.stdin : Buffer.from(input.stdin ?? '', 'utf8');
    prepareJob({ language: lang.id, files, mainFile, stdin, args: input.args, compileOptions: input.compileOptions }, lang, config.limits);
    // The engine's own check of the globs (INVALID_PATH, TOO_MANY_FILES), now rather than in the worker.
    if (input.outputFiles?.length) compileOutputGlobs(input.outputFiles);
    const owner = caller.queueOwner ?? ownerOf(user?.id);
    // The platform's own runs are never refused; a caller's are, when its lane is full. Checked
    // before the quota so that a refused run costs nothing; enqueue checks again atomically.
    const maxWaiting = owner === SYSTEM_OWNER ? 0 : config.QUEUE_USER_WAITING_MAX;
    if (maxWaiting > 0) {
      const waiting = await this.deps.queue.waitingFor(owner);
      if (waiting >= maxWaiting) throw new QueueFullError(waiting, maxWaiting);
    }
    await this.deps.beforeCreate?.(user);

    const request: StoredRequest = { files, mainFile, args: input.args ?? [], limits };
    if (input.compat) request.compat = input.compat;
    if (input.compileOptions?.length) request.compileOptions = input.compileOptions;
    if (input.repeat && input.repeat.times > 1) request.repeat = input.repeat;
    if (input.outputFiles?.length) request.outputFiles = input.outputFiles;
    if (input.timeline) request.timeline = true;
    if (input.interactive) request.interactive = input.tty ? { tty: input.ttySize ?? { ...TTY_DEFAULT } } : {};
    // A caller that waits for the result (`?wait=true`), with an embedded slot free right now:
    // the row is stored already claimed, so the run costs one write before it (this insert) and
    // one after (the completion), not three. Its recovery is a claimed row's (a lease the
    // reconciler watches). A receipt (no wait) stays `queued`, as callers are told.
    const slot = caller.waits ? (this.deps.queue.reserve?.(owner) ?? null) : null;
    const now = Date.now();
    const values = {
      userId: user?.id ?? null,
      projectId: input.projectId ?? null,
      language: lang.id,
      request,
      stdin,
      ...(slot
        ? { status: 'running', attempts: 1, workerId: slot.workerId, startedAt: new Date(now).toISOString(), leaseUntil: new Date(now + config.EXECUTION_LEASE_MS).toISOString() }
        : { status: 'queued', attempts: 0, workerId: null, startedAt: null, leaseUntil: null }),
    };
    const counted = user ? this.statements.insertCounted : null;
    let row: ExecutionRow | undefined;
    try {
      [row] = await (counted ?? this.statements.insert).execute(values);
    } catch (err) {
      slot?.release();
      if (!counted) throw err;
      // 23502 (not null violation): the quota CTE refused the run (see the constructor).
      if (pgCode(err) === '23502') await this.deps.quotas!.refuse(user!.id);
      throw accountGoneOr(err);
    }
    if (slot) {
      this.claimed.set(row!.id, row!);
      void this.deps.bus.publish(row!.id, { type: 'status', status: 'queued' }).catch(() => undefined);
      if (slot.start(row!.id)) return row!;
      // The consumer closed meanwhile: hand the row back as the shutdown path does (the
      // reconciler queues it again after the restart).
      this.claimed.delete(row!.id);
      const [back] = await this.db
        .update(executions)
        .set({ status: 'queued', workerId: null, leaseUntil: null, startedAt: null })
        .where(and(eq(executions.id, row!.id), eq(executions.status, 'running')))
        .returning();
      return back ?? row!;
    }
    await this.deps.bus.publish(row!.id, { type: 'status', status: 'queued' });
    try {
      await this.deps.queue.enqueue(row!.id, { owner, maxWaiting });
    } catch (err) {
      // Lost the race for the last place in the lane: the run was never accepted.
      if (err instanceof QueueFullError) await this.db.delete(executions).where(eq(executions.id, row!.id));
      throw err;
    }
    return row!;
  }

  /** The row if `user` may see it: its owner, or anyone for anonymous runs (the id is the key). */
  async get(id: string, user: AuthUser | null): Promise<ExecutionRow> {
    const [row] = await this.db.select().from(executions).where(eq(executions.id, id));
    if (!row || (row.userId !== null && row.userId !== user?.id)) throw notFound('execution');
    return row;
  }

  /**
   * A page of the user's executions, without their artifacts (`artifacts: null`): up to 8 MiB of
   * output files each would make a page of 100 weigh most of a gigabyte; GET /execute/{id} has them.
   */
  async list(user: AuthUser, page: number, limit: number) {
    const where = eq(executions.userId, user.id);
    const { artifacts: _left, ...columns } = getTableColumns(executions);
    const [rows, [total]] = await Promise.all([
      this.db
        .select({ ...columns, artifacts: sql<null>`null` })
        .from(executions).where(where).orderBy(desc(executions.createdAt)).limit(limit).offset((page - 1) * limit),
      this.db.select({ n: count() }).from(executions).where(where),
    ]);
    const n = Number(total?.n ?? 0);
    return { rows, pagination: { total: n, page, limit, pages: Math.ceil(n / limit) } };
  }

  async queuePosition(id: string): Promise<number | null> {
    return this.deps.queue.position(id);
  }

  /** Resolves with the row once it is final, or as it is after `timeoutMs`. */
  async waitForFinal(id: string, timeoutMs: number): Promise<ExecutionRow> {
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    // The final row when the `complete` event carries it (cluster mode, small rows: rowForEvent).
    let carried: string | undefined;
    const unsubscribe = await this.deps.bus.subscribe(id, (e) => {
      if (e.type === 'complete' && e.row) carried = e.row;
      if (e.type === 'complete' || e.type === 'error') done();
    });
    try {
      // The bus's history says whether it already ended (cheaper than the database); only when
      // the history has expired (an old execution) is the row read.
      const history = await this.deps.bus.history(id);
      for (const e of history) if (e.type === 'complete' && e.row) carried = e.row;
      const ended = history.length
        ? history.some((e) => e.type === 'complete' || e.type === 'error')
        : await this.db
            .select({ status: executions.status })
            .from(executions)
            .where(eq(executions.id, id))
            .then(([now]) => !now || isFinal(now.status));
      if (!ended) {
        const timer = setTimeout(done, timeoutMs);
        await finished;
        clearTimeout(timer);
      }
      const cached = this.recentlyFinished.get(id) ?? (carried === undefined ? undefined : decodeRow(carried));
      if (cached) return cached;
      const [row] = await this.db.select().from(executions).where(eq(executions.id, id));
      return row!;
    } finally {
      await unsubscribe();
    }
  }

  /**
   * Cancels a waiting or running execution. A waiting one is removed from the queue and ended
   * here; a running one is asked to stop wherever it runs, and this waits (briefly) until its
   * sandbox is gone and the row says so.
   */
  async cancel(id: string, user: AuthUser | null): Promise<ExecutionRow> {
    const row = await this.get(id, user);
    if (isFinal(row.status)) {
      throw new CallerError(HttpCodes.notCancellable, `execution is already ${row.status}`, { status: row.status });
    }
    if (row.status === 'queued') {
      await this.deps.queue.remove(id);
      const [ended] = await this.db
        .update(executions)
        .set({ status: 'cancelled', completedAt: new Date(), leaseUntil: null })
        .where(and(eq(executions.id, id), eq(executions.status, 'queued')))
        .returning();
      if (ended) {
        await this.finish(ended);
        return ended;
      }
    }
    const final = this.waitForFinal(id, 10_000);
    await this.deps.bus.requestCancel(id);
    return final;
  }

  /** Runs one job: claim the row (with a lease), run it, store the result, announce it. */
  async process(id: string, ctx: JobContext): Promise<void> {
    const { db, bus, engine, config } = this.deps;
    const leaseMs = config.EXECUTION_LEASE_MS;
    // Registered before the claim, so that a cancel arriving meanwhile is not lost.
    const local = new AbortController();
    this.running.set(id, local);
    const now = Date.now();
    const pre = this.claimed.get(id);
    this.claimed.delete(id);
    // Stored already claimed by create() (the embedded fast path): nothing to claim.
    const [row] = pre && pre.workerId === ctx.workerId ? [pre] : await this.statements.claim.execute({
      id,
      workerId: ctx.workerId,
      startedAt: new Date(now).toISOString(),
      leaseUntil: new Date(now + leaseMs).toISOString(),
      now: new Date(now).toISOString(),
    });
    if (!row) {
      this.running.delete(id);
      return; // cancelled, finished, or still leased by a live worker
    }
    // Fenced by the attempt: should this worker lose the run (cut off, its lease taken over), what
    // it still publishes once the network is back is dropped, not mixed into the re-run's stream.
    const fence = row.attempts;
    // Not awaited (issue 15 item 4: in cluster mode a Redis round trip before every run): the
    // output events and the final ones follow it on the same connection, so the order holds; a
    // failed publish loses only this live status, as for output (the row says `running`).
    void bus.publish(id, { type: 'status', status: 'running' }, { fence }).catch(() => undefined);
    const renew = setInterval(() => {
      void db
        .update(executions)
        .set({ leaseUntil: new Date(Date.now() + leaseMs) })
        .where(and(eq(executions.id, id), eq(executions.workerId, ctx.workerId)))
        .catch(() => undefined);
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    const req = row.request as StoredRequest;
    let update: Partial<ExecutionRow> = {};
    let finished: ResultColumns | null = null;
    // One decoder per stream: a multi-byte character split across two chunks must not become
    // two replacement characters in the live view (the stored result is decoded whole).
    const outDecoder = new StringDecoder('utf8');
    const errDecoder = new StringDecoder('utf8');
    const emit = (stream: 'stdout' | 'stderr', data: string): void => {
      if (data) void bus.publish(id, { type: 'output', stream, data }, { fence }).catch(() => undefined);
    };
    let live: Awaited<ReturnType<typeof followInput>> | null = null;
    try {
      // Interactive: stdin comes live from the bus (live-stdin.ts), after the stored stdin.
      if (req.interactive) live = await followInput(bus, id, row.stdin);
      const result = await engine.run({
        ...runRequestOf(row, req, AbortSignal.any([ctx.signal, local.signal])),
        onStdout: (c) => emit('stdout', outDecoder.write(c)),
        onStderr: (c) => emit('stderr', errDecoder.write(c)),
        ...(live ? { input: live.input, ...(req.interactive?.tty ? { tty: req.interactive.tty } : {}) } : {}),
      });
      emit('stdout', outDecoder.end());
      emit('stderr', errDecoder.end());
      // Judge0's number_of_runs (repeat.ts): the repeats run quietly, on the same request.
      const again = () => engine.run(runRequestOf(row, req, AbortSignal.any([ctx.signal, local.signal])));
      finished = resultColumns(req.repeat ? await repeatRuns(result, req.repeat, again) : result);
    } catch (err) {
      const why = jobAbortReason(ctx.signal);
      if (err instanceof MuscodeError && err.code === ErrorCodes.cancelled && !local.signal.aborted && why !== 'cancelled') {
        // Not a user's cancel: this process is shutting down. Hand the run back; the reconciler
        // (here after a restart, or on any API replica) queues it again.
        clearInterval(renew);
        this.running.delete(id);
        const [back] = await db
          .update(executions)
          .set({ status: 'queued', workerId: null, leaseUntil: null, startedAt: null })
          .where(and(eq(executions.id, id), eq(executions.workerId, ctx.workerId), eq(executions.status, 'running')))
          .returning({ id: executions.id });
        if (back) await bus.publish(id, { type: 'status', status: 'queued' }).catch(() => undefined);
        return;
      }
      // A stopped run keeps what the host measured until the stop (CPU, wall, memory).
      if (err instanceof MuscodeError && err.code === ErrorCodes.cancelled) update = { status: 'cancelled', ...runFiguresOfCancel(err) };
      else update = { status: 'failed', verdict: 'internal_error', failureReason: err instanceof MuscodeError ? err.code : 'internal' };
    } finally {
      clearInterval(renew);
      this.running.delete(id);
      await live?.stop().catch(() => undefined);
    }
    // A finished run (the common path) through the prepared statement; cancel/failure by hand.
    const [ended] = finished
      ? await this.statements.complete.execute({
          ...finished,
          compile: finished.compile === null ? null : JSON.stringify(finished.compile),
          artifacts: finished.artifacts === null ? null : JSON.stringify(finished.artifacts),
          completedAt: new Date().toISOString(),
          id,
          workerId: ctx.workerId,
        })
      : await db
          .update(executions)
          .set({ ...update, completedAt: new Date(), leaseUntil: null })
          .where(and(eq(executions.id, id), eq(executions.workerId, ctx.workerId), eq(executions.status, 'running')))
          .returning();
    if (ended) await this.finish(ended);
  }

  /**
   * Cluster mode: the final row, as the `complete` event's `row`, when it is at most
   * ROW_IN_EVENT_MAX characters encoded (a hello: about 1 KiB), so that the API replica waiting
   * for it (`waitForFinal`) answers without reading it back. It is the row the completion
   * statement returned, i.e. what is committed; the database stays the record (a waiter that
   * missed the event, or a bigger row, reads it there).
   */
  private rowForEvent(row: ExecutionRow): { row?: string } {
    if (this.deps.config.mode !== 'cluster' || row.artifacts !== null) return {};
    const bytes = (row.stdout?.length ?? 0) + (row.stderr?.length ?? 0) + (row.stdin?.length ?? 0);
    if (bytes > ROW_IN_EVENT_MAX / 2) return {};
    const text = encodeRow(row);
    return text.length <= ROW_IN_EVENT_MAX ? { row: text } : {};
  }

  /** Announces a final row (status + complete events, metrics). */
  async finish(row: ExecutionRow): Promise<void> {
    this.recentlyFinished.set(row.id, row);
    setTimeout(() => this.recentlyFinished.delete(row.id), 5_000).unref();
    // Sent together, not one after the other (issue 15 item 4: in cluster mode each is a Redis
    // round trip): the order holds, because both buses apply publishes in call order (the memory
    // bus synchronously, the Redis bus as commands on one connection, answered in order).
    const { bus } = this.deps;
    await Promise.all([
      bus.publish(row.id, { type: 'status', status: row.status }),
      // Issue 12: a run that failed for a system reason also says so as `execution:error` (the first seed's event).
      row.status === 'failed' ? bus.publish(row.id, { type: 'error', code: ErrorCodes.internal, message: `the run failed: ${row.failureReason ?? 'internal'}` }) : null,
      bus.publish(row.id, { type: 'complete', ...this.rowForEvent(row) }),
    ]);
    this.deps.onFinished?.(row);
  }

  /**
   * Sends live input to an interactive execution (the owner's socket; for an anonymous run, as
   * for reading it, whoever holds its id). Refused for someone else's execution (NOT_FOUND, as
   * reading it), one not started with `interactive: true`, or one that has ended.
   */
  async sendInput(id: string, user: AuthUser | null, item: LiveInputItem): Promise<void> {
    checkInputItem(item);
    const row = await this.get(id, user);
    if (!(row.request as StoredRequest).interactive) throw new CallerError(ErrorCodes.notInteractive, 'this execution was not started with interactive: true');
    if (isFinal(row.status)) throw new CallerError(ErrorCodes.executionEnded, `execution is already ${row.status}`, { status: row.status });
    await this.deps.bus.publish(id, inputEvent(item));
  }

  /** Marks rows failed whose worker is gone for good (used by the reconciler and queue hooks). */
  async failLost(ids: string[], reason = 'worker_lost'): Promise<void> {
    if (!ids.length) return;
    const rows = await this.db
      .update(executions)
      .set({ status: 'failed', verdict: 'internal_error', failureReason: reason, completedAt: new Date(), leaseUntil: null })
      .where(and(inArray(executions.id, ids), inArray(executions.status, ['queued', 'running'])))
      .returning();
    for (const r of rows) await this.finish(r);
  }
}

/** The largest final row (encoded) that travels in the `complete` event: see rowForEvent. */
const ROW_IN_EVENT_MAX = 64 * 1024;
const ROW_BUFFERS = ['stdin', 'stdout', 'stderr'] as const;
const ROW_DATES = ['leaseUntil', 'createdAt', 'startedAt', 'completedAt'] as const;

/** A row as JSON text: its byte columns base64, its times ISO 8601 (decodeRow reverses it). */
export function encodeRow(row: ExecutionRow): string {
  const out: Record<string, unknown> = { ...row };
  for (const k of ROW_BUFFERS) out[k] = row[k] === null ? null : row[k].toString('base64');
  for (const k of ROW_DATES) out[k] = row[k] === null ? null : row[k].toISOString();
  return JSON.stringify(out);
}

export function decodeRow(text: string): ExecutionRow {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const k of ROW_BUFFERS) raw[k] = raw[k] === null ? null : Buffer.from(raw[k] as string, 'base64');
  for (const k of ROW_DATES) raw[k] = raw[k] === null ? null : new Date(raw[k] as string);
  return raw as unknown as ExecutionRow;
}

type ResultColumns = Pick<
  ExecutionRow,
  | 'status'
  | 'verdict'
  | 'stdout'
  | 'stderr'
  | 'exitCode'
  | 'signal'
  | 'cpuMs'
  | 'wallMs'
  | 'memoryKb'
  | 'truncated'
  | 'compile'
  | 'artifacts'
  | 'compilationError'
  | 'failureReason'
>;

/** The engine request of a stored execution (without the output callbacks). */
function runRequestOf(row: ExecutionRow, req: StoredRequest, signal: AbortSignal): Parameters<EngineClient['run']>[0] {
  return {
    language: row.language,
    files: req.files,
    mainFile: req.mainFile,
    stdin: row.stdin ?? Buffer.alloc(0),
    args: req.args,
    ...(req.compileOptions ? { compileOptions: req.compileOptions } : {}),
    limits: req.limits,
    outputFiles: req.outputFiles,
    timeline: req.timeline,
    signal,
  };
}

function resultColumns(result: RunResult): ResultColumns {
  const decisive: StageResult = result.run ?? result.compile!;
  const verdict = decisive.status;
  const status = verdict === 'time_limit' ? 'timeout' : verdict === 'internal_error' ? 'failed' : 'completed';
  const compile = result.compile;
  return {
    status,
    verdict,
    stdout: result.run?.stdout ?? Buffer.alloc(0),
    stderr: result.run?.stderr ?? Buffer.alloc(0),
    exitCode: result.run?.exitCode ?? null,
    signal: result.run?.signal ?? null,
    cpuMs: result.run?.cpuMs ?? null,
    wallMs: result.run?.wallMs ?? null,
    memoryKb: result.run?.memoryKb ?? null,
    truncated: result.run?.truncated ?? false,
    // Stored as the engine's JSON stage with its output base64-encoded (it may not be UTF-8).
    compile: compile
      ? { ...stageToJson(compile), stdout: compile.stdout.toString('base64'), stderr: compile.stderr.toString('base64'), cached: compile.cached ?? false }
      : null,
    artifacts: artifactsOf(result),
    compilationError: compile && compile.status !== 'ok' ? Buffer.concat([compile.stdout, compile.stderr]).toString('utf8') : null,
    failureReason: verdict === 'internal_error' ? (decisive.message ?? 'internal') : null,
  };
}

/** The run's artifacts as stored: null when nothing was asked (the engine leaves the fields out). */
function artifactsOf(result: RunResult): StoredArtifacts | null {
  const out: StoredArtifacts = {};
  if (result.outputFiles) out.outputFiles = result.outputFiles.map((f) => ({ name: f.name, size: f.size, type: f.type, content: f.content.toString('base64') }));
  if (result.refusedOutputFiles) out.refusedOutputFiles = result.refusedOutputFiles;
  if (result.run?.timeline) out.timeline = result.run.timeline;
  return Object.keys(out).length ? out : null;
}
