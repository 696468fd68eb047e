import { describe, expect, it } from 'vitest';
import {
  CHECKER_MESSAGE_CHARS,
  parseCheckerResult,
  parseCmsResult,
  parseCociResult,
  parseDmojDefaultResult,
  parseKattisResult,
  parseTestlibResult,
  type CheckerRun,
  type CustomCheckResult,
  type KattisFeedback,
} from '../../src/arena/checker-protocols.js';

type Expect = { verdict: 'AC' | 'WA' | 'JE'; score?: number; detail?: 'presentation'; message?: RegExp };

function same(res: CustomCheckResult, e: Expect) {
  expect(res.verdict, res.message).toBe(e.verdict);
  if ('score' in e) expect((res as { score?: number }).score).toBeCloseTo(e.score!, 12);
  else expect((res as { score?: number }).score).toBeUndefined();
  expect((res as { detail?: string }).detail).toBe(e.detail);
  if (e.message) expect(res.message).toMatch(e.message);
}

const run = (exitCode: number | null, more: Partial<CheckerRun> = {}): CheckerRun => ({ status: exitCode === 0 ? 'ok' : 'runtime_error', exitCode, signal: null, ...more });

describe('Kattis validator protocol', () => {
  const rows: [string, CheckerRun, KattisFeedback, { maxScore?: number }, Expect][] = [
    ['42 is AC', run(42), {}, {}, { verdict: 'AC', message: /^Accepted$/ }],
    ['43 is WA with judgemessage', run(43), { judgemessage: 'Wrong answer on line 3\n' }, {}, { verdict: 'WA', message: /^Wrong answer on line 3$/ }],
    ['43 without a message', run(43), {}, {}, { verdict: 'WA', message: /^Wrong answer$/ }],
    ['0 is JE', run(0), {}, {}, { verdict: 'JE', message: /exited with code 0 .*42 or 43/ }],
    ['1 is JE', run(1, { stderr: 'assertion failed' }), {}, {}, { verdict: 'JE', message: /code 1[\s\S]*assertion failed/ }],
    ['44 is JE', run(44), {}, {}, { verdict: 'JE' }],
    ['a signal is JE', run(null, { signal: 'SIGSEGV' }), {}, {}, { verdict: 'JE', message: /killed by SIGSEGV/ }],
    ['a timeout is JE even with 43', run(43, { status: 'time_limit' }), {}, {}, { verdict: 'JE', message: /time_limit/ }],
    ['a sandbox failure is JE', run(null, { status: 'internal_error' }), {}, {}, { verdict: 'JE' }],
    ['score_multiplier', run(42), { scoreMultiplier: '0.25\n' }, {}, { verdict: 'AC', score: 0.25 }],
    ['score_multiplier 1', run(42), { scoreMultiplier: '1' }, {}, { verdict: 'AC', score: 1 }],
    ['score_multiplier out of range', run(42), { scoreMultiplier: '1.5' }, {}, { verdict: 'JE', message: /0\.\.1/ }],
    ['score_multiplier garbage', run(42), { scoreMultiplier: 'half' }, {}, { verdict: 'JE' }],
    ['score.txt absolute', run(42), { score: '30' }, { maxScore: 40 }, { verdict: 'AC', score: 0.75 }],
    ['score.txt above max', run(42), { score: '41' }, { maxScore: 40 }, { verdict: 'JE', message: /outside 0\.\.40/ }],
    ['score.txt negative', run(42), { score: '-1' }, { maxScore: 40 }, { verdict: 'JE' }],
    ['score.txt without a maximum', run(42), { score: '3' }, {}, { verdict: 'JE', message: /no maximum/ }],
    ['score.txt nan', run(42), { score: 'nan' }, { maxScore: 1 }, { verdict: 'JE' }],
    ['both score files', run(42), { score: '1', scoreMultiplier: '1' }, { maxScore: 1 }, { verdict: 'JE', message: /both/ }],
    ['score ignored on WA', run(43), { scoreMultiplier: '0.5' }, {}, { verdict: 'WA' }],
  ];
  it.each(rows)('%s', (_name, r, fb, opts, e) => same(parseKattisResult(r, fb, opts), e));

  it('cuts a huge judgemessage', () => {
    const res = parseKattisResult(run(43), { judgemessage: 'x'.repeat(1_000_000) });
    expect(res.message.length).toBe(CHECKER_MESSAGE_CHARS);
    expect(res.message.endsWith('…')).toBe(true);
  });
});

describe('testlib protocol', () => {
  const rows: [string, CheckerRun, { maxPoints?: number }, Expect][] = [
    ['0 is AC', run(0, { stderr: 'ok 3 numbers\n' }), {}, { verdict: 'AC', message: /^ok 3 numbers$/ }],
    ['1 is WA', run(1, { stderr: 'wrong answer 2nd numbers differ - expected: 5, found: 6' }), {}, { verdict: 'WA', message: /expected: 5, found: 6/ }],
    ['2 is WA with presentation', run(2, { stderr: 'wrong output format Unexpected end of file' }), {}, { verdict: 'WA', detail: 'presentation', message: /format/ }],
    ['2 without message', run(2), {}, { verdict: 'WA', detail: 'presentation', message: /^Presentation error$/ }],
    ['3 is JE', run(3, { stderr: 'FAIL answer is wrong' }), {}, { verdict: 'JE', message: /exit 3[\s\S]*FAIL/ }],
    ['7 partial fraction', run(7, { stderr: 'points 0.4\nhalf done' }), {}, { verdict: 'WA', score: 0.4 }],
    ['7 partial message after points', run(7, { stderr: 'points 0.5 partially correct' }), {}, { verdict: 'WA', score: 0.5 }],
    ['7 full points is AC', run(7, { stderr: 'points 1' }), {}, { verdict: 'AC', score: 1 }],
    ['7 absolute points', run(7, { stderr: 'points 15' }), { maxPoints: 20 }, { verdict: 'WA', score: 0.75 }],
    ['7 zero points', run(7, { stderr: 'points 0' }), {}, { verdict: 'WA', score: 0 }],
    ['7 over the maximum', run(7, { stderr: 'points 2' }), {}, { verdict: 'JE', message: /outside 0\.\.1/ }],
    ['7 negative', run(7, { stderr: 'points -1' }), {}, { verdict: 'JE' }],
    ['7 without points', run(7, { stderr: 'partially correct' }), {}, { verdict: 'JE', message: /points X/ }],
    ['7 with points not at a line start', run(7, { stderr: 'got points 0.5' }), {}, { verdict: 'JE' }],
    ['4 is JE', run(4), {}, { verdict: 'JE', message: /testlib uses/ }],
    ['a signal is JE', run(null, { signal: 'SIGABRT' }), {}, { verdict: 'JE', message: /SIGABRT/ }],
    ['a timeout is JE', run(0, { status: 'time_limit' }), {}, { verdict: 'JE' }],
    ['a memory kill is JE', run(null, { status: 'memory_limit', signal: 'SIGKILL' }), {}, { verdict: 'JE' }],
  ];
  it.each(rows)('%s', (_name, r, opts, e) => same(parseTestlibResult(r, opts), e));
});

describe('CMS protocol', () => {
  const rows: [string, CheckerRun, Expect][] = [
    ['1.0 is AC', run(0, { stdout: '1.0\n', stderr: 'translate:success\n' }), { verdict: 'AC', message: /^Output is correct$/ }],
    ['1 is AC', run(0, { stdout: '1' }), { verdict: 'AC' }],
    ['0 is WA', run(0, { stdout: '0.0\n', stderr: 'translate:wrong\n' }), { verdict: 'WA', score: 0, message: /isn’t correct/ }],
    ['partial', run(0, { stdout: '0.3\n', stderr: 'translate:partial\n' }), { verdict: 'WA', score: 0.3, message: /partially/ }],
    ['own message, first line only', run(0, { stdout: '0.5', stderr: 'Half of the pairs\nmore detail' }), { verdict: 'WA', score: 0.5, message: /^Half of the pairs$/ }],
    ['empty stdout is JE', run(0, { stdout: '' }), { verdict: 'JE', message: /outcome in 0\.\.1/ }],
    ['garbage is JE', run(0, { stdout: 'correct' }), { verdict: 'JE' }],
    ['above 1 is JE', run(0, { stdout: '1.5' }), { verdict: 'JE' }],
    ['negative is JE', run(0, { stdout: '-0.5' }), { verdict: 'JE' }],
    ['nan is JE', run(0, { stdout: 'nan' }), { verdict: 'JE' }],
    ['non-zero exit is JE', run(1, { stdout: '1.0' }), { verdict: 'JE', message: /code 1/ }],
    ['a crash is JE', run(null, { signal: 'SIGSEGV', stdout: '1.0' }), { verdict: 'JE' }],
  ];
  it.each(rows)('%s', (_name, r, e) => same(parseCmsResult(r), e));
});

describe('COCI protocol (DMOJ bridged coci)', () => {
  const rows: [string, CheckerRun, Expect][] = [
    ['0 is AC', run(0), { verdict: 'AC' }],
    ['1 is WA', run(1, { stderr: 'wrong' }), { verdict: 'WA', message: /^wrong$/ }],
    ['2 is presentation', run(2), { verdict: 'WA', detail: 'presentation' }],
    ['3 is JE', run(3), { verdict: 'JE' }],
    ['partial 3/4', run(7, { stderr: 'partial 3/4\n' }), { verdict: 'WA', score: 0.75 }],
    ['partial 4/4 is AC', run(7, { stderr: 'partial 4/4' }), { verdict: 'AC', score: 1 }],
    ['partial 0/5', run(7, { stderr: 'partial 0/5' }), { verdict: 'WA', score: 0 }],
    ['partial 5/4 is JE', run(7, { stderr: 'partial 5/4' }), { verdict: 'JE', message: /not a fraction/ }],
    ['partial 1/0 is JE', run(7, { stderr: 'partial 1/0' }), { verdict: 'JE' }],
    ['testlib points is not coci', run(7, { stderr: 'points 0.5' }), { verdict: 'JE', message: /partial X\/Y/ }],
  ];
  it.each(rows)('%s', (_name, r, e) => same(parseCociResult(r), e));
});

describe('DMOJ bridged default protocol', () => {
  const rows: [string, CheckerRun, Expect][] = [
    ['0 is AC', run(0, { stderr: 'fine' }), { verdict: 'AC', message: /^fine$/ }],
    ['1 is WA', run(1), { verdict: 'WA', message: /^Wrong answer$/ }],
    ['2 is JE (no presentation error here)', run(2), { verdict: 'JE', message: /exits 0 or 1/ }],
    ['7 is JE', run(7, { stderr: 'points 1' }), { verdict: 'JE' }],
    ['a crash is JE', run(null, { signal: 'SIGSEGV' }), { verdict: 'JE' }],
    ['a timeout is JE', run(0, { status: 'time_limit' }), { verdict: 'JE' }],
  ];
  it.each(rows)('%s', (_name, r, e) => same(parseDmojDefaultResult(r), e));
});

describe('protocol dispatch', () => {
  it('routes by name and passes the maximum', () => {
    expect(parseCheckerResult('kattis', run(42), { score: '5' }, { maxScore: 10 })).toMatchObject({ verdict: 'AC', score: 0.5 });
    expect(parseCheckerResult('testlib', run(7, { stderr: 'points 5' }), undefined, { maxScore: 10 })).toMatchObject({ verdict: 'WA', score: 0.5 });
    expect(parseCheckerResult('cms', run(0, { stdout: '0.5' }))).toMatchObject({ verdict: 'WA', score: 0.5 });
    expect(parseCheckerResult('coci', run(7, { stderr: 'partial 1/2' }))).toMatchObject({ verdict: 'WA', score: 0.5 });
    expect(parseCheckerResult('dmoj-default', run(1))).toMatchObject({ verdict: 'WA' });
    expect(parseCheckerResult('testlib', run(7, { stderr: 'points 0.25' }))).toMatchObject({ verdict: 'WA', score: 0.25 });
  });
});
