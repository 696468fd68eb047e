/**
 * A submission as the page shows it while it is judged: the view from the API (POST, GET) merged
 * with the socket's events. Progress events arrive in finishing order (tests run in parallel), so
 * each one is placed by its `test.index`; the replay after a (re)subscription repeats events, which
 * are dropped by `seq`; a view fetched over HTTP may be older than the events already applied, so
 * it never turns a finished test back into a pending one. `complete` carries the final view, which
 * then wins. Pure: the reducer is unit-tested (test/web/arena-submission-live.test.ts).
 */
import type { SubmissionEvent, SubmissionState, SubmissionTestView, SubmissionView } from '../../api/arena-types';

export interface SubmissionLive {
  id: string | null;
  /** Last applied event's seq (0: none). */
  seq: number;
  status: SubmissionState | null;
  /** The latest full view (POST, GET or `complete`); null before the first one. */
  view: SubmissionView | null;
  /** By index, ascending. */
  tests: SubmissionTestView[];
  testsDone: number;
  testsTotal: number;
  final: boolean;
  /** A `submission:error` event: judging failed outside any test (the view, fetched then, says more). */
  error: { code: string; message: string } | null;
}

export const emptyLive: SubmissionLive = { id: null, seq: 0, status: null, view: null, tests: [], testsDone: 0, testsTotal: 0, final: false, error: null };

export function liveFor(id: string): SubmissionLive {
  return { ...emptyLive, id };
}

const ORDER: Record<SubmissionState, number> = { queued: 0, compiling: 1, running: 2, done: 3, cancelled: 3 };

export function isFinalState(s: SubmissionState | null | undefined): boolean {
  return s === 'done' || s === 'cancelled';
}

function upsert(tests: SubmissionTestView[], t: SubmissionTestView, keepFinished: boolean): SubmissionTestView[] {
  const i = tests.findIndex((x) => x.index === t.index);
  if (i === -1) return [...tests, t].sort((a, b) => a.index - b.index);
  const old = tests[i]!;
  if (keepFinished && t.verdict === 'pending' && old.verdict !== 'pending') return tests;
  const next = tests.slice();
  next[i] = t;
  return next;
}

/** A full view: authoritative when final; otherwise merged without going backwards. */
export function applyView(state: SubmissionLive, view: SubmissionView): SubmissionLive {
  if (state.id !== null && view.id !== state.id) return state;
  const viewFinal = isFinalState(view.status);
  if (viewFinal) {
    return {
      ...state,
      id: view.id,
      status: view.status,
      view,
      tests: [...view.tests].sort((a, b) => a.index - b.index),
      testsDone: view.testsDone,
      testsTotal: view.testsTotal,
      final: true,
    };
  }
  if (state.final) return state;
  let tests = state.tests;
  for (const t of view.tests) tests = upsert(tests, t, true);
  const status = state.status && ORDER[state.status] > ORDER[view.status] ? state.status : view.status;
  return {
    ...state,
    id: view.id,
    status,
    view,
    tests,
    testsDone: Math.max(state.testsDone, view.testsDone),
    testsTotal: Math.max(state.testsTotal, view.testsTotal),
  };
}

export function applyEvent(state: SubmissionLive, e: SubmissionEvent): SubmissionLive {
  if (state.id === null || e.submissionId !== state.id) return state;
  if (e.seq <= state.seq) return state;
  const next = { ...state, seq: e.seq };
  if (e.kind === 'complete') {
    if (e.result) return applyView(next, e.result);
    // No result in the event (rare): the page fetches it; until then the status says done.
    return { ...next, status: 'done', final: true };
  }
  if (e.kind === 'error') return { ...next, error: e.error, final: true };
  if (state.final) return next;
  if (e.kind === 'status') return { ...next, status: e.status };
  return {
    ...next,
    status: e.status,
    tests: upsert(state.tests, e.test, false),
    testsDone: Math.max(state.testsDone, e.testsDone),
    testsTotal: Math.max(state.testsTotal, e.testsTotal),
  };
}

export type LiveAction = { type: 'reset'; id: string | null } | { type: 'view'; view: SubmissionView } | { type: 'event'; event: SubmissionEvent };

export function liveReducer(state: SubmissionLive, a: LiveAction): SubmissionLive {
  switch (a.type) {
    case 'reset':
      return a.id ? liveFor(a.id) : emptyLive;
    case 'view':
      return applyView(state.id === null ? { ...state, id: a.view.id } : state, a.view);
    case 'event':
      return applyEvent(state, a.event);
  }
}

/**
 * The table's rows: every known test, plus pending placeholders up to the total (the total is
 * known once compiled), so the table has its final size while it fills in.
 */
export function tableRows(state: SubmissionLive): SubmissionTestView[] {
  // Once final, the tests that were judged (none after a CE or a cancel), no placeholders.
  if (state.final) return state.tests;
  const byIndex = new Map(state.tests.map((t) => [t.index, t]));
  const total = Math.max(state.testsTotal, state.tests.length ? state.tests[state.tests.length - 1]!.index : 0);
  const rows: SubmissionTestView[] = [];
  for (let i = 1; i <= total; i++) {
    rows.push(
      byIndex.get(i) ?? { index: i, name: '', group: '', visibility: 'hidden', verdict: 'pending', score: 0, cpuMs: null, wallMs: null, memoryKb: null },
    );
  }
  // Tests with an index past the total (should not happen) are still shown.
  for (const t of state.tests) if (t.index > total || t.index < 1) rows.push(t);
  return rows;
}
