/**
 * The execution queue. The executions row is the source of truth and the job id is the
 * execution id: the queue only carries ids, so a lost queue loses nothing the reconciler cannot
 * rebuild from the table.
 */
export interface ExecutionQueue {
  readonly kind: 'embedded' | 'bullmq';
  enqueue(executionId: string): Promise<void>;
  /** 1-based position among waiting jobs, or null when not waiting. */
  position(executionId: string): Promise<number | null>;
  /** Waiting + active jobs. */
  depth(): Promise<{ waiting: number; active: number }>;
  /** Whether the queue holds the job (waiting, delayed or active). */
  has(executionId: string): Promise<boolean>;
  /** Removes a waiting job; returns false when it is not waiting (running or gone). */
  remove(executionId: string): Promise<boolean>;
  close(): Promise<void>;
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
