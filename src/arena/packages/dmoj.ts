import { asMap, languageOf, num, parseDefaultFlags, readYaml, str, words } from './common.js';
import { invalid } from './errors.js';
import type { FileTree, PackageLimits } from './file-tree.js';
import type { GroupSettings, Limits, Program, ProblemPackage, TestCase, TestGroup, Validation } from './model.js';

/** The loader's warning while generated cases are pending; runGenerator drops it once they are written. */
export const GENERATOR_PENDING_WARNING = 'test case(s) need the generator to run first';

/**
 * DMOJ problem data: a folder with `init.yml` (and usually `archive: tests.zip` beside it).
 * Mapped onto the Kattis-shaped model (arena.md §10): a batch becomes a group with `min`
 * aggregation whose `maxScore` is the batch's points, `dependencies` become `requirePass`,
 * plain cases keep their own points in a `sum` group. Names are zero-padded positions, so the
 * name order of a group's cases and subgroups together is the order of `test_cases`.
 * DMOJ keeps limits and statements on the site, not in the package: both come out empty.
 */

const KNOWN_KEYS = new Set([
  'archive', 'test_cases', 'pretest_test_cases', 'checker', 'generator', 'interactive', 'custom_judge', 'unbuffered',
  'output_limit_length', 'output_prefix_length', 'symlinks', 'binary_data', 'signature_grader', 'hints', 'wall_time_factor',
  'input_format', 'output_format', 'case_points', 'points',
]);
const BUILTIN_CHECKERS = new Set([
  'standard', 'floats', 'floatsabs', 'floatsrel', 'identical', 'rstripped', 'sorted', 'unordered', 'linecount', 'linematches', 'easy',
]);

export function loadDmoj(tree: FileTree, slug: string, warnings: string[], limits: PackageLimits): ProblemPackage {
  const initPath = tree.isFile('init.yml') ? 'init.yml' : 'init.yaml';
  const init = asMap(readYaml(tree, initPath), initPath, 'init.yml');
  for (const k of Object.keys(init)) if (!KNOWN_KEYS.has(k)) warnings.push(`${initPath}: unknown key ${k} ignored`);
  for (const k of ['unbuffered', 'symlinks', 'binary_data', 'signature_grader', 'hints']) {
    if (init[k] !== undefined) warnings.push(`${initPath}: ${k} is not supported yet and was ignored`);
  }
  if (init.input_format !== undefined || init.case_points !== undefined) {
    throw invalid(`${initPath}: test cases matched by input_format/output_format are not supported; list them in test_cases`, initPath, 'unsupported');
  }

  let dataDir = '';
  const archive = str(init.archive);
  if (archive !== null) {
    if (!tree.isFile(archive)) throw invalid(`${initPath}: archive ${archive} is missing from the package`, archive, 'missing');
    tree.mountZip(archive, limits);
    dataDir = archive;
  }

  const generator = loadGenerator(tree, init.generator, initPath);
  const ctx = { tree, dataDir, generator, initPath, warnings };
  const testData: TestGroup[] = [];
  if (init.pretest_test_cases !== undefined) testData.push(cases(ctx, init.pretest_test_cases, 'pretest', 'pretest'));
  if (init.test_cases === undefined) throw invalid(`${initPath}: test_cases is missing`, initPath, 'missing');
  const secret = cases(ctx, init.test_cases, 'secret', 'secret');
  if (secret.cases.length + secret.groups.length === 0) throw invalid(`${initPath}: test_cases is empty`, initPath, 'empty');
  testData.push(secret);
  const pending = [...testData.flatMap(allCases)].filter((c) => c.needsGeneration);
  if (pending.length > 0) warnings.push(`${pending.length} ${GENERATOR_PENDING_WARNING}: ${pending.map((c) => c.name).join(', ')}`);

  warnings.push('DMOJ keeps time and memory limits on the site: none were imported');
  const nullLimits: Limits = {
    timeSeconds: null, timeSecondsByLanguage: {}, acToTimeLimit: null, timeLimitToTle: null, timeResolution: null, memoryMiB: null,
    outputMiB: null, codeKiB: null, compilationTimeSeconds: null, compilationMemoryMiB: null, validationTimeSeconds: null,
    validationMemoryMiB: null, validationOutputMiB: null,
  };
  const outputLimit = num(init.output_limit_length, initPath, 'output_limit_length');
  if (outputLimit !== null) nullLimits.outputMiB = outputLimit / (1024 * 1024);

  return {
    format: 'dmoj',
    version: 'dmoj',
    declaredVersion: null,
    slug,
    names: { en: slug },
    types: [init.interactive !== undefined || init.custom_judge !== undefined ? 'interactive' : '', 'pass-fail'].filter(Boolean).sort(),
    uuid: null,
    source: null,
    license: null,
    authors: [],
    keywords: [],
    statements: [],
    limits: nullLimits,
    validation: loadChecker(tree, init, initPath, warnings),
    testData,
    inputValidators: [],
    submissions: [],
    generator,
    warnings,
  };
}

interface Ctx {
  tree: FileTree;
  dataDir: string;
  generator: Program | null;
  initPath: string;
  warnings: string[];
}

function settings(over: Partial<GroupSettings>): GroupSettings {
  return {
    aggregation: 'sum', onReject: 'continue', acceptScore: null, rejectScore: null, range: null, maxScore: null, requirePass: [],
    args: [], outputValidatorArgs: [], inputValidatorArgs: [], fullFeedback: false, graderFlags: [], ...over,
  };
}

function cases(ctx: Ctx, list: unknown, path: string, kind: 'secret' | 'pretest'): TestGroup {
  if (!Array.isArray(list)) throw invalid(`${ctx.initPath}: ${kind === 'pretest' ? 'pretest_test_cases' : 'test_cases'} must be a list`, ctx.initPath, 'yaml');
  const width = String(list.length).length;
  const group: TestGroup = { path, kind, settings: settings({}), cases: [], groups: [], interactions: [] };
  let batchNo = 0;
  const batchPaths: string[] = [];
  list.forEach((raw, i) => {
    const entry = asMap(raw, ctx.initPath, `test case ${i + 1}`);
    const pos = String(i + 1).padStart(width, '0');
    if (entry.batched !== undefined) {
      batchNo++;
      const bpath = `${path}/${pos}-batch${batchNo}`;
      batchPaths.push(bpath);
      if (!Array.isArray(entry.batched)) throw invalid(`${ctx.initPath}: batch ${batchNo}: batched must be a list`, ctx.initPath, 'yaml');
      const requirePass = words(entry.dependencies).map((d) => {
        const n = Number(d);
        // Dependencies are 1-based batch numbers and must point to an earlier batch (dmoj/problem.py).
        if (!Number.isInteger(n) || n < 1 || n >= batchNo) {
          throw invalid(`${ctx.initPath}: batch ${batchNo} depends on batch ${d}, which is not an earlier batch`, ctx.initPath, 'dependencies');
        }
        return batchPaths[n - 1]!;
      });
      const bw = String(entry.batched.length).length;
      const batch: TestGroup = {
        path: bpath,
        kind: 'group',
        // A failure inside a batch skips the rest of it; the batch scores its points only if all pass.
        settings: settings({ aggregation: 'min', onReject: 'break', maxScore: num(entry.points, ctx.initPath, 'points') ?? 1, requirePass }),
        cases: entry.batched.map((c: unknown, j: number) =>
          testCase(ctx, asMap(c, ctx.initPath, `batch ${batchNo} case ${j + 1}`), `${bpath}/${String(j + 1).padStart(bw, '0')}`, null),
        ),
        groups: [],
        interactions: [],
      };
      group.groups.push(batch);
    } else {
      if (entry.dependencies !== undefined) ctx.warnings.push(`${ctx.initPath}: dependencies on a case that is not a batch ignored`);
      group.cases.push(testCase(ctx, entry, `${path}/${pos}`, num(entry.points, ctx.initPath, 'points') ?? 1));
    }
  });
  return group;
}

function testCase(ctx: Ctx, c: Record<string, unknown>, name: string, points: number | null): TestCase {
  const file = (key: 'in' | 'out'): string | null => {
    const f = str(c[key]);
    if (f === null) return null;
    const p = ctx.dataDir === '' ? f : `${ctx.dataDir}/${f}`;
    if (!ctx.tree.isFile(p)) {
      if (ctx.generator !== null) return null;
      throw invalid(`${ctx.initPath}: test case ${name} names ${f}, which is not in ${ctx.dataDir || 'the package'}`, p, 'missing');
    }
    return p;
  };
  const input = file('in');
  const answer = file('out');
  const genArgs = c.generator_args === undefined ? [] : words(c.generator_args);
  const needsGeneration = input === null || answer === null;
  if (needsGeneration && ctx.generator === null) throw invalid(`${ctx.initPath}: test case ${name} has no in/out and there is no generator`, ctx.initPath, 'missing');
  return {
    name, input, answer, interaction: null, filesDir: null, args: [], outputValidatorArgs: [], points,
    needsGeneration, generatorArgs: genArgs, hint: null, description: null,
  };
}

function allCases(g: TestGroup): TestCase[] {
  return [...g.cases, ...g.groups.flatMap(allCases)];
}

function loadGenerator(tree: FileTree, v: unknown, initPath: string): Program | null {
  if (v === undefined || v === null) return null;
  const spec = typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>).source : v;
  const files = words(spec);
  if (files.length === 0) throw invalid(`${initPath}: generator names no file`, initPath, 'generator');
  for (const f of files) if (!tree.isFile(f)) throw invalid(`${initPath}: generator file ${f} is missing`, f, 'missing');
  const lang = typeof v === 'object' && v !== null && !Array.isArray(v) ? str((v as Record<string, unknown>).language) : null;
  return { name: files[0]!.replace(/\.[^.]+$/, ''), files, language: lang ?? languageOf(files[0]!) };
}

function loadChecker(tree: FileTree, init: Record<string, unknown>, initPath: string, warnings: string[]): Validation {
  const base: Validation = {
    kind: 'default', interactive: false, scoring: false, multiPass: false, flags: [],
    // DMOJ's checkers compare case-sensitively.
    defaultFlags: parseDefaultFlags(['case_sensitive'], true, warnings, initPath),
    custom: null, checker: { name: 'standard', args: {} }, protocol: null,
  };
  const files = (v: unknown, what: string): string[] => {
    const fs = words(v);
    for (const f of fs) if (!tree.isFile(f)) throw invalid(`${initPath}: ${what} file ${f} is missing`, f, 'missing');
    return fs;
  };
  if (init.interactive !== undefined) {
    const it = asMap(init.interactive, initPath, 'interactive');
    const fs = files(it.files, 'interactor');
    const type = str(it.type) ?? 'default';
    return {
      ...base, kind: 'custom', interactive: true, checker: null,
      custom: { name: 'interactor', files: fs, language: str(it.lang) ?? (fs[0] ? languageOf(fs[0]) : null) },
      protocol: type === 'testlib' ? 'testlib' : type === 'coci' ? 'coci' : 'dmoj-default',
    };
  }
  if (init.custom_judge !== undefined) {
    const fs = files(init.custom_judge, 'custom_judge');
    warnings.push(`${initPath}: custom_judge is a Python grader, which cannot run yet`);
    return { ...base, kind: 'custom', interactive: true, checker: null, custom: { name: 'custom_judge', files: fs, language: 'python' }, protocol: 'dmoj-python' };
  }
  if (init.checker === undefined) return base;
  const c = typeof init.checker === 'string' ? { name: init.checker, args: {} } : asMap(init.checker, initPath, 'checker');
  const name = str(c.name);
  if (name === null) throw invalid(`${initPath}: checker has no name`, initPath, 'checker');
  const cargs = asMap(c.args, initPath, 'checker.args');
  if (name.endsWith('.py')) {
    files(name, 'checker');
    warnings.push(`${initPath}: Python checker ${name} cannot run yet`);
    return { ...base, kind: 'custom', checker: { name, args: cargs }, custom: { name: name.replace(/\.py$/, ''), files: [name], language: 'python' }, protocol: 'dmoj-python' };
  }
  if (name === 'bridged') {
    const fs = files(cargs.files, 'bridged checker');
    const type = str(cargs.type) ?? 'default';
    return {
      ...base, kind: 'custom', checker: { name, args: cargs },
      custom: { name: 'checker', files: fs, language: str(cargs.lang) ?? (fs[0] ? languageOf(fs[0]) : null) },
      protocol: type === 'testlib' ? 'testlib' : type === 'coci' ? 'coci' : 'dmoj-default',
    };
  }
  if (!BUILTIN_CHECKERS.has(name)) warnings.push(`${initPath}: unknown checker ${name}; kept by name`);
  const out: Validation = { ...base, checker: { name, args: cargs } };
  if (name.startsWith('floats')) {
    const eps = Number(`1e-${num(cargs.precision, initPath, 'checker.args.precision') ?? 6}`);
    const mode = name === 'floatsabs' ? 'absolute' : name === 'floatsrel' ? 'relative' : (str(cargs.error_mode) ?? 'default');
    out.defaultFlags = {
      ...out.defaultFlags,
      floatAbsoluteTolerance: mode === 'relative' ? null : eps,
      floatRelativeTolerance: mode === 'absolute' ? null : eps,
    };
  }
  return out;
}
