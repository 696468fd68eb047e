import { CallerError, ErrorCodes } from '../errors.js';

/**
 * The execution queue. The executions row is the source of truth and the job id is the
 * execution id: the queue only carries ids, so a lost queue loses nothing the reconciler cannot
 * rebuild from the table.
 */
export interface ExecutionQueue {
  readonly kind: 'embedded' | 'bullmq';
  /**
   * Adds a job for `opts.owner` (default SYSTEM_OWNER). An id the queue already holds is not
   * added twice. With `opts.maxWaiting`, refuses (QueueFullError) when the owner already has
   * that many jobs waiting; only new runs pass it (the reconciler re-queues accepted rows).
   */
  enqueue(executionId: string, opts?: EnqueueOptions): Promise<void>;
  /**
   * 1-based position among waiting jobs, or null when not waiting. With per-owner lanes this is
   * an estimate: the jobs that the round-robin serves first, assuming no one else enqueues.
   */
  position(executionId: string): Promise<number | null>;
  /** Jobs `owner` has waiting (not running). */
  waitingFor(owner: string): Promise<number>;
  /**
   * Repairs state derived from the jobs (BullMQ: per-owner counts, jobs left half-moved by a
   * process that died) and lets through jobs a lost completion event held back. The reconciler
   * calls it on every pass; embedded mode has nothing to repair.
   */
  repair(): Promise<void>;
  /** Waiting + active jobs. */
  depth(): Promise<{ waiting: number; active: number }>;
  /** Whether the queue holds the job (waiting, delayed or active). */
  has(executionId: string): Promise<boolean>;
  /** Removes a waiting job; returns false when it is not waiting (running or gone). */
  remove(executionId: string): Promise<boolean>;
  close(): Promise<void>;
  /**
   * Embedded only (issue 15): a slot for a job of `owner` that would start at once (a slot is
   * free, nothing waits, the owner is under its cap), taken now, synchronously; null otherwise.
   * The caller stores its row already claimed by `workerId` and then calls `start` (or `release`
   * if storing failed), so the run costs no separate claim statement. BullMQ has none: there the
   * job goes through Redis to a worker of another process, which must claim the row.
   */
  reserve?(owner: QueueOwner): SlotReservation | null;
}

export interface SlotReservation {
  /** The worker id the job will run as (the row's `worker_id`). */
  readonly workerId: string;
  /** Starts the job in the reserved slot; false when the consumer closed meanwhile (slot freed). */
  start(executionId: string): boolean;
  /** Gives the slot back unused. */
  release(): void;
}

/**
 * Who a job counts for, for the per-owner caps and the round-robin: `u:<user id>`,
 * `ip:<address>` for anonymous callers (the rate limiter's identity), `sys:<name>` for jobs
 * the platform starts itself. Each owner is one lane.
 */
export type QueueOwner = string;

/** Jobs enqueued without an owner: the platform's own. */
export const SYSTEM_OWNER: QueueOwner = 'sys:internal';

/** Anonymous runs whose caller's address is not known (re-queued by the reconciler after a restart). */
export const ANONYMOUS_OWNER: QueueOwner = 'ip:unknown';

/** The owner of a run created by `user` (null: anonymous, keyed by `ip`; neither: the system). */
export function ownerOf(userId: string | null | undefined, ip?: string | null): QueueOwner {
  if (userId) return `u:${userId}`;
  if (ip) return `ip:${ip}`;
  return SYSTEM_OWNER;
}

export interface EnqueueOptions {
  owner?: QueueOwner;
  /** Refuse when the owner already has this many jobs waiting (0 or absent: no limit). */
  maxWaiting?: number;
}

/** The per-owner caps, the same in both modes. 0: no cap. */
export interface FairnessOptions {
  /** Jobs of one owner running (BullMQ: handed to BullMQ) at once. A hard cap: see docs/queue-and-realtime.md. */
  perOwnerRunning?: number;
}

/** The owner already has `max` jobs waiting. */
export class QueueFullError extends CallerError {
  constructor(waiting: number, max: number) {
    super(
      ErrorCodes.queueFull,
      `you already have ${waiting} runs waiting in the queue (the limit is ${max}); wait for one to start, or cancel one`,
      { waiting, max },
    );
  }
}

export interface JobContext {
  /** Aborted when the execution is cancelled or the process shuts down. */
  signal: AbortSignal;
  workerId: string;
}

export type JobHandler = (executionId: string, ctx: JobContext) => Promise<void>;

/** Takes jobs and runs the handler, `concurrency` at a time. */
export interface ExecutionConsumer {
  start(handler: JobHandler): void;
  /** Stops taking jobs; waits for running ones (graceful) or aborts them (`abort: true`). */
  close(opts?: { abort?: boolean }): Promise<void>;
}

/**
 * Why a job's signal was aborted (the signal's `reason`): the execution was cancelled, the
 * process is shutting down (`close({ abort: true })`), or the worker lost the job's lock (BullMQ
 * may already have handed the job to another worker, so this run must stop).
 */
export type JobAbortReason = 'cancelled' | 'shutdown' | 'lock_lost';

export class JobAbortedError extends Error {
  constructor(readonly reason: JobAbortReason) {
    super(`job aborted: ${reason}`);
    this.name = 'JobAbortedError';
  }
}

/** The reason a job signal was aborted with, or null when it is not aborted (or by something else). */
export function jobAbortReason(signal: AbortSignal): JobAbortReason | null {
  return signal.aborted && signal.reason instanceof JobAbortedError ? signal.reason.reason : null;
}

/**
 * Ids of recent cancel requests for jobs this process was not running: a request can arrive a
 * moment before the job reaches the handler (it was taken from the queue just as the client
 * cancelled). Entries expire after `ttlMs`; the set is bounded.
 */
export class RecentIds {
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly max = 10_000,
  ) {}

  add(id: string): void {
    const now = Date.now();
    for (const [k, t] of this.ids) {
      // Insertion order is time order: stop at the first live entry.
      if (now - t < this.ttlMs && this.ids.size < this.max) break;
      this.ids.delete(k);
    }
    this.ids.delete(id);
    this.ids.set(id, now);
  }

  /** Whether `id` was added within the ttl; forgets it. */
  take(id: string): boolean {
    const t = this.ids.get(id);
    if (t === undefined) return false;
    this.ids.delete(id);
    return Date.now() - t < this.ttlMs;
  }
}
