import os from 'node:os';

/**
 * What an interactive run's caller sends while the program runs: stdin bytes, end of input, a
 * signal, a new terminal size. Items keep their order from the caller to the program.
 */
export type LiveInputItem =
  | { kind: 'data'; data: Buffer }
  | { kind: 'eof' }
  | { kind: 'signal'; signal: string }
  | { kind: 'resize'; cols: number; rows: number };

/** Where the items go once the program runs (the sandbox, or the supervisor channel). */
export interface LiveInputSink {
  write(data: Buffer): void;
  end(): void;
  signal(name: string): void;
  resize(cols: number, rows: number): void;
  /** Bytes written but not yet taken by the program (its pipe is full): the bound applies to them. */
  pending(): number;
}

/**
 * Bytes of stdin kept for a program that does not read them (on top of the kernel's pipe or tty
 * buffer): beyond, input is dropped (counted in `dropped`). A flood of input therefore costs at
 * most this much memory per run, wherever it comes from.
 */
export const LIVE_INPUT_PENDING_BYTES = 1024 * 1024;
/** Largest terminal size accepted (columns and rows). */
export const TTY_MAX = 1000;
/** Terminal size when the caller gives none. */
export const TTY_DEFAULT = { cols: 80, rows: 24 } as const;

/** Signals a caller may send to its program: the ones a terminal user could send, and the termination ones. */
export const LIVE_SIGNALS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTSTP', 'SIGCONT', 'SIGSTOP', 'SIGWINCH', 'SIGALRM', 'SIGPIPE'];

export function isLiveSignal(name: unknown): name is string {
  return typeof name === 'string' && LIVE_SIGNALS.includes(name) && name in os.constants.signals;
}

/**
 * The live stdin of one interactive run. The caller writes; the engine attaches one sink when the
 * program has started, and gets the backlog first. Bounded: before the sink is attached and while
 * the program does not read, at most `maxPending` bytes wait; more is dropped. After `end()` data
 * is dropped too (a second end is a no-op).
 */
export class LiveInput {
  private backlog: LiveInputItem[] = [];
  private backlogBytes = 0;
  private sink: LiveInputSink | null = null;
  private ended = false;
  private closed = false;
  /** Bytes refused (over the bound, after end, or after the run). */
  dropped = 0;
  /** Bytes accepted. */
  accepted = 0;

  constructor(readonly maxPending = LIVE_INPUT_PENDING_BYTES) {}

  get eof(): boolean {
    return this.ended;
  }

  /** Returns false when the data was dropped. */
  write(data: Buffer): boolean {
    if (!data.length) return true;
    if (this.ended || this.closed) {
      this.dropped += data.length;
      return false;
    }
    const waiting = this.sink ? this.sink.pending() : this.backlogBytes;
    if (waiting + data.length > this.maxPending) {
      this.dropped += data.length;
      return false;
    }
    this.accepted += data.length;
    this.push({ kind: 'data', data });
    return true;
  }

  end(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.push({ kind: 'eof' });
  }

  signal(name: string): boolean {
    if (!isLiveSignal(name) || this.closed) return false;
    this.push({ kind: 'signal', signal: name });
    return true;
  }

  resize(cols: number, rows: number): boolean {
    if (!validSize(cols, rows) || this.closed) return false;
    this.push({ kind: 'resize', cols, rows });
    return true;
  }

  /** Applies one item as received from elsewhere (the bus, the supervisor channel). */
  apply(item: LiveInputItem): void {
    if (item.kind === 'data') this.write(item.data);
    else if (item.kind === 'eof') this.end();
    else if (item.kind === 'signal') this.signal(item.signal);
    else this.resize(item.cols, item.rows);
  }

  /** The program has started: the backlog goes to `sink`, then everything as it comes. */
  attach(sink: LiveInputSink): void {
    if (this.sink || this.closed) return;
    this.sink = sink;
    const items = this.backlog;
    this.backlog = [];
    this.backlogBytes = 0;
    for (const item of items) deliver(sink, item);
  }

  /** The program has ended: nothing more is kept or delivered. */
  close(): void {
    this.closed = true;
    this.sink = null;
    this.backlog = [];
    this.backlogBytes = 0;
  }

  private push(item: LiveInputItem): void {
    if (this.sink) return deliver(this.sink, item);
    // Only the last size and at most a few signals matter before the start; data is bounded above.
    if (item.kind === 'signal' && this.backlog.filter((i) => i.kind === 'signal').length >= 8) return;
    if (item.kind === 'resize') this.backlog = this.backlog.filter((i) => i.kind !== 'resize');
    this.backlog.push(item);
    if (item.kind === 'data') this.backlogBytes += item.data.length;
  }
}

function deliver(sink: LiveInputSink, item: LiveInputItem): void {
  if (item.kind === 'data') sink.write(item.data);
  else if (item.kind === 'eof') sink.end();
  else if (item.kind === 'signal') sink.signal(item.signal);
  else sink.resize(item.cols, item.rows);
}

export function validSize(cols: unknown, rows: unknown): boolean {
  return Number.isInteger(cols) && Number.isInteger(rows) && (cols as number) >= 1 && (rows as number) >= 1 && (cols as number) <= TTY_MAX && (rows as number) <= TTY_MAX;
}
