/**
 * Judging one submission against a problem package with the real engine. No HTTP, no database:
 * the caller stores the result.
 *
 * - The first test to run compiles the submission (a compile error ends judging with CE and the
 *   compiler's message); every later run of the same sources is served by the compile cache.
 * - Every test runs in a fresh sandbox (one engine job per test) with the problem's limits;
 *   tests run in parallel over the engine's slots. Before a test starts, `skipReason` is asked
 *   with the results known so far; `aggregate` then derives the table from the results in test
 *   order, so the verdict and score never depend on which test finished first.
 * - Output is checked by the package's checker: the Kattis default validator with its flags, a
 *   built-in DMOJ checker by name, or a custom validator run in the sandbox (custom-validator.ts).
 *   A checker that crashes, times out or breaks its protocol gives JE, never WA.
 * - Interactive problems: each test runs the submission and the interactor as a pair
 *   (interactive-test.ts), its verdict by the Kattis exit-order rule (arena/interactive.ts).
 * - Generated test data (DMOJ generators) must be generated at import (generator.ts): a case
 *   that still needs generating is JE.
 */
import type { EngineClient } from '../../engine/client.js';
import { LanguageRegistry } from '../../engine/languages/registry.js';
import type { SourceFile, StageResult } from '../../engine/types.js';
import { loadChecker, type LoadedChecker } from '../checkers/registry.js';
import { parseKattisFlags } from '../checkers/kattis-default.js';
import type { PackageFiles, ProblemPackage, TestCase } from '../packages/model.js';
import { aggregate, compileErrorResult, skipReason, type GroupResult } from '../scoring.js';
import { stageVerdict, testOutcome, type TestOutcome } from '../stage-verdict.js';
import type { SubmissionVerdict, TestVerdict, VerdictDetail } from '../verdicts.js';
import { runCustomValidator } from './custom-validator.js';
import { runInteractiveTest } from './interactive-test.js';
import { judgeLimits, judgePlan, toEngineLimits, type JudgeLimits } from './plan.js';

export interface JudgeSubmission {
  language: string;
  /** The submission's files; or `code` for a single file named as the language wants. */
  files?: SourceFile[];
  code?: string;
  mainFile?: string;
}

export interface JudgeOptions {
  engine: EngineClient;
  problem: ProblemPackage;
  files: PackageFiles;
  submission: JudgeSubmission;
  limits?: Partial<JudgeLimits>;
  signal?: AbortSignal;
  /** Called after each test with the provisional table. */
  onProgress?: (result: JudgeResult) => void;
  /** Tests run at once; default: the engine's slots. */
  concurrency?: number;
}

export interface JudgedTest {
  name: string;
  group: string;
  verdict: TestVerdict | 'pending';
  /** Fraction 0..1 earned. */
  score: number;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  detail?: VerdictDetail;
  /** Checker feedback, or the cause of a JE. */
  message?: string;
  skipReason?: string;
}

export interface JudgeResult {
  /** null only in provisional results (onProgress). */
  verdict: SubmissionVerdict | null;
  score: number;
  maxScore: number;
  complete: boolean;
  /** The compiler's output on CE. */
  compileMessage?: string;
  /** Runs whose compile was not served by the compile cache (0 or 1 unless the cache was evicted). */
  compiles: number;
  firstFailure?: string;
  limits: JudgeLimits;
  groups: GroupResult[];
  tests: JudgedTest[];
}

interface Ran {
  outcome: TestOutcome;
  stage: StageResult | null;
}

/** Language definitions are static data: the default file name needs no engine (which may be remote). */
const languages = new LanguageRegistry();

function submissionFiles(s: JudgeSubmission): SourceFile[] {
  if (s.files && s.files.length > 0) return s.files;
  return [{ path: languages.get(s.language).sourceFile, content: s.code ?? '' }];
}

function compileMessage(stage: StageResult): string {
  const text = `${stage.stdout.toString('utf8')}${stage.stderr.toString('utf8')}`.trim();
  return text || `compilation ended with ${stage.status}`;
}

/** The built-in checker of the package, or the reason there is none (JE for every test). */
function builtInChecker(problem: ProblemPackage): LoadedChecker | { error: string } | null {
  const v = problem.validation;
  try {
    if (v.checker) return loadChecker(v.checker.name, v.checker.args);
    if (v.kind === 'default') {
      const f = v.defaultFlags;
      const options: Record<string, unknown> = { case_sensitive: f.caseSensitive, space_change_sensitive: f.spaceChangeSensitive };
      if (f.floatAbsoluteTolerance !== null) options.float_absolute_tolerance = f.floatAbsoluteTolerance;
      if (f.floatRelativeTolerance !== null) options.float_relative_tolerance = f.floatRelativeTolerance;
      return loadChecker('default', options);
    }
  } catch (err) {
    return { error: `the package's checker cannot be used: ${(err as Error).message}` };
  }
  return null;
}

export async function judgeSubmission(opts: JudgeOptions): Promise<JudgeResult> {
  const { engine, problem, files, signal } = opts;
  const { scoring, cases } = judgePlan(problem);
  const wanted = judgeLimits(problem, opts.submission.language, opts.limits);
  // A package may ask for more than this engine allows: run at the engine's maximum rather than
  // fail every test (the limits used are in the result).
  const max = engine.limits.run.max;
  const limits: JudgeLimits = {
    cpuMs: Math.min(wanted.cpuMs, max.cpuMs),
    wallMs: Math.min(wanted.wallMs, max.wallMs),
    memoryBytes: Math.min(wanted.memoryBytes, max.memoryBytes),
    outputBytes: Math.min(wanted.outputBytes, max.outputBytes),
  };
  const source = submissionFiles(opts.submission);
  const results = new Map<string, Ran>();
  const checker = builtInChecker(problem);

  const table = (): JudgeResult => {
    const agg = aggregate(scoring, new Map([...results].map(([k, v]) => [k, v.outcome])));
    const tests = agg.tests.map((t): JudgedTest => {
      const ran = t.verdict === 'SK' || t.verdict === 'pending' ? undefined : results.get(t.name);
      const row: JudgedTest = {
        name: t.name,
        group: t.group,
        verdict: t.verdict,
        score: t.score,
        cpuMs: ran?.stage?.cpuMs ?? null,
        wallMs: ran?.stage?.wallMs ?? null,
        memoryKb: ran?.stage?.memoryKb ?? null,
      };
      if (ran?.outcome.detail !== undefined) row.detail = ran.outcome.detail;
      if (ran?.outcome.message !== undefined) row.message = ran.outcome.message;
      if (t.skipReason !== undefined) row.skipReason = t.skipReason;
      return row;
    });
    const out: JudgeResult = { verdict: agg.verdict, score: agg.score, maxScore: agg.maxScore, complete: agg.complete, compiles, limits, groups: agg.groups, tests };
    if (agg.firstFailure !== undefined) out.firstFailure = agg.firstFailure;
    return out;
  };

  // A test's worth in points, for the score files of Kattis validators (scoring problems only).
  const worth = new Map<string, number>();
  if (scoring.partial) {
    for (const g of scoring.groups) {
      const each = g.aggregation === 'sum' ? g.maxScore / g.tests.length : g.maxScore;
      if (!g.sample && each > 0) for (const t of g.tests) worth.set(t, each);
    }
  }
  const worthOf = (name: string) => (worth.has(name) ? { maxScore: worth.get(name)! } : {});

  const fixedFailure =
    problem.validation.interactive
      ? problem.validation.custom
        ? null
        : 'the package has no interactor'
      : checker && 'error' in checker
        ? checker.error
        : problem.validation.kind === 'custom' && !problem.validation.custom
          ? 'the package has no output validator'
          : null;

  async function runTest(tc: TestCase): Promise<Ran | 'CE'> {
    if (fixedFailure) return { outcome: { verdict: 'JE', message: fixedFailure }, stage: null };
    if (tc.input === null || tc.answer === null || tc.needsGeneration) {
      return { outcome: { verdict: 'JE', message: 'generated test data is not supported yet' }, stage: null };
    }
    let input: Buffer;
    let answer: Buffer;
    try {
      input = files.read(tc.input);
      answer = files.read(tc.answer);
    } catch (err) {
      return { outcome: { verdict: 'JE', message: `cannot read the test data: ${(err as Error).message}` }, stage: null };
    }
    if (problem.validation.interactive) {
      const it = await runInteractiveTest({
        engine,
        problem,
        files,
        test: tc,
        input,
        answer,
        submission: { language: opts.submission.language, files: source, ...(opts.submission.mainFile ? { mainFile: opts.submission.mainFile } : {}) },
        limits,
        ...worthOf(tc.name),
        ...(signal ? { signal } : {}),
      });
      if (it.compiled) compiles++;
      if ('compileError' in it) {
        compileStage = it.compileError;
        return 'CE';
      }
      return { outcome: it.outcome, stage: it.stage };
    }
    let r;
    try {
      r = await engine.run({
        language: opts.submission.language,
        files: source,
        ...(opts.submission.mainFile ? { mainFile: opts.submission.mainFile } : {}),
        stdin: input,
        // Test data is trusted: up to the engine's maximum stdin, not the playground's default.
        stdinLimitBytes: engine.limits.stdinBytes.max,
        args: tc.args,
        limits: toEngineLimits(limits),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      return { outcome: { verdict: 'JE', message: `the engine failed: ${(err as Error).message}` }, stage: null };
    }
    if (r.compile && !r.compile.cached) compiles++;
    if (r.compile && r.compile.status !== 'ok') {
      if (r.compile.status === 'internal_error') return { outcome: { verdict: 'JE', message: r.compile.message ?? 'the compiler failed' }, stage: null };
      compileStage = r.compile;
      return 'CE';
    }
    const stage = r.run!;
    const run = stageVerdict(stage, limits);
    if (run.verdict !== 'OK') return { outcome: testOutcome(run), stage };
    if (checker && !('error' in checker)) {
      let check = checker;
      if (tc.outputValidatorArgs.length > 0 && problem.validation.kind === 'default') {
        const parsed = parseKattisFlags([...problem.validation.flags, ...tc.outputValidatorArgs]);
        if ('error' in parsed) return { outcome: { verdict: 'JE', message: `bad validator flags: ${parsed.error}` }, stage };
        check = loadChecker('default', parsed);
      }
      return { outcome: testOutcome(run, check.check(stage.stdout, answer)), stage };
    }
    const custom = await runCustomValidator({ engine, problem, files, test: tc, input, answer, output: stage.stdout, ...worthOf(tc.name), ...(signal ? { signal } : {}) });
    return { outcome: testOutcome(run, custom), stage };
  }

  let compileStage: StageResult | null = null;
  let compiles = 0;
  const order = scoring.order;
  let next = 0;
  let compiled = false;
  const known = () => new Map([...results].map(([k, v]) => [k, v.outcome]));

  // The first test alone: it compiles. A CE ends judging.
  while (!compiled && next < order.length) {
    const name = order[next++]!;
    if (skipReason(scoring, name, known()) !== null) continue;
    const r = await runTest(cases.get(name)!);
    if (r === 'CE') {
      const ce = compileErrorResult(scoring);
      return {
        verdict: 'CE',
        score: 0,
        maxScore: ce.maxScore,
        complete: true,
        compileMessage: compileMessage(compileStage!),
        compiles,
        limits,
        groups: ce.groups,
        tests: ce.tests.map((t) => ({ ...t, verdict: 'SK', cpuMs: null, wallMs: null, memoryKb: null })),
      };
    }
    results.set(name, r);
    compiled = true;
    opts.onProgress?.(table());
  }

  const workers = Math.max(1, opts.concurrency ?? (await engine.status()).slots);
  const worker = async () => {
    while (next < order.length && !signal?.aborted) {
      const name = order[next++]!;
      // Asked at start, with what is known: skips are monotone, so aggregate agrees later.
      if (skipReason(scoring, name, known()) !== null) continue;
      const r = await runTest(cases.get(name)!);
      // A later CE cannot happen (same sources, cached compile) unless the cache was evicted
      // and the compiler failed differently; count it as a judge error, not the contestant's.
      results.set(name, r === 'CE' ? { outcome: { verdict: 'JE', message: 'the compile failed on a later test' }, stage: null } : r);
      opts.onProgress?.(table());
    }
  };
  // allSettled: on a cancel every worker's engine job has ended before we return or throw.
  const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  return table();
}
