import { and, eq, lt } from 'drizzle-orm';
import { executions } from '../db/schema.js';
import type { AppContext } from '../server/context.js';
import { ANONYMOUS_OWNER, ownerOf } from './queue.js';

/** Rows younger than this are left alone: `create` inserts the row, then enqueues it. */
const QUEUED_GRACE_MS = 2_000;
/** A run interrupted this many times is not tried again. */
const MAX_ATTEMPTS = 2;

/**
 * Makes the queue agree with the executions table, at startup and periodically:
 * - a `queued` row that no queue holds (Redis restarted empty, an embedded-mode restart) is
 *   enqueued again (the job id is the execution id, so a duplicate is a no-op);
 * - a `running` row whose lease expired (its worker died) is re-queued, or ended as
 *   `failed`/`worker_lost` after MAX_ATTEMPTS.
 * Several API replicas may run it at once: every change is a conditional update.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass; concurrent calls share it. Returns what it did (for tests and logs). */
  runOnce(): Promise<void> {
    this.running ??= this.pass()
      .catch(() => undefined)
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async pass(): Promise<void> {
    const { db } = this.ctx.database;
    const now = Date.now();
    // Fairness state first: a job a dead process left half-moved is forgotten here, so that the
    // pass below sees its row held by no queue and re-queues it.
    await this.ctx.queue.repair();
    const queued = await db
      .select({ id: executions.id, userId: executions.userId })
      .from(executions)
      .where(and(eq(executions.status, 'queued'), lt(executions.createdAt, new Date(now - QUEUED_GRACE_MS))));
    for (const { id, userId } of queued) {
      if (!(await this.ctx.queue.has(id))) await this.ctx.queue.enqueue(id, { owner: rowOwner(userId) });
    }
    const expired = await db
      .select({ id: executions.id, attempts: executions.attempts, userId: executions.userId })
      .from(executions)
      .where(and(eq(executions.status, 'running'), lt(executions.leaseUntil, new Date(now))));
    const lost: string[] = [];
    for (const { id, attempts, userId } of expired) {
      if (attempts >= MAX_ATTEMPTS) {
        lost.push(id);
        continue;
      }
      const [requeued] = await db
        .update(executions)
        .set({ status: 'queued', workerId: null, leaseUntil: null })
        .where(and(eq(executions.id, id), eq(executions.status, 'running'), lt(executions.leaseUntil, new Date(now))))
        .returning({ id: executions.id });
      if (requeued) {
        await this.ctx.bus.publish(id, { type: 'status', status: 'queued' });
        await this.ctx.queue.remove(id).catch(() => false);
        await this.ctx.queue.enqueue(id, { owner: rowOwner(userId) });
      }
    }
    await this.ctx.executions.failLost(lost, 'worker_lost');
    // Arena submissions live in their own table; the same rules apply (src/arena/service/submissions.ts).
    await this.ctx.submissions.reconcile();
    await this.ctx.compileChecks.cleanup();
  }
}

/**
 * The lane of a row put back in the queue. The row keeps the user but not an anonymous caller's
 * address, so anonymous runs re-queued after a restart share one lane.
 */
function rowOwner(userId: string | null): string {
  return userId ? ownerOf(userId) : ANONYMOUS_OWNER;
}
