/**
 * Native problems (created through the API, no package): the same model as an imported
 * package, built here, so that the judge and the store do not tell them apart. Tests become
 * `data/sample/N` (samples) and `data/secret/N` (public and hidden); public ones are listed
 * in the problem's `publicTests` so that their data is shown.
 */
import { CallerError, ErrorCodes, MuscodeError } from '../../errors.js';
import { loadChecker } from '../checkers/registry.js';
import type { GroupSettings, ProblemPackage, TestCase, TestGroup } from '../packages/model.js';
import type { NativeProblemInput } from './contract.js';

const SETTINGS: GroupSettings = {
  aggregation: 'pass-fail',
  onReject: 'break',
  acceptScore: null,
  rejectScore: null,
  range: null,
  maxScore: null,
  requirePass: [],
  args: [],
  outputValidatorArgs: [],
  inputValidatorArgs: [],
  fullFeedback: false,
  graderFlags: [],
};

function testCase(name: string): TestCase {
  return {
    name,
    input: `data/${name}.in`,
    answer: `data/${name}.ans`,
    interaction: null,
    filesDir: null,
    args: [],
    outputValidatorArgs: [],
    points: null,
    needsGeneration: false,
    generatorArgs: [],
    hint: null,
    description: null,
  };
}

export interface NativeBuild {
  problem: ProblemPackage;
  files: Map<string, Buffer>;
  publicTests: string[];
}

export function buildNativeProblem(input: NativeProblemInput): NativeBuild {
  const checker = { name: input.checker?.name ?? 'default', args: input.checker?.options ?? (input.checker ? {} : { case_sensitive: true }) };
  try {
    loadChecker(checker.name, checker.args);
  } catch (err) {
    throw new CallerError(err instanceof MuscodeError ? err.code : ErrorCodes.invalidJudgeConfig, (err as Error).message, { checker: checker.name });
  }
  if (!input.tests.some((t) => t.kind !== 'sample')) {
    throw new CallerError(ErrorCodes.packageInvalid, 'a problem needs at least one public or hidden test', { path: 'tests', reason: 'missing' });
  }
  const files = new Map<string, Buffer>();
  const samples: TestCase[] = [];
  const secret: TestCase[] = [];
  const publicTests: string[] = [];
  let s = 0;
  let h = 0;
  for (const t of input.tests) {
    const name = t.kind === 'sample' ? `sample/${String(++s).padStart(3, '0')}` : `secret/${String(++h).padStart(3, '0')}`;
    files.set(`data/${name}.in`, Buffer.from(t.input, 'utf8'));
    files.set(`data/${name}.ans`, Buffer.from(t.output, 'utf8'));
    (t.kind === 'sample' ? samples : secret).push(testCase(name));
    if (t.kind === 'public') publicTests.push(name);
  }
  const group = (path: string, kind: TestGroup['kind'], cases: TestCase[]): TestGroup => ({
    path,
    kind,
    settings: kind === 'sample' ? { ...SETTINGS, maxScore: 0, fullFeedback: true } : SETTINGS,
    cases,
    groups: [],
    interactions: [],
  });
  files.set('statement/problem.en.md', Buffer.from(input.statement, 'utf8'));
  const problem: ProblemPackage = {
    format: 'kattis',
    version: '2025-09',
    declaredVersion: null,
    slug: input.slug,
    names: { en: input.title },
    types: ['pass-fail'],
    uuid: null,
    source: null,
    license: null,
    authors: [],
    keywords: [input.difficulty, ...(input.tags ?? [])],
    statements: [{ language: 'en', format: 'markdown', path: 'statement/problem.en.md', markdown: input.statement }],
    limits: {
      timeSeconds: input.timeLimitMs !== undefined ? input.timeLimitMs / 1000 : null,
      timeSecondsByLanguage: {},
      acToTimeLimit: null,
      timeLimitToTle: null,
      timeResolution: null,
      memoryMiB: input.memoryLimitMb ?? null,
      outputMiB: null,
      codeKiB: null,
      compilationTimeSeconds: null,
      compilationMemoryMiB: null,
      validationTimeSeconds: null,
      validationMemoryMiB: null,
      validationOutputMiB: null,
    },
    validation: {
      kind: 'default',
      interactive: false,
      scoring: false,
      multiPass: false,
      flags: [],
      defaultFlags: { caseSensitive: true, spaceChangeSensitive: false, floatAbsoluteTolerance: null, floatRelativeTolerance: null },
      custom: null,
      checker,
      protocol: null,
    },
    testData: [...(samples.length ? [group('sample', 'sample', samples)] : []), group('secret', 'secret', secret)],
    inputValidators: [],
    submissions: [],
    generator: null,
    warnings: [],
  };
  return { problem, files, publicTests };
}
