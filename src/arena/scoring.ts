/**
 * Test groups and the aggregation of a submission's test results, as pure functions.
 *
 * - Tests run samples first, then the rest, each part in name order (plain code-unit order, as
 *   Kattis sorts test names). Groups are ordered by their first test.
 * - A group aggregates its tests' scores (fractions 0..1; SK, pending and failed runs count 0):
 *   `pass-fail` (max_score if every test is AC, Kattis' group default), `sum` (each test worth
 *   max_score / N, Kattis' `sum`, CMS `Sum`), `min` (max_score x the lowest fraction: DMOJ batches,
 *   CMS GroupMin). Sample groups never score.
 * - `on_reject: break` (default for pass-fail and min groups) skips (SK) the rest of a group
 *   after its first failing test in order; `continue` (default for sum groups) runs them. `require_pass` (DMOJ `dependencies`) skips a whole group when a
 *   group it requires did not pass (every test AC); required groups must come earlier.
 * - The submission's verdict is the verdict of the first failing test in order (ICPC CCS, Kattis
 *   first_error), SK excluded; its score is the sum of its groups, or in all-or-nothing mode the
 *   maximum when the verdict is AC and 0 otherwise.
 * - In partial-score mode a problem's score for a user is the IOI rule: for each group the best
 *   score over all of the user's submissions, summed.
 *
 * The judge may run tests in parallel and out of order: `skipReason` says which tests can be
 * skipped given the results known so far, and `aggregate` always derives the final table from
 * the results in order, so the outcome does not depend on timing.
 */
import { ErrorCodes, SystemError } from '../errors.js';
import type { SubmissionVerdict, TestVerdict } from './verdicts.js';
import type { TestOutcome } from './stage-verdict.js';

export { stageVerdict, testOutcome, MLE_NEAR_LIMIT_PERCENT, type RunOutcome, type TestOutcome } from './stage-verdict.js';

export const AGGREGATIONS = ['pass-fail', 'sum', 'min'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface GroupSpec {
  /** e.g. `sample`, `secret`, `secret/subtask1`. */
  name: string;
  /** Names of its tests, unique across the problem. */
  tests: readonly string[];
  aggregation: Aggregation;
  /** Points of the group; sample groups are forced to 0. */
  maxScore: number;
  requirePass?: readonly string[];
  /** Default: `continue` for `sum` groups, `break` for `pass-fail` and `min`. */
  onReject?: 'break' | 'continue';
  /** Default: the name is `sample` or starts with `sample/`. */
  sample?: boolean;
}

export interface ScoringSpec {
  groups: readonly GroupSpec[];
  /** False: all or nothing (Kattis pass-fail, DMOJ non-partial problems). */
  partial: boolean;
}

interface Group {
  name: string;
  tests: readonly string[];
  aggregation: Aggregation;
  maxScore: number;
  requirePass: readonly string[];
  onReject: 'break' | 'continue';
  sample: boolean;
}

/** A validated scoring plan: groups and tests in judging order. */
export interface Scoring {
  readonly groups: readonly Group[];
  /** Every test in judging order. */
  readonly order: readonly string[];
  readonly groupOf: ReadonlyMap<string, string>;
  readonly partial: boolean;
  readonly maxScore: number;
}

function invalid(message: string): never {
  throw new SystemError(ErrorCodes.invalidJudgeConfig, message);
}

/** Code-unit order: deterministic and locale-free, like Kattis' lexicographic test order. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Validates a plan. Refusals throw INVALID_JUDGE_CONFIG (the importer checks packages first). */
export function defineScoring(spec: ScoringSpec): Scoring {
  const seenGroups = new Set<string>();
  const groupOf = new Map<string, string>();
  const sampleTest = new Set<string>();
  const raw = spec.groups.map((g) => {
    if (seenGroups.has(g.name)) invalid(`group ${JSON.stringify(g.name)} is defined twice`);
    seenGroups.add(g.name);
    if (g.tests.length === 0) invalid(`group ${JSON.stringify(g.name)} has no tests`);
    if (!(AGGREGATIONS as readonly string[]).includes(g.aggregation)) invalid(`group ${JSON.stringify(g.name)}: unknown aggregation ${JSON.stringify(g.aggregation)}`);
    if (!Number.isFinite(g.maxScore) || g.maxScore < 0) invalid(`group ${JSON.stringify(g.name)}: max score must be a finite number >= 0`);
    if (g.onReject !== undefined && g.onReject !== 'break' && g.onReject !== 'continue') invalid(`group ${JSON.stringify(g.name)}: on_reject must be break or continue`);
    const sample = g.sample ?? (g.name === 'sample' || g.name.startsWith('sample/'));
    for (const t of g.tests) {
      if (groupOf.has(t)) invalid(`test ${JSON.stringify(t)} is in groups ${JSON.stringify(groupOf.get(t))} and ${JSON.stringify(g.name)}`);
      groupOf.set(t, g.name);
      if (sample) sampleTest.add(t);
    }
    return {
      name: g.name,
      tests: [...g.tests].sort(byName),
      aggregation: g.aggregation,
      maxScore: sample ? 0 : g.maxScore,
      requirePass: [...(g.requirePass ?? [])],
      // A sum group exists to give points per test: skipping after a failure would only lose them.
      onReject: g.onReject ?? (g.aggregation === 'sum' ? 'continue' : 'break'),
      sample,
    } satisfies Group;
  });
  const compareTests = (a: string, b: string) => Number(sampleTest.has(b)) - Number(sampleTest.has(a)) || byName(a, b);
  const order = [...groupOf.keys()].sort(compareTests);
  const rank = new Map(order.map((t, i) => [t, i]));
  const groups = raw.sort((a, b) => rank.get(a.tests[0]!)! - rank.get(b.tests[0]!)!);
  const position = new Map(groups.map((g, i) => [g.name, i]));
  groups.forEach((g, i) => {
    for (const r of g.requirePass) {
      const p = position.get(r);
      if (p === undefined) invalid(`group ${JSON.stringify(g.name)} requires unknown group ${JSON.stringify(r)}`);
      if (p >= i) invalid(`group ${JSON.stringify(g.name)} requires ${JSON.stringify(r)}, which is not judged before it`);
    }
  });
  const frozenGroups = Object.freeze(groups.map((g) => Object.freeze({ ...g, tests: Object.freeze(g.tests), requirePass: Object.freeze(g.requirePass) })));
  return Object.freeze({
    groups: frozenGroups,
    order: Object.freeze(order),
    groupOf,
    partial: spec.partial,
    maxScore: groups.reduce((s, g) => s + g.maxScore, 0),
  });
}

/** Fraction of a test's points it earned: checkers' partial scores count even on a WA. */
export function testFraction(r: Pick<TestOutcome, 'verdict' | 'score'> | undefined): number {
  if (r === undefined) return 0;
  if (r.verdict !== 'AC' && r.verdict !== 'WA') return 0;
  const s = r.score ?? (r.verdict === 'AC' ? 1 : 0);
  return Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
}

export type Results = ReadonlyMap<string, Pick<TestOutcome, 'verdict' | 'score'>>;

/**
 * Why `test` need not run given the results known so far, or null. Monotone: a test skipped
 * here is SK in the final table whatever the pending tests give.
 */
export function skipReason(scoring: Scoring, test: string, known: Results): string | null {
  const groupName = scoring.groupOf.get(test);
  if (groupName === undefined) invalid(`unknown test ${JSON.stringify(test)}`);
  const group = scoring.groups.find((g) => g.name === groupName)!;
  for (const r of group.requirePass) {
    const req = scoring.groups.find((g) => g.name === r)!;
    // Any known failure in a group means the group fails: either it counts, or an earlier one did.
    if (req.tests.some((t) => failed(known.get(t)))) return `group ${r} did not pass`;
    const reqSkip = req.tests.length > 0 ? skipReason(scoring, req.tests[0]!, known) : null;
    if (reqSkip !== null) return `group ${r} did not pass`;
  }
  if (group.onReject === 'break') {
    for (const t of group.tests) {
      if (t === test) break;
      if (failed(known.get(t))) return `test ${t} failed`;
    }
  }
  return null;
}

function failed(r: Pick<TestOutcome, 'verdict'> | undefined): boolean {
  return r !== undefined && r.verdict !== 'AC';
}

export interface FinalTest {
  name: string;
  group: string;
  /** `pending`: no result yet (only while judging). */
  verdict: TestVerdict | 'pending';
  /** Fraction 0..1 earned. */
  score: number;
  skipReason?: string;
}

export interface GroupResult {
  name: string;
  sample: boolean;
  score: number;
  maxScore: number;
  /** passed: every test AC; failed: some test is not; pending: undecided yet. */
  state: 'passed' | 'failed' | 'pending';
  /** When the whole group was skipped: why. */
  skipReason?: string;
}

export interface SubmissionResult {
  /** null while an earlier test is still pending. */
  verdict: SubmissionVerdict | null;
  /** The test that decided a non-AC verdict. */
  firstFailure?: string;
  score: number;
  maxScore: number;
  complete: boolean;
  groups: GroupResult[];
  /** In judging order. */
  tests: FinalTest[];
}

/**
 * The final (or, with missing results, provisional) table of a submission. Results for tests
 * that the rules skip are ignored and shown as SK, whatever they were.
 */
export function aggregate(scoring: Scoring, results: Results): SubmissionResult {
  const finalTests = new Map<string, FinalTest>();
  const state = new Map<string, GroupResult['state']>();
  const groups: GroupResult[] = [];
  for (const g of scoring.groups) {
    const blocker = g.requirePass.find((r) => state.get(r) === 'failed');
    const tests: FinalTest[] = [];
    let failure: string | undefined;
    let pending = false;
    for (const t of g.tests) {
      if (blocker !== undefined) {
        tests.push({ name: t, group: g.name, verdict: 'SK', score: 0, skipReason: `group ${blocker} did not pass` });
        continue;
      }
      if (failure !== undefined && g.onReject === 'break') {
        tests.push({ name: t, group: g.name, verdict: 'SK', score: 0, skipReason: `test ${failure} failed` });
        continue;
      }
      const r = results.get(t);
      if (r === undefined) {
        pending = true;
        tests.push({ name: t, group: g.name, verdict: 'pending', score: 0 });
        continue;
      }
      tests.push({ name: t, group: g.name, verdict: r.verdict, score: testFraction(r) });
      if (r.verdict !== 'AC') failure ??= t;
    }
    const st: GroupResult['state'] = blocker !== undefined || failure !== undefined ? 'failed' : pending ? 'pending' : 'passed';
    state.set(g.name, st);
    for (const t of tests) finalTests.set(t.name, t);
    const result: GroupResult = { name: g.name, sample: g.sample, score: groupScore(g, tests, st), maxScore: g.maxScore, state: st };
    if (blocker !== undefined) result.skipReason = `group ${blocker} did not pass`;
    groups.push(result);
  }
  const tests = scoring.order.map((t) => finalTests.get(t)!);
  let verdict: SubmissionVerdict | null = 'AC';
  let firstFailure: string | undefined;
  for (const t of tests) {
    if (t.verdict === 'AC' || t.verdict === 'SK') continue;
    if (t.verdict === 'pending') verdict = null;
    else {
      verdict = t.verdict;
      firstFailure = t.name;
    }
    break;
  }
  const complete = tests.every((t) => t.verdict !== 'pending');
  const sum = groups.reduce((s, g) => s + g.score, 0);
  const score = scoring.partial ? sum : verdict === 'AC' && complete ? scoring.maxScore : 0;
  const out: SubmissionResult = { verdict, score: round(score), maxScore: scoring.maxScore, complete, groups, tests };
  if (firstFailure !== undefined) out.firstFailure = firstFailure;
  return out;
}

function groupScore(g: Group, tests: FinalTest[], st: GroupResult['state']): number {
  if (g.sample || g.maxScore === 0) return 0;
  switch (g.aggregation) {
    case 'pass-fail':
      return st === 'passed' ? g.maxScore : 0;
    case 'sum':
      return round((g.maxScore * tests.reduce((s, t) => s + t.score, 0)) / tests.length);
    case 'min':
      return round(g.maxScore * Math.min(...tests.map((t) => t.score)));
  }
}

/** Scores are kept to 1e-9 so that 3 x (100/3) shows as 100, not 99.99999999999999. */
function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** A compile error: every test skipped, verdict CE, score 0. */
export function compileErrorResult(scoring: Scoring): SubmissionResult {
  return {
    verdict: 'CE',
    score: 0,
    maxScore: scoring.maxScore,
    complete: true,
    groups: scoring.groups.map((g) => ({ name: g.name, sample: g.sample, score: 0, maxScore: g.maxScore, state: 'failed', skipReason: 'compile error' })),
    tests: scoring.order.map((t) => ({ name: t, group: scoring.groupOf.get(t)!, verdict: 'SK', score: 0, skipReason: 'compile error' })),
  };
}

export interface IoiGroupScore {
  name: string;
  score: number;
  maxScore: number;
  /** Index in the given list of the first submission that reached `score`, if any scored. */
  from?: number;
}

/**
 * The IOI rule (since 2017; CMS `_task_score_max_subtask`, DMOJ's IOI format): for each group
 * the best score over the user's submissions, summed. Samples count 0; groups a submission does
 * not know (renamed by a later package version) count 0 for it. JE tests already count 0 in their
 * submission, and a maximum cannot be lowered by them, so no submission needs to be excluded.
 */
export function ioiScore(scoring: Scoring, submissions: readonly Pick<SubmissionResult, 'groups'>[]): { score: number; maxScore: number; groups: IoiGroupScore[] } {
  const groups = scoring.groups
    .filter((g) => !g.sample)
    .map((g) => {
      const best: IoiGroupScore = { name: g.name, score: 0, maxScore: g.maxScore };
      submissions.forEach((s, i) => {
        const score = Math.min(g.maxScore, s.groups.find((x) => x.name === g.name)?.score ?? 0);
        if (score > best.score) {
          best.score = score;
          best.from = i;
        }
      });
      return best;
    });
  return { score: round(groups.reduce((s, g) => s + g.score, 0)), maxScore: scoring.maxScore, groups };
}
