/**
 * From an uploaded archive or a folder to what the problems table stores. Reading is the
 * loader's (src/arena/packages/): it refuses unsafe paths, links, bombs and bad YAML with
 * PACKAGE_* codes naming the file. Here: the platform's bounds (config), the facts the views
 * need (title, difficulty, tags, limits, statements), and a compile check of custom programs.
 */
import type { Config } from '../../config/config.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import { programFiles } from '../judge/custom-validator.js';
import { judgePlan } from '../judge/plan.js';
import { loadProblemPackage, loadProblemPackageFromZip } from '../packages/load.js';
import type { LoadedProblemPackage, PackageLimits, ProblemPackage, TestGroup } from '../packages/index.js';
import type { CompileChecks } from './compile-check.js';
import type { Difficulty, ProblemLimits } from './contract.js';

const MiB = 2 ** 20;

export function packageLimits(config: Config): PackageLimits {
  return {
    maxArchiveBytes: config.ARENA_PACKAGE_MAX_MB * MiB,
    maxTotalBytes: config.ARENA_PACKAGE_MAX_UNPACKED_MB * MiB,
    maxFileBytes: config.ARENA_PACKAGE_MAX_FILE_MB * MiB,
    maxEntries: config.ARENA_PACKAGE_MAX_FILES,
    maxCompressionRatio: 500,
    ratioFloorBytes: MiB,
  };
}

export type PackageSource = { zip: Buffer; filename: string } | { dir: string };

export function readPackage(source: PackageSource, config: Config, slug?: string): LoadedProblemPackage {
  const limits = packageLimits(config);
  const opts = { limits, ...(slug ? { slug } : {}) };
  if ('dir' in source) return loadProblemPackage(source.dir, opts);
  if (source.zip.length > limits.maxArchiveBytes) {
    throw new CallerError(ErrorCodes.packageTooLarge, `${source.filename}: the archive is ${source.zip.length} bytes, over ${limits.maxArchiveBytes}`, {
      limit: 'archiveBytes',
      max: limits.maxArchiveBytes,
      path: source.filename,
    });
  }
  return loadProblemPackageFromZip(source.zip, source.filename, opts);
}

/** What the problems table holds besides the model and files. */
export interface ProblemFacts {
  title: string;
  difficulty: Difficulty;
  tags: string[];
  type: 'pass-fail' | 'scoring';
  interactive: boolean;
  statements: { language: string; markdown: string }[];
  limits: ProblemLimits & { timeDefaulted: boolean };
  maxScore: number;
  /** Tests shown like samples (Kattis groups with `full_feedback`, native `public` tests). */
  publicTests: string[];
  warnings: string[];
}

const DIFFICULTIES: Difficulty[] = ['easy', 'medium', 'hard'];

export function problemFacts(problem: ProblemPackage, config: Config, extraWarnings: string[] = []): ProblemFacts {
  const warnings = [...problem.warnings, ...extraWarnings];
  const names = problem.names;
  const title = names.en ?? Object.values(names)[0] ?? problem.slug;
  const words = problem.keywords.map((k) => k.toLowerCase());
  const difficulty = DIFFICULTIES.find((d) => words.includes(d)) ?? 'medium';
  const tags = problem.keywords.filter((k) => !DIFFICULTIES.includes(k.toLowerCase() as Difficulty));
  const statements = problem.statements
    .filter((s) => s.markdown !== null)
    .map((s) => ({ language: s.language, markdown: s.markdown! }));
  if (statements.length === 0) warnings.push('the package has no Markdown or LaTeX statement');
  const timeDefaulted = problem.limits.timeSeconds === null;
  if (timeDefaulted) {
    warnings.push(`the package sets no time limit: the judge applies the default of ${config.ARENA_DEFAULT_TIME_LIMIT_MS} ms (verify shows the one its accepted programs would derive)`);
  }
  if (allCases(problem.testData).some((c) => c.needsGeneration)) {
    // Only when no engine ran the generator at import (a cluster API replica): see importPackage.
    warnings.push('some test cases need the DMOJ generator, which only runs where the engine does (embedded mode, the CLI): they are judged as JE');
  }
  const timeMs = timeDefaulted ? config.ARENA_DEFAULT_TIME_LIMIT_MS : Math.ceil(problem.limits.timeSeconds! * 1000);
  const timeMsByLanguage = Object.fromEntries(Object.entries(problem.limits.timeSecondsByLanguage).map(([k, v]) => [k, Math.ceil(v * 1000)]));
  const { scoring } = judgePlan(problem);
  const publicTests: string[] = [];
  const walk = (g: TestGroup, inherited: boolean) => {
    const shown = g.kind !== 'sample' && (inherited || g.settings.fullFeedback);
    if (shown) for (const c of g.cases) publicTests.push(c.name);
    for (const sub of g.groups) walk(sub, shown);
  };
  for (const g of problem.testData) walk(g, false);
  return {
    title,
    difficulty,
    tags,
    type: problem.types.includes('scoring') || scoring.partial ? 'scoring' : 'pass-fail',
    interactive: problem.validation.interactive,
    statements,
    limits: {
      timeMs,
      timeMsByLanguage,
      memoryMb: problem.limits.memoryMiB ?? 256,
      outputKb: (problem.limits.outputMiB ?? 16) * 1024,
      timeDefaulted,
    },
    maxScore: scoring.maxScore,
    publicTests,
    warnings,
  };
}

function allCases(groups: TestGroup[]): TestGroup['cases'] {
  return groups.flatMap((g) => [...g.cases, ...allCases(g.groups)]);
}

/** The model as stored: the applied time limit made explicit, so every judge uses the same. */
export function storedModel(problem: ProblemPackage, facts: ProblemFacts): ProblemPackage {
  return { ...problem, limits: { ...problem.limits, timeSeconds: facts.limits.timeMs / 1000 } };
}

/**
 * Compiles the package's custom output validator or interactor (compile-check.ts), so that one
 * that does not compile is refused at import. Returns import warnings (a check that could not run).
 */
export async function checkCustomPrograms(pkg: LoadedProblemPackage, checks: CompileChecks): Promise<string[]> {
  const program = pkg.problem.validation.custom;
  if (!program) return [];
  const where = program.files[0] ?? program.name;
  if (!program.language) {
    throw new CallerError(ErrorCodes.packageInvalid, `${where}: the validator's language is not recognised`, { path: where, reason: 'language' });
  }
  const files = programFiles(pkg.files, program);
  const main = files.find((f) => /^main\./.test(f.path))?.path;
  const r = await checks.check({ language: program.language, files, ...(main ? { mainFile: main } : {}) });
  if (r.status === 'compile_error') {
    throw new CallerError(ErrorCodes.packageValidatorCompileError, `${where} does not compile: ${r.message}`, { path: where, compiler: r.message });
  }
  if (r.status === 'unchecked') return [`the validator ${program.name} was not compiled at import (${r.reason}): a compile error would show as JE`];
  return [];
}
