import { type Job, Queue, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { OutputBus } from '../realtime/bus.js';
import { FairGate } from './bullmq-fair.js';
import {
  type EnqueueOptions,
  type ExecutionConsumer,
  type ExecutionQueue,
  type FairnessOptions,
  JobAbortedError,
  type JobHandler,
  type QueueOwner,
  QueueFullError,
  RecentIds,
  SYSTEM_OWNER,
} from './queue.js';

export interface BullmqQueueOptions extends FairnessOptions {
  redisUrl: string;
  queueName: string;
  /** Handlers running at once in this worker process. */
  concurrency: number;
  /** A worker that stops renewing a job's lock for this long has lost the job. */
  lockDurationMs: number;
  /** How often this worker looks for stalled jobs (whose worker died). */
  stalledIntervalMs: number;
  workerId: string;
  /**
   * How many times a job may stall (its worker died) and be handed to another worker; one more
   * stall fails it, and onFailed reports it with `stalled: true`. Default 1.
   */
  maxStalledCount?: number;
  /**
   * A job picked for BullMQ but not added this long after was left by a process that died
   * mid-move; repair() forgets it. Default 30 s (tests use 0).
   */
  staleMoveMs?: number;
  /** BullMQ key prefix. Default 'muscode:bull'. */
  prefix?: string;
  /** Cancel requests on this bus abort the matching running job in this process. */
  bus?: OutputBus;
  /**
   * BullMQ failed a job this process was consuming: the handler threw ('handler_error'; jobs are
   * not retried), or the job stalled more than maxStalledCount times ('stalled': its workers died;
   * the service marks the row failed/worker_lost). `message` is BullMQ's or the handler's error
   * message. Only called in processes that consume.
   */
  onFailed?: (executionId: string, reason: BullmqFailureReason, info: { message: string }) => void;
  /** A job's worker died and BullMQ put the job back in the queue; another worker will run it. */
  onStalled?: (executionId: string) => void;
  /** Connection or BullMQ errors that belong to no job. */
  onError?: (err: unknown) => void;
  /** Extra ioredis options for every connection. */
  redis?: RedisOptions;
}

export type BullmqFailureReason = 'stalled' | 'handler_error';

const JOB_NAME = 'execution';

/** What a job carries: only its owner (the executions row holds the rest). */
interface JobData {
  owner?: QueueOwner;
}

/** BullMQ pushes new jobs at the head of the wait list and workers take from the tail. */
const POSITION_SCRIPT = `
local i = redis.call('LPOS', KEYS[1], ARGV[1])
if not i then return -1 end
return redis.call('LLEN', KEYS[1]) - i
`;

type PositionCommand = (waitKey: string, jobId: string) => Promise<number>;

/**
 * The cluster-mode queue. The job id is the execution id and the job carries only its owner:
 * the executions row is the source of truth, so jobs are removed as soon as they finish and a
 * lost Redis loses nothing the reconciler cannot rebuild. New jobs pass through the per-owner
 * lanes of FairGate (src/queue/bullmq-fair.ts) on their way into BullMQ.
 */
export class BullmqQueue implements ExecutionQueue {
  readonly kind = 'bullmq' as const;
  readonly bull: Queue;
  readonly gate: FairGate;
  private readonly connection: Redis;
  private readonly positionCommand: PositionCommand;

  constructor(opts: BullmqQueueOptions) {
    this.connection = new Redis(opts.redisUrl, { ...opts.redis, connectionName: `muscode-queue-${opts.workerId}` });
    this.connection.on('error', () => {});
    this.connection.defineCommand('muscodeQueuePosition', { numberOfKeys: 1, lua: POSITION_SCRIPT });
    this.positionCommand = (this.connection as unknown as Record<string, PositionCommand>)['muscodeQueuePosition']!.bind(
      this.connection,
    );
    this.bull = new Queue(opts.queueName, {
      connection: this.connection,
      prefix: opts.prefix ?? 'muscode:bull',
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    });
    this.bull.on('error', (err) => opts.onError?.(err));
    this.gate = new FairGate(
      this.connection,
      { jobBase: this.bull.toKey(''), active: this.bull.keys.active!, wait: this.bull.keys.wait! },
      opts.perOwnerRunning ?? 0,
      // BullMQ ignores an add whose job id it already holds, so a repeated hand-over is harmless.
      async (jobs) => void (await this.bull.addBulk(jobs.map((j) => ({ name: JOB_NAME, data: { owner: j.owner } satisfies JobData, opts: { jobId: j.id } })))),
      opts.staleMoveMs,
    );
  }

  async enqueue(executionId: string, opts: EnqueueOptions = {}): Promise<void> {
    // The gate ignores an id it or BullMQ already holds, so the reconciler may re-enqueue freely.
    const r = await this.gate.enqueue(executionId, opts.owner ?? SYSTEM_OWNER, opts.maxWaiting ?? 0);
    if (r.full) throw new QueueFullError(r.waiting, opts.maxWaiting!);
  }

  async position(executionId: string): Promise<number | null> {
    const pending = await this.gate.position(executionId);
    if (pending !== null) return pending;
    const p = Number(await this.positionCommand(this.bull.keys.wait!, executionId));
    return p > 0 ? p : null;
  }

  async waitingFor(owner: QueueOwner): Promise<number> {
    return this.gate.waitingFor(owner);
  }

  async depth(): Promise<{ waiting: number; active: number }> {
    const [c, pending] = await Promise.all([this.bull.getJobCounts('wait', 'paused', 'prioritized', 'delayed', 'active'), this.gate.pending()]);
    return { waiting: pending + (c.wait ?? 0) + (c.paused ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0 };
  }

  async has(executionId: string): Promise<boolean> {
    if (await this.gate.holds(executionId)) return true;
    const state = await this.bull.getJobState(executionId);
    return state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children';
  }

  async remove(executionId: string): Promise<boolean> {
    if (await this.gate.remove(executionId)) return true;
    const job = await this.bull.getJob(executionId);
    const state = job ? await job.getState() : 'unknown';
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    // BullMQ refuses to remove a locked job, so a job taken by a worker since the check stays.
    if ((await this.bull.remove(executionId)) !== 1) return false;
    // Its place in BullMQ is free: the owner's next job may go.
    await this.gate.promote((job!.data as JobData).owner ?? SYSTEM_OWNER);
    return true;
  }

  /** A job of `owner` left BullMQ (ended): hand over its next one. */
  async released(owner: QueueOwner | undefined): Promise<void> {
    await this.gate.promote(owner ?? SYSTEM_OWNER);
  }

  async repair(): Promise<void> {
    await this.gate.repair();
  }

  async close(): Promise<void> {
    await this.bull.close();
    await quit(this.connection);
  }
}

/** Connects on start(): API processes only enqueue, `muscode worker` processes consume. */
export class BullmqConsumer implements ExecutionConsumer {
  private worker: Worker | null = null;
  private connection: Redis | null = null;
  private readonly running = new Map<string, AbortController>();
  private readonly recentCancels = new RecentIds();
  private cancelReady: Promise<void> = Promise.resolve();
  private closing = false;
  private repairTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly opts: BullmqQueueOptions,
    /** Hands an owner's next job to BullMQ when one of its jobs ends here. */
    private readonly queue: BullmqQueue,
  ) {}

  start(handler: JobHandler): void {
    if (this.worker) throw new Error('the consumer is already started');
    if (this.closing) throw new Error('the consumer is closed');
    const { opts } = this;
    if (opts.bus) {
      this.cancelReady = opts.bus.onCancel((id) => this.cancel(id)).catch((err: unknown) => opts.onError?.(err));
    }
    // Workers block on Redis and must retry forever rather than fail a command.
    this.connection = new Redis(opts.redisUrl, {
      ...opts.redis,
      maxRetriesPerRequest: null,
      connectionName: `muscode-worker-${opts.workerId}`,
    });
    this.connection.on('error', () => {});
    const worker = new Worker(
      opts.queueName,
      async (job: Job) => {
        const id = job.id!;
        const controller = new AbortController();
        if (this.recentCancels.take(id)) controller.abort(new JobAbortedError('cancelled'));
        this.running.set(id, controller);
        try {
          await handler(id, { signal: controller.signal, workerId: opts.workerId });
        } finally {
          this.running.delete(id);
        }
      },
      {
        connection: this.connection,
        prefix: opts.prefix ?? 'muscode:bull',
        name: opts.workerId,
        concurrency: opts.concurrency,
        lockDuration: opts.lockDurationMs,
        stalledInterval: opts.stalledIntervalMs,
        maxStalledCount: opts.maxStalledCount ?? 1,
      },
    );
    // A job left BullMQ: its owner is under the cap again. Should this process die before the
    // hand-over, the owner's count is still right (it is derived from the jobs), and the repair
    // below or the reconciler hands the job over.
    const released = (job: Job | undefined) => {
      if (job) void this.queue.released((job.data as JobData).owner).catch((err: unknown) => opts.onError?.(err));
    };
    worker.on('completed', (job) => released(job));
    worker.on('failed', (job, err) => {
      released(job);
      if (!job?.id) {
        opts.onError?.(err);
        return;
      }
      // A job past maxStalledCount goes back to wait with a deferred failure, and the next worker
      // to take it fails it without calling the processor.
      const stalled = Boolean(job.deferredFailure) || /stalled/i.test(err.message);
      opts.onFailed?.(job.id, stalled ? 'stalled' : 'handler_error', { message: err.message });
    });
    worker.on('stalled', (jobId) => opts.onStalled?.(jobId));
    // The lock could not be renewed: BullMQ may hand the job to another worker, so stop it here.
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const id of jobIds) this.running.get(id)?.abort(new JobAbortedError('lock_lost'));
    });
    worker.on('error', (err) => opts.onError?.(err));
    this.worker = worker;
    // Workers run even where no API replica (and so no reconciler) does.
    this.repairTimer = setInterval(() => void this.queue.repair().catch((err: unknown) => opts.onError?.(err)), opts.stalledIntervalMs);
    this.repairTimer.unref();
  }

  /** Resolves when the worker is connected and cancel requests reach this consumer. */
  async waitUntilReady(): Promise<void> {
    await Promise.all([this.worker?.waitUntilReady(), this.cancelReady]);
  }

  async close(opts: { abort?: boolean } = {}): Promise<void> {
    this.closing = true;
    if (this.repairTimer) clearInterval(this.repairTimer);
    if (opts.abort) for (const c of this.running.values()) c.abort(new JobAbortedError('shutdown'));
    // Waits for running handlers; the jobs then complete (and are removed) as usual.
    await this.worker?.close();
    if (this.connection) await quit(this.connection);
  }

  private cancel(executionId: string): void {
    const controller = this.running.get(executionId);
    if (controller) controller.abort(new JobAbortedError('cancelled'));
    // Every worker hears every cancel; remember it in case the job is about to start here.
    else if (!this.closing) this.recentCancels.add(executionId);
  }
}

/**
 * `consumer()` creates the consumer on first call (and returns the same one after): API
 * processes never call it, so they open no worker connection.
 */
export function createBullmqQueue(opts: BullmqQueueOptions): { queue: BullmqQueue; consumer: () => BullmqConsumer } {
  let consumer: BullmqConsumer | null = null;
  const queue = new BullmqQueue(opts);
  return { queue, consumer: () => (consumer ??= new BullmqConsumer(opts, queue)) };
}

async function quit(r: Redis): Promise<void> {
  if (r.status === 'ready') {
    try {
      await r.quit();
      return;
    } catch {
      // fall through
    }
  }
  r.disconnect();
}
