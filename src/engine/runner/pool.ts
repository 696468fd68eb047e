import { CallerError, ErrorCodes, SystemError } from '../../errors.js';

interface Waiter {
  count: number;
  resolve: (slots: number[]) => void;
  reject: (err: Error) => void;
}

/** A fixed set of slot ids handed out first come, first served; waiting is cancellable. */
export class SlotPool {
  private readonly free: number[];
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(private readonly size: number) {
    this.free = Array.from({ length: size }, (_, i) => i);
  }

  get idle(): number {
    return this.free.length;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<number> {
    return this.acquireMany(1, signal).then((s) => s[0]!);
  }

  /**
   * `count` slots at once (an interactive pair), or none: taking them one by one could leave two
   * pairs each holding one slot and waiting for the other forever. Waiters are served strictly
   * in order, so a pair is not starved by single runs overtaking it.
   */
  acquireMany(count: number, signal?: AbortSignal): Promise<number[]> {
    if (this.closed) return Promise.reject(new SystemError(ErrorCodes.engineClosed, 'the engine is shutting down'));
    if (signal?.aborted) return Promise.reject(new CallerError(ErrorCodes.cancelled, 'cancelled'));
    if (count > this.size) {
      return Promise.reject(new SystemError(ErrorCodes.invalidConfig, `this run needs ${count} sandbox slots and the engine has ${this.size} (SANDBOX_SLOTS)`));
    }
    if (this.waiters.length === 0 && this.free.length >= count) return Promise.resolve(this.free.splice(0, count));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve: (s: number[]) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new CallerError(ErrorCodes.cancelled, 'cancelled'));
        // The head may have been this waiter: the next one may fit now.
        this.dispatch();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: number): void {
    this.free.push(slot);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.free.length >= this.waiters[0]!.count) {
      const w = this.waiters.shift()!;
      w.resolve(this.free.splice(0, w.count));
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new SystemError(ErrorCodes.engineClosed, 'the engine is shutting down'));
  }
}
