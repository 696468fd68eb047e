import type { OutputBus } from '../realtime/bus.js';
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
  type SlotReservation,
  SYSTEM_OWNER,
} from './queue.js';

export interface EmbeddedQueueOptions extends FairnessOptions {
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
  /** Waiting ids per owner, each lane FIFO (owners with none are absent). */
  lanes: Map<QueueOwner, string[]>;
  /** Waiting id -> its owner (membership and lookups in O(1)). */
  waitingOwner: Map<string, QueueOwner>;
  active: Map<string, { controller: AbortController; done: Promise<void>; owner: QueueOwner }>;
  /** Running jobs per owner (owners with none are absent). */
  runningBy: Map<QueueOwner, number>;
  /**
   * When each owner was last given a slot (a tick count), for the round-robin; forgotten when
   * the owner has nothing waiting or running, so an owner who comes back counts as new.
   */
  lastServed: Map<QueueOwner, number>;
  tick: number;
  /** Called whenever a job may be taken (enqueue, a job finished). */
  wake: () => void;
  /** The consumer's `reserve` (null before there is a consumer). */
  reserve: (owner: QueueOwner) => SlotReservation | null;
}

/**
 * In-process queue for embedded mode: one FIFO lane per owner, served round-robin, at most
 * `perOwnerRunning` jobs of one owner at once (docs/queue-and-realtime.md "Fair scheduling").
 * It holds only ids: a process that dies loses the waiting lanes, and the reconciler re-queues
 * the `queued` rows on the next start.
 */
export class EmbeddedQueue implements ExecutionQueue {
  readonly kind = 'embedded' as const;
  private closed = false;

  constructor(private readonly shared: Shared) {}

  async enqueue(executionId: string, opts: EnqueueOptions = {}): Promise<void> {
    if (this.closed) throw new Error(`the queue is closed; execution ${executionId} was not enqueued`);
    const { lanes, waitingOwner, active } = this.shared;
    // Same rule as BullMQ's custom job ids: an id the queue already holds is not added twice.
    if (waitingOwner.has(executionId) || active.has(executionId)) return;
    const owner = opts.owner ?? SYSTEM_OWNER;
    const lane = lanes.get(owner);
    // Checked and added in one synchronous step: concurrent requests cannot both squeeze in.
    if (opts.maxWaiting && (lane?.length ?? 0) >= opts.maxWaiting) throw new QueueFullError(lane!.length, opts.maxWaiting);
    if (lane) lane.push(executionId);
    else lanes.set(owner, [executionId]);
    waitingOwner.set(executionId, owner);
    this.shared.wake();
  }

  async position(executionId: string): Promise<number | null> {
    const owner = this.shared.waitingOwner.get(executionId);
    if (owner === undefined) return null;
    // The lanes in the order pick() serves them (fewest running, then served longest ago; caps
    // aside): before this lane's k-th job (0-based), each lane ahead of it gets k + 1 turns,
    // each lane behind it k turns.
    const { lanes, runningBy, lastServed } = this.shared;
    const key = (o: QueueOwner) => [runningBy.get(o) ?? 0, lastServed.get(o) ?? 0] as const;
    const order = [...lanes.keys()].sort((a, b) => {
      const [ra, sa] = key(a);
      const [rb, sb] = key(b);
      return ra - rb || sa - sb;
    });
    const k = lanes.get(owner)!.indexOf(executionId);
    let ahead = k;
    let behind = false;
    for (const o of order) {
      if (o === owner) behind = true;
      else ahead += Math.min(lanes.get(o)!.length, behind ? k : k + 1);
    }
    return ahead + 1;
  }

  async waitingFor(owner: QueueOwner): Promise<number> {
    return this.shared.lanes.get(owner)?.length ?? 0;
  }

  async depth(): Promise<{ waiting: number; active: number }> {
    return { waiting: this.shared.waitingOwner.size, active: this.shared.active.size };
  }

  async has(executionId: string): Promise<boolean> {
    return this.shared.waitingOwner.has(executionId) || this.shared.active.has(executionId);
  }

  async remove(executionId: string): Promise<boolean> {
    const owner = this.shared.waitingOwner.get(executionId);
    if (owner === undefined) return false;
    this.shared.waitingOwner.delete(executionId);
    const lane = this.shared.lanes.get(owner)!;
    lane.splice(lane.indexOf(executionId), 1);
    if (!lane.length) {
      this.shared.lanes.delete(owner);
      if (!this.shared.runningBy.has(owner)) this.shared.lastServed.delete(owner);
    }
    return true;
  }

  reserve(owner: QueueOwner): SlotReservation | null {
    return this.closed ? null : this.shared.reserve(owner);
  }

  /** Counts live in memory and change only with the jobs themselves: nothing to repair. */
  async repair(): Promise<void> {}

  /**
   * Refuses further enqueues (they reject, never vanish) and forgets the waiting ids: their rows
   * stay `queued` and the reconciler re-queues them. Running jobs belong to the consumer.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.shared.lanes.clear();
    this.shared.waitingOwner.clear();
  }
}

export class EmbeddedConsumer implements ExecutionConsumer {
  private handler: JobHandler | null = null;
  private closing = false;
  private readonly workerId: string;
  private readonly recentCancels = new RecentIds();
  private readonly cancelReady: Promise<void>;
  /** Slots given by `reserve` and not yet started or released (counted as busy). */
  private reserved = 0;

  constructor(
    private readonly shared: Shared,
    private readonly opts: EmbeddedQueueOptions,
  ) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new Error('concurrency must be a positive integer');
    if (opts.perOwnerRunning !== undefined && (!Number.isInteger(opts.perOwnerRunning) || opts.perOwnerRunning < 0)) {
      throw new Error('perOwnerRunning must be a non-negative integer');
    }
    this.workerId = opts.workerId ?? 'embedded';
    shared.wake = () => this.pump();
    shared.reserve = (owner) => this.reserve(owner);
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

  /**
   * A slot for a job that would start at once (see ExecutionQueue.reserve): only when nothing
   * waits, so that it never jumps a lane the round-robin would serve first.
   */
  private reserve(owner: QueueOwner): SlotReservation | null {
    const { shared } = this;
    if (!this.handler || this.closing || shared.waitingOwner.size > 0) return null;
    if (shared.active.size + this.reserved >= this.opts.concurrency) return null;
    const cap = this.opts.perOwnerRunning ?? 0;
    if (cap > 0 && (shared.runningBy.get(owner) ?? 0) >= cap) return null;
    this.reserved++;
    this.take(owner);
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      this.reserved--;
      return true;
    };
    return {
      workerId: this.workerId,
      start: (id) => {
        if (!close()) return false;
        if (this.closing) {
          this.untake(owner);
          return false;
        }
        this.launch(id, owner);
        return true;
      },
      release: () => {
        if (!close()) return;
        this.untake(owner);
        this.pump();
      },
    };
  }

  private pump(): void {
    if (!this.handler || this.closing) return;
    while (this.shared.active.size + this.reserved < this.opts.concurrency) {
      const next = this.pick();
      if (!next) break;
      this.take(next.owner);
      this.launch(next.id, next.owner);
    }
  }

  /** Counts a slot for `owner` (running, for the caps and the round-robin). */
  private take(owner: QueueOwner): void {
    const { shared } = this;
    shared.runningBy.set(owner, (shared.runningBy.get(owner) ?? 0) + 1);
    shared.lastServed.set(owner, ++shared.tick);
  }

  private untake(owner: QueueOwner): void {
    const { shared } = this;
    const n = (shared.runningBy.get(owner) ?? 1) - 1;
    if (n > 0) shared.runningBy.set(owner, n);
    else {
      shared.runningBy.delete(owner);
      if (!shared.lanes.has(owner)) shared.lastServed.delete(owner);
    }
  }

  /** Runs the handler for `id` in a slot already counted by `take`. */
  private launch(id: string, owner: QueueOwner): void {
    const handler = this.handler!;
    const { shared } = this;
    const controller = new AbortController();
    if (this.recentCancels.take(id)) controller.abort(new JobAbortedError('cancelled'));
    // The handler starts on a later tick so that a synchronous throw is caught like a rejection.
    const done = Promise.resolve()
      .then(() => handler(id, { signal: controller.signal, workerId: this.workerId }))
      .catch((err: unknown) => this.opts.onError?.(id, err))
      .finally(() => {
        shared.active.delete(id);
        this.untake(owner);
        this.pump();
      });
    shared.active.set(id, { controller, done, owner });
  }

  /**
   * The next job: among owners under perOwnerRunning, the one with the fewest running jobs, and
   * among those the one given a slot longest ago (never: first; then the order lanes were
   * made). It gives its oldest job. So a newcomer's first job goes before a flooder's next one,
   * and owners with work take turns. When every waiting owner is at its cap, nothing is taken:
   * the free slots stay free for the next owner who comes (a hard cap, by choice:
   * docs/queue-and-realtime.md). O(owners waiting) per pick.
   */
  private pick(): { id: string; owner: QueueOwner } | null {
    const { lanes, runningBy, waitingOwner, lastServed } = this.shared;
    const cap = this.opts.perOwnerRunning ?? 0;
    let best: QueueOwner | null = null;
    let bestRunning = Infinity;
    let bestServed = Infinity;
    for (const owner of lanes.keys()) {
      const running = runningBy.get(owner) ?? 0;
      if (cap > 0 && running >= cap) continue;
      const served = lastServed.get(owner) ?? 0;
      if (running < bestRunning || (running === bestRunning && served < bestServed)) {
        [best, bestRunning, bestServed] = [owner, running, served];
      }
    }
    if (best === null) return null;
    const lane = lanes.get(best)!;
    const id = lane.shift()!;
    waitingOwner.delete(id);
    if (!lane.length) lanes.delete(best);
    return { id, owner: best };
  }
}

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): { queue: EmbeddedQueue; consumer: EmbeddedConsumer } {
  const shared: Shared = { lanes: new Map(), waitingOwner: new Map(), active: new Map(), runningBy: new Map(), lastServed: new Map(), tick: 0, wake: () => {}, reserve: () => null };
  const queue = new EmbeddedQueue(shared);
  const consumer = new EmbeddedConsumer(shared, opts);
  return { queue, consumer };
}
