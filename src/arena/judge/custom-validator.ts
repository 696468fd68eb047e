/**
 * Runs a package's custom output validator in the sandbox, as an ordinary engine job: the
 * validator's sources plus the test's input, answer and the contestant's output as files of its
 * box. Kattis: `validator input answer feedback_dir [args] < output`; testlib / DMOJ bridged:
 * `checker input output answer`; CMS: `checker input answer output`.
 *
 * The engine returns only stdout and stderr, not files written in the box, so the feedback dir
 * (the box's /tmp) is not read back: the Kattis judgemessage is taken from the validator's
 * stderr and stdout instead, and score.txt / score_multiplier.txt are not supported yet.
 * The data files are the job's `dataFiles`, added to the box after the compile: a compiled
 * validator is compiled once per problem (then served by the compile cache).
 */
import type { Engine } from '../../engine/runner/engine.js';
import type { SourceFile } from '../../engine/types.js';
import { parseCheckerResult, type CheckerProtocol, type CustomCheckResult } from '../checker-protocols.js';
import type { PackageFiles, ProblemPackage, Program, TestCase } from '../packages/model.js';

/** Limits of one validator run when the package sets none. */
const VALIDATOR_CPU_MS = 10_000;
const VALIDATOR_MEMORY_BYTES = 512 * 2 ** 20;

export interface CustomValidatorRun {
  engine: Engine;
  problem: ProblemPackage;
  files: PackageFiles;
  test: TestCase;
  input: Buffer;
  answer: Buffer;
  output: Buffer;
  signal?: AbortSignal;
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
    protocol === 'kattis' ? [input, answer, '/tmp/', ...extra] : protocol === 'cms' ? [input, answer, output] : [input, output, answer];
  const sources = programFiles(r.files, program);
  const main = sources.find((f) => /^(main|validate|validator|checker)\./.test(f.path))?.path;
  const limits = r.problem.limits;
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
      limits: {
        cpuMs: Math.min(limits.validationTimeSeconds !== null ? Math.ceil(limits.validationTimeSeconds * 1000) : VALIDATOR_CPU_MS, r.engine.limits.run.max.cpuMs),
        memoryBytes: Math.min(limits.validationMemoryMiB !== null ? limits.validationMemoryMiB * 2 ** 20 : VALIDATOR_MEMORY_BYTES, r.engine.limits.run.max.memoryBytes),
      },
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
    // No feedback dir to read back: the judge message is what the validator printed.
    const said = `${stage.stderr.toString('utf8')}${stage.stdout.toString('utf8')}`;
    return parseCheckerResult('kattis', checkerRun, said.trim() ? { judgemessage: said } : {});
  }
  return parseCheckerResult(protocol, checkerRun);
}
