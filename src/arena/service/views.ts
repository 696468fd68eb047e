/**
 * Rows to the contract's views. The one rule that matters: hidden test data never leaves the
 * worker. The judge's per-test rows are filtered here, in the worker, before anything is stored
 * or published (`testView`), so the stored result already is the public one.
 */
import type { problems, submissions } from '../../db/schema.js';
import type { JudgedTest, JudgeResult } from '../judge/judge.js';
import type { PackageFiles } from '../packages/model.js';
import type { SubmissionVerdict } from '../verdicts.js';
import type { SubmissionGroupView, SubmissionState, SubmissionSummary, SubmissionTestView, SubmissionView, TestVisibility } from './contract.js';

export type ProblemRow = typeof problems.$inferSelect;
export type SubmissionRow = typeof submissions.$inferSelect;

/** Each shown text is cut to this (the contract's 64 KiB). */
export const SHOWN_BYTES = 64 * 1024;

export function cut(buf: Buffer): { text: string; truncated: boolean } {
  if (buf.length <= SHOWN_BYTES) return { text: buf.toString('utf8'), truncated: false };
  // Cut on a character boundary: drop a trailing partial UTF-8 sequence.
  let end = SHOWN_BYTES;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return { text: buf.subarray(0, end).toString('utf8'), truncated: true };
}

export function visibilityOf(name: string, group: string, publicTests: readonly string[]): TestVisibility {
  if (group === 'sample' || group.startsWith('sample/') || name.startsWith('sample/')) return 'sample';
  return publicTests.includes(name) ? 'public' : 'hidden';
}

/**
 * A checker message fit for a hidden test: the built-in checkers' "Wrong answer on line L,
 * token T: expected X, got Y" keeps only its position; anything else (a custom validator's
 * feedback, which may quote the answer) becomes the verdict's words.
 */
export function publicMessageOf(t: JudgedTest): string | undefined {
  if (t.skipReason !== undefined) return t.skipReason;
  if (t.message === undefined) return undefined;
  if (t.verdict === 'JE') return 'judge error';
  if (t.verdict === 'AC') return t.score < 1 ? 'Partially accepted' : 'Accepted';
  if (t.verdict !== 'WA') return undefined;
  const m = /^(Wrong answer on line \d+, token \d+)/.exec(t.message);
  const hint = t.detail === 'presentation' ? ' (only whitespace or letter case differ)' : '';
  return `${m ? m[1] : 'Wrong answer'}${hint}`;
}

export interface TestDataSource {
  problem: { testData: unknown };
  files: PackageFiles;
  /** Test name → its input and answer file paths. */
  paths: ReadonlyMap<string, { input: string | null; answer: string | null }>;
  /** The program's output of shown tests, by test name (see judgeEngine in submissions.ts). */
  outputs: ReadonlyMap<string, Buffer>;
}

/** One judged test as stored and shown: data only for sample and public tests. */
export function testView(t: JudgedTest, index: number, publicTests: readonly string[], data: TestDataSource | null): SubmissionTestView {
  const visibility = visibilityOf(t.name, t.group, publicTests);
  const v: SubmissionTestView = {
    index,
    name: t.name,
    group: t.group,
    visibility,
    verdict: t.verdict,
    score: t.score,
    cpuMs: t.cpuMs,
    wallMs: t.wallMs,
    memoryKb: t.memoryKb,
  };
  if (t.detail !== undefined) v.detail = t.detail;
  if (visibility === 'hidden') {
    const m = publicMessageOf(t);
    if (m !== undefined) v.message = m;
    return v;
  }
  const message = t.skipReason ?? t.message;
  if (message !== undefined) v.message = message;
  const p = data?.paths.get(t.name);
  if (p && data && t.verdict !== 'pending') {
    let truncated = false;
    if (p.input && data.files.exists(p.input)) {
      const c = cut(data.files.read(p.input));
      v.input = c.text;
      truncated ||= c.truncated;
    }
    if (p.answer && data.files.exists(p.answer)) {
      const c = cut(data.files.read(p.answer));
      v.expected = c.text;
      truncated ||= c.truncated;
    }
    const out = data.outputs.get(t.name);
    if (out) {
      const c = cut(out);
      v.output = c.text;
      truncated ||= c.truncated;
    }
    if (truncated) v.truncated = true;
  }
  return v;
}

/** What `submissions.result` holds (already public). */
export interface StoredResult {
  tests: SubmissionTestView[];
  groups: SubmissionGroupView[];
  compileMessage?: string;
  firstFailure?: string;
  timeLimitMs?: number;
}

export function storedResult(r: JudgeResult, publicTests: readonly string[], data: TestDataSource | null): StoredResult {
  const out: StoredResult = {
    tests: r.tests.map((t, i) => testView(t, i + 1, publicTests, data)),
    groups: r.groups.map((g) => ({
      path: g.name,
      verdict: g.state === 'pending' ? 'pending' : groupVerdict(r, g.name),
      score: g.score,
      maxScore: g.maxScore,
    })),
    timeLimitMs: r.limits.cpuMs,
  };
  if (r.compileMessage !== undefined) out.compileMessage = r.compileMessage;
  if (r.firstFailure !== undefined) out.firstFailure = r.firstFailure;
  return out;
}

function groupVerdict(r: JudgeResult, group: string): SubmissionGroupView['verdict'] {
  const tests = r.tests.filter((t) => t.group === group);
  const bad = tests.find((t) => t.verdict !== 'AC' && t.verdict !== 'SK' && t.verdict !== 'pending');
  if (bad) return bad.verdict;
  if (tests.some((t) => t.verdict === 'pending')) return 'pending';
  if (tests.every((t) => t.verdict === 'SK')) return 'SK';
  return 'AC';
}

export interface SummaryJoin {
  problemSlug: string;
  problemTitle: string;
  username: string;
}

export function summaryOf(row: SubmissionRow, j: SummaryJoin): SubmissionSummary {
  return {
    id: row.id,
    // `verify` (an author's package check) is run-like: judged, never counted.
    kind: row.kind === 'submission' ? 'submission' : 'run',
    problemId: row.problemId,
    problemSlug: j.problemSlug,
    problemTitle: j.problemTitle,
    userId: row.userId,
    username: j.username,
    language: row.language,
    status: row.status as SubmissionState,
    verdict: row.status === 'done' ? (row.verdict as SubmissionVerdict | null) : null,
    score: row.score,
    maxScore: row.maxScore,
    cpuMs: row.cpuMs,
    memoryKb: row.memoryKb,
    testsDone: row.testsDone,
    testsTotal: row.testsTotal,
    createdAt: row.createdAt.toISOString(),
    judgedAt: row.judgedAt ? row.judgedAt.toISOString() : null,
  };
}

export interface StoredSource {
  files: { name: string; content: string }[];
  mainFile?: string;
}

export function viewOf(row: SubmissionRow, j: SummaryJoin, opts: { showCode: boolean; queuePosition?: number | null }): SubmissionView {
  const result = (row.result as StoredResult | null) ?? { tests: [], groups: [] };
  const v: SubmissionView = { ...summaryOf(row, j), tests: result.tests, groups: result.groups };
  if (result.compileMessage !== undefined) v.compileMessage = result.compileMessage;
  if (result.firstFailure !== undefined) v.firstFailure = result.firstFailure;
  if (opts.showCode) v.files = (row.source as StoredSource).files;
  if (opts.queuePosition !== undefined) v.queuePosition = opts.queuePosition;
  return v;
}
