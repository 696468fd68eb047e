/**
 * The matchmaking loop over a queue store: every tick, read the queue, compute the pairing
 * (matchmaking.ts) and claim each pair atomically; claimed pairs go to `onPair` (the duel service
 * starts the match). A pair whose claim fails (a player left, or another replica took them) is
 * dropped; its other player stays queued for the next tick.
 */
import { DEFAULT_MATCHMAKING, pairTick, type MatchmakingOptions, type Pairing } from './matchmaking.js';
import type { MatchQueueStore } from './queue-store.js';

export interface MatchmakerOptions {
  store: MatchQueueStore;
  /** The current time in ms; the duel service passes the database's clock (skew between replicas). */
  now: () => Promise<number>;
  /** Starts the match of a claimed pair; a failure is reported to `onError`, the players are not re-queued. */
  onPair: (pair: Pairing) => Promise<void>;
  onError?: (err: unknown) => void;
  intervalMs: number;
  matchmaking?: MatchmakingOptions;
  /** Other periodic work riding on the timer (rated contests' ratings); its failure goes to `onError`. */
  afterTick?: () => Promise<void>;
}

export class Matchmaker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: MatchmakerOptions) {}

  /** One tick under the store's tick lock; returns the pairs claimed ([] when another tick runs). */
  async tick(): Promise<Pairing[]> {
    return (await this.opts.store.withTickLock(() => this.tickUnlocked())) ?? [];
  }

  /**
   * One tick without the lock. Safe to run concurrently on several replicas (the claims decide);
   * exposed so the tests can prove that.
   */
  async tickUnlocked(): Promise<Pairing[]> {
    const [waiting, now] = await Promise.all([this.opts.store.list(), this.opts.now()]);
    const claimed: Pairing[] = [];
    for (const pair of pairTick(waiting, now, this.opts.matchmaking ?? DEFAULT_MATCHMAKING)) {
      if (!(await this.opts.store.claim(pair.a, pair.b))) continue;
      claimed.push(pair);
      try {
        await this.opts.onPair(pair);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
    return claimed;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.opts.onError?.(err))
        .then(() => this.opts.afterTick?.())
        .catch((err: unknown) => this.opts.onError?.(err));
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
