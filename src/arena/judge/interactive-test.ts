/**
 * One test of an interactive problem (Kattis protocol): the submission and the package's
 * interactor run as a pair in two sandboxes (Engine.runInteractive), the interactor invoked as a
 * Kattis validator (`interactor input answer feedback_dir [args]`, its stdin the submission's
 * stdout and the other way round), then `interactiveOutcome` applies the exit-order rule.
 *
 * Limits: the submission has the problem's; the interactor the validation limits; the pair a
 * wall limit of 2 × the time limit (problemtools), at which only the submission is killed.
 * There is no pty: a submission that does not flush its output before waiting for a reply
 * deadlocks with the interactor and is killed at the pair's wall limit: TLE.
 */
import type { EngineClient } from '../../engine/client.js';
import type { SourceFile, StageResult } from '../../engine/types.js';
import { interactiveOutcome } from '../interactive.js';
import type { PackageFiles, ProblemPackage, TestCase } from '../packages/model.js';
import { stageVerdict, type TestOutcome } from '../stage-verdict.js';
import { FEEDBACK_DIR, feedbackCollect, kattisFeedback, programFiles, validatorLimits, validatorMain } from './custom-validator.js';
import { toEngineLimits, type JudgeLimits } from './plan.js';

export interface InteractiveTestRun {
  engine: EngineClient;
  problem: ProblemPackage;
  files: PackageFiles;
  test: TestCase;
  input: Buffer;
  answer: Buffer;
  submission: { language: string; files: SourceFile[]; mainFile?: string };
  limits: JudgeLimits;
  /** The test's worth in a scoring problem (for score.txt). */
  maxScore?: number;
  signal?: AbortSignal;
}

export type InteractiveTestResult = { outcome: TestOutcome; stage: StageResult | null; compiled: boolean } | { compileError: StageResult; compiled: boolean };

const DATA = '__judge';

/** The pair's wall limit for a time limit (problemtools: twice the time limit). */
export const pairWallFor = (cpuMs: number) => 2 * cpuMs;

export async function runInteractiveTest(r: InteractiveTestRun): Promise<InteractiveTestResult> {
  const v = r.problem.validation;
  const program = v.custom;
  const je = (message: string): InteractiveTestResult => ({ outcome: { verdict: 'JE', message }, stage: null, compiled: false });
  if (!program) return je('the package has no interactor');
  if (!program.language) return je(`the interactor ${program.name} is in a language this judge does not know`);
  let sources: SourceFile[];
  try {
    sources = programFiles(r.files, program);
  } catch (err) {
    return je(`cannot read the interactor: ${(err as Error).message}`);
  }
  const main = validatorMain(sources);
  let res;
  try {
    res = await r.engine.runInteractive({
      submission: {
        language: r.submission.language,
        files: r.submission.files,
        ...(r.submission.mainFile ? { mainFile: r.submission.mainFile } : {}),
        args: r.test.args,
        limits: toEngineLimits(r.limits),
      },
      interactor: {
        language: program.language,
        files: sources,
        ...(main ? { mainFile: main } : {}),
        args: [`${DATA}/input`, `${DATA}/answer`, FEEDBACK_DIR, ...v.flags, ...r.test.outputValidatorArgs],
        dataFiles: [
          { path: `${DATA}/input`, content: r.input },
          { path: `${DATA}/answer`, content: r.answer },
        ],
        collectFiles: feedbackCollect(),
        limits: validatorLimits(r.problem, r.engine.limits.run.max),
      },
      wallMs: pairWallFor(r.limits.cpuMs),
      ...(r.signal ? { signal: r.signal } : {}),
    });
  } catch (err) {
    if (r.signal?.aborted) throw err;
    return je(`the engine failed: ${(err as Error).message}`);
  }
  const compiled = Boolean(res.submission.compile && !res.submission.compile.cached);
  const sub = res.submission;
  if (sub.compile && sub.compile.status !== 'ok') {
    if (sub.compile.status === 'internal_error') return { outcome: { verdict: 'JE', message: sub.compile.message ?? 'the compiler failed' }, stage: null, compiled };
    return { compileError: sub.compile, compiled };
  }
  const int = res.interactor;
  if (int.compile && int.compile.status !== 'ok') {
    const text = `${int.compile.stdout.toString('utf8')}${int.compile.stderr.toString('utf8')}`.trim().slice(0, 2000);
    return { outcome: { verdict: 'JE', message: `the interactor does not compile: ${text}` }, stage: null, compiled };
  }
  const stage = sub.run!;
  const istage = int.run!;
  const outcome = interactiveOutcome({
    submission: stageVerdict(stage, r.limits),
    validator: { status: istage.status, exitCode: istage.exitCode, signal: istage.signal, stdout: Buffer.alloc(0), stderr: istage.stderr },
    // The interactor's stdout went to the submission: only its stderr and judgemessage.txt are messages.
    feedback: kattisFeedback(int.files, { stdout: Buffer.alloc(0), stderr: istage.stderr }, r.maxScore !== undefined),
    validatorExitedFirst: res.validatorExitedFirst === true,
    ...(r.maxScore !== undefined ? { maxScore: r.maxScore } : {}),
  });
  // An internal error of the interactor's sandbox is ours too.
  if (istage.status === 'internal_error') return { outcome: { verdict: 'JE', message: `interactor: ${istage.message ?? 'the sandbox failed'}` }, stage, compiled };
  return { outcome, stage, compiled };
}
