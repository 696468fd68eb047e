/**
 * The Arena's live submission state (web/src/lib/arena/submission-live.ts): progress events placed
 * by index whatever their order, the replay after a reconnection dropped by seq, an older HTTP view
 * never undoing finished tests, and the final view winning.
 */
import { describe, expect, it } from 'vitest';
import type { SubmissionEvent, SubmissionTestView, SubmissionView } from '../../web/src/api/arena-types';
import { applyEvent, applyView, emptyLive, liveFor, liveReducer, type SubmissionLive, tableRows } from '../../web/src/lib/arena/submission-live';

const ID = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

function test(index: number, verdict: SubmissionTestView['verdict'], extra: Partial<SubmissionTestView> = {}): SubmissionTestView {
  return { index, name: `secret/${index}`, group: 'secret', visibility: 'hidden', verdict, score: verdict === 'AC' ? 1 : 0, cpuMs: 10, wallMs: 12, memoryKb: 900, ...extra };
}

function view(patch: Partial<SubmissionView> = {}): SubmissionView {
  return {
    id: ID,
    kind: 'submission',
    problemId: 'p',
    problemSlug: 'sum',
    problemTitle: 'Sum',
    userId: 'u',
    username: 'ada',
    language: 'python',
    status: 'queued',
    verdict: null,
    score: 0,
    maxScore: 1,
    cpuMs: null,
    memoryKb: null,
    testsDone: 0,
    testsTotal: 0,
    createdAt: '2026-01-01T00:00:00Z',
    judgedAt: null,
    tests: [],
    groups: [],
    ...patch,
  };
}

const progress = (seq: number, t: SubmissionTestView, testsDone: number, testsTotal = 4): SubmissionEvent => ({ kind: 'progress', submissionId: ID, seq, status: 'running', test: t, testsDone, testsTotal });

describe('submission live state', () => {
  it('places progress events by test index, whatever the finishing order', () => {
    let s = applyView(liveFor(ID), view());
    s = applyEvent(s, { kind: 'status', submissionId: ID, seq: 1, status: 'compiling' });
    s = applyEvent(s, progress(2, test(3, 'AC'), 1));
    s = applyEvent(s, progress(3, test(1, 'AC'), 2));
    expect(s.status).toBe('running');
    expect(s.tests.map((t) => t.index)).toEqual([1, 3]);
    const rows = tableRows(s);
    expect(rows.map((r) => [r.index, r.verdict])).toEqual([
      [1, 'AC'],
      [2, 'pending'],
      [3, 'AC'],
      [4, 'pending'],
    ]);
    expect(s.testsDone).toBe(2);
    expect(s.final).toBe(false);
  });

  it('drops replayed events (seq not past the last applied) and events of another submission', () => {
    let s = applyView(liveFor(ID), view());
    s = applyEvent(s, progress(1, test(1, 'AC'), 1));
    s = applyEvent(s, progress(2, test(2, 'WA', { message: 'Wrong answer at line 1' }), 2));
    const again = [progress(1, test(1, 'AC'), 1), progress(2, test(2, 'WA'), 2)].reduce(applyEvent, s);
    expect(again).toBe(s);
    const other = applyEvent(s, { ...progress(3, test(3, 'TLE'), 3), submissionId: 'someone-else' });
    expect(other).toBe(s);
    expect(applyEvent(emptyLive, progress(1, test(1, 'AC'), 1))).toBe(emptyLive);
  });

  it('an older view fetched over HTTP never turns a finished test back into pending nor the status back', () => {
    let s = applyView(liveFor(ID), view());
    s = applyEvent(s, progress(1, test(1, 'AC'), 1));
    s = applyEvent(s, progress(2, test(2, 'AC'), 2));
    const stale = view({ status: 'compiling', testsDone: 0, testsTotal: 4, tests: [1, 2, 3, 4].map((i) => test(i, 'pending')) });
    s = applyView(s, stale);
    expect(s.status).toBe('running');
    expect(s.tests.map((t) => t.verdict)).toEqual(['AC', 'AC', 'pending', 'pending']);
    expect(s.testsDone).toBe(2);
  });

  it('complete carries the final view, which wins; later progress is ignored', () => {
    let s = applyView(liveFor(ID), view());
    s = applyEvent(s, progress(1, test(1, 'AC'), 1, 2));
    const final = view({ status: 'done', verdict: 'WA', testsDone: 2, testsTotal: 2, tests: [test(2, 'WA'), test(1, 'AC')], firstFailure: 'secret/2' });
    s = applyEvent(s, { kind: 'complete', submissionId: ID, seq: 5, result: final });
    expect(s.final).toBe(true);
    expect(s.view?.verdict).toBe('WA');
    expect(s.tests.map((t) => [t.index, t.verdict])).toEqual([
      [1, 'AC'],
      [2, 'WA'],
    ]);
    const after = applyEvent(s, progress(6, test(2, 'AC'), 2, 2));
    expect(after.tests[1]!.verdict).toBe('WA');
    // A non-final view arriving late does not undo the final one either.
    expect(applyView(after, view({ status: 'running' })).view?.verdict).toBe('WA');
  });

  it('complete without a result marks the submission final (the page then fetches it)', () => {
    const s = applyEvent(applyView(liveFor(ID), view()), { kind: 'complete', submissionId: ID, seq: 3, result: null });
    expect(s.final).toBe(true);
    expect(s.status).toBe('done');
  });

  it('a CE: final with no tests, the compiler output kept', () => {
    const s = liveReducer(liveReducer(emptyLive, { type: 'reset', id: ID }), {
      type: 'view',
      view: view({ status: 'done', verdict: 'CE', testsTotal: 7, compileMessage: "main.cpp:1:1: error: 'x' does not name a type" }),
    });
    expect(s.final).toBe(true);
    expect(tableRows(s)).toEqual([]);
    expect(s.view?.compileMessage).toContain('error');
  });

  it('an error event ends the follow with its message', () => {
    const s = applyEvent(applyView(liveFor(ID), view()), { kind: 'error', submissionId: ID, seq: 2, error: { code: 'INTERNAL', message: 'the worker died' } });
    expect(s.final).toBe(true);
    expect(s.error?.message).toBe('the worker died');
  });

  it('reset to another id starts from nothing', () => {
    const s: SubmissionLive = applyEvent(applyView(liveFor(ID), view()), progress(1, test(1, 'AC'), 1));
    const r = liveReducer(s, { type: 'reset', id: 'other' });
    expect(r).toEqual({ ...emptyLive, id: 'other' });
  });
});
