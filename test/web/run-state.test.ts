/**
 * The output stream reducer (web/src/lib/run-state.ts): what the output panel shows from the
 * socket's replay + live events, acknowledgements, polled results and failures.
 */
import { describe, expect, it } from 'vitest';
import type { Execution } from '../../web/src/api/types';
import {
  HISTORY_TRUNCATED,
  initialRunState,
  isActive,
  MAX_VIEW_CHARS,
  type RunAction,
  runReducer,
  type RunState,
  type StreamEvent,
  summarize,
} from '../../web/src/lib/run-state';

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function result(over: Partial<Execution> = {}): Execution {
  return {
    executionId: ID,
    status: 'completed',
    language: 'python',
    output: 'hello\n',
    error: '',
    executionTime: 0.05,
    memoryUsed: 4,
    exitCode: 0,
    compilationError: null,
    verdict: 'ok',
    signal: null,
    cpuMs: 20,
    wallMs: 50,
    memoryKb: 4096,
    truncated: false,
    failureReason: null,
    projectId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    completedAt: '2026-01-01T00:00:01.000Z',
    ...over,
  };
}

/** Deep-freezes so that any mutation by the reducer throws. */
function frozen<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) frozen((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

function play(actions: RunAction[], from: RunState = initialRunState): RunState {
  return actions.reduce((s, a) => runReducer(frozen(s), a), from);
}

const out = (seq: number, data: string, stream: 'stdout' | 'stderr' = 'stdout', executionId = ID): RunAction => ({
  type: 'event',
  event: { kind: 'output', executionId, seq, stream, data } satisfies StreamEvent,
});
const status = (seq: number, s: string): RunAction => ({ type: 'event', event: { kind: 'status', executionId: ID, seq, status: s } });
const complete = (seq: number, r: Execution | null = result()): RunAction => ({ type: 'event', event: { kind: 'complete', executionId: ID, seq, result: r } });
const started: RunAction[] = [{ type: 'start' }, { type: 'accepted', executionId: ID }];

describe('output stream reducer', () => {
  it('follows a run from start to result: phases, merged chunks per stream in arrival order', () => {
    let s = play([{ type: 'start' }]);
    expect(s.phase).toBe('starting');
    expect(isActive(s)).toBe(true);
    s = play([{ type: 'accepted', executionId: ID }, status(1, 'queued')], s);
    expect(s.phase).toBe('queued');
    s = play([status(2, 'running'), out(3, 'a'), out(4, 'b\n'), out(5, 'oops\n', 'stderr'), out(6, 'c\n')], s);
    expect(s.phase).toBe('running');
    expect(s.sawOutput).toBe(true);
    expect(s.chunks).toEqual([
      { stream: 'stdout', text: 'ab\n' },
      { stream: 'stderr', text: 'oops\n' },
      { stream: 'stdout', text: 'c\n' },
    ]);
    s = play([status(7, 'completed'), complete(8)], s);
    expect(s.phase).toBe('done');
    expect(isActive(s)).toBe(false);
    expect(s.result?.verdict).toBe('ok');
    // The streamed interleaving is kept (the result alone would put stderr last).
    expect(s.chunks.map((c) => c.stream)).toEqual(['stdout', 'stderr', 'stdout']);
  });

  it('output that arrives before the running status still moves the phase to running', () => {
    const s = play([...started, out(1, 'x')]);
    expect(s.phase).toBe('running');
  });

  it('ignores duplicates (replay overlapping live events) and anything not past the last seq', () => {
    const s = play([...started, out(1, 'one\n'), out(2, 'two\n'), out(2, 'two\n'), out(1, 'one\n'), out(3, 'three\n'), out(2, 'two\n')]);
    expect(s.chunks).toEqual([{ stream: 'stdout', text: 'one\ntwo\nthree\n' }]);
    expect(s.lastSeq).toBe(3);
  });

  it("ignores another execution's events (a previous run still draining)", () => {
    const s = play([...started, out(1, 'late output of the last run\n', 'stdout', OTHER), out(1, 'mine\n')]);
    expect(s.chunks).toEqual([{ stream: 'stdout', text: 'mine\n' }]);
  });

  it('ignores events before the run is accepted, and after it is done', () => {
    let s = play([{ type: 'start' }, out(1, 'too early')]);
    expect(s.chunks).toEqual([]);
    s = play([{ type: 'accepted', executionId: ID }, out(1, 'x'), complete(2), out(3, 'after the end')], s);
    expect(s.chunks).toEqual([{ stream: 'stdout', text: 'x' }]);
  });

  it('a new run starts from a clean slate', () => {
    const s = play([...started, out(1, 'old'), complete(2), { type: 'start' }]);
    expect(s).toEqual({ ...initialRunState, phase: 'starting' });
  });

  it('after a truncated history, the final result replaces what was streamed', () => {
    const full = 'x'.repeat(100) + '\n';
    const s = play([...started, out(1, 'x'.repeat(10)), status(2, HISTORY_TRUNCATED), complete(3, result({ output: full, error: 'warn\n' }))]);
    expect(s.historyTruncated).toBe(true);
    expect(s.chunks).toEqual([
      { stream: 'stdout', text: full },
      { stream: 'stderr', text: 'warn\n' },
    ]);
  });

  it('when nothing was streamed (subscribed after the history expired), the result fills the panel', () => {
    const s = play([...started, complete(1, result({ output: 'from the result\n' }))]);
    expect(s.chunks).toEqual([{ stream: 'stdout', text: 'from the result\n' }]);
  });

  it('keeps at most MAX_VIEW_CHARS in the panel and counts the rest', () => {
    const big = 'y'.repeat(MAX_VIEW_CHARS - 10);
    const s = play([...started, out(1, big), out(2, 'z'.repeat(30), 'stderr'), out(3, 'w'.repeat(5))]);
    expect(s.viewChars).toBe(MAX_VIEW_CHARS);
    expect(s.chunks.reduce((n, c) => n + c.text.length, 0)).toBe(MAX_VIEW_CHARS);
    expect(s.chunks[1]).toEqual({ stream: 'stderr', text: 'z'.repeat(10) });
    expect(s.droppedChars).toBe(25);
  });

  it('polled results (no socket): a non-final one updates the phase, a final one ends the run', () => {
    let s = play([...started, { type: 'result', result: result({ status: 'running', output: null, verdict: null }) }]);
    expect(s.phase).toBe('running');
    s = play([{ type: 'result', result: result({ status: 'timeout', verdict: 'time_limit', output: 'partial\n', exitCode: null, signal: 'SIGKILL' }) }], s);
    expect(s.phase).toBe('done');
    expect(s.chunks).toEqual([{ stream: 'stdout', text: 'partial\n' }]);
    expect(summarize(s.result)).toMatchObject({ verdict: 'time_limit', tone: 'bad', signal: 'SIGKILL' });
  });

  it('a complete event without a result accepts the fetched result afterwards', () => {
    let s = play([...started, out(1, 'x'), complete(2, null)]);
    expect(s.phase).toBe('done');
    expect(s.result).toBeNull();
    s = play([{ type: 'result', result: result() }], s);
    expect(s.result?.executionId).toBe(ID);
    // ...but never a second time, nor one of another execution.
    s = play([{ type: 'result', result: result({ verdict: 'runtime_error' }) }, { type: 'result', result: result({ executionId: OTHER }) }], s);
    expect(s.result?.verdict).toBe('ok');
  });

  it('a refused request (401, 429...) and an error event end the run with the message', () => {
    let s = play([{ type: 'start' }, { type: 'failed', error: { code: 'UNAUTHORIZED', message: 'Please sign in first.' } }]);
    expect(s.phase).toBe('error');
    expect(s.error).toEqual({ code: 'UNAUTHORIZED', message: 'Please sign in first.' });
    s = play([...started, { type: 'event', event: { kind: 'error', executionId: ID, seq: 1, error: { code: 'INTERNAL', message: 'worker lost' } } }]);
    expect(s.phase).toBe('error');
    expect(s.error?.message).toBe('worker lost');
  });

  it('summarize: verdict and tone for the result bar', () => {
    expect(summarize(null)).toBeNull();
    expect(summarize(result())).toMatchObject({ verdict: 'ok', tone: 'ok', exitCode: 0, cpuMs: 20, wallMs: 50, memoryKb: 4096 });
    expect(summarize(result({ verdict: 'runtime_error', exitCode: 1 }))).toMatchObject({ tone: 'warn', exitCode: 1 });
    expect(summarize(result({ verdict: 'compile_error' }))).toMatchObject({ tone: 'bad' });
    expect(summarize(result({ status: 'cancelled', verdict: null }))).toMatchObject({ verdict: 'cancelled', tone: 'warn' });
  });

  it('connection lost while following: flagged, cleared by the next event or by reconnecting; never after the end', () => {
    let s = play([...started, status(1, 'running'), out(2, '0\n'), { type: 'connection', lost: true }]);
    expect(s.connectionLost).toBe(true);
    // The replay after resubscribing: duplicates ignored, the gap filled, the flag cleared.
    s = play([out(1, 'dup'), out(2, '0\n'), out(3, '1\n')], s);
    expect(s.connectionLost).toBe(false);
    expect(s.chunks).toEqual([{ stream: 'stdout', text: '0\n1\n' }]);
    s = play([{ type: 'connection', lost: true }, { type: 'connection', lost: false }], s);
    expect(s.connectionLost).toBe(false);
    s = play([{ type: 'connection', lost: true }, complete(4)], s);
    expect(s.connectionLost).toBe(false);
    expect(play([{ type: 'connection', lost: true }], s).connectionLost).toBe(false); // done: nothing to lose
  });

  it('a stopped run without server timings shows the time measured here, from running to Stop', () => {
    const cancelled = result({ status: 'cancelled', verdict: null, cpuMs: null, wallMs: null, memoryKb: null, exitCode: null });
    const s = play([
      { type: 'start' },
      { type: 'accepted', executionId: ID, at: 1000 },
      { type: 'event', event: { kind: 'status', executionId: ID, seq: 1, status: 'running' }, at: 1200 },
      { type: 'stop', at: 2700 },
      { type: 'stop', at: 9999 }, // a second press changes nothing
      { type: 'result', result: cancelled, at: 2800 },
    ]);
    expect(summarize(s.result, s)).toMatchObject({ verdict: 'cancelled', wallMs: 1500, wallMeasuredHere: true, cpuMs: null });
    // The server's own figures win when it sends them.
    const kept = play([{ type: 'start' }, { type: 'accepted', executionId: ID, at: 0 }, { type: 'stop', at: 900 }, { type: 'result', result: { ...cancelled, wallMs: 850, cpuMs: 800 } }]);
    expect(summarize(kept.result, kept)).toMatchObject({ wallMs: 850, cpuMs: 800, wallMeasuredHere: false });
  });

  it('a time limit with little CPU is the wall-clock limit (the program was waiting)', () => {
    expect(summarize(result({ status: 'timeout', verdict: 'time_limit', cpuMs: 27, wallMs: 11_000 }))?.wallClockLimit).toBe(true);
    expect(summarize(result({ status: 'timeout', verdict: 'time_limit', cpuMs: 5_000, wallMs: 5_300 }))?.wallClockLimit).toBe(false);
    expect(summarize(result({ cpuMs: 1, wallMs: 1_000 }))?.wallClockLimit).toBe(false); // ok: no limit hit
  });

  it('a refused run keeps when it may be tried again', () => {
    const s = play([{ type: 'start' }, { type: 'failed', error: { code: 'RATE_LIMITED', message: 'wait', retryAt: 5000, limit: 'execute' } }]);
    expect(s.error).toMatchObject({ retryAt: 5000, limit: 'execute' });
  });

  it('a result fetched after a reconnection whose replay lost the end replaces the gappy stream', () => {
    const s = play([...started, out(1, '0\n'), { type: 'result', result: result({ output: '0\n1\n2\n' }), resync: true }]);
    expect(s.phase).toBe('done');
    expect(s.chunks).toEqual([{ stream: 'stdout', text: '0\n1\n2\n' }]);
    // Once the replay ended the run, the fetched copy changes nothing.
    const done = play([...started, out(1, '0\n'), out(2, 'x\n', 'stderr'), complete(3), { type: 'result', result: result({ output: 'other' }), resync: true }]);
    expect(done.chunks.map((c) => c.stream)).toEqual(['stdout', 'stderr']);
  });
});
