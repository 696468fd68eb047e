import { asMap, num, parseDefaultFlags, programAt, programsIn, readYaml, str, words } from './common.js';
import { invalid } from './errors.js';
import type { FileTree } from './file-tree.js';
import { latexToMarkdown } from './latex.js';
import type {
  Aggregation,
  GroupSettings,
  KattisVerdict,
  Limits,
  PackageVersion,
  Program,
  ProblemPackage,
  Statement,
  SubmissionFolder,
  SubmissionProgram,
  TestCase,
  TestGroup,
  Validation,
} from './model.js';

/**
 * Kattis / ICPC problem packages: legacy (and legacy-icpc), 2023-07-draft and 2025-09. The three
 * differ mostly in names (`problem_statement/` → `statement/`, `output_validators/` →
 * `output_validator/`, `testdata.yaml` → `test_group.yaml`, `limits.time_multiplier` →
 * `limits.time_multipliers.ac_to_time_limit`, `validation:` → `type:`). Both spellings are read
 * in every version; the one that is not the version's own gives a warning, because real packages
 * are often half-migrated and refusing them would help nobody.
 */

type Ver = Exclude<PackageVersion, 'dmoj'>;

export function detectKattisVersion(declared: string | null, warnings: string[]): Ver {
  if (declared === null || declared === 'legacy' || declared === 'legacy-icpc') return 'legacy';
  if (declared === '2023-07-draft' || declared === '2023-07') return '2023-07-draft';
  if (declared === '2025-09' || declared === '2025-09-draft') return '2025-09';
  if (declared === 'draft') {
    warnings.push('problem_format_version "draft" read as 2025-09');
    return '2025-09';
  }
  throw invalid(`problem.yaml: unsupported problem_format_version ${JSON.stringify(declared)} (legacy, 2023-07-draft and 2025-09 are read)`, 'problem.yaml', 'version');
}

const PROBLEM_KEYS = new Set([
  'problem_format_version', 'type', 'name', 'uuid', 'version', 'credits', 'source', 'source_url', 'license', 'rights_owner',
  'author', 'embargo_until', 'limits', 'keywords', 'languages', 'allow_file_writing', 'constants', 'validation',
  'validator_flags', 'grading', 'scoring', 'show_test_data_groups',
]);

export function loadKattis(tree: FileTree, slug: string, warnings: string[]): ProblemPackage {
  const py = tree.isFile('problem.yaml') ? asMap(readYaml(tree, 'problem.yaml'), 'problem.yaml', 'problem.yaml') : {};
  if (!tree.isFile('problem.yaml')) warnings.push('no problem.yaml: read as a legacy package with every default');
  const declared = str(py.problem_format_version);
  const version = detectKattisVersion(declared, warnings);
  for (const k of Object.keys(py)) if (!PROBLEM_KEYS.has(k)) warnings.push(`problem.yaml: unknown key ${k} ignored`);

  // Types: 2023+ `type`; legacy `type: scoring` and `validation: custom interactive score`.
  const validationWords = words(py.validation);
  const types = new Set(words(py.type));
  if (validationWords.includes('interactive')) types.add('interactive');
  if (validationWords.includes('score')) types.add('scoring');
  if (!types.has('scoring')) types.add('pass-fail');
  if (types.has('scoring')) types.delete('pass-fail');
  for (const t of types) {
    if (!['pass-fail', 'scoring', 'interactive', 'multi-pass', 'submit-answer'].includes(t)) warnings.push(`problem.yaml: unknown type ${t}`);
  }
  if (types.has('submit-answer')) warnings.push('submit-answer problems are read but cannot be judged yet');
  const scoring = types.has('scoring');
  const interactive = types.has('interactive');

  const constants: Record<string, string> = {};
  for (const [k, v] of Object.entries(asMap(py.constants, 'problem.yaml', 'constants'))) constants[k] = String(v);

  const statementInfo = loadStatements(tree, version, constants, warnings);
  const names = loadNames(py.name, statementInfo, warnings, slug);

  const rootCfg = readGroupConfig(tree, 'data', version, warnings);
  // `flags` is problem.yaml's own; arguments set in data/ reach every test through the group
  // settings (outputValidatorArgs). defaultFlags summarises both for the common case.
  const flags = words(py.validator_flags);
  const rootArgs = [...words(rootCfg?.output_validator_flags), ...words(rootCfg?.output_validator_args)];
  const validation = loadValidation(tree, version, validationWords, types, flags, rootArgs, warnings);

  const ctx: GroupCtx = { tree, version, scoring, interactive, warnings };
  const root = groupSettings(ctx, 'root', rootCfg, null);
  if (!tree.isDir('data/secret')) throw invalid('data/secret is missing: a package needs secret test data', 'data/secret', 'missing');
  const testData: TestGroup[] = [];
  if (tree.isDir('data/sample')) testData.push(walkGroup(ctx, 'sample', 'sample', root, []));
  const secret = walkGroup(ctx, 'secret', 'secret', root, []);
  if (countCases(secret) === 0) throw invalid('data/secret holds no test case (no .in file)', 'data/secret', 'empty');
  testData.push(secret);
  for (const d of ['invalid_input', 'invalid_output', 'valid_output', 'invalid_answer']) {
    if (tree.isDir(`data/${d}`)) warnings.push(`data/${d} is not imported yet`);
  }
  for (const d of ['graders', 'include', 'attachments', 'static_validator', 'input_visualizer', 'output_visualizer']) {
    if (tree.isDir(d)) warnings.push(`${d}/ is not imported yet`);
  }

  const inputValidators = [
    ...(tree.isDir('input_validators') ? programsIn(tree, 'input_validators') : []),
    ...(tree.isDir('input_validator') ? [programAt(tree, 'input_validator')] : []),
  ];
  if (inputValidators.length === 0) warnings.push('no input validator (input_validators/)');

  return {
    format: 'kattis',
    version,
    declaredVersion: declared,
    slug,
    names,
    types: [...types].sort(),
    uuid: str(py.uuid),
    source: sourceOf(py.source) ?? str(py.source_url),
    license: str(py.license),
    authors: authorsOf(py),
    keywords: words(py.keywords),
    statements: statementInfo.statements,
    limits: loadLimits(tree, asMap(py.limits, 'problem.yaml', 'limits'), version, warnings),
    validation,
    testData,
    inputValidators,
    submissions: loadSubmissions(tree, warnings),
    generator: null,
    warnings,
  };
}

function sourceOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(sourceOf).filter((s) => s !== null).join('; ') || null;
  if (v && typeof v === 'object') return str((v as Record<string, unknown>).name);
  return null;
}

function authorsOf(py: Record<string, unknown>): string[] {
  if (py.author !== undefined) return String(py.author).split(/\s*,\s*|\s+and\s+/).map((a) => a.trim()).filter(Boolean);
  const c = py.credits;
  if (typeof c === 'string') return [c];
  if (c && typeof c === 'object') {
    const a = (c as Record<string, unknown>).authors;
    return Array.isArray(a) ? a.map(String) : typeof a === 'string' ? [a] : [];
  }
  return [];
}

interface StatementInfo {
  statements: Statement[];
  latexNames: Record<string, string>;
}

function loadStatements(tree: FileTree, version: Ver, constants: Record<string, string>, warnings: string[]): StatementInfo {
  const own = version === 'legacy' ? 'problem_statement' : 'statement';
  const other = version === 'legacy' ? 'statement' : 'problem_statement';
  const dirs = [own, other].filter((d) => tree.isDir(d));
  if (dirs.includes(other)) warnings.push(`${other}/ is the folder of another package version (${own}/ for ${version}); read anyway`);
  const statements: Statement[] = [];
  const latexNames: Record<string, string> = {};
  for (const dir of dirs) {
    for (const file of tree.list(dir)) {
      const m = /^problem(?:\.([A-Za-z]{2,3}(?:-[A-Za-z]{2})?))?\.(md|tex|pdf)$/.exec(file);
      if (!m) continue;
      const language = m[1] ?? 'en';
      if (statements.some((s) => s.language === language && s.format !== 'pdf') && m[2] !== 'pdf') {
        warnings.push(`${dir}/${file}: a second statement for ${language} ignored`);
        continue;
      }
      const path = `${dir}/${file}`;
      if (m[2] === 'md') statements.push({ language, format: 'markdown', path, markdown: tree.readText(path) });
      else if (m[2] === 'pdf') statements.push({ language, format: 'pdf', path, markdown: null });
      else {
        const conv = latexToMarkdown(tree.readText(path), constants);
        for (const w of conv.warnings) warnings.push(`${path}: ${w}`);
        if (conv.name !== null) latexNames[language] = conv.name;
        statements.push({ language, format: 'latex', path, markdown: conv.markdown });
      }
    }
  }
  if (statements.length === 0) warnings.push(`no problem statement (${own}/problem.<lang>.md or .tex)`);
  return { statements, latexNames };
}

function loadNames(v: unknown, st: StatementInfo, warnings: string[], slug: string): Record<string, string> {
  const names: Record<string, string> = {};
  if (typeof v === 'string') {
    const langs = st.statements.map((s) => s.language);
    names[langs.length === 1 ? langs[0]! : 'en'] = v;
  } else if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, n] of Object.entries(v)) names[k] = String(n);
  }
  for (const [lang, n] of Object.entries(st.latexNames)) {
    // \problemname may hold LaTeX math; problem.yaml's plain name wins where both exist.
    if (!(lang in names)) names[lang] = n;
  }
  if (Object.keys(names).length === 0) {
    warnings.push(`no problem name: using ${slug}`);
    names.en = slug;
  }
  return names;
}

function loadLimits(tree: FileTree, l: Record<string, unknown>, version: Ver, warnings: string[]): Limits {
  const p = 'problem.yaml';
  const tm = asMap(l.time_multipliers, p, 'limits.time_multipliers');
  const limits: Limits = {
    timeSeconds: num(l.time_limit, p, 'limits.time_limit'),
    timeSecondsByLanguage: {},
    acToTimeLimit: num(tm.ac_to_time_limit ?? l.time_multiplier, p, 'time multiplier'),
    timeLimitToTle: num(tm.time_limit_to_tle ?? l.time_safety_margin, p, 'time safety margin'),
    timeResolution: num(l.time_resolution, p, 'limits.time_resolution'),
    memoryMiB: num(l.memory, p, 'limits.memory'),
    outputMiB: num(l.output, p, 'limits.output'),
    codeKiB: num(l.code, p, 'limits.code'),
    compilationTimeSeconds: num(l.compilation_time, p, 'limits.compilation_time'),
    compilationMemoryMiB: num(l.compilation_memory, p, 'limits.compilation_memory'),
    validationTimeSeconds: num(l.validation_time, p, 'limits.validation_time'),
    validationMemoryMiB: num(l.validation_memory, p, 'limits.validation_memory'),
    validationOutputMiB: num(l.validation_output, p, 'limits.validation_output'),
  };
  if (version === 'legacy' && (l.time_multipliers !== undefined || l.time_limit !== undefined)) {
    warnings.push('problem.yaml: limits.time_multipliers/time_limit are 2023+ keys; read anyway');
  }
  if (version !== 'legacy' && (l.time_multiplier !== undefined || l.time_safety_margin !== undefined)) {
    warnings.push('problem.yaml: limits.time_multiplier/time_safety_margin are legacy keys; read anyway');
  }
  // DOMjudge and problemtools exports carry the derived limit in `.timelimit`.
  if (limits.timeSeconds === null && tree.isFile('.timelimit')) {
    const t = Number(tree.readText('.timelimit').trim());
    if (Number.isFinite(t) && t > 0) limits.timeSeconds = t;
    else warnings.push('.timelimit is not a positive number; ignored');
  }
  for (const [k, v] of Object.entries(limits)) {
    if (typeof v === 'number' && v <= 0) throw invalid(`problem.yaml: limit ${k} must be positive`, p, 'limits');
  }
  return limits;
}

function loadValidation(
  tree: FileTree,
  version: Ver,
  validationWords: string[],
  types: Set<string>,
  flags: string[],
  rootArgs: string[],
  warnings: string[],
): Validation {
  const dirs = ['output_validators', 'output_validator'].filter((d) => tree.isDir(d));
  const own = version === 'legacy' ? 'output_validators' : 'output_validator';
  for (const d of dirs) if (d !== own) warnings.push(`${d}/ is the folder of another package version (${own}/ for ${version}); read anyway`);
  let custom: Program | null = null;
  const dir = dirs[0];
  if (dir === 'output_validator') custom = programAt(tree, 'output_validator');
  else if (dir === 'output_validators') {
    const progs = programsIn(tree, 'output_validators');
    if (progs.length > 1) warnings.push(`output_validators/ holds ${progs.length} programs; using ${progs[0]!.name}`);
    custom = progs[0] ?? null;
  }
  const wantsCustom = validationWords.includes('custom') || types.has('interactive') || types.has('multi-pass');
  if (wantsCustom && custom === null) throw invalid(`the problem needs a custom output validator but ${own}/ is missing or empty`, own, 'missing');
  if (version === 'legacy' && !wantsCustom && custom !== null) {
    warnings.push('output_validators/ present but problem.yaml says validation: default; the validator is ignored');
    custom = null;
  }
  const kind = custom !== null ? 'custom' : 'default';
  return {
    kind,
    interactive: types.has('interactive'),
    scoring: kind === 'custom' && (validationWords.includes('score') || types.has('scoring')),
    multiPass: types.has('multi-pass'),
    flags,
    // Kattis' default validator is case-insensitive unless told otherwise.
    defaultFlags: parseDefaultFlags(kind === 'default' ? [...flags, ...rootArgs] : [], false, warnings, 'validator flags'),
    custom,
    checker: null,
    protocol: kind === 'custom' ? 'kattis' : null,
  };
}

// ---------------------------------------------------------------- test data

interface GroupCtx {
  tree: FileTree;
  version: Ver;
  scoring: boolean;
  interactive: boolean;
  warnings: string[];
}

const GROUP_KEYS = new Set([
  'on_reject', 'grading', 'grader_flags', 'accept_score', 'reject_score', 'range', 'input_validator_flags', 'output_validator_flags',
  'input_validator_args', 'output_validator_args', 'scoring', 'max_score', 'score_aggregation', 'require_pass', 'args',
  'full_feedback', 'static_validation', 'hint', 'description',
]);

function readGroupConfig(tree: FileTree, dir: string, version: Ver, warnings: string[]): Record<string, unknown> | null {
  const names = version === '2025-09' ? ['test_group.yaml', 'testdata.yaml'] : ['testdata.yaml', 'test_group.yaml'];
  const found = names.filter((n) => tree.isFile(`${dir}/${n}`));
  if (found.length === 0) return null;
  if (found[0] !== names[0]) warnings.push(`${dir}/${found[0]} is the name of another package version (${names[0]} for ${version}); read anyway`);
  if (found.length === 2) warnings.push(`${dir} has both ${names[0]} and ${names[1]}; ${names[1]} ignored`);
  const path = `${dir}/${found[0]}`;
  const cfg = asMap(readYaml(tree, path), path, 'the group configuration');
  for (const k of Object.keys(cfg)) if (!GROUP_KEYS.has(k)) warnings.push(`${path}: unknown key ${k} ignored`);
  return cfg;
}

function args(v: unknown): string[] {
  return words(v);
}

function groupSettings(ctx: GroupCtx, kind: 'root' | TestGroup['kind'], cfg: Record<string, unknown> | null, parent: GroupSettings | null): GroupSettings {
  const where = `group ${kind}`;
  const legacy = ctx.version === 'legacy';
  // Legacy: the nearest testdata.yaml applies as a whole. 2023+: only some keys are inherited.
  if (legacy && cfg === null && parent !== null) {
    return kind === 'sample' ? { ...parent, aggregation: 'pass-fail', maxScore: 0, requirePass: [], fullFeedback: true } : { ...parent };
  }
  const c = cfg ?? {};
  const scoringMap = asMap(c.scoring, where, 'scoring');
  const graderFlags = [...words(c.grading), ...words(c.grader_flags)];
  let aggregation: Aggregation;
  const explicitAgg = str(c.score_aggregation) ?? str(scoringMap.aggregation);
  if (kind === 'sample' || !ctx.scoring) aggregation = 'pass-fail';
  else if (explicitAgg !== null) {
    if (explicitAgg !== 'pass-fail' && explicitAgg !== 'sum' && explicitAgg !== 'min') {
      throw invalid(`${where}: score aggregation ${explicitAgg} is not pass-fail, sum or min`, where, 'aggregation');
    }
    aggregation = explicitAgg;
  } else if (legacy) {
    aggregation = graderFlags.includes('min') ? 'min' : 'sum';
    for (const f of ['avg', 'max']) if (graderFlags.includes(f)) ctx.warnings.push(`${where}: grader flag ${f} not supported; using sum`);
  } else aggregation = kind === 'secret' || kind === 'root' ? 'sum' : 'pass-fail';

  const rangeWords = words(c.range);
  const range: [number, number] | null = rangeWords.length === 2 ? [Number(rangeWords[0]), Number(rangeWords[1])] : null;
  const onReject = str(c.on_reject);
  if (onReject !== null && onReject !== 'break' && onReject !== 'continue') throw invalid(`${where}: on_reject must be break or continue`, where, 'on_reject');
  const maxRaw = c.max_score ?? scoringMap.score;
  const maxScore =
    kind === 'sample' ? 0 : maxRaw === 'unbounded' ? null : maxRaw !== undefined ? num(maxRaw, where, 'max_score') : !legacy && ctx.scoring && kind === 'secret' ? 100 : null;
  const inherit = <T>(own: T | undefined, key: keyof GroupSettings, dflt: T): T => (own !== undefined ? own : parent && !legacy ? (parent[key] as T) : dflt);
  const ivArgs = c.input_validator_args ?? c.input_validator_flags;
  return {
    aggregation,
    // One default with src/arena/scoring.ts: only a `sum` group gains anything from running on
    // after a rejection (a pass-fail or min group is already lost).
    onReject: onReject ?? (legacy || aggregation !== 'sum' ? 'break' : 'continue'),
    acceptScore: ctx.scoring && legacy ? (num(c.accept_score, where, 'accept_score') ?? 1) : num(c.accept_score, where, 'accept_score'),
    rejectScore: ctx.scoring && legacy ? (num(c.reject_score, where, 'reject_score') ?? 0) : num(c.reject_score, where, 'reject_score'),
    range,
    maxScore,
    requirePass: words(c.require_pass),
    args: inherit(c.args === undefined ? undefined : args(c.args), 'args', []),
    outputValidatorArgs: inherit(
      c.output_validator_args === undefined && c.output_validator_flags === undefined ? undefined : [...args(c.output_validator_flags), ...args(c.output_validator_args)],
      'outputValidatorArgs',
      [],
    ),
    inputValidatorArgs: inherit(
      ivArgs === undefined ? undefined : ivArgs && typeof ivArgs === 'object' && !Array.isArray(ivArgs)
        ? Object.fromEntries(Object.entries(ivArgs).map(([k, v]) => [k, args(v)]))
        : args(ivArgs),
      'inputValidatorArgs',
      [],
    ),
    // Inherited, but the default differs: samples give full feedback, secret data does not.
    fullFeedback:
      kind === 'sample' || kind === 'secret'
        ? typeof c.full_feedback === 'boolean' ? c.full_feedback : kind === 'sample'
        : inherit(typeof c.full_feedback === 'boolean' ? c.full_feedback : undefined, 'fullFeedback', false),
    graderFlags,
  };
}

function walkGroup(ctx: GroupCtx, rel: string, kind: TestGroup['kind'], parent: GroupSettings, chain: string[]): TestGroup {
  const { tree } = ctx;
  const dir = `data/${rel}`;
  const real = tree.enterDir(dir, chain);
  if (chain.length > 8) throw invalid(`${dir}: test groups nested too deep`, dir, 'depth');
  const settings = groupSettings(ctx, kind, readGroupConfig(tree, dir, ctx.version, ctx.warnings), parent);
  const group: TestGroup = { path: rel, kind, settings, cases: [], groups: [], interactions: [] };
  const entries = tree.list(dir);
  const has = new Set(entries);
  for (const name of entries) {
    const p = `${dir}/${name}`;
    if (tree.isDir(p)) {
      if (name.endsWith('.files')) continue;
      if (kind === 'sample') ctx.warnings.push(`${p}: data/sample must not hold groups; read anyway`);
      group.groups.push(walkGroup(ctx, `${rel}/${name}`, 'group', settings, [...chain, real]));
      continue;
    }
    if (name.endsWith('.interaction') && !has.has(name.replace(/\.interaction$/, '.in'))) {
      group.interactions.push(p);
      continue;
    }
    if (!name.endsWith('.in')) continue;
    const base = name.slice(0, -3);
    group.cases.push(testCase(ctx, dir, rel, base, has, settings));
  }
  return group;
}

function testCase(ctx: GroupCtx, dir: string, rel: string, base: string, has: Set<string>, settings: GroupSettings): TestCase {
  const { tree } = ctx;
  let answer: string | null = `${dir}/${base}.ans`;
  if (!tree.isFile(answer)) {
    if (ctx.interactive) answer = null;
    else throw invalid(`${dir}/${base}.in has no answer file ${base}.ans`, answer, 'missing');
  }
  const tc: TestCase = {
    name: `${rel}/${base}`,
    input: `${dir}/${base}.in`,
    answer,
    interaction: has.has(`${base}.interaction`) ? `${dir}/${base}.interaction` : null,
    filesDir: has.has(`${base}.files`) ? `${dir}/${base}.files` : null,
    args: settings.args,
    outputValidatorArgs: settings.outputValidatorArgs,
    points: null,
    needsGeneration: false,
    generatorArgs: [],
    hint: null,
    description: null,
  };
  // Per-test `.yaml` (2023+). Legacy `.hint`/`.desc` files are author notes; not imported.
  if (has.has(`${base}.yaml`)) {
    const path = `${dir}/${base}.yaml`;
    const y = asMap(readYaml(tree, path), path, 'a test case configuration');
    if (y.args !== undefined) tc.args = words(y.args);
    if (y.output_validator_args !== undefined) tc.outputValidatorArgs = words(y.output_validator_args);
    tc.hint = str(y.hint);
    tc.description = str(y.description);
  }
  return tc;
}

function countCases(g: TestGroup): number {
  return g.cases.length + g.groups.reduce((n, s) => n + countCases(s), 0);
}

// ---------------------------------------------------------------- submissions

const FOLDERS: Record<string, { expected: SubmissionFolder['expected']; permitted: KattisVerdict[] | null; required: KattisVerdict[] | null }> = {
  accepted: { expected: 'AC', permitted: ['AC'], required: null },
  partially_accepted: { expected: 'PAC', permitted: null, required: null },
  wrong_answer: { expected: 'WA', permitted: ['AC', 'WA'], required: ['WA'] },
  time_limit_exceeded: { expected: 'TLE', permitted: ['AC', 'TLE'], required: ['TLE'] },
  run_time_error: { expected: 'RTE', permitted: ['AC', 'RTE'], required: ['RTE'] },
  rejected: { expected: null, permitted: null, required: ['RTE', 'TLE', 'WA'] },
  brute_force: { expected: null, permitted: ['AC', 'RTE', 'TLE'], required: ['RTE', 'TLE'] },
};

function loadSubmissions(tree: FileTree, warnings: string[]): SubmissionFolder[] {
  if (!tree.isDir('submissions')) {
    warnings.push('no submissions/ folder: the package cannot verify itself');
    return [];
  }
  const yamlRules = tree.isFile('submissions/submissions.yaml')
    ? asMap(readYaml(tree, 'submissions/submissions.yaml'), 'submissions/submissions.yaml', 'submissions.yaml')
    : {};
  const folders: SubmissionFolder[] = [];
  for (const folder of tree.list('submissions')) {
    if (!tree.isDir(`submissions/${folder}`)) continue;
    const known = FOLDERS[folder];
    if (!known) warnings.push(`submissions/${folder}: not a standard folder; its programs are kept without an expected verdict`);
    const entries = tree.list(`submissions/${folder}`).filter((n) => !/^(readme|license)(\.|$)/i.test(n) && !n.startsWith('.'));
    const programs: SubmissionProgram[] = entries.map((entry) => {
      const p = programAt(tree, `submissions/${folder}/${entry}`);
      const path = `${folder}/${entry}`;
      const rules = Object.entries(yamlRules)
        .filter(([pattern]) => globMatches(pattern, path))
        .map(([pattern, rule]): Record<string, unknown> => ({ pattern, ...(rule && typeof rule === 'object' ? (rule as Record<string, unknown>) : {}) }));
      const lang = rules.map((r) => str(r.language)).find((l) => l !== null);
      return { ...p, path, rules, language: lang ?? p.language };
    });
    folders.push({ folder, expected: known?.expected ?? null, permitted: known?.permitted ?? null, required: known?.required ?? null, programs });
  }
  if (!folders.some((f) => f.folder === 'accepted' && f.programs.length > 0)) warnings.push('no program under submissions/accepted/');
  return folders;
}

/** `submissions.yaml` globs: `*` within one name, `{a,b}` alternatives; a pattern matching a parent folder matches. */
export function globMatches(pattern: string, path: string): boolean {
  const alternatives = expandBraces(pattern);
  const parts = path.split('/');
  const prefixes = parts.map((_p, i) => parts.slice(0, i + 1).join('/'));
  return alternatives.some((alt) => {
    const re = new RegExp(`^${alt.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    return prefixes.some((p) => re.test(p));
  });
}

function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  return m[1]!.split(',').flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}
