import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { CallerError } from '../../src/errors.js';
import {
  latexToMarkdown,
  loadProblemPackage,
  loadProblemPackageFromZip,
  type LoadOptions,
  type ProblemPackage,
  type TestGroup,
} from '../../src/arena/packages/index.js';
import { statusOf } from '../../src/server/http-errors.js';
import { makeZip, type ZipItem } from '../helpers/zip-writer.js';

const FIX = path.join(REPO_ROOT, 'test/fixtures/problems');
const fixture = (name: string): string => path.join(FIX, name);
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-packages-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function group(p: ProblemPackage, gpath: string): TestGroup {
  const find = (gs: TestGroup[]): TestGroup | undefined => {
    for (const g of gs) {
      if (g.path === gpath) return g;
      const sub = find(g.groups);
      if (sub) return sub;
    }
    return undefined;
  };
  const g = find(p.testData);
  if (!g) throw new Error(`no group ${gpath}`);
  return g;
}

/** The error a call throws, checked to be a CallerError (4xx), never a crash. */
function refusal(fn: () => unknown): CallerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CallerError);
    return err as CallerError;
  }
  throw new Error('expected a refusal, got a package');
}

/** The files of a fixture folder as zip items under `top/` (symlinks kept as symlinks). */
function zipItemsOf(dir: string, top: string): ZipItem[] {
  const items: ZipItem[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const n of fs.readdirSync(abs).sort()) {
      const a = path.join(abs, n);
      const r = `${rel}/${n}`;
      const st = fs.lstatSync(a);
      if (st.isSymbolicLink()) items.push({ name: r, symlink: fs.readlinkSync(a) });
      else if (st.isDirectory()) {
        items.push({ name: r, dir: true });
        walk(a, r);
      } else items.push({ name: r, data: fs.readFileSync(a), method: 'deflate' });
    }
  };
  walk(dir, top);
  return items;
}

function copyFixture(name: string): string {
  const dest = fs.mkdtempSync(path.join(tmpRoot, `${name}-`));
  const to = path.join(dest, name);
  fs.cpSync(fixture(name), to, { recursive: true, verbatimSymlinks: true });
  return to;
}

describe('Kattis legacy package', () => {
  const { problem: p, files } = loadProblemPackage(fixture('kattis-legacy-average'));

  it('is detected as legacy, with its metadata', () => {
    expect(p.format).toBe('kattis');
    expect(p.version).toBe('legacy');
    expect(p.declaredVersion).toBeNull();
    expect(p.slug).toBe('kattis-legacy-average');
    expect(p.names).toEqual({ en: 'Average of $N$ Numbers' });
    expect(p.types).toEqual(['pass-fail']);
    expect(p.authors).toEqual(['Ada Fixture', 'Bob Example']);
    expect(p.license).toBe('cc0');
  });

  it('reads legacy limits, with null where the package says nothing', () => {
    expect(p.limits.timeSeconds).toBeNull();
    expect(p.limits.acToTimeLimit).toBe(3);
    expect(p.limits.timeLimitToTle).toBe(1.5);
    expect(p.limits.memoryMiB).toBe(256);
    expect(p.limits.outputMiB).toBeNull();
    expect(p.limits.timeSecondsByLanguage).toEqual({});
  });

  it('parses the float tolerance of validator_flags, case-insensitive by default', () => {
    expect(p.validation.kind).toBe('default');
    expect(p.validation.interactive).toBe(false);
    expect(p.validation.flags).toEqual(['float_tolerance', '1e-6']);
    expect(p.validation.defaultFlags).toEqual({
      caseSensitive: false,
      spaceChangeSensitive: false,
      floatAbsoluteTolerance: 1e-6,
      floatRelativeTolerance: 1e-6,
    });
  });

  it('has sample then secret; the secret case linked to the sample reads the sample bytes', () => {
    expect(p.testData.map((g) => [g.path, g.kind])).toEqual([
      ['sample', 'sample'],
      ['secret', 'secret'],
    ]);
    const secret = group(p, 'secret');
    expect(secret.cases.map((c) => c.name)).toEqual(['secret/01-sample', 'secret/02-one']);
    expect(files.read(secret.cases[0]!.input!).equals(fs.readFileSync(fixture('kattis-legacy-average/data/sample/1.in')))).toBe(true);
    expect(files.readText(secret.cases[1]!.answer!)).toBe('5\n');
    // .desc is an author note: ignored, never an error.
    expect(secret.cases[1]!.description).toBeNull();
    expect(group(p, 'sample').settings).toMatchObject({ aggregation: 'pass-fail', maxScore: 0, fullFeedback: true });
    expect(secret.settings).toMatchObject({ aggregation: 'pass-fail', onReject: 'break', fullFeedback: false });
  });

  it('converts the LaTeX statement and groups submissions by verdict folder', () => {
    expect(p.statements).toHaveLength(1);
    expect(p.statements[0]).toMatchObject({ language: 'en', format: 'latex', path: 'problem_statement/problem.en.tex' });
    expect(p.statements[0]!.markdown).toContain('## Input');
    expect(p.statements[0]!.markdown).toContain('$1 \\le N \\le 100$');
    expect(p.submissions.map((f) => [f.folder, f.expected, f.programs.map((x) => [x.path, x.language])])).toEqual([
      ['accepted', 'AC', [['accepted/avg.py', 'python']]],
      ['wrong_answer', 'WA', [['wrong_answer/floor.cpp', 'cpp']]],
    ]);
    expect(p.submissions[1]).toMatchObject({ permitted: ['AC', 'WA'], required: ['WA'] });
    expect(p.inputValidators).toEqual([{ name: 'validate', files: ['input_validators/validate.py'], language: 'python' }]);
    expect(p.warnings).toEqual([]);
  });
});

describe('Kattis 2023-07-draft scoring package', () => {
  const { problem: p } = loadProblemPackage(fixture('kattis-2023-subtasks'));

  it('is detected as 2023-07-draft with names per language and explicit limits', () => {
    expect(p.version).toBe('2023-07-draft');
    expect(p.declaredVersion).toBe('2023-07-draft');
    expect(p.types).toEqual(['scoring']);
    expect(p.names).toEqual({ en: 'Pair Sums', de: 'Paarsummen' });
    expect(p.uuid).toBe('8f7c9a34-5b4e-4d2a-9d55-111111111111');
    expect(p.authors).toEqual(['Ada Fixture']);
    expect(p.limits).toMatchObject({ timeSeconds: 2.5, acToTimeLimit: 2, timeLimitToTle: 1.5, memoryMiB: 512, outputMiB: 16 });
    expect(p.statements.map((s) => [s.language, s.format])).toEqual([
      ['de', 'markdown'],
      ['en', 'markdown'],
    ]);
    expect(p.statements.find((s) => s.language === 'en')!.markdown).toBe(
      fs.readFileSync(fixture('kattis-2023-subtasks/statement/problem.en.md'), 'utf8'),
    );
  });

  it('builds the nested group tree with each group settings', () => {
    const secret = group(p, 'secret');
    expect(secret.groups.map((g) => g.path)).toEqual(['secret/group1', 'secret/group2']);
    expect(secret.settings).toMatchObject({ aggregation: 'sum', maxScore: 100, outputValidatorArgs: ['--mode', 'pairs'] });
    // No on_reject given: a min group is lost at its first rejection, so it stops there (the
    // scoring module's default too); only a sum group runs on.
    expect(group(p, 'secret/group1').settings).toMatchObject({ aggregation: 'min', onReject: 'break', maxScore: 30, outputValidatorArgs: ['--mode', 'pairs'] });
    expect(secret.settings.onReject).toBe('continue');
    // Aggregation is not inherited: group2 and its subgroup fall back to pass-fail.
    expect(group(p, 'secret/group2').settings).toMatchObject({ aggregation: 'pass-fail', maxScore: 70, onReject: 'break' });
    const hard = group(p, 'secret/group2/hard');
    expect(hard.settings).toMatchObject({ aggregation: 'pass-fail', maxScore: null });
    expect(hard.cases.map((c) => c.name)).toEqual(['secret/group2/hard/01']);
    const c2 = group(p, 'secret/group1').cases[1]!;
    expect(c2).toMatchObject({ name: 'secret/group1/02', hint: 'two equal numbers', description: 'the pair uses both copies' });
  });

  it('reads the custom output_validator/ and submissions.yaml rules', () => {
    expect(p.validation).toMatchObject({ kind: 'custom', scoring: true, protocol: 'kattis', interactive: false });
    expect(p.validation.custom).toEqual({ name: 'output_validator', files: ['output_validator/validate.cpp'], language: 'cpp' });
    const pac = p.submissions.find((f) => f.folder === 'partially_accepted')!;
    expect(pac.expected).toBe('PAC');
    expect(pac.programs[0]!.rules).toEqual([{ pattern: 'partially_accepted/half.py', score: [20, 40], language: 'python' }]);
    const tle = p.submissions.find((f) => f.folder === 'time_limit_exceeded')!;
    expect(tle.programs[0]!.rules[0]).toMatchObject({ pattern: 'time_limit_exceeded', required: ['TLE'] });
  });
});

describe('Kattis 2025-09 package', () => {
  const { problem: p } = loadProblemPackage(fixture('kattis-2025-groups'));

  it('reads test_group.yaml: max_score, score_aggregation, require_pass, args', () => {
    expect(p.version).toBe('2025-09');
    expect(p.source).toBe('MUSCode fixtures 2026');
    expect(p.keywords).toEqual(['strings', 'easy']);
    expect(group(p, 'secret/1-small').settings).toMatchObject({ aggregation: 'min', maxScore: 40, requirePass: [] });
    const large = group(p, 'secret/2-large');
    expect(large.settings).toMatchObject({ aggregation: 'pass-fail', maxScore: 60, requirePass: ['secret/1-small'], args: ['--fast'] });
    // A test's own .yaml wins over its group's.
    expect(large.cases[0]).toMatchObject({ args: ['--faster'], description: 'a long word' });
  });

  it('takes default validator flags from data/test_group.yaml', () => {
    expect(p.validation.kind).toBe('default');
    expect(p.validation.flags).toEqual([]);
    expect(p.validation.defaultFlags).toMatchObject({ caseSensitive: true, spaceChangeSensitive: true });
    expect(group(p, 'sample').settings.outputValidatorArgs).toEqual(['case_sensitive', 'space_change_sensitive']);
  });

  it('treats a directory under submissions/ as one program', () => {
    const ac = p.submissions.find((f) => f.folder === 'accepted')!;
    expect(ac.programs.map((x) => [x.path, x.language, x.files.length])).toEqual([
      ['accepted/echo.py', 'python', 1],
      ['accepted/multi', 'rust', 2],
    ]);
    expect(p.submissions.find((f) => f.folder === 'run_time_error')!.expected).toBe('RTE');
  });
});

describe('interactive package', () => {
  const { problem: p } = loadProblemPackage(fixture('kattis-interactive-guess'));

  it('is interactive with its interactor, and keeps .interaction samples', () => {
    expect(p.declaredVersion).toBe('legacy-icpc');
    expect(p.version).toBe('legacy');
    expect(p.types).toContain('interactive');
    expect(p.validation).toMatchObject({ kind: 'custom', interactive: true, protocol: 'kattis' });
    expect(p.validation.custom).toEqual({ name: 'interactor', files: ['output_validators/interactor/interactor.py'], language: 'python' });
    expect(group(p, 'sample').interactions).toEqual(['data/sample/1.interaction']);
    expect(group(p, 'sample').cases).toEqual([]);
    expect(group(p, 'secret').cases.map((c) => c.name)).toEqual(['secret/1', 'secret/2']);
    expect(p.limits.memoryMiB).toBe(64);
  });
});

describe('DMOJ init.yml', () => {
  it('maps batches to min groups with points, dependencies, pretests, a checker and the archive', () => {
    const { problem: p, files } = loadProblemPackage(fixture('dmoj-batches'));
    expect(p.format).toBe('dmoj');
    expect(p.version).toBe('dmoj');
    expect(p.testData.map((g) => g.path)).toEqual(['pretest', 'secret']);
    expect(group(p, 'pretest').cases).toMatchObject([{ name: 'pretest/1', points: 0 }]);
    const secret = group(p, 'secret');
    expect(secret.settings.aggregation).toBe('sum');
    expect(secret.cases.map((c) => [c.name, c.points])).toEqual([
      ['secret/1', 5],
      ['secret/4', 1],
    ]);
    expect(secret.groups.map((g) => [g.path, g.settings.aggregation, g.settings.maxScore, g.settings.onReject, g.settings.requirePass])).toEqual([
      ['secret/2-batch1', 'min', 20, 'break', []],
      ['secret/3-batch2', 'min', 75, 'break', ['secret/2-batch1']],
    ]);
    const c = group(p, 'secret/3-batch2').cases[0]!;
    expect(c.input).toBe('tests.zip/case4.in');
    expect(files.readText(c.input!)).toBe('4\n');
    expect(files.readText(c.answer!)).toBe('16\n');
    expect(p.validation.checker).toEqual({ name: 'floats', args: { precision: 4 } });
    expect(p.validation.defaultFlags).toMatchObject({ caseSensitive: true, floatAbsoluteTolerance: 1e-4, floatRelativeTolerance: 1e-4 });
    expect(p.limits.timeSeconds).toBeNull();
    expect(p.warnings.some((w) => w.includes('limits'))).toBe(true);
  });

  it('records which cases need the generator', () => {
    const { problem: p } = loadProblemPackage(fixture('dmoj-generator'));
    expect(p.generator).toEqual({ name: 'gen', files: ['gen.py'], language: 'python' });
    expect(p.validation.checker?.name).toBe('identical');
    const secret = group(p, 'secret');
    expect(secret.cases.map((c) => [c.name, c.needsGeneration, c.generatorArgs, c.input])).toEqual([
      ['secret/1', false, [], 'fixed.in'],
      ['secret/2', true, ['100'], null],
    ]);
    expect(group(p, 'secret/3-batch1').cases.every((c) => c.needsGeneration)).toBe(true);
    expect(p.warnings).toContain('3 test case(s) need the generator to run first: secret/2, secret/3-batch1/1, secret/3-batch1/2');
  });

  it('refuses a dependency on a later batch and a case file that is not there', () => {
    const d = copyFixture('dmoj-batches');
    const init = fs.readFileSync(path.join(d, 'init.yml'), 'utf8');
    fs.writeFileSync(path.join(d, 'init.yml'), init.replace('dependencies: [1]', 'dependencies: [2]'));
    const e1 = refusal(() => loadProblemPackage(d));
    expect(e1.code).toBe('PACKAGE_INVALID');
    expect(e1.message).toContain('depends on batch 2');
    fs.writeFileSync(path.join(d, 'init.yml'), init.replace('case6.in', 'case9.in'));
    const e2 = refusal(() => loadProblemPackage(d));
    expect(e2.code).toBe('PACKAGE_INVALID');
    expect(e2.message).toContain('case9.in');
  });
});

describe('other checkers and scoring settings', () => {
  it('reads a DMOJ bridged testlib checker and a DMOJ interactor', () => {
    const cases = [
      { name: 'a.in', data: '1\n' },
      { name: 'a.out', data: '1\n' },
      { name: 'check.cpp', data: '// testlib checker\n' },
    ];
    const bridged = loadProblemPackageFromZip(
      makeZip([
        ...cases,
        { name: 'init.yml', data: 'checker:\n  name: bridged\n  args: {files: check.cpp, lang: CPP17, type: testlib}\ntest_cases:\n- {in: a.in, out: a.out}\n' },
      ]),
      'b.zip',
    ).problem;
    expect(bridged.validation).toMatchObject({ kind: 'custom', protocol: 'testlib', interactive: false });
    expect(bridged.validation.custom).toEqual({ name: 'checker', files: ['check.cpp'], language: 'CPP17' });
    const inter = loadProblemPackageFromZip(
      makeZip([...cases, { name: 'init.yml', data: 'interactive:\n  files: [check.cpp]\n  type: default\ntest_cases:\n- {in: a.in, out: a.out}\n' }]),
      'i.zip',
    ).problem;
    expect(inter.validation).toMatchObject({ kind: 'custom', interactive: true, protocol: 'dmoj-default' });
    expect(inter.types).toContain('interactive');
    const missing = refusal(() =>
      loadProblemPackageFromZip(makeZip([...cases, { name: 'init.yml', data: 'checker: {name: bridged, args: {files: nope.cpp}}\ntest_cases:\n- {in: a.in, out: a.out}\n' }]), 'm.zip'),
    );
    expect(missing.message).toContain('nope.cpp');
  });

  it('reads legacy scoring groups: accept/reject score, min grader flag, on_reject, range', () => {
    const { problem: p } = loadProblemPackageFromZip(
      makeZip([
        { name: 'problem.yaml', data: 'name: S\ntype: scoring\n' },
        { name: 'data/secret/testdata.yaml', data: 'on_reject: continue\ngrader_flags: min ignore_sample\naccept_score: 5\nrange: 0 10\n' },
        { name: 'data/secret/g/1.in', data: '1\n' },
        { name: 'data/secret/g/1.ans', data: '1\n' },
      ]),
      's.zip',
    );
    const secret = group(p, 'secret');
    expect(secret.settings).toMatchObject({ aggregation: 'min', onReject: 'continue', acceptScore: 5, rejectScore: 0, range: [0, 10], graderFlags: ['min', 'ignore_sample'] });
    // Legacy: the nearest testdata.yaml applies whole to the subtree.
    expect(group(p, 'secret/g').settings).toEqual(secret.settings);
  });
});

describe('LaTeX statements', () => {
  it('converts the fixture statement and reports what it dropped', () => {
    const { problem: p } = loadProblemPackage(fixture('latex-statement'));
    expect(p.names).toEqual({ en: 'Grid Walk', sv: 'Rutnätspromenad' });
    const en = p.statements.find((s) => s.language === 'en')!.markdown!;
    expect(en).toContain('- $1 \\le R, C \\le 1000$;\n- cells marked `#` are blocked.');
    expect(en).toContain('```\n..#\n...\n```');
    expect(en).toContain('$$\\binom{R+C-2}{R-1}$$');
    expect(p.warnings).toContain('problem_statement/problem.en.tex: \\illustration{grid.png} ignored (images are not imported yet)');
    expect(p.warnings).toContain('problem_statement/problem.en.tex: unknown command \\mysterycommand kept as its text');
  });

  const table: [string, string, string, string[]][] = [
    ['section*', '\\section*{Input}\nText.', '## Input\n\nText.\n', []],
    ['section', '\\section{Output}', '## Output\n', []],
    ['subsection', '\\subsection{Note}', '### Note\n', []],
    ['emph/textbf/texttt', '\\emph{a} \\textbf{b} \\texttt{c\\_d}', '*a* **b** `c_d`\n', []],
    ['inline math kept', 'Let $a_i \\le 10^9$ hold.', 'Let $a_i \\le 10^9$ hold.\n', []],
    ['display math kept', 'See $$x^2 % not a comment in LaTeX? it is\n$$ end', 'See\n\n$$x^2$$\n\nend\n', []],
    ['\\[ display', '\\[ a+b \\]', '$$a+b$$\n', []],
    ['\\( inline', '\\(a\\)', '$a$\n', []],
    ['escaped dollar', 'costs \\$5', 'costs \\$5\n', []],
    ['line break', 'one\\\\\ntwo', 'one  \ntwo\n', []],
    ['tilde', 'Fig.~1', 'Fig.\u00a01\n', []],
    ['quotes', "``quoted''", '“quoted”\n', []],
    ['dashes', 'a -- b --- c', 'a – b — c\n', []],
    ['comment', 'visible % hidden\nnext', 'visible next\n', []],
    ['comment eats the newline', 'glued%\n  word', 'gluedword\n', []],
    ['escaped percent', '50\\% off', '50% off\n', []],
    ['itemize', '\\begin{itemize}\n\\item x\n\\item y\n\\end{itemize}', '- x\n- y\n', []],
    ['enumerate', '\\begin{enumerate}\\item x\\item y\\end{enumerate}', '1. x\n1. y\n', []],
    ['nested lists', '\\begin{itemize}\\item a\\begin{enumerate}\\item b\\end{enumerate}\\end{itemize}', '- a\n  1. b\n', []],
    ['verbatim untouched', '\\begin{verbatim}\n$x$ % \\emph{y}\n\\end{verbatim}', '```\n$x$ % \\emph{y}\n```\n', []],
    ['url', '\\url{https://a.b/c}', '<https://a.b/c>\n', []],
    ['href', '\\href{https://a.b}{site}', '[site](https://a.b)\n', []],
    ['markdown syntax escaped', 'a*b_c', 'a\\*b\\_c\n', []],
    ['illustration', 'x \\illustration{.3}{p.png}{Cap} y', 'x  y\n', ['\\illustration{p.png} ignored (images are not imported yet)']],
    ['unknown command', '\\weird{kept} text', 'kept text\n', ['unknown command \\weird kept as its text']],
    ['unknown environment', '\\begin{mybox}in\\end{mybox}', 'in\n', ['unknown environment mybox kept as its text']],
    ['Input environment', '\\begin{Input}\nOne line.\n\\end{Input}', '## Input\n\nOne line.\n', []],
    ['constant', '$N \\le \\constant{maxn}$ and \\constant{maxn}', '$N \\le \\constant{maxn}$ and 100\n', []],
  ];
  it.each(table)('%s', (_label, tex, md, warnings) => {
    const r = latexToMarkdown(tex, { maxn: '100' });
    expect(r.markdown).toBe(md);
    expect(r.warnings).toEqual(warnings);
  });

  it('returns \\problemname as the name, math and all', () => {
    expect(latexToMarkdown('\\problemname{Sum of $N$}\nBody').name).toBe('Sum of $N$');
    expect(latexToMarkdown('Body').name).toBeNull();
  });
});

describe('version detection', () => {
  const cases: [string, string | null, string][] = [
    ['absent', null, 'legacy'],
    ['legacy', 'legacy', 'legacy'],
    ['legacy-icpc', 'legacy-icpc', 'legacy'],
    ['2023-07-draft', '2023-07-draft', '2023-07-draft'],
    ['2025-09', '2025-09', '2025-09'],
    ['draft', 'draft', '2025-09'],
  ];
  it.each(cases)('%s', (_l, declared, version) => {
    const yaml = declared === null ? 'name: X\n' : `problem_format_version: ${declared}\nname: X\n`;
    const zip = makeZip([
      { name: 'problem.yaml', data: yaml },
      { name: 'data/secret/1.in', data: '1\n' },
      { name: 'data/secret/1.ans', data: '1\n' },
    ]);
    expect(loadProblemPackageFromZip(zip, 'x.zip').problem.version).toBe(version);
  });

  it('reads a legacy .timelimit file when problem.yaml sets no time limit', () => {
    const zip = makeZip([
      { name: 'problem.yaml', data: 'name: X\n' },
      { name: '.timelimit', data: '2.5\n' },
      { name: 'data/secret/1.in', data: '1\n' },
      { name: 'data/secret/1.ans', data: '1\n' },
    ]);
    expect(loadProblemPackageFromZip(zip, 'x.zip').problem.limits.timeSeconds).toBe(2.5);
  });

  it('refuses a path that does not exist', () => {
    const e = refusal(() => loadProblemPackage(path.join(tmpRoot, 'no-such-package')));
    expect(e.code).toBe('PACKAGE_INVALID');
    expect(e.details).toMatchObject({ reason: 'missing' });
  });

  it('refuses an unknown version', () => {
    const zip = makeZip([{ name: 'problem.yaml', data: 'problem_format_version: 1999-01\n' }]);
    const e = refusal(() => loadProblemPackageFromZip(zip, 'x.zip'));
    expect(e.code).toBe('PACKAGE_INVALID');
    expect(e.message).toContain('1999-01');
  });

  it('warns about folder names of another version but reads them', () => {
    const zip = makeZip([
      { name: 'problem.yaml', data: 'problem_format_version: 2025-09\nname: X\n' },
      { name: 'problem_statement/problem.en.md', data: 'Hi $x$\n' },
      { name: 'data/secret/testdata.yaml', data: 'max_score: 50\n' },
      { name: 'data/secret/1.in', data: '1\n' },
      { name: 'data/secret/1.ans', data: '1\n' },
    ]);
    const { problem: p } = loadProblemPackageFromZip(zip, 'x.zip');
    expect(p.statements).toHaveLength(1);
    expect(p.warnings.some((w) => w.startsWith('problem_statement/ is the folder of another package version'))).toBe(true);
    expect(p.warnings.some((w) => w.startsWith('data/secret/testdata.yaml is the name of another package version'))).toBe(true);
  });
});

describe('zip packages', () => {
  const folderModel = loadProblemPackage(fixture('kattis-legacy-average')).problem;

  it('reads a zip of the folder (links stored as links) into the same model', () => {
    const zip = makeZip(zipItemsOf(fixture('kattis-legacy-average'), 'kattis-legacy-average'));
    const { problem, files } = loadProblemPackageFromZip(zip, 'upload.zip');
    expect(problem).toEqual(folderModel);
    expect(files.readText('data/secret/01-sample.in')).toBe('3\n1 2 4\n');
  });

  it('reads a .kpp made by the system zip tool from a path', () => {
    const out = path.join(tmpRoot, 'avg.kpp');
    execFileSync('zip', ['-q', '-r', '-y', out, 'kattis-legacy-average'], { cwd: FIX });
    const { problem } = loadProblemPackage(out);
    expect(problem).toEqual(folderModel);
  });

  it('takes the slug from the archive name when files are at its root', () => {
    const zip = makeZip(zipItemsOf(fixture('kattis-2025-groups'), '.').map((i) => ({ ...i, name: i.name.slice(2) })));
    const { problem } = loadProblemPackageFromZip(zip, 'Echo Words.KPP');
    expect(problem.slug).toBe('echo-words');
    expect(problem.version).toBe('2025-09');
  });
});

describe('attacks and bad input are refused with stable codes', () => {
  const base: ZipItem[] = [
    { name: 'problem.yaml', data: 'name: X\n' },
    { name: 'data/secret/1.in', data: '1\n' },
    { name: 'data/secret/1.ans', data: '1\n' },
  ];
  const load = (items: ZipItem[], options?: LoadOptions) => loadProblemPackageFromZip(makeZip(items), 'evil.zip', options);

  it.each([
    ['../evil.txt', 'parent directory'],
    ['data/../../evil.txt', 'parent directory'],
    ['/etc/cron.d/evil', 'absolute'],
    ['..\\..\\evil.txt', 'backslash'],
    ['C:/evil.txt', 'drive letter'],
    ['data/\u0001x', 'control character'],
  ])('zip-slip entry %j', (name, reason) => {
    const e = refusal(() => load([...base, { name, data: 'pwned' }]));
    expect(e.code).toBe('PACKAGE_UNSAFE_PATH');
    expect(e.details).toMatchObject({ reason });
    expect(statusOf(e)).toBe(400);
  });

  it('refuses two entries with the same name', () => {
    const e = refusal(() => load([...base, { name: 'data/secret/1.in', data: '2\n' }]));
    expect(e.code).toBe('PACKAGE_UNSAFE_PATH');
  });

  it.each([
    ['outside', { name: 'data/secret/2.in', symlink: '../../../etc/passwd' }],
    ['absolute', { name: 'data/secret/2.in', symlink: '/etc/passwd' }],
    ['dangling', { name: 'data/secret/2.in', symlink: 'nothing-here.in' }],
    ['loop', { name: 'data/secret/2.in', symlink: '2.in' }],
    ['loop', { name: 'data/secret/again', symlink: '..' }],
  ] as [string, ZipItem][])('a %s symlink in a zip', (reason, item) => {
    const e = refusal(() => load([...base, item]));
    expect(e.code).toBe('PACKAGE_BAD_SYMLINK');
    expect(e.details).toMatchObject({ reason, path: item.name });
  });

  it('refuses a symlink that leaves the package folder through the zip top directory', () => {
    // Inside the archive, but outside the package folder it holds.
    const items: ZipItem[] = [...base.map((i) => ({ ...i, name: `pkg/${i.name}` })), { name: 'pkg/data/secret/2.in', symlink: '../../../other.txt' }];
    const e = refusal(() => loadProblemPackageFromZip(makeZip([...items, { name: 'other.txt', data: 'x' }]), 'x.zip'));
    // With two top-level entries the root is the archive root: the package has no problem.yaml there.
    expect(e.code).toBe('PACKAGE_INVALID');
    const e2 = refusal(() => loadProblemPackageFromZip(makeZip(items), 'x.zip'));
    expect(e2.code).toBe('PACKAGE_BAD_SYMLINK');
  });

  it('refuses bad symlinks in a folder, and follows good ones', () => {
    const d = copyFixture('kattis-legacy-average');
    fs.symlinkSync('/etc/passwd', path.join(d, 'data/secret/03.in'));
    expect(refusal(() => loadProblemPackage(d)).details).toMatchObject({ reason: 'absolute', path: 'data/secret/03.in' });
    fs.rmSync(path.join(d, 'data/secret/03.in'));
    fs.writeFileSync(path.join(tmpRoot, 'secret-outside.txt'), 'secret');
    fs.symlinkSync(path.relative(path.join(d, 'data/secret'), path.join(tmpRoot, 'secret-outside.txt')), path.join(d, 'data/secret/03.in'));
    const e = refusal(() => loadProblemPackage(d));
    expect(e.code).toBe('PACKAGE_BAD_SYMLINK');
    expect(e.details).toMatchObject({ reason: 'outside' });
    fs.rmSync(path.join(d, 'data/secret/03.in'));
    fs.symlinkSync('../secret', path.join(d, 'data/secret/loop'));
    expect(refusal(() => loadProblemPackage(d)).details).toMatchObject({ reason: 'loop' });
    fs.rmSync(path.join(d, 'data/secret/loop'));
    expect(loadProblemPackage(d).problem.slug).toBe('kattis-legacy-average');
  });

  it('refuses links that lead back through two directories (a loop the ancestor check misses)', () => {
    const e = refusal(() =>
      load([...base, { name: 'data/secret/a/l', symlink: '../b' }, { name: 'data/secret/b/l', symlink: '../a' }]),
    );
    expect(e.code).toBe('PACKAGE_BAD_SYMLINK');
    expect(e.details).toMatchObject({ reason: 'loop' });
  });

  it('bounds links that multiply (two links per level, 30 levels) instead of walking 2^30 paths', () => {
    const items: ZipItem[] = [...base];
    for (let i = 0; i < 30; i++) {
      items.push({ name: `submissions/accepted/p/d${i}/x.py`, data: 'print(1)' });
      items.push({ name: `submissions/accepted/p/d${i}/a`, symlink: `../d${i + 1}` });
      items.push({ name: `submissions/accepted/p/d${i}/b`, symlink: `../d${i + 1}` });
    }
    items.push({ name: 'submissions/accepted/p/d30/x.py', data: 'print(1)' });
    const e = refusal(() => load(items));
    expect(e.code).toBe('PACKAGE_TOO_LARGE');
    expect(e.details).toMatchObject({ limit: 'entries' });
  });

  it('refuses a FIFO in a folder', () => {
    const d = copyFixture('kattis-2025-groups');
    execFileSync('mkfifo', [path.join(d, 'data/secret/1-small/pipe.in')]);
    expect(refusal(() => loadProblemPackage(d)).code).toBe('PACKAGE_UNSAFE_PATH');
  });

  it('refuses a zip bomb by its compression ratio', () => {
    const bomb = Buffer.alloc(64 * 1024 * 1024); // 64 MiB of zeros deflate to ~64 KiB
    const e = refusal(() => load([...base, { name: 'data/secret/2.in', data: bomb, method: 'deflate' }]));
    expect(e.code).toBe('PACKAGE_TOO_LARGE');
    expect(e.details).toMatchObject({ limit: 'compressionRatio', path: 'data/secret/2.in' });
    expect(statusOf(e)).toBe(413);
  });

  it('refuses a package over the unpacked total, the file size or the entry count', () => {
    const two = Buffer.alloc(2 * 1024 * 1024, 'x');
    const big = [...base, { name: 'data/secret/2.in', data: two }];
    expect(refusal(() => load(big, { limits: { maxTotalBytes: 1024 * 1024 } })).details).toMatchObject({ limit: 'totalBytes' });
    expect(refusal(() => load(big, { limits: { maxFileBytes: 1024 * 1024 } })).details).toMatchObject({ limit: 'fileBytes' });
    const many = [...base, ...Array.from({ length: 20 }, (_v, i) => ({ name: `data/secret/x${i}.in`, data: '1' }))];
    expect(refusal(() => load(many, { limits: { maxEntries: 10 } })).details).toMatchObject({ limit: 'entries' });
    expect(refusal(() => load(base, { limits: { maxArchiveBytes: 100 } })).details).toMatchObject({ limit: 'archiveBytes' });
  });

  it('refuses an entry that inflates past its declared size, and a CRC mismatch', () => {
    const lying = [{ name: 'problem.yaml', data: `name: ${'x'.repeat(100_000)}\n`, method: 'deflate' as const, declaredSize: 10 }, ...base.slice(1)];
    expect(refusal(() => load(lying)).details).toMatchObject({ limit: 'declaredSize', path: 'problem.yaml' });
    const crc = [{ ...base[0]!, crc: 12345 }, ...base.slice(1)];
    expect(refusal(() => load(crc)).details).toMatchObject({ reason: 'crc', path: 'problem.yaml' });
  });

  it('refuses what is not a zip', () => {
    const e = refusal(() => loadProblemPackageFromZip(Buffer.from('not a zip at all, just text'), 'x.zip'));
    expect(e.code).toBe('PACKAGE_INVALID');
    expect(e.details).toMatchObject({ reason: 'not-zip' });
  });

  it('names the file for malformed YAML, a missing answer, missing data/secret, no metadata', () => {
    const yaml = refusal(() => load([{ name: 'problem.yaml', data: 'name: [unclosed\n' }, ...base.slice(1)]));
    expect(yaml.code).toBe('PACKAGE_INVALID');
    expect(yaml.message).toContain('problem.yaml');
    expect(yaml.details).toMatchObject({ path: 'problem.yaml', reason: 'yaml' });
    const ans = refusal(() => load(base.slice(0, 2)));
    expect(ans.message).toContain('data/secret/1.in has no answer file 1.ans');
    const secret = refusal(() => load([base[0]!, { name: 'data/sample/1.in', data: '1' }, { name: 'data/sample/1.ans', data: '1' }]));
    expect(secret.details).toMatchObject({ path: 'data/secret', reason: 'missing' });
    const none = refusal(() => load([{ name: 'README.md', data: 'hi' }]));
    expect(none.message).toContain('neither problem.yaml (Kattis) nor init.yml (DMOJ)');
    const validator = refusal(() => load([{ name: 'problem.yaml', data: 'validation: custom\n' }, ...base.slice(1)]));
    expect(validator.message).toContain('custom output validator');
  });
});
