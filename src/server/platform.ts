import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import { ContestService } from '../arena/contests/service.js';
import { CompileChecks, isCompileJob } from '../arena/service/compile-check.js';
import { PackageCache } from '../arena/service/package-store.js';
import { LeaderboardService, MemoryTopCache, RedisTopCache } from '../arena/duels/leaderboard.js';
import { MemoryQueueStore, RedisQueueStore } from '../arena/duels/queue-store.js';
import { DuelService } from '../arena/duels/service.js';
import { matchBusKey } from '../realtime/match-subscriptions.js';
import { ProblemService } from '../arena/service/problems.js';
import { importShippedProblems, type ShippedImport } from '../arena/service/shipped.js';
import { isSubmissionJob, SubmissionService } from '../arena/service/submissions.js';
import type { Config } from '../config/config.js';
import { type Database, embeddedDbDir, migrate, openDatabase } from '../db/client.js';
import type { EngineClient } from '../engine/client.js';
import { ExecutionService } from '../executions/service.js';
import { QuotaService } from '../guards/quotas.js';
import { createBullmqQueue } from '../queue/bullmq-queue.js';
import { createEmbeddedQueue } from '../queue/embedded-queue.js';
import type { ExecutionConsumer, ExecutionQueue } from '../queue/queue.js';
import { Reconciler } from '../queue/reconciler.js';
import { ClusterEngineView, WorkerHeartbeat } from '../queue/worker-registry.js';
import type { OutputBus } from '../realtime/bus.js';
import { MemoryBus } from '../realtime/memory-bus.js';
import { RedisBus } from '../realtime/redis-bus.js';
import { Metrics } from '../system/metrics.js';
import type { AppContext } from './context.js';
import { loadSecrets } from './secrets.js';

export const QUEUE_NAME = 'executions';

export interface Platform {
  ctx: AppContext;
  consumer: ExecutionConsumer | null;
  reconciler: Reconciler | null;
  /** API role: what the startup import of ARENA_PROBLEMS_DIR did (empty when off). */
  shippedProblems: ShippedImport[];
  /** Stops taking work, finishes (or aborts) running jobs, closes every connection. */
  close(opts?: { abort?: boolean }): Promise<void>;
}

export interface PlatformOptions {
  /** api: serves HTTP (and, embedded, runs jobs); worker: runs jobs only (cluster mode). */
  role: 'api' | 'worker';
  /** The engine (local or over the supervisor channel); required where jobs run. */
  engine?: EngineClient;
  /** Embedded-mode database directory; "memory://" in tests. Defaults to DATA_DIR/db. */
  pgliteDir?: string;
  /** Run the reconciler in this process (default: api role). */
  reconcile?: boolean;
  /** Embedded mode: how long to wait for the database directory's lock (see src/db/data-dir-lock.ts). */
  dbLockWaitMs?: number;
}

/**
 * Wires drivers by mode, once: embedded = PGlite + in-process queue + memory bus, and this
 * process runs the jobs; cluster = PostgreSQL + BullMQ + Redis bus, and `worker` processes run
 * the jobs. Nothing else in the code base branches on the mode.
 */
export async function createPlatform(config: Config, opts: PlatformOptions): Promise<Platform> {
  const instanceId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const cluster = config.mode === 'cluster';
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const database: Database = await openDatabase(
      cluster ? { url: config.DATABASE_URL } : { pgliteDir: opts.pgliteDir ?? embeddedDbDir(config.DATA_DIR), lockWaitMs: opts.dbLockWaitMs },
    );
    closers.push(() => database.close());
    await migrate(database);

    let bus: OutputBus;
    let queue: ExecutionQueue;
    let consumer: ExecutionConsumer | null = null;
    let redis: Redis | undefined;
    let engine: EngineClient;
    let heartbeat: WorkerHeartbeat | null = null;
    const runsJobs = !cluster || opts.role === 'worker';
    if (runsJobs && !opts.engine) throw new Error(`the ${opts.role} role needs an engine`);

    if (cluster) {
      const prefix = config.REDIS_KEY_PREFIX;
      redis = new Redis(config.REDIS_URL!, { maxRetriesPerRequest: 3 });
      // Reconnects by itself; commands report their own failures (an 'error' event without a
      // listener is printed on every reconnect attempt while Redis is down).
      redis.on('error', () => undefined);
      closers.push(() => redis!.quit());
      bus = new RedisBus({ url: config.REDIS_URL!, keyPrefix: prefix });
      closers.push(() => bus.close());
      let failLost: (id: string, reason: string) => void = () => undefined;
      const q = createBullmqQueue({
        redisUrl: config.REDIS_URL!,
        queueName: QUEUE_NAME,
        prefix: `${prefix}:bull`,
        concurrency: config.SANDBOX_SLOTS,
        perOwnerRunning: config.QUEUE_USER_RUNNING_MAX,
        lockDurationMs: config.QUEUE_LOCK_DURATION_MS,
        stalledIntervalMs: config.QUEUE_STALLED_INTERVAL_MS,
        workerId: instanceId,
        bus,
        onFailed: (id, reason) => failLost(id, reason),
      });
      queue = q.queue;
      closers.push(() => queue.close());
      if (opts.role === 'worker') {
        consumer = q.consumer();
        engine = opts.engine!;
        heartbeat = new WorkerHeartbeat(redis, prefix, instanceId, engine);
        await heartbeat.start();
      } else {
        engine = new ClusterEngineView(redis, prefix, config);
      }
      const ctx = await finishContext();
      // A lost submission job is left to the reconciler (its lease expires, it is re-queued).
      failLost = (id, reason) => {
        // The database may be what failed (restarting): then the row keeps its lease, which
        // expires, and the reconciler re-queues it. An unhandled rejection here killed the worker.
        if (!isSubmissionJob(id) && !isCompileJob(id)) void ctx.executions.failLost([id], reason === 'stalled' ? 'worker_lost' : reason).catch(() => undefined);
      };
      return done(ctx);
    }

    bus = new MemoryBus();
    closers.push(() => bus.close());
    const q = createEmbeddedQueue({ concurrency: config.SANDBOX_SLOTS, perOwnerRunning: config.QUEUE_USER_RUNNING_MAX, bus });
    queue = q.queue;
    consumer = q.consumer;
    closers.push(() => queue.close());
    engine = opts.engine!;
    return done(await finishContext());

    async function finishContext(): Promise<AppContext> {
      const ctx = {
        config,
        database,
        engine,
        queue,
        bus,
        secrets: loadSecrets(config),
        redis,
        instanceId,
      } as AppContext;
      // Guards and metrics (issue 3): quotas are taken just before a run is stored (anonymous
      // runs are not quota'd, only rate-limited by IP); every final row is counted.
      ctx.quotas = new QuotaService(database.db, config);
      ctx.metrics = new Metrics(queue);
      ctx.executions = new ExecutionService({
        db: database.db,
        engine,
        queue,
        bus,
        config,
        beforeCreate: async (user) => {
          if (user) await ctx.quotas.consumeExecution(user.id);
        },
        onFinished: (row) => ctx.metrics.recordFinished(row),
      });
      // The Arena: submissions share the executions queue (job ids `sub-<uuid>`).
      ctx.submissions = new SubmissionService({
        db: database.db,
        engine,
        queue,
        bus,
        config,
        packages: new PackageCache(database.db, config.ARENA_PACKAGE_CACHE),
        beforeCreate: (user) => ctx.quotas.consumeExecution(user.id),
        // Duels first (the first full AC wins the match), then the contest's live board.
        onFinal: async (row) => {
          await ctx.duels.onJudged(row).catch(() => undefined);
          await ctx.contests.onSubmissionFinal(row);
        },
      });
      // Duels: the queue is shared by every replica in cluster mode (Redis), in process otherwise.
      ctx.leaderboard = new LeaderboardService(
        database,
        redis ? new RedisTopCache(redis, config.REDIS_KEY_PREFIX) : new MemoryTopCache(),
        config.LEADERBOARD_TOP_SIZE,
      );
      ctx.duels = new DuelService({
        database,
        config,
        store: redis ? new RedisQueueStore(redis, config.REDIS_KEY_PREFIX) : new MemoryQueueStore(),
        onRatingsChanged: () => ctx.leaderboard.invalidate(),
        // The periodic check of rated contests rides on the matchmaking tick (no second loop).
        afterTick: () => ctx.contests.applyDueRatings().then(() => undefined),
        emit: async (e) => void (await bus.publish(matchBusKey(e.matchId), { type: 'match', event: e.type })),
      });
      ctx.compileChecks = new CompileChecks({ db: database.db, engine, engineRuns: runsJobs, queue, bus });
      ctx.problems = new ProblemService({
        db: database.db,
        engine,
        config,
        compileChecks: ctx.compileChecks,
        enqueueVerify: (caller, problem, programs) => ctx.submissions.enqueueVerify(caller, problem, programs),
      });
      ctx.contests = new ContestService({ db: database.db, bus, problems: ctx.problems, submissions: ctx.submissions, onRatingsChanged: () => ctx.leaderboard.invalidate() });
      return ctx;
    }

    async function done(ctx: AppContext): Promise<Platform> {
      if (consumer) {
        await ctx.executions.listenForCancels();
        await ctx.submissions.listenForCancels();
        consumer.start((id, jobCtx) =>
          isSubmissionJob(id) ? ctx.submissions.process(id, jobCtx) : isCompileJob(id) ? ctx.compileChecks.process(id, jobCtx) : ctx.executions.process(id, jobCtx),
        );
      }
      const shippedProblems = opts.role === 'api' && config.ARENA_IMPORT_SHIPPED ? await importShippedProblems(ctx.problems, config.ARENA_PROBLEMS_DIR) : [];
      const reconciler = opts.reconcile ?? opts.role === 'api' ? new Reconciler(ctx, config.RECONCILE_INTERVAL_MS) : null;
      reconciler?.start();
      // Matchmaking and the daily snapshot run where the API runs (several replicas: the tick
      // lock and the snapshot's unique date keep it single).
      if (opts.role === 'api') {
        ctx.duels.start();
        ctx.leaderboard.startSnapshots();
      }
      return {
        ctx,
        consumer,
        reconciler,
        shippedProblems,
        async close(closeOpts) {
          reconciler?.stop();
          await ctx.duels.stop();
          ctx.leaderboard.stopSnapshots();
          await consumer?.close(closeOpts);
          await heartbeat?.stop();
          for (const c of closers.reverse()) await c().catch(() => undefined);
        },
      };
    }
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
