import type { SubmissionTestView } from '../arena/service/contract.js';
import type { SubmissionState } from '../arena/verdicts.js';

/**
 * Execution events, from whoever runs the program (the API process in embedded mode, a worker
 * in cluster mode) to whichever API instance holds the client's socket. Every event gets a
 * per-execution sequence number, and the bus keeps the history so that a late subscriber
 * replays everything (the history expires some time after completion).
 */
export type ExecutionEventBody =
  | { type: 'status'; status: string }
  /** Arena submissions (keyed by submission id): one per finished test (src/arena/service/contract.ts). */
  | { type: 'progress'; status: SubmissionState; test: SubmissionTestView; testsDone: number; testsTotal: number }
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string }
  /**
   * `row`: in cluster mode, the final execution row itself when it is small (rowForEvent in
   * src/executions/service.ts), so that the API replica answering `?wait=true` need not read it
   * back. Never sent to sockets (they get the presented result).
   */
  | { type: 'complete'; row?: string }
  /** Duels (keyed `match-<id>`): a signal; subscribers send the match's current view (src/realtime/match-subscriptions.ts). */
  | { type: 'match'; event: 'start' | 'progress' | 'result' }
  | { type: 'error'; code: string; message: string }
  /**
   * An interactive run's input, from the socket that sent it to the process running the program
   * (docs/queue-and-realtime.md "Interactive runs"). Never sent to sockets; kept in the history
   * (bounded like output) so that input sent before the run started reaches it.
   */
  | { type: 'input'; kind: 'data' | 'eof' | 'signal' | 'resize'; data?: string; signal?: string; cols?: number; rows?: number };

/** The bytes an event counts against the history bound: output text, and input data (base64). */
export function historyBytes(body: ExecutionEventBody): number | null {
  if (body.type === 'output') return Buffer.byteLength(body.data, 'utf8');
  if (body.type === 'input') return body.data?.length ?? 0;
  return null;
}

export type ExecutionEvent = ExecutionEventBody & { executionId: string; seq: number };

export interface PublishOptions {
  /**
   * A fencing token: the attempt that publishes. A worker cut off from the network keeps running
   * its sandbox, and its connection delivers what it queued once the network is back, after
   * another worker has re-run the job (attempt 2) and even after that one's `complete`. The bus
   * keeps the highest fence seen per id and drops events with a lower one, so a lost attempt's
   * late output never reaches a stream. Events without a fence always pass.
   */
  fence?: number;
}

/** The seq of an event dropped by its fence (an older attempt's). */
export const FENCED_SEQ = 0;

export interface OutputBus {
  readonly kind: 'memory' | 'redis';
  /**
   * Assigns the next seq, appends to the history, delivers to subscribers. With `fence` (the
   * run's attempt number), an event of an attempt older than one already seen for the id is
   * dropped (seq 0, neither stored nor delivered): see PublishOptions.
   */
  publish(executionId: string, body: ExecutionEventBody, opts?: PublishOptions): Promise<ExecutionEvent>;
  history(executionId: string): Promise<ExecutionEvent[]>;
  /** Resolves once the subscription is active (events published after that are delivered). */
  subscribe(executionId: string, listener: (e: ExecutionEvent) => void): Promise<() => Promise<void>>;
  /** Cancellation requests travel the same way, to whichever process runs the execution. */
  requestCancel(executionId: string): Promise<void>;
  onCancel(listener: (executionId: string) => void): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Listeners this process holds for the execution (diagnostics and leak tests). */
  listenerCount(executionId: string): number;
}

/**
 * History bound. Past `maxHistoryBytes` of output data or `maxHistoryEvents` events for one
 * execution, output events are still delivered live (with their seq) but no longer stored; the
 * first such event is preceded by one `{ type: 'status', status: HISTORY_TRUNCATED }` marker,
 * which is stored and delivered. Status, complete and error events are always stored. A late
 * subscriber therefore sees the first part of the output, the marker, then whatever is live when
 * it joins; the full output is in the execution's result.
 */
export const HISTORY_TRUNCATED = 'history_truncated';

export interface BusHistoryOptions {
  /** How long the history is kept after a 'complete' or 'error' event. Default 10 min. */
  historyTtlMs?: number;
  /**
   * How long the history (and the seq counter) of an execution that never completes is kept
   * after its last event (a worker died before publishing 'complete'). Default 1 h.
   */
  activeTtlMs?: number;
  /** Output bytes (UTF-8) stored per execution. Default 4 MiB. */
  maxHistoryBytes?: number;
  /** Events stored per execution. Default 10,000. */
  maxHistoryEvents?: number;
}

export const BUS_DEFAULTS = {
  historyTtlMs: 10 * 60_000,
  activeTtlMs: 60 * 60_000,
  maxHistoryBytes: 4 * 2 ** 20,
  maxHistoryEvents: 10_000,
} as const;

/**
 * Replay then live, without gaps or duplicates: subscribes first (buffering), reads the history,
 * delivers it, then the buffered and live events whose seq is past the last one delivered.
 * Returns the unsubscribe function. This is what a WebSocket handler should use.
 */
export async function followExecution(
  bus: OutputBus,
  executionId: string,
  listener: (e: ExecutionEvent) => void,
): Promise<() => Promise<void>> {
  let lastSeq = 0;
  let buffer: ExecutionEvent[] | null = [];
  const deliver = (e: ExecutionEvent) => {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    listener(e);
  };
  const unsubscribe = await bus.subscribe(executionId, (e) => {
    if (buffer) buffer.push(e);
    else deliver(e);
  });
  try {
    for (const e of await bus.history(executionId)) deliver(e);
  } catch (err) {
    await unsubscribe();
    throw err;
  }
  const pending = buffer;
  buffer = null;
  for (const e of pending) deliver(e);
  return unsubscribe;
}

/** Runs a subscriber's callback; a listener that throws must not stop delivery to the others. */
export function callListener(fn: () => void, onError?: (err: unknown) => void): void {
  try {
    fn();
  } catch (err) {
    onError?.(err);
  }
}

export function assertBusOpen(closed: boolean): void {
  if (closed) throw new Error('the output bus is closed');
}
