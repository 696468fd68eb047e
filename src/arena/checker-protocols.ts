/**
 * Reading what a custom checker said. The sandbox runs the checker later (judge service); these
 * pure functions turn its exit code, stdout, stderr and feedback files into a verdict. A checker
 * that crashes, times out, or answers outside its protocol gives `JE` for the test, never `WA`:
 * our (or the problem author's) failure is never charged to the contestant.
 *
 * - Kattis (`validator input answer feedback_dir [args] < output`): exit 42 AC, 43 WA, anything
 *   else JE; `judgemessage.txt` is the message; `score.txt` (points, absolute) or
 *   `score_multiplier.txt` (0..1) give a partial score on AC.
 * - testlib (`checker input output answer`): exit 0 AC, 1 WA, 2 presentation error (WA with
 *   detail), 3 "fail" (JE), 7 partial with `points X` in its message; anything else JE.
 * - CMS (`checker input answer output`): stdout the outcome, a float in 0..1; stderr the message.
 * - DMOJ bridged `default` (`checker input output answer`): exit 0 AC, 1 WA, anything else JE.
 * - DMOJ bridged `coci`: testlib's codes, but exit 7 carries `partial X/Y` (the fraction X/Y).
 * Protocol names match the package model's (src/arena/packages).
 */
import type { CheckResult } from './checkers/types.js';
import type { StageStatus } from '../engine/types.js';

export const CHECKER_PROTOCOLS = ['kattis', 'testlib', 'cms', 'dmoj-default', 'coci'] as const;
export type CheckerProtocol = (typeof CHECKER_PROTOCOLS)[number];

/** The checker failed: JE. `message` is for operators and authors, never for the contestant. */
export interface JudgeErrorResult {
  verdict: 'JE';
  message: string;
}

export type CustomCheckResult = CheckResult | JudgeErrorResult;

/** One run of a checker, as the sandbox reports it. */
export interface CheckerRun {
  /** The engine's stage status; anything but ok/runtime_error means the checker itself failed. */
  status?: StageStatus;
  exitCode: number | null;
  signal?: string | null;
  stdout?: string | Buffer;
  stderr?: string | Buffer;
}

/**
 * Feedback files a Kattis validator wrote into feedback_dir (absent when not written). Other
 * files (teammessage.txt, diffposition.txt) are not read: the message shown is judgemessage.txt.
 */
export interface KattisFeedback {
  judgemessage?: string | Buffer;
  score?: string | Buffer;
  scoreMultiplier?: string | Buffer;
}

/** Messages from checkers are cut here: a checker printing megabytes must not fill the database. */
export const CHECKER_MESSAGE_CHARS = 4096;

function text(value: string | Buffer | undefined): string {
  if (value === undefined) return '';
  const s = typeof value === 'string' ? value : value.toString('utf8');
  const trimmed = s.trim();
  if (trimmed.length <= CHECKER_MESSAGE_CHARS) return trimmed;
  return `${Array.from(trimmed.slice(0, CHECKER_MESSAGE_CHARS + 1)).slice(0, CHECKER_MESSAGE_CHARS - 1).join('')}…`;
}

/** A plain decimal number, nothing else (no hex, no inf/nan, no trailing words). */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(s: string): number | null {
  if (!NUMBER_RE.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Rounding slack when comparing a reported score with its bounds. */
const SLACK = 1e-9;

function describeExit(run: CheckerRun): string {
  if (run.status && run.status !== 'ok' && run.status !== 'runtime_error') return `the checker ended with ${run.status}`;
  if (run.signal) return `the checker was killed by ${run.signal}`;
  return `the checker exited with code ${run.exitCode}`;
}

function judgeError(why: string, ...details: string[]): JudgeErrorResult {
  const extra = details.filter(Boolean).join('\n');
  return { verdict: 'JE', message: extra ? `${why}\n${text(extra)}` : why };
}

/** Whether the engine says the checker process itself did not finish normally. */
function checkerFailed(run: CheckerRun): boolean {
  return (run.status !== undefined && run.status !== 'ok' && run.status !== 'runtime_error') || (run.signal ?? null) !== null;
}

/**
 * A Kattis output validator. `maxScore` is the test's worth in points; it is needed only to read
 * an absolute `score.txt` (a score.txt without it, or out of 0..maxScore, is a JE).
 */
export function parseKattisResult(run: CheckerRun, feedback: KattisFeedback = {}, opts: { maxScore?: number } = {}): CustomCheckResult {
  const judgemessage = text(feedback.judgemessage);
  if (checkerFailed(run) || (run.exitCode !== 42 && run.exitCode !== 43)) {
    return judgeError(`${describeExit(run)} (a Kattis validator must exit 42 or 43)`, judgemessage, text(run.stderr));
  }
  if (run.exitCode === 43) return { verdict: 'WA', message: judgemessage || 'Wrong answer' };
  const result: CheckResult = { verdict: 'AC', message: judgemessage || 'Accepted' };
  if (feedback.score !== undefined && feedback.scoreMultiplier !== undefined) {
    return judgeError('the validator wrote both score.txt and score_multiplier.txt');
  }
  if (feedback.scoreMultiplier !== undefined) {
    const m = parseNumber(text(feedback.scoreMultiplier));
    if (m === null || m < -SLACK || m > 1 + SLACK) return judgeError(`score_multiplier.txt must hold a number in 0..1, not ${JSON.stringify(text(feedback.scoreMultiplier).slice(0, 64))}`);
    result.score = clamp01(m);
  } else if (feedback.score !== undefined) {
    const points = parseNumber(text(feedback.score));
    if (points === null) return judgeError(`score.txt must hold a number, not ${JSON.stringify(text(feedback.score).slice(0, 64))}`);
    if (opts.maxScore === undefined || opts.maxScore <= 0) return judgeError('the validator wrote score.txt but the test has no maximum score');
    if (points < -SLACK || points > opts.maxScore + SLACK) return judgeError(`score.txt holds ${points}, outside 0..${opts.maxScore}`);
    result.score = clamp01(points / opts.maxScore);
  }
  return result;
}

/** testlib's `points X` line (quitp), at the start of a line of its message. */
const POINTS_RE = /^points\s+([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\b/m;

/**
 * A testlib checker. Its message is on stderr. For exit 7, `points X` is out of `maxPoints`
 * (default 1, so X is the fraction); X above it or below 0 is a JE. Partial credit below full
 * is a WA carrying its score; full points are AC.
 */
export function parseTestlibResult(run: CheckerRun, opts: { maxPoints?: number } = {}): CustomCheckResult {
  return testlibLike(run, (message) => {
    const max = opts.maxPoints ?? 1;
    const m = POINTS_RE.exec(message);
    if (!m) return 'testlib exit 7 without a "points X" line';
    const points = Number(m[1]);
    if (!Number.isFinite(points) || points < -SLACK || points > max + SLACK) return `testlib partial points ${m[1]} outside 0..${max}`;
    return points / max;
  });
}

/** COCI's `partial X/Y` line (DMOJ contrib/coci.py); Y must be positive. */
const COCI_PARTIAL_RE = /^partial (\d+)\/(\d+)\s*$/m;

/** A COCI checker: testlib's exit codes, exit 7 with `partial X/Y` on stderr. */
export function parseCociResult(run: CheckerRun): CustomCheckResult {
  return testlibLike(run, (message) => {
    const m = COCI_PARTIAL_RE.exec(message);
    if (!m) return 'coci exit 7 without a "partial X/Y" line';
    const x = Number(m[1]);
    const y = Number(m[2]);
    if (y === 0 || x > y) return `coci partial ${m[1]}/${m[2]} is not a fraction in 0..1`;
    return x / y;
  });
}

/** testlib's codes; `partial` reads exit 7's message into a fraction, or says why it cannot. */
function testlibLike(run: CheckerRun, partial: (message: string) => number | string): CustomCheckResult {
  const message = text(run.stderr);
  if (checkerFailed(run)) return judgeError(describeExit(run), message);
  switch (run.exitCode) {
    case 0:
      return { verdict: 'AC', message: message || 'Accepted' };
    case 1:
      return { verdict: 'WA', message: message || 'Wrong answer' };
    case 2:
      return { verdict: 'WA', detail: 'presentation', message: message || 'Presentation error' };
    case 3:
      return judgeError('the checker failed (testlib exit 3)', message);
    case 7: {
      const fraction = partial(message);
      if (typeof fraction === 'string') return judgeError(fraction, message);
      const score = clamp01(fraction);
      return score >= 1 ? { verdict: 'AC', score: 1, message } : { verdict: 'WA', score, message };
    }
    default:
      return judgeError(`${describeExit(run)} (testlib uses 0, 1, 2, 3 and 7)`, message);
  }
}

/** DMOJ's bridged `default` checker: exit 0 AC, 1 WA, anything else JE; the message on stderr. */
export function parseDmojDefaultResult(run: CheckerRun): CustomCheckResult {
  const message = text(run.stderr);
  if (checkerFailed(run)) return judgeError(describeExit(run), message);
  if (run.exitCode === 0) return { verdict: 'AC', message: message || 'Accepted' };
  if (run.exitCode === 1) return { verdict: 'WA', message: message || 'Wrong answer' };
  return judgeError(`${describeExit(run)} (a DMOJ default checker exits 0 or 1)`, message);
}

/** CMS's standard messages, as its checkers write them on stderr. */
const CMS_MESSAGES: Record<string, string> = {
  'translate:success': 'Output is correct',
  'translate:wrong': 'Output isn\u2019t correct',
  'translate:partial': 'Output is partially correct',
};

/**
 * A CMS checker: exit 0 with stdout's first line a float outcome in 0..1 and stderr's first line
 * the message. Outcome 1 is AC, anything lower a WA carrying the outcome as its score.
 */
export function parseCmsResult(run: CheckerRun): CustomCheckResult {
  const stdout = text(run.stdout);
  const stderr = text(run.stderr);
  if (checkerFailed(run) || run.exitCode !== 0) return judgeError(describeExit(run), stderr);
  const first = stdout.split(/\r?\n/)[0]!.trim();
  const outcome = parseNumber(first);
  if (outcome === null || outcome < -SLACK || outcome > 1 + SLACK) {
    return judgeError(`a CMS checker must print an outcome in 0..1 on stdout, not ${JSON.stringify(first.slice(0, 64))}`, stderr);
  }
  const line = stderr.split(/\r?\n/)[0]!.trim();
  const message = CMS_MESSAGES[line] ?? line;
  const score = clamp01(outcome);
  if (score >= 1) return { verdict: 'AC', message: message || 'Output is correct' };
  return { verdict: 'WA', score, message: message || (score > 0 ? 'Output is partially correct' : 'Output isn\u2019t correct') };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Dispatch by protocol name. */
export function parseCheckerResult(protocol: CheckerProtocol, run: CheckerRun, feedback?: KattisFeedback, opts: { maxScore?: number } = {}): CustomCheckResult {
  if (protocol === 'kattis') return parseKattisResult(run, feedback, opts);
  if (protocol === 'testlib') return parseTestlibResult(run, opts.maxScore === undefined ? {} : { maxPoints: opts.maxScore });
  if (protocol === 'coci') return parseCociResult(run);
  if (protocol === 'dmoj-default') return parseDmojDefaultResult(run);
  return parseCmsResult(run);
}
