/**
 * DMOJ test-data generators, run once at import (the importer stores what they wrote). For
 * every case that `needsGeneration` the package's `generator` runs in the sandbox with the case's
 * `generator_args` as its arguments: what it writes on stdout is the case's input, what it
 * writes on stderr the expected output (DMOJ's convention). A case that has its input file but
 * no answer gets that input on the generator's stdin, and only the answer is taken.
 *
 * The result is a package whose cases name their generated files (`generated/<case>.in` and
 * `.ans`) and a PackageFiles that serves them over the original files. A generator that does not
 * compile, crashes, exits non-zero, runs over its limits or over the output limit is a
 * PACKAGE_GENERATOR_FAILED naming the case: an import never stores partial test data.
 */
import { GENERATOR_PENDING_WARNING } from '../packages/dmoj.js';
import type { EngineClient } from '../../engine/client.js';
import type { StageResult } from '../../engine/types.js';
import { CallerError, ErrorCodes, SystemError } from '../../errors.js';
import type { LoadedProblemPackage, PackageFiles, ProblemPackage, TestCase, TestGroup } from '../packages/model.js';
import { programFiles } from './custom-validator.js';

/** Limits of one generator run when the caller sets none: generous, generators are trusted more than submissions but still sandboxed. */
export const GENERATOR_CPU_MS = 10_000;
export const GENERATOR_MEMORY_BYTES = 512 * 2 ** 20;

/** Where generated files appear in the returned package. */
export const GENERATED_DIR = 'generated';

export interface GeneratorOptions {
  engine: Pick<EngineClient, 'run' | 'limits'>;
  problem: ProblemPackage;
  files: PackageFiles;
  signal?: AbortSignal;
  /** Generators run at once (default 2: the engine queues the rest). */
  concurrency?: number;
}

function allCases(groups: readonly TestGroup[]): TestCase[] {
  return groups.flatMap((g) => [...g.cases, ...allCases(g.groups)]);
}

function failed(tc: TestCase, stage: 'compile' | 'run', why: string): CallerError {
  return new CallerError(ErrorCodes.packageGeneratorFailed, `the generator failed on test case ${tc.name}: ${why}`, { case: tc.name, stage });
}

function describe(stage: StageResult): string {
  const err = stage.stderr.toString('utf8').trim().slice(-500);
  const how =
    stage.status === 'time_limit' ? 'it ran over its time limit'
    : stage.status === 'memory_limit' ? 'it ran over its memory limit'
    : stage.status === 'output_limit' ? 'it wrote more than the output limit'
    : stage.signal ? `it was killed by ${stage.signal}`
    : `it exited with code ${stage.exitCode}`;
  return err && stage.status === 'runtime_error' ? `${how}: ${err}` : how;
}

/** PackageFiles with generated files laid over the package's own. */
class OverlayFiles implements PackageFiles {
  constructor(
    private readonly base: PackageFiles,
    private readonly extra: ReadonlyMap<string, Buffer>,
  ) {}
  read(p: string): Buffer {
    return this.extra.get(p) ?? this.base.read(p);
  }
  readText(p: string): string {
    const b = this.extra.get(p);
    return b ? b.toString('utf8') : this.base.readText(p);
  }
  size(p: string): number {
    return this.extra.get(p)?.length ?? this.base.size(p);
  }
  exists(p: string): boolean {
    return this.extra.has(p) || this.base.exists(p);
  }
}

export async function runGenerator(opts: GeneratorOptions): Promise<LoadedProblemPackage> {
  const { engine, problem, files, signal } = opts;
  const pending = allCases(problem.testData).filter((c) => c.needsGeneration);
  if (pending.length === 0) return { problem, files };
  const program = problem.generator;
  if (!program) throw failed(pending[0]!, 'run', 'the package has no generator');
  if (!program.language) throw failed(pending[0]!, 'compile', `${program.files[0]} is in a language this judge does not know`);
  const sources = programFiles(files, program);
  const mainFile = sources[0]!.path;
  const max = engine.limits.run.max;
  const made = new Map<string, Buffer>();
  const paths = new Map<string, { input: string; answer: string }>();

  const generate = async (tc: TestCase) => {
    const r = await engine.run({
      language: program.language!,
      files: sources,
      mainFile,
      args: tc.generatorArgs,
      ...(tc.input !== null ? { stdin: files.read(tc.input), stdinLimitBytes: engine.limits.stdinBytes.max } : {}),
      limits: { cpuMs: Math.min(GENERATOR_CPU_MS, max.cpuMs), memoryBytes: Math.min(GENERATOR_MEMORY_BYTES, max.memoryBytes), outputBytes: max.outputBytes },
      ...(signal ? { signal } : {}),
    });
    if (r.compile && r.compile.status !== 'ok') {
      if (r.compile.status === 'internal_error') throw new SystemError(ErrorCodes.internal, `the sandbox failed compiling the generator: ${r.compile.message ?? ''}`);
      const text = `${r.compile.stdout.toString('utf8')}${r.compile.stderr.toString('utf8')}`.trim().slice(0, 2000);
      throw failed(tc, 'compile', `it does not compile: ${text}`);
    }
    const run = r.run!;
    if (run.status === 'internal_error') throw new SystemError(ErrorCodes.internal, `the sandbox failed running the generator: ${run.message ?? ''}`);
    if (run.status !== 'ok' || run.truncated) throw failed(tc, 'run', describe(run));
    const input = tc.input ?? `${GENERATED_DIR}/${tc.name}.in`;
    const answer = tc.answer ?? `${GENERATED_DIR}/${tc.name}.ans`;
    if (tc.input === null) made.set(input, run.stdout);
    if (tc.answer === null) made.set(answer, run.stderr);
    paths.set(tc.name, { input, answer });
  };

  // A few at once, in case order; the first failure stops the rest from starting.
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < pending.length && failure === null) {
      const tc = pending[next++]!;
      try {
        await generate(tc);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  if (failure !== null) throw failure;

  const mapGroup = (g: TestGroup): TestGroup => ({
    ...g,
    cases: g.cases.map((c) => {
      const p = paths.get(c.name);
      return p && c.needsGeneration ? { ...c, input: p.input, answer: p.answer, needsGeneration: false } : c;
    }),
    groups: g.groups.map(mapGroup),
  });
  const warnings = problem.warnings.filter((w) => !w.includes(GENERATOR_PENDING_WARNING));
  return { problem: { ...problem, warnings, testData: problem.testData.map(mapGroup) }, files: new OverlayFiles(files, made) };
}
