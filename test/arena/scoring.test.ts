import { describe, expect, it } from 'vitest';
import { SystemError } from '../../src/errors.js';
import {
  aggregate,
  compileErrorResult,
  defineScoring,
  ioiScore,
  skipReason,
  stageVerdict,
  testFraction,
  testOutcome,
  type GroupSpec,
  type RunOutcome,
  type Scoring,
  type TestOutcome,
} from '../../src/arena/scoring.js';
import type { StageFacts } from '../../src/arena/stage-verdict.js';
import { BIG5, canTransition, isSubmissionVerdict, isTestVerdict, SUBMISSION_VERDICTS, TEST_VERDICTS, VERDICTS } from '../../src/arena/verdicts.js';

/** Results from a compact string: `name:VERDICT[:score]` separated by spaces. */
function res(spec: string): Map<string, TestOutcome> {
  const m = new Map<string, TestOutcome>();
  for (const item of spec.split(/\s+/).filter(Boolean)) {
    const [name, verdict, score] = item.split(':');
    const r: TestOutcome = { verdict: verdict as TestOutcome['verdict'] };
    if (score !== undefined) r.score = Number(score);
    m.set(name!, r);
  }
  return m;
}

function verdicts(s: Scoring, results: Map<string, TestOutcome>): string {
  return aggregate(s, results)
    .tests.map((t) => `${t.name}:${t.verdict}`)
    .join(' ');
}

const passFail = defineScoring({
  partial: false,
  groups: [
    { name: 'sample', tests: ['s2', 's1'], aggregation: 'pass-fail', maxScore: 0 },
    { name: 'secret', tests: ['t3', 't1', 't2', 't10'], aggregation: 'pass-fail', maxScore: 1, requirePass: ['sample'] },
  ],
});

describe('order and validation', () => {
  it('orders samples first, then the rest, in code-unit name order', () => {
    expect(passFail.order).toEqual(['s1', 's2', 't1', 't10', 't2', 't3']);
    expect(passFail.groups.map((g) => g.name)).toEqual(['sample', 'secret']);
    const s = defineScoring({
      partial: true,
      groups: [
        { name: 'secret/b', tests: ['b1'], aggregation: 'sum', maxScore: 50 },
        { name: 'secret/a', tests: ['a1'], aggregation: 'sum', maxScore: 50 },
        { name: 'sample', tests: ['z'], aggregation: 'sum', maxScore: 10 },
      ],
    });
    expect(s.order).toEqual(['z', 'a1', 'b1']);
    expect(s.groups.map((g) => [g.name, g.maxScore])).toEqual([['sample', 0], ['secret/a', 50], ['secret/b', 50]]); // samples never score
    expect(s.maxScore).toBe(100);
  });

  const bad: [string, GroupSpec[]][] = [
    ['duplicate group', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: 1 }, { name: 'a', tests: ['2'], aggregation: 'sum', maxScore: 1 }]],
    ['test in two groups', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: 1 }, { name: 'b', tests: ['1'], aggregation: 'sum', maxScore: 1 }]],
    ['empty group', [{ name: 'a', tests: [], aggregation: 'sum', maxScore: 1 }]],
    ['negative score', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: -1 }]],
    ['infinite score', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: Infinity }]],
    ['unknown aggregation', [{ name: 'a', tests: ['1'], aggregation: 'avg' as 'sum', maxScore: 1 }]],
    ['unknown requirement', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: 1, requirePass: ['x'] }]],
    ['self requirement', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: 1, requirePass: ['a'] }]],
    ['later requirement', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: 1, requirePass: ['b'] }, { name: 'b', tests: ['2'], aggregation: 'sum', maxScore: 1 }]],
    ['bad on_reject', [{ name: 'a', tests: ['1'], aggregation: 'sum', maxScore: 1, onReject: 'stop' as 'break' }]],
  ];
  it.each(bad)('refuses %s', (_n, groups) => {
    try {
      defineScoring({ partial: true, groups });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SystemError);
      expect((e as SystemError).code).toBe('INVALID_JUDGE_CONFIG');
    }
  });
});

describe('pass-fail problem (ICPC style)', () => {
  const rows: [string, string, string, number, string][] = [
    // results, expected verdict, first failure, score, expected per-test table
    ['s1:AC s2:AC t1:AC t10:AC t2:AC t3:AC', 'AC', '', 1, 's1:AC s2:AC t1:AC t10:AC t2:AC t3:AC'],
    ['s1:AC s2:AC t1:AC t10:WA t2:TLE t3:AC', 'WA', 't10', 0, 's1:AC s2:AC t1:AC t10:WA t2:SK t3:SK'],
    // run in parallel: a later test finished first with TLE, but the first failure in order decides
    ['s1:AC s2:AC t1:AC t10:AC t2:RTE t3:TLE', 'RTE', 't2', 0, 's1:AC s2:AC t1:AC t10:AC t2:RTE t3:SK'],
    // a failing sample skips the secret group (require_pass), and its verdict wins
    ['s1:AC s2:WA t1:TLE t10:AC t2:AC t3:AC', 'WA', 's2', 0, 's1:AC s2:WA t1:SK t10:SK t2:SK t3:SK'],
    ['s1:MLE s2:AC', 'MLE', 's1', 0, 's1:MLE s2:SK t1:SK t10:SK t2:SK t3:SK'],
    ['s1:AC s2:AC t1:JE t10:AC t2:AC t3:AC', 'JE', 't1', 0, 's1:AC s2:AC t1:JE t10:SK t2:SK t3:SK'],
    ['s1:AC s2:AC t1:OLE', 'OLE', 't1', 0, 's1:AC s2:AC t1:OLE t10:SK t2:SK t3:SK'],
    // incomplete: a pending test before the first known failure leaves the verdict open
    ['s1:AC s2:AC t10:WA', '', '', 0, 's1:AC s2:AC t1:pending t10:WA t2:SK t3:SK'],
    ['s1:AC s2:AC t1:AC', '', '', 0, 's1:AC s2:AC t1:AC t10:pending t2:pending t3:pending'],
  ];
  it.each(rows)('%s', (results, verdict, first, score, table) => {
    const r = aggregate(passFail, res(results));
    expect(r.verdict).toBe(verdict || null);
    expect(r.firstFailure).toBe(first || undefined);
    expect(r.score).toBe(score);
    expect(verdicts(passFail, res(results))).toBe(table);
    expect(r.complete).toBe(!table.includes('pending'));
  });

  it('says why a test is skipped', () => {
    const r = aggregate(passFail, res('s1:AC s2:WA'));
    expect(r.tests.find((t) => t.name === 't1')!.skipReason).toBe('group sample did not pass');
    expect(r.groups.find((g) => g.name === 'secret')).toMatchObject({ state: 'failed', skipReason: 'group sample did not pass', score: 0 });
    const r2 = aggregate(passFail, res('s1:AC s2:AC t1:WA'));
    expect(r2.tests.find((t) => t.name === 't2')!.skipReason).toBe('test t1 failed');
  });
});

describe('scoring problem with subtasks (IOI style)', () => {
  const ioi = defineScoring({
    partial: true,
    groups: [
      { name: 'sample', tests: ['0-s1'], aggregation: 'pass-fail', maxScore: 0 },
      { name: 'secret/1', tests: ['1-a', '1-b'], aggregation: 'min', maxScore: 20 },
      { name: 'secret/2', tests: ['2-a', '2-b', '2-c'], aggregation: 'sum', maxScore: 30 }, // continue by default
      { name: 'secret/3', tests: ['3-a', '3-b'], aggregation: 'pass-fail', maxScore: 50, requirePass: ['secret/1'] },
    ],
  });

  const rows: [string, string, number, string][] = [
    ['0-s1:AC 1-a:AC 1-b:AC 2-a:AC 2-b:AC 2-c:AC 3-a:AC 3-b:AC', 'AC', 100, ''],
    // sample fails: no require_pass on it here, so everything else still scores
    ['0-s1:WA 1-a:AC 1-b:AC 2-a:AC 2-b:AC 2-c:AC 3-a:AC 3-b:AC', 'WA', 100, ''],
    // continue: the sum group keeps judging after a failure; 2 of 3 = 20
    ['0-s1:AC 1-a:AC 1-b:AC 2-a:WA 2-b:AC 2-c:AC 3-a:AC 3-b:AC', 'WA', 20 + 20 + 50, '2-a:WA 2-b:AC 2-c:AC'],
    // a failed subtask 1 skips subtask 3 (dependency)
    ['0-s1:AC 1-a:TLE 1-b:AC 2-a:AC 2-b:AC 2-c:AC 3-a:AC 3-b:AC', 'TLE', 30, '1-a:TLE 1-b:SK 3-a:SK 3-b:SK'],
    // partial checker scores: min takes the lowest, sum averages; a WA with a score counts
    ['0-s1:AC 1-a:WA:0.5 1-b:AC 2-a:WA:0.5 2-b:AC:1 2-c:WA:0 3-a:AC 3-b:AC', 'WA', 0 + 15, '1-a:WA 1-b:SK 3-a:SK 3-b:SK'],
    ['0-s1:AC 1-a:AC:0.5 1-b:AC:0.75 2-a:AC 2-b:AC 2-c:AC 3-a:AC 3-b:RTE', 'RTE', 10 + 30, '3-b:RTE'],
  ];
  it.each(rows)('%s', (results, verdict, score, some) => {
    const r = aggregate(ioi, res(results));
    expect(r.verdict).toBe(verdict);
    expect(r.score).toBeCloseTo(score, 9);
    expect(r.maxScore).toBe(100);
    const table = verdicts(ioi, res(results));
    for (const item of some.split(' ').filter(Boolean)) expect(table).toContain(item);
  });

  it('on_reject defaults to continue for sum groups, break otherwise', () => {
    const s = defineScoring({ partial: true, groups: [
      { name: 'p', tests: ['p1'], aggregation: 'pass-fail', maxScore: 1 },
      { name: 'm', tests: ['m1'], aggregation: 'min', maxScore: 1 },
      { name: 's', tests: ['s1'], aggregation: 'sum', maxScore: 1 },
    ] });
    expect(s.groups.map((g) => [g.name, g.onReject])).toEqual([['m', 'break'], ['p', 'break'], ['s', 'continue']]);
  });

  it('a sum group gives each test max/N and rounds to 1e-9', () => {
    const go = defineScoring({ partial: true, groups: [{ name: 'secret', tests: ['a', 'b', 'c'], aggregation: 'sum', maxScore: 100, onReject: 'continue' }] });
    expect(aggregate(go, res('a:AC b:AC c:AC')).score).toBe(100);
    expect(aggregate(go, res('a:AC b:WA c:AC')).score).toBe(66.666666667);
    // break (the default) after b: c is SK and worth 0 even though it ran and passed
    const stop = defineScoring({ partial: true, groups: [{ name: 'secret', tests: ['a', 'b', 'c'], aggregation: 'sum', maxScore: 100, onReject: 'break' }] });
    expect(verdicts(stop, res('a:AC b:WA c:AC'))).toBe('a:AC b:WA c:SK');
    expect(aggregate(stop, res('a:AC b:WA c:AC')).score).toBe(33.333333333);
  });

  it('the IOI rule takes the best of each subtask over all submissions', () => {
    const subs = [
      '0-s1:AC 1-a:AC 1-b:AC 2-a:WA 2-b:WA 2-c:WA 3-a:TLE', // 20 + 0 + 0
      '0-s1:AC 1-a:WA 2-a:AC 2-b:AC 2-c:WA', // 0 + 20 + 0 (3 skipped)
      '0-s1:AC 1-a:AC 1-b:AC 2-a:WA 2-b:WA 2-c:WA 3-a:AC 3-b:AC', // 20 + 0 + 50
    ].map((x) => aggregate(ioi, res(x)));
    expect(subs.map((s) => s.score)).toEqual([20, 20, 70]);
    const best = ioiScore(ioi, subs);
    expect(best.score).toBe(90);
    expect(best.groups).toEqual([
      { name: 'secret/1', score: 20, maxScore: 20, from: 0 },
      { name: 'secret/2', score: 20, maxScore: 30, from: 1 },
      { name: 'secret/3', score: 50, maxScore: 50, from: 2 },
    ]);
    expect(ioiScore(ioi, []).score).toBe(0);
    // DMOJ's example: 30+10 and 0+40 give 70
    const two = defineScoring({ partial: true, groups: [
      { name: 'a', tests: ['a1', 'a2', 'a3'], aggregation: 'sum', maxScore: 30 },
      { name: 'b', tests: ['b1', 'b2', 'b3', 'b4'], aggregation: 'sum', maxScore: 40, onReject: 'continue' },
    ] });
    const x = aggregate(two, res('a1:AC a2:AC a3:AC b1:AC b2:WA b3:WA b4:WA'));
    const y = aggregate(two, res('a1:WA b1:AC b2:AC b3:AC b4:AC'));
    expect([x.score, y.score, ioiScore(two, [x, y]).score]).toEqual([40, 40, 70]);
  });

  it('all-or-nothing mode gives the maximum only for AC', () => {
    const s = defineScoring({ partial: false, groups: [{ name: 'secret', tests: ['a', 'b'], aggregation: 'sum', maxScore: 100 }] });
    expect(aggregate(s, res('a:AC b:AC')).score).toBe(100);
    expect(aggregate(s, res('a:AC b:WA:0.9')).score).toBe(0);
  });
});

describe('DMOJ-shaped problem: pretests, batches with min, dependencies', () => {
  // init.yml: a pretest case (points 0), batch 1 (30 points), a single case (10), batch 2
  // (60 points, dependencies [batch 1]). The importer maps each to a group.
  const dmoj = defineScoring({
    partial: true,
    groups: [
      { name: 'pretest', tests: ['00'], aggregation: 'min', maxScore: 0 },
      { name: 'batch1', tests: ['01a', '01b', '01c'], aggregation: 'min', maxScore: 30, requirePass: ['pretest'] },
      { name: 'case2', tests: ['02'], aggregation: 'min', maxScore: 10, requirePass: ['pretest'] },
      { name: 'batch3', tests: ['03a', '03b'], aggregation: 'min', maxScore: 60, requirePass: ['pretest', 'batch1'] },
    ],
  });

  it('a failed pretest short-circuits everything', () => {
    const r = aggregate(dmoj, res('00:WA 01a:AC 01b:AC 01c:AC 02:AC 03a:AC 03b:AC'));
    expect(r.verdict).toBe('WA');
    expect(r.score).toBe(0);
    expect(r.tests.filter((t) => t.verdict === 'SK').map((t) => t.name)).toEqual(['01a', '01b', '01c', '02', '03a', '03b']);
  });

  it('a failure in a batch marks the rest of it SK, and its dependants', () => {
    const r = aggregate(dmoj, res('00:AC 01a:AC 01b:RTE 01c:AC 02:AC 03a:AC 03b:AC'));
    expect(verdicts(dmoj, res('00:AC 01a:AC 01b:RTE 01c:AC 02:AC 03a:AC 03b:AC'))).toBe('00:AC 01a:AC 01b:RTE 01c:SK 02:AC 03a:SK 03b:SK');
    expect(r.verdict).toBe('RTE');
    expect(r.score).toBe(10);
  });

  it('a batch is worth the minimum of its cases', () => {
    const r = aggregate(dmoj, res('00:AC 01a:AC:0.5 01b:AC:0.8 01c:AC 02:WA 03a:AC 03b:AC'));
    expect(r.groups.map((g) => [g.name, g.score])).toEqual([['pretest', 0], ['batch1', 15], ['case2', 0], ['batch3', 60]]);
    expect(r.score).toBe(75);
    expect(r.verdict).toBe('WA');
  });
});

describe('samples never score', () => {
  it('even with a partial score or a non-zero max given', () => {
    const s = defineScoring({ partial: true, groups: [
      { name: 'sample', tests: ['s'], aggregation: 'sum', maxScore: 50 },
      { name: 'secret', tests: ['t'], aggregation: 'sum', maxScore: 50 },
    ] });
    expect(s.maxScore).toBe(50);
    expect(aggregate(s, res('s:AC t:AC')).score).toBe(50);
    expect(aggregate(s, res('s:WA:0.9 t:WA:0.5')).score).toBe(25);
    const explicit = defineScoring({ partial: true, groups: [{ name: 'examples', sample: true, tests: ['e'], aggregation: 'sum', maxScore: 10 }] });
    expect(explicit.maxScore).toBe(0);
  });
});

describe('skipReason is monotone and agrees with the final table', () => {
  const s = defineScoring({
    partial: true,
    groups: [
      { name: 'sample', tests: ['s1'], aggregation: 'pass-fail', maxScore: 0 },
      { name: 'g1', tests: ['a1', 'a2', 'a3'], aggregation: 'min', maxScore: 40, requirePass: ['sample'] },
      { name: 'g2', tests: ['b1', 'b2'], aggregation: 'sum', maxScore: 60, requirePass: ['g1'], onReject: 'continue' },
    ],
  });

  it('skips after an earlier failure in a break group, never before', () => {
    const known = res('a2:WA');
    expect(skipReason(s, 'a1', known)).toBeNull();
    expect(skipReason(s, 'a3', known)).toBe('test a2 failed');
    expect(skipReason(s, 'b1', known)).toBe('group g1 did not pass');
    expect(skipReason(s, 'b2', res('b1:WA'))).toBeNull(); // continue
    expect(skipReason(s, 'a1', res('s1:TLE'))).toBe('group sample did not pass');
    expect(skipReason(s, 'b1', res('s1:TLE'))).toBe('group g1 did not pass'); // transitively
    expect(() => skipReason(s, 'nope', known)).toThrow(SystemError);
  });

  it('exhaustively: whatever the order results arrive in, skipped tests end up SK', () => {
    const verdictsToTry: TestOutcome['verdict'][] = ['AC', 'WA', 'TLE'];
    const tests = s.order;
    // every assignment of AC/WA/TLE to the 6 tests (729 cases)
    for (let code = 0; code < 3 ** tests.length; code++) {
      const all = new Map<string, TestOutcome>();
      let c = code;
      for (const t of tests) {
        all.set(t, { verdict: verdictsToTry[c % 3]! });
        c = Math.floor(c / 3);
      }
      const final = aggregate(s, all);
      // reveal results one by one in reverse order; whatever skipReason says must hold at the end
      const known = new Map<string, TestOutcome>();
      for (const t of [...tests].reverse()) {
        for (const u of tests) {
          if (skipReason(s, u, known) !== null) expect(final.tests.find((x) => x.name === u)!.verdict, `${code} ${u}`).toBe('SK');
        }
        known.set(t, all.get(t)!);
      }
      // and judging only the tests not skipped (in order) gives the same table
      const judged = new Map<string, TestOutcome>();
      for (const t of tests) if (skipReason(s, t, judged) === null) judged.set(t, all.get(t)!);
      expect(aggregate(s, judged)).toEqual(final);
    }
  });

  it('a compile error skips everything', () => {
    const r = compileErrorResult(s);
    expect(r.verdict).toBe('CE');
    expect(r.score).toBe(0);
    expect(r.tests.every((t) => t.verdict === 'SK')).toBe(true);
  });
});

describe('test fractions', () => {
  it('counts partial scores of AC and WA only, clamped', () => {
    expect(testFraction({ verdict: 'AC' })).toBe(1);
    expect(testFraction({ verdict: 'AC', score: 0.3 })).toBe(0.3);
    expect(testFraction({ verdict: 'WA' })).toBe(0);
    expect(testFraction({ verdict: 'WA', score: 0.5 })).toBe(0.5);
    expect(testFraction({ verdict: 'TLE', score: 0.5 })).toBe(0);
    expect(testFraction({ verdict: 'AC', score: 7 })).toBe(1);
    expect(testFraction({ verdict: 'AC', score: NaN })).toBe(0);
    expect(testFraction(undefined)).toBe(0);
  });
});

describe('stage result to test verdict', () => {
  const MB = 2 ** 20;
  const limits = { memoryBytes: 256 * MB, cpuMs: 1000 };
  const base: StageFacts = { status: 'ok', exitCode: 0, signal: null, memoryKb: 1000, cpuMs: 10, wallMs: 20 };
  const atKb = (fraction: number) => Math.ceil((256 * 1024 * fraction));
  const rows: [string, Partial<StageFacts>, RunOutcome][] = [
    ['clean exit', {}, { verdict: 'OK' }],
    ['clean exit at 99 % memory', { memoryKb: atKb(0.99) }, { verdict: 'OK' }],
    ['non-zero exit', { status: 'runtime_error', exitCode: 1 }, { verdict: 'RTE', detail: 'exit 1' }],
    ['segfault', { status: 'runtime_error', exitCode: null, signal: 'SIGSEGV' }, { verdict: 'RTE', detail: 'signal SIGSEGV' }],
    ['exit 3 at 94 % memory', { status: 'runtime_error', exitCode: 3, memoryKb: atKb(0.94) }, { verdict: 'RTE', detail: 'exit 3' }],
    ['bad_alloc abort at 95 %', { status: 'runtime_error', exitCode: null, signal: 'SIGABRT', memoryKb: atKb(0.95) }, { verdict: 'MLE', detail: 'near-limit' }],
    ['exit 1 at 97 % (malloc returned NULL)', { status: 'runtime_error', exitCode: 1, memoryKb: atKb(0.97) }, { verdict: 'MLE', detail: 'near-limit' }],
    ['one KiB under 95 %', { status: 'runtime_error', exitCode: 1, memoryKb: Math.floor(256 * 1024 * 0.95) - 1 }, { verdict: 'RTE', detail: 'exit 1' }],
    ['exactly 95 %', { status: 'runtime_error', exitCode: 1, memoryKb: 256 * 1024 * 0.95 }, { verdict: 'MLE', detail: 'near-limit' }],
    ['cgroup OOM kill', { status: 'memory_limit', exitCode: null, signal: 'SIGKILL', memoryKb: 256 * 1024 }, { verdict: 'MLE', detail: 'oom' }],
    ['CPU limit', { status: 'time_limit', exitCode: null, signal: 'SIGKILL', cpuMs: 1003 }, { verdict: 'TLE', detail: 'cpu' }],
    ['SIGXCPU', { status: 'time_limit', exitCode: null, signal: 'SIGXCPU', cpuMs: 990 }, { verdict: 'TLE', detail: 'cpu' }],
    ['wall limit (sleeping)', { status: 'time_limit', exitCode: null, signal: 'SIGKILL', cpuMs: 5, wallMs: 3000 }, { verdict: 'TLE', detail: 'wall' }],
    ['TLE wins over high memory', { status: 'time_limit', exitCode: null, signal: 'SIGKILL', cpuMs: 1200, memoryKb: atKb(0.99) }, { verdict: 'TLE', detail: 'cpu' }],
    ['output limit', { status: 'output_limit', exitCode: null, signal: 'SIGXFSZ' }, { verdict: 'OLE' }],
    ['sandbox failure', { status: 'internal_error', exitCode: null, message: 'bwrap failed' }, { verdict: 'JE', message: 'bwrap failed' }],
    ['compile_error on a run', { status: 'compile_error', exitCode: 1 }, { verdict: 'JE', message: 'a run stage reported compile_error' }],
  ];
  it.each(rows)('%s', (_n, stage, expected) => {
    expect(stageVerdict({ ...base, ...stage }, limits)).toEqual(expected);
  });

  it('combines with the checker only on a clean exit', () => {
    expect(testOutcome({ verdict: 'OK' }, { verdict: 'WA', detail: 'presentation', message: 'm' })).toEqual({ verdict: 'WA', detail: 'presentation', message: 'm' });
    expect(testOutcome({ verdict: 'OK' }, { verdict: 'AC', score: 0.5, message: 'ok' })).toEqual({ verdict: 'AC', score: 0.5, message: 'ok' });
    expect(testOutcome({ verdict: 'OK' }, { verdict: 'JE', message: 'checker crashed' })).toEqual({ verdict: 'JE', message: 'checker crashed' });
    expect(testOutcome({ verdict: 'OK' })).toMatchObject({ verdict: 'JE' });
    expect(testOutcome({ verdict: 'RTE', detail: 'exit 2' }, { verdict: 'AC', message: 'x' })).toEqual({ verdict: 'RTE', detail: 'exit 2' });
    expect(testOutcome({ verdict: 'JE', message: 'sandbox' })).toEqual({ verdict: 'JE', message: 'sandbox' });
  });
});

describe('verdict vocabulary', () => {
  it('is consistent', () => {
    expect([...VERDICTS].sort()).toEqual([...new Set([...TEST_VERDICTS, ...SUBMISSION_VERDICTS])].sort());
    expect(isTestVerdict('SK')).toBe(true);
    expect(isSubmissionVerdict('SK')).toBe(false);
    expect(isSubmissionVerdict('CE')).toBe(true);
    expect(isTestVerdict('PE')).toBe(false);
    expect(BIG5.MLE).toBe('RTE');
    expect(BIG5.OLE).toBe('WA');
    expect(BIG5.JE).toBeNull();
  });

  it('allows only forward state moves, and a rejudge', () => {
    expect(canTransition('queued', 'compiling')).toBe(true);
    expect(canTransition('compiling', 'running')).toBe(true);
    expect(canTransition('running', 'done')).toBe(true);
    expect(canTransition('running', 'compiling')).toBe(false);
    expect(canTransition('done', 'running')).toBe(false);
    expect(canTransition('done', 'queued')).toBe(true);
    expect(canTransition('cancelled', 'done')).toBe(false);
  });
});
