/**
 * `muscode problem verify`: judge every program under a package's `submissions/` and check that
 * each earns what its folder (and `submissions.yaml`) says. Verdicts are compared in the CLICS
 * "big 5" (MLE counts as RTE, OLE as WA), as Kattis does.
 *
 * Time limit: the package's when it sets one. Otherwise it is derived as problemtools does:
 * the accepted programs run first under a generous limit; TL = slowest AC test x `ac_to_time_limit`
 * (legacy `time_multiplier`), rounded up to `time_resolution` (default 1 s). The
 * time_limit_exceeded programs then run under TL x `time_limit_to_tle` (legacy
 * `time_safety_margin`), so that they must be too slow even with the safety margin; the others
 * run under TL.
 */
import type { Engine } from '../../engine/runner/engine.js';
import type { PackageFiles, ProblemPackage, SubmissionFolder, SubmissionProgram } from '../packages/model.js';
import { BIG5 } from '../verdicts.js';
import { programFiles } from './custom-validator.js';
import { judgeSubmission, type JudgeResult } from './judge.js';
import { DEFAULT_JUDGE_LIMITS } from './plan.js';

/** CPU limit of the accepted runs that measure the time limit. */
export const MEASURE_CPU_MS = 10_000;

export interface TimeLimitInfo {
  seconds: number;
  derived: boolean;
  /** No time limit in the package and no accepted program to derive one: the judge's default. */
  defaulted?: boolean;
  /** When derived: the slowest accepted test and the rule's factors. */
  slowestAcMs?: number;
  multiplier?: number;
  safetyMargin?: number;
  resolution?: number;
}

export interface VerifyRow {
  program: string;
  language: string | null;
  expected: string;
  got: string;
  /** Slowest test's CPU time. */
  cpuMs: number | null;
  score: number;
  maxScore: number;
  ok: boolean;
  /** Why it does not match. */
  note?: string;
}

export interface VerifyReport {
  slug: string;
  timeLimit: TimeLimitInfo;
  rows: VerifyRow[];
  ok: boolean;
}

type Big = 'AC' | 'WA' | 'TLE' | 'RTE';

function slowest(r: JudgeResult): number | null {
  const times = r.tests.map((t) => t.cpuMs).filter((x): x is number => x !== null);
  return times.length ? Math.max(...times) : null;
}

/** The Kattis rule: TL >= slowest x multiplier, rounded up to the resolution. */
export function deriveTimeLimit(slowestAcMs: number, multiplier: number, resolution: number): number {
  const raw = (slowestAcMs * multiplier) / 1000;
  return Math.max(resolution, Math.ceil(raw / resolution - 1e-9) * resolution);
}

function expectation(folder: SubmissionFolder, program: SubmissionProgram): { label: string; permitted: Big[] | null; required: Big[] | null; score: [number, number] | null; pac: boolean } {
  let permitted = folder.permitted as Big[] | null;
  let required = folder.required as Big[] | null;
  let score: [number, number] | null = null;
  for (const rule of program.rules) {
    if (Array.isArray(rule.permitted)) permitted = rule.permitted as Big[];
    if (Array.isArray(rule.required)) required = rule.required as Big[];
    if (typeof rule.score === 'number') score = [rule.score, rule.score];
    else if (Array.isArray(rule.score) && rule.score.length === 2) score = [Number(rule.score[0]), Number(rule.score[1])];
  }
  const label = folder.expected ?? (required ? `${required.join('|')} (of ${permitted?.join(',') ?? 'any'})` : folder.folder);
  return { label: score ? `${label} ${score[0]}..${score[1]}` : label, permitted, required, score, pac: folder.expected === 'PAC' };
}

function check(folder: SubmissionFolder, program: SubmissionProgram, r: JudgeResult): string | null {
  if (r.verdict === 'JE') return `judge error: ${r.tests.find((t) => t.verdict === 'JE')?.message ?? ''}`.trim();
  if (r.verdict === 'CE') return 'compile error';
  const e = expectation(folder, program);
  const got = BIG5[r.verdict!] as Big;
  if (e.score && (r.score < e.score[0] - 1e-9 || r.score > e.score[1] + 1e-9)) return `score ${r.score} outside ${e.score[0]}..${e.score[1]}`;
  if (e.pac) return r.score > 0 && r.score < r.maxScore ? null : `score ${r.score} is not partial (0 < score < ${r.maxScore})`;
  if (folder.expected && folder.expected !== 'PAC') return got === folder.expected ? null : `expected ${folder.expected}`;
  const seen = new Set(r.tests.flatMap((t) => (t.verdict === 'SK' || t.verdict === 'pending' ? [] : [BIG5[t.verdict] as Big])));
  if (e.permitted) {
    const bad = [...seen].filter((v) => !e.permitted!.includes(v));
    if (bad.length) return `${bad.join(', ')} not permitted`;
  }
  if (e.required && ![...seen].some((v) => e.required!.includes(v))) return `none of ${e.required.join(', ')}`;
  return null;
}

export interface VerifyOptions {
  engine: Engine;
  problem: ProblemPackage;
  files: PackageFiles;
  signal?: AbortSignal;
  /** Called as each program is judged. */
  onRow?: (row: VerifyRow) => void;
}

export async function verifyPackage(opts: VerifyOptions): Promise<VerifyReport> {
  const { engine, problem, files } = opts;
  const legacy = problem.version === 'legacy';
  const multiplier = problem.limits.acToTimeLimit ?? (legacy ? 5 : 2);
  const safetyMargin = problem.limits.timeLimitToTle ?? (legacy ? 2 : 1.5);
  const resolution = problem.limits.timeResolution ?? 1;
  const fixed = problem.limits.timeSeconds;
  const rows: VerifyRow[] = [];

  const judgeOne = async (folder: SubmissionFolder, program: SubmissionProgram, cpuMs: number | undefined): Promise<JudgeResult | VerifyRow> => {
    const e = expectation(folder, program);
    if (!program.language) {
      return { program: program.path, language: null, expected: e.label, got: '?', cpuMs: null, score: 0, maxScore: 0, ok: false, note: 'unknown language (by extension)' };
    }
    const source = programFiles(files, program);
    const main = source.find((f) => /^main\./.test(f.path))?.path;
    return judgeSubmission({
      engine,
      problem,
      files,
      submission: { language: program.language, files: source, ...(main ? { mainFile: main } : {}) },
      ...(cpuMs !== undefined ? { limits: { cpuMs } } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  };
  const row = (folder: SubmissionFolder, program: SubmissionProgram, r: JudgeResult | VerifyRow): VerifyRow => {
    if (!('limits' in r)) {
      opts.onRow?.(r);
      return r;
    }
    const note = check(folder, program, r);
    const out: VerifyRow = {
      program: program.path,
      language: program.language,
      expected: expectation(folder, program).label,
      got: r.verdict ?? '?',
      cpuMs: slowest(r),
      score: r.score,
      maxScore: r.maxScore,
      ok: note === null,
    };
    if (note !== null) out.note = note;
    opts.onRow?.(out);
    return out;
  };

  const accepted = problem.submissions.filter((f) => f.folder === 'accepted');
  const others = problem.submissions.filter((f) => f.folder !== 'accepted');
  let timeLimit: TimeLimitInfo;
  if (fixed !== null) {
    timeLimit = { seconds: fixed, derived: false };
    for (const f of accepted) for (const p of f.programs) rows.push(row(f, p, await judgeOne(f, p, undefined)));
  } else {
    let slowestAcMs = 0;
    let measured = false;
    for (const f of accepted) {
      for (const p of f.programs) {
        const r = await judgeOne(f, p, MEASURE_CPU_MS);
        if ('limits' in r && r.verdict === 'AC') {
          measured = true;
          slowestAcMs = Math.max(slowestAcMs, slowest(r) ?? 0);
        }
        rows.push(row(f, p, r));
      }
    }
    timeLimit = measured
      ? { seconds: deriveTimeLimit(slowestAcMs, multiplier, resolution), derived: true, slowestAcMs, multiplier, safetyMargin, resolution }
      : { seconds: DEFAULT_JUDGE_LIMITS.cpuMs / 1000, derived: false, defaulted: true };
  }
  for (const f of others) {
    // Only the derived limit gets the safety margin: a fixed limit is the author's choice.
    const cpuMs = Math.round(timeLimit.seconds * 1000 * (timeLimit.derived && f.folder === 'time_limit_exceeded' ? safetyMargin : 1));
    for (const p of f.programs) rows.push(row(f, p, await judgeOne(f, p, timeLimit.derived ? cpuMs : undefined)));
  }
  return { slug: problem.slug, timeLimit, rows, ok: rows.every((r) => r.ok) };
}
