/**
 * Runs a package's custom output validator in the sandbox, as an ordinary engine job: the
 * validator's sources plus the test's input, answer and the contestant's output as files of its
 * box. Kattis: `validator input answer feedback_dir [args] < output`; testlib / DMOJ bridged:
 * `checker input output answer`; CMS: `checker input answer output`.
 *
 * Kattis feedback dir: `__judge/feedback/` in the validator's box, created empty before the run;
 * the engine reads back `judgemessage.txt`, `score.txt` and `score_multiplier.txt` (collectFiles,
 * never following a link the validator planted). Without a judgemessage.txt the message is what
 * the validator printed on stderr and stdout. The score files count only in scoring problems
 * (`maxScore` given): score.txt is absolute (0..the test's worth), score_multiplier.txt a fraction.
 * The data files are the job's `dataFiles`, added to the box after the compile: a compiled
 * validator is compiled once per problem (then served by the compile cache).
 */
import type { EngineClient } from '../../engine/client.js';
import type { SourceFile } from '../../engine/types.js';
import { parseCheckerResult, type CheckerProtocol, type CustomCheckResult, type KattisFeedback } from '../checker-protocols.js';
import type { PackageFiles, ProblemPackage, Program, TestCase } from '../packages/model.js';

/** Limits of one validator run when the package sets none. */
const VALIDATOR_CPU_MS = 10_000;
const VALIDATOR_MEMORY_BYTES = 512 * 2 ** 20;

export interface CustomValidatorRun {
  engine: EngineClient;
  problem: ProblemPackage;
  files: PackageFiles;
  test: TestCase;
  input: Buffer;
  answer: Buffer;
  output: Buffer;
  /** The test's worth in points in a scoring problem; absent: score files are ignored. */
  maxScore?: number;
  signal?: AbortSignal;
}

export const FEEDBACK_DIR = '__judge/feedback/';
const FEEDBACK_FILES = { judgemessage: 'judgemessage.txt', score: 'score.txt', scoreMultiplier: 'score_multiplier.txt' } as const;

/** The collectFiles of a Kattis validator or interactor. */
export const feedbackCollect = (): string[] => Object.values(FEEDBACK_FILES).map((f) => FEEDBACK_DIR + f);

/**
 * The Kattis feedback a validator left: judgemessage.txt, else what it printed; the score files
 * only in scoring problems (a pass-fail problem's validator may write them for nothing).
 */
export function kattisFeedback(
  files: { path: string; content: Buffer }[] | undefined,
  printed: { stdout: Buffer; stderr: Buffer },
  scoring: boolean,
): KattisFeedback {
  const get = (name: string) => files?.find((f) => f.path === FEEDBACK_DIR + name)?.content;
  const out: KattisFeedback = {};
  const message = get(FEEDBACK_FILES.judgemessage);
  const said = `${printed.stderr.toString('utf8')}${printed.stdout.toString('utf8')}`;
  if (message !== undefined) out.judgemessage = message;
  else if (said.trim()) out.judgemessage = said;
  if (scoring) {
    const score = get(FEEDBACK_FILES.score);
    const multiplier = get(FEEDBACK_FILES.scoreMultiplier);
    if (score !== undefined) out.score = score;
    if (multiplier !== undefined) out.scoreMultiplier = multiplier;
  }
  return out;
}

/** Limits of a validator or interactor run: the package's validation limits, else ours, within the engine's maximum. */
export function validatorLimits(problem: ProblemPackage, max: { cpuMs: number; memoryBytes: number }): { cpuMs: number; memoryBytes: number } {
  const limits = problem.limits;
  return {
    cpuMs: Math.min(limits.validationTimeSeconds !== null ? Math.ceil(limits.validationTimeSeconds * 1000) : VALIDATOR_CPU_MS, max.cpuMs),
    memoryBytes: Math.min(limits.validationMemoryMiB !== null ? limits.validationMemoryMiB * 2 ** 20 : VALIDATOR_MEMORY_BYTES, max.memoryBytes),
  };
}

/** The validator's main file: main, validate, validator, checker or interactor, else the language's default. */
export function validatorMain(sources: SourceFile[]): string | undefined {
  return sources.find((f) => /^(main|validate|validator|checker|interactor)\./.test(f.path))?.path;
}

/** The program's files with paths relative to the program's own folder. */
export function programFiles(files: PackageFiles, program: Program): SourceFile[] {
  if (program.files.length === 1) {
    const p = program.files[0]!;
    return [{ path: p.slice(p.lastIndexOf('/') + 1), content: files.read(p) }];
  }
  const marker = `/${program.name}/`;
  return program.files.map((p) => {
    const i = p.indexOf(marker);
    return { path: i >= 0 ? p.slice(i + marker.length) : p.slice(p.lastIndexOf('/') + 1), content: files.read(p) };
  });
}

const DATA = '__judge';

export async function runCustomValidator(r: CustomValidatorRun): Promise<CustomCheckResult> {
  const v = r.problem.validation;
  const program = v.custom;
  if (!program) return { verdict: 'JE', message: 'the package has no output validator' };
  if (!program.language) return { verdict: 'JE', message: `the validator ${program.name} is in a language this judge does not know` };
  const protocol: CheckerProtocol | null = v.protocol === null || v.protocol === 'kattis' ? 'kattis' : v.protocol === 'dmoj-python' ? null : (v.protocol as CheckerProtocol);
  if (protocol === null) return { verdict: 'JE', message: 'DMOJ Python checkers are not supported yet' };
  const input = `${DATA}/input`;
  const answer = `${DATA}/answer`;
  const output = `${DATA}/output`;
  const extra = [...v.flags, ...r.test.outputValidatorArgs];
  const args =
    protocol === 'kattis' ? [input, answer, FEEDBACK_DIR, ...extra] : protocol === 'cms' ? [input, answer, output] : [input, output, answer];
  const sources = programFiles(r.files, program);
  const main = validatorMain(sources);
  let run;
  try {
    run = await r.engine.run({
      language: program.language,
      files: sources,
      // Data files join the run box after the compile: the validator compiles once per problem.
      dataFiles: [
        { path: input, content: r.input },
        { path: answer, content: r.answer },
        { path: output, content: r.output },
      ],
      ...(main ? { mainFile: main } : {}),
      stdin: r.output,
      stdinLimitBytes: r.engine.limits.stdinBytes.max,
      args,
      limits: validatorLimits(r.problem, r.engine.limits.run.max),
      ...(protocol === 'kattis' ? { collectFiles: feedbackCollect() } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
    });
  } catch (err) {
    if (r.signal?.aborted) throw err;
    return { verdict: 'JE', message: `the validator could not run: ${(err as Error).message}` };
  }
  if (run.compile && run.compile.status !== 'ok') {
    return { verdict: 'JE', message: `the validator does not compile: ${`${run.compile.stdout.toString('utf8')}${run.compile.stderr.toString('utf8')}`.trim().slice(0, 2000)}` };
  }
  const stage = run.run!;
  const checkerRun = { status: stage.status, exitCode: stage.exitCode, signal: stage.signal, stdout: stage.stdout, stderr: stage.stderr };
  if (protocol === 'kattis') {
    const feedback = kattisFeedback(run.files, stage, r.maxScore !== undefined);
    return parseCheckerResult('kattis', checkerRun, feedback, r.maxScore !== undefined ? { maxScore: r.maxScore } : {});
  }
  return parseCheckerResult(protocol, checkerRun);
}
