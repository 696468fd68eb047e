/**
 * The state of one run as the output panel shows it, built from what arrives: the POST answer,
 * the socket events (replay then live, each with the execution's `seq`), the subscription's
 * acknowledgement, and, when the socket is not available, the polled final result.
 *
 * Pure: `runReducer(state, action)` never mutates, so React's useReducer and the unit tests use
 * the same code. Rules that matter:
 * - events of another execution (a previous run still draining) are ignored;
 * - an event whose seq is not past the last one applied is a duplicate (replay after reconnect)
 *   and is ignored;
 * - output chunks of the same stream are merged, so the panel renders a few spans, not thousands;
 * - the panel keeps at most `MAX_VIEW_CHARS`; the rest is counted, and the full output is in
 *   the execution's result;
 * - when the server's history was truncated (`history_truncated`) or nothing was streamed (we
 *   subscribed after the history expired), the final result's stdout and stderr replace the
 *   streamed chunks, so what is shown is always complete up to the view limit.
 */
import type { Execution } from '../api/types';

export type Stream = 'stdout' | 'stderr';
export interface Chunk {
  stream: Stream;
  text: string;
}

export type Phase = 'idle' | 'starting' | 'queued' | 'running' | 'done' | 'error';

export interface RunError {
  code: string;
  message: string;
  /** A refused run (429): when Run may be pressed again (epoch ms), and which limit it was. */
  retryAt?: number;
  limit?: string;
}

export interface RunState {
  phase: Phase;
  executionId: string | null;
  /** The execution's status as last announced (queued, running, completed, timeout, ...). */
  status: string | null;
  chunks: Chunk[];
  /** Characters kept in `chunks`. */
  viewChars: number;
  /** Characters that arrived past MAX_VIEW_CHARS and are not shown. */
  droppedChars: number;
  lastSeq: number;
  historyTruncated: boolean;
  result: Execution | null;
  error: RunError | null;
  /** True once the first stdout/stderr byte arrived (the panel's "first output" moment). */
  sawOutput: boolean;
  /** The live connection dropped while following this run (shown until it is back). */
  connectionLost: boolean;
  /** Client clock (ms, any origin) when the run was accepted, seen running, and Stop was pressed. */
  acceptedAt: number | null;
  runningAt: number | null;
  stopAt: number | null;
}

export type StreamEvent =
  | { kind: 'status'; executionId: string; seq: number; status: string }
  | { kind: 'output'; executionId: string; seq: number; stream: Stream; data: string }
  | { kind: 'complete'; executionId: string; seq: number; result: Execution | null }
  | { kind: 'error'; executionId: string; seq: number; error: RunError };

export type RunAction =
  | { type: 'start' }
  | { type: 'accepted'; executionId: string; at?: number }
  | { type: 'event'; event: StreamEvent; at?: number }
  | { type: 'result'; result: Execution; at?: number; resync?: boolean }
  | { type: 'stop'; at: number }
  | { type: 'connection'; lost: boolean }
  | { type: 'failed'; error: RunError }
  | { type: 'reset' };

export const MAX_VIEW_CHARS = 512 * 1024;
export const HISTORY_TRUNCATED = 'history_truncated';
const FINAL = new Set(['completed', 'timeout', 'failed', 'cancelled']);

export const initialRunState: RunState = {
  phase: 'idle',
  executionId: null,
  status: null,
  chunks: [],
  viewChars: 0,
  droppedChars: 0,
  lastSeq: 0,
  historyTruncated: false,
  result: null,
  error: null,
  sawOutput: false,
  connectionLost: false,
  acceptedAt: null,
  runningAt: null,
  stopAt: null,
};

export function isActive(s: RunState): boolean {
  return s.phase === 'starting' || s.phase === 'queued' || s.phase === 'running';
}

export function isFinalStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && FINAL.has(status);
}

function append(s: RunState, stream: Stream, data: string): RunState {
  if (!data) return s;
  const room = MAX_VIEW_CHARS - s.viewChars;
  const kept = room > 0 ? data.slice(0, room) : '';
  const dropped = data.length - kept.length;
  let chunks = s.chunks;
  if (kept) {
    const last = chunks[chunks.length - 1];
    chunks = last && last.stream === stream ? [...chunks.slice(0, -1), { stream, text: last.text + kept }] : [...chunks, { stream, text: kept }];
  }
  return { ...s, chunks, viewChars: s.viewChars + kept.length, droppedChars: s.droppedChars + dropped, sawOutput: true };
}

/** The chunks a final result stands for (stdout then stderr: the interleaving is not stored). */
function chunksOfResult(s: RunState, r: Execution): RunState {
  let next: RunState = { ...s, chunks: [], viewChars: 0, droppedChars: 0 };
  next = append(next, 'stdout', r.output ?? '');
  next = append(next, 'stderr', r.error ?? '');
  return { ...next, sawOutput: s.sawOutput || next.sawOutput };
}

function finish(s: RunState, result: Execution | null): RunState {
  let next: RunState = { ...s, phase: 'done', result: result ?? s.result, status: result?.status ?? s.status, connectionLost: false };
  if (result && (s.historyTruncated || (s.chunks.length === 0 && s.droppedChars === 0))) next = chunksOfResult(next, result);
  return next;
}

export function runReducer(s: RunState, a: RunAction): RunState {
  switch (a.type) {
    case 'reset':
      return initialRunState;
    case 'start':
      return { ...initialRunState, phase: 'starting' };
    case 'accepted':
      if (s.phase !== 'starting') return s;
      return { ...s, executionId: a.executionId, phase: 'queued', status: s.status ?? 'queued', acceptedAt: a.at ?? null };
    case 'stop':
      return isActive(s) && s.stopAt === null ? { ...s, stopAt: a.at } : s;
    case 'connection':
      if (!isActive(s) || s.connectionLost === a.lost) return s;
      return { ...s, connectionLost: a.lost };
    case 'failed':
      if (s.phase === 'done') return s;
      return { ...s, phase: 'error', error: a.error };
    case 'result':
      // Also accepted after a 'complete' that came without its result.
      if (a.result.executionId !== s.executionId || (s.phase === 'done' && s.result)) return s;
      if (!isFinalStatus(a.result.status)) {
        const running = a.result.status === 'running';
        return { ...s, status: a.result.status, phase: running ? 'running' : s.phase, runningAt: running ? (s.runningAt ?? a.at ?? null) : s.runningAt };
      }
      // Fetched after a reconnection whose replay did not bring the end (the server's history
      // was lost, e.g. it restarted): what was streamed has a gap, the stored output has none.
      if (a.resync && s.phase !== 'done') return finish({ ...s, historyTruncated: true }, a.result);
      return finish(s, a.result);
    case 'event': {
      const e = a.event;
      if (e.executionId !== s.executionId || e.seq <= s.lastSeq || s.phase === 'done' || s.phase === 'error') return s;
      // Anything arriving means the connection works again.
      const next: RunState = { ...s, lastSeq: e.seq, connectionLost: false };
      switch (e.kind) {
        case 'status':
          if (e.status === HISTORY_TRUNCATED) return { ...next, historyTruncated: true };
          if (e.status === 'running') return { ...next, status: e.status, phase: 'running', runningAt: s.runningAt ?? a.at ?? null };
          if (e.status === 'queued') return { ...next, status: e.status, phase: 'queued' };
          return { ...next, status: e.status };
        case 'output':
          return append({ ...next, phase: next.phase === 'queued' ? 'running' : next.phase, runningAt: s.runningAt ?? a.at ?? null }, e.stream, e.data);
        case 'complete':
          return finish(next, e.result);
        case 'error':
          return { ...next, phase: 'error', error: e.error };
      }
    }
  }
  return s;
}

/** What the result bar shows, or null while there is no final result. */
export interface ResultSummary {
  verdict: string;
  /** ok | warn | bad: for colour only (the text says it all). */
  tone: 'ok' | 'warn' | 'bad';
  exitCode: number | null;
  signal: string | null;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  /** The wall time is the browser's own measure (a stopped run the server gave no figures for). */
  wallMeasuredHere: boolean;
  /** A time limit hit while the program barely used the CPU: the wall-clock limit did it. */
  wallClockLimit: boolean;
}

/**
 * What the result bar shows. `s` (optional) gives a stopped run's client-measured time when the
 * server sends no timings for a cancelled execution (older servers did not keep them).
 */
export function summarize(r: Execution | null, s?: Pick<RunState, 'acceptedAt' | 'runningAt' | 'stopAt'>): ResultSummary | null {
  if (!r) return null;
  const verdict = r.status === 'cancelled' ? 'cancelled' : (r.verdict ?? r.status);
  const tone = verdict === 'ok' ? 'ok' : verdict === 'runtime_error' || verdict === 'cancelled' ? 'warn' : 'bad';
  let wallMs = r.wallMs;
  let wallMeasuredHere = false;
  const from = s?.runningAt ?? s?.acceptedAt ?? null;
  if (r.status === 'cancelled' && wallMs === null && s?.stopAt != null && from !== null) {
    wallMs = Math.max(0, Math.round(s.stopAt - from));
    wallMeasuredHere = true;
  }
  // CPU well under half the wall time: the program was mostly waiting, so the CPU limit cannot
  // be what ended it (the wall-clock limit is at least 2 x CPU + 1 s).
  const wallClockLimit = verdict === 'time_limit' && r.cpuMs !== null && r.wallMs !== null && r.cpuMs * 2 < r.wallMs;
  // A killed run has no exit code of its own (the API reports 124 for a timeout, as the first seed): show the signal.
  return { verdict, tone, exitCode: r.signal ? null : r.exitCode, signal: r.signal, cpuMs: r.cpuMs, wallMs, memoryKb: r.memoryKb, wallMeasuredHere, wallClockLimit };
}
