import { CallerError, ErrorCodes, SystemError } from '../../errors.js';

/** A fixed set of slot ids handed out first come, first served; waiting is cancellable. */
export class SlotPool {
  private readonly free: number[];
  private readonly waiters: { resolve: (slot: number) => void; reject: (err: Error) => void }[] = [];
  private closed = false;

  constructor(size: number) {
    this.free = Array.from({ length: size }, (_, i) => i);
  }

  get idle(): number {
    return this.free.length;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<number> {
    if (this.closed) return Promise.reject(new SystemError(ErrorCodes.engineClosed, 'the engine is shutting down'));
    if (signal?.aborted) return Promise.reject(new CallerError(ErrorCodes.cancelled, 'cancelled'));
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (s: number) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new CallerError(ErrorCodes.cancelled, 'cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: number): void {
    const next = this.waiters.shift();
    if (next) next.resolve(slot);
    else this.free.push(slot);
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new SystemError(ErrorCodes.engineClosed, 'the engine is shutting down'));
  }
}
