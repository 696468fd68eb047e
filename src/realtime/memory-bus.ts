import { EventEmitter } from 'node:events';
import {
  BUS_DEFAULTS,
  type BusHistoryOptions,
  type ExecutionEvent,
  type ExecutionEventBody,
  FENCED_SEQ,
  HISTORY_TRUNCATED,
  type PublishOptions,
  type OutputBus,
  assertBusOpen,
  callListener,
  historyBytes,
} from './bus.js';

interface ExecutionLog {
  seq: number;
  events: ExecutionEvent[];
  outputBytes: number;
  truncated: boolean;
  /** The highest fence (attempt) seen; 0: none. */
  fence: number;
  expiry: NodeJS.Timeout | null;
  expiryMs: number;
}

export interface MemoryBusOptions extends BusHistoryOptions {
  /** A listener threw; the bus goes on delivering to the others. */
  onListenerError?: (err: unknown) => void;
}

/**
 * The embedded-mode bus: one process runs the programs and holds the sockets, so an
 * EventEmitter is the whole transport. Delivery is synchronous inside publish(), so history
 * order, seq order and delivery order are the same thing.
 */
export class MemoryBus implements OutputBus {
  readonly kind = 'memory' as const;
  private readonly emitter = new EventEmitter();
  private readonly logs = new Map<string, ExecutionLog>();
  private readonly opts: Required<BusHistoryOptions>;
  private closed = false;

  constructor(private readonly options: MemoryBusOptions = {}) {
    this.opts = {
      historyTtlMs: options.historyTtlMs ?? BUS_DEFAULTS.historyTtlMs,
      activeTtlMs: options.activeTtlMs ?? BUS_DEFAULTS.activeTtlMs,
      maxHistoryBytes: options.maxHistoryBytes ?? BUS_DEFAULTS.maxHistoryBytes,
      maxHistoryEvents: options.maxHistoryEvents ?? BUS_DEFAULTS.maxHistoryEvents,
    };
    // Any number of sockets may follow one execution.
    this.emitter.setMaxListeners(0);
  }

  async publish(executionId: string, body: ExecutionEventBody, opts: PublishOptions = {}): Promise<ExecutionEvent> {
    this.assertOpen();
    let log = this.logs.get(executionId);
    if (!log) {
      log = { seq: 0, events: [], outputBytes: 0, truncated: false, fence: 0, expiry: null, expiryMs: 0 };
      this.logs.set(executionId, log);
    }
    if (opts.fence) {
      if (opts.fence < log.fence) return { ...body, executionId, seq: FENCED_SEQ };
      log.fence = opts.fence;
    }
    let store = true;
    const bytes = historyBytes(body);
    if (bytes !== null) {
      if (log.truncated || log.events.length >= this.opts.maxHistoryEvents || log.outputBytes + bytes > this.opts.maxHistoryBytes) {
        store = false;
        if (!log.truncated) {
          log.truncated = true;
          this.append(log, executionId, { type: 'status', status: HISTORY_TRUNCATED }, true);
        }
      } else {
        log.outputBytes += bytes;
      }
    }
    const event = this.append(log, executionId, body, store);
    const final = body.type === 'complete' || body.type === 'error';
    this.scheduleExpiry(executionId, log, final ? this.opts.historyTtlMs : this.opts.activeTtlMs);
    return event;
  }

  async history(executionId: string): Promise<ExecutionEvent[]> {
    this.assertOpen();
    return [...(this.logs.get(executionId)?.events ?? [])];
  }

  async subscribe(executionId: string, listener: (e: ExecutionEvent) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const channel = `exec:${executionId}`;
    const wrapped = (e: ExecutionEvent) => this.safely(() => listener(e));
    this.emitter.on(channel, wrapped);
    return async () => {
      this.emitter.off(channel, wrapped);
    };
  }

  listenerCount(executionId: string): number {
    return this.emitter.listenerCount(`exec:${executionId}`);
  }

  async requestCancel(executionId: string): Promise<void> {
    this.assertOpen();
    this.emitter.emit('cancel', executionId);
  }

  async onCancel(listener: (executionId: string) => void): Promise<void> {
    this.assertOpen();
    this.emitter.on('cancel', (id: string) => this.safely(() => listener(id)));
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
    for (const log of this.logs.values()) if (log.expiry) clearTimeout(log.expiry);
    this.logs.clear();
  }

  private append(log: ExecutionLog, executionId: string, body: ExecutionEventBody, store: boolean): ExecutionEvent {
    log.seq += 1;
    const event: ExecutionEvent = { ...body, executionId, seq: log.seq };
    if (store) log.events.push(event);
    this.emitter.emit(`exec:${executionId}`, event);
    return event;
  }

  private scheduleExpiry(executionId: string, log: ExecutionLog, ttlMs: number): void {
    if (log.expiry && log.expiryMs === ttlMs) {
      // The common case (another output chunk): restart the same timer, no allocation.
      log.expiry.refresh();
      return;
    }
    if (log.expiry) clearTimeout(log.expiry);
    log.expiryMs = ttlMs;
    log.expiry = setTimeout(() => {
      if (this.logs.get(executionId) === log) this.logs.delete(executionId);
    }, ttlMs);
    // A pending expiry must not keep a finished process alive.
    log.expiry.unref();
  }

  private safely(fn: () => void): void {
    callListener(fn, this.options.onListenerError);
  }

  private assertOpen(): void {
    assertBusOpen(this.closed);
  }
}
