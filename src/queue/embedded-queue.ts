import type { OutputBus } from '../realtime/bus.js';
import { type ExecutionConsumer, type ExecutionQueue, JobAbortedError, type JobHandler, RecentIds } from './queue.js';

export interface EmbeddedQueueOptions {
  /** Handlers running at once. */
  concurrency: number;
  /** Passed to handlers as ctx.workerId. Default 'embedded'. */
  workerId?: string;
  /** Cancel requests published on this bus abort the matching running job. */
  bus?: OutputBus;
  /**
   * A handler threw (or the cancel subscription failed). The job is not retried: the row stays
   * as the handler left it and the reconciler deals with it.
   */
  onError?: (executionId: string | null, err: unknown) => void;
}

interface Shared {
  /** FIFO of waiting ids; a Set mirrors it for O(1) membership. */
  waiting: string[];
  waitingSet: Set<string>;
  active: Map<string, { controller: AbortController; done: Promise<void> }>;
  /** Called whenever a job may be taken (enqueue, a job finished). */
  wake: () => void;
}

/**
 * In-process FIFO for embedded mode. It holds only ids: a process that dies loses the waiting
 * list, and the reconciler re-queues the `queued` rows on the next start.
 */
export class EmbeddedQueue implements ExecutionQueue {
  readonly kind = 'embedded' as const;
  private closed = false;

  constructor(private readonly shared: Shared) {}

  async enqueue(executionId: string): Promise<void> {
    if (this.closed) throw new Error(`the queue is closed; execution ${executionId} was not enqueued`);
    // Same rule as BullMQ's custom job ids: an id the queue already holds is not added twice.
    if (this.shared.waitingSet.has(executionId) || this.shared.active.has(executionId)) return;
    this.shared.waiting.push(executionId);
    this.shared.waitingSet.add(executionId);
    this.shared.wake();
  }

  async position(executionId: string): Promise<number | null> {
    if (!this.shared.waitingSet.has(executionId)) return null;
    return this.shared.waiting.indexOf(executionId) + 1;
  }

  async depth(): Promise<{ waiting: number; active: number }> {
    return { waiting: this.shared.waiting.length, active: this.shared.active.size };
  }

  async has(executionId: string): Promise<boolean> {
    return this.shared.waitingSet.has(executionId) || this.shared.active.has(executionId);
  }

  async remove(executionId: string): Promise<boolean> {
    if (!this.shared.waitingSet.delete(executionId)) return false;
    this.shared.waiting.splice(this.shared.waiting.indexOf(executionId), 1);
    return true;
  }

  /**
   * Refuses further enqueues (they reject, never vanish) and forgets the waiting ids: their rows
   * stay `queued` and the reconciler re-queues them. Running jobs belong to the consumer.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.shared.waiting.length = 0;
    this.shared.waitingSet.clear();
  }
}

export class EmbeddedConsumer implements ExecutionConsumer {
  private handler: JobHandler | null = null;
  private closing = false;
  private readonly workerId: string;
  private readonly recentCancels = new RecentIds();
  private readonly cancelReady: Promise<void>;

  constructor(
    private readonly shared: Shared,
    private readonly opts: EmbeddedQueueOptions,
  ) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new Error('concurrency must be a positive integer');
    this.workerId = opts.workerId ?? 'embedded';
    shared.wake = () => this.pump();
    this.cancelReady = opts.bus
      ? opts.bus.onCancel((id) => this.cancel(id)).catch((err: unknown) => opts.onError?.(null, err))
      : Promise.resolve();
  }

  /** Resolves once cancel requests on the bus reach this consumer. */
  waitUntilReady(): Promise<void> {
    return this.cancelReady;
  }

  start(handler: JobHandler): void {
    if (this.handler) throw new Error('the consumer is already started');
    if (this.closing) throw new Error('the consumer is closed');
    this.handler = handler;
    this.pump();
  }

  async close(opts: { abort?: boolean } = {}): Promise<void> {
    this.closing = true;
    if (opts.abort) for (const job of this.shared.active.values()) job.controller.abort(new JobAbortedError('shutdown'));
    await Promise.all([...this.shared.active.values()].map((j) => j.done));
  }

  private cancel(executionId: string): void {
    // Running jobs stay cancellable during a graceful close.
    const job = this.shared.active.get(executionId);
    if (job) job.controller.abort(new JobAbortedError('cancelled'));
    // The request may beat the job to the handler (it is taken a moment later): remember it.
    else if (!this.closing) this.recentCancels.add(executionId);
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler || this.closing) return;
    while (this.shared.active.size < this.opts.concurrency && this.shared.waiting.length > 0) {
      const id = this.shared.waiting.shift()!;
      this.shared.waitingSet.delete(id);
      const controller = new AbortController();
      if (this.recentCancels.take(id)) controller.abort(new JobAbortedError('cancelled'));
      // The handler starts on a later tick so that a synchronous throw is caught like a rejection.
      const done = Promise.resolve()
        .then(() => handler(id, { signal: controller.signal, workerId: this.workerId }))
        .catch((err: unknown) => this.opts.onError?.(id, err))
        .finally(() => {
          this.shared.active.delete(id);
          this.pump();
        });
      this.shared.active.set(id, { controller, done });
    }
  }
}

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): { queue: EmbeddedQueue; consumer: EmbeddedConsumer } {
  const shared: Shared = { waiting: [], waitingSet: new Set(), active: new Map(), wake: () => {} };
  const queue = new EmbeddedQueue(shared);
  const consumer = new EmbeddedConsumer(shared, opts);
  return { queue, consumer };
}
