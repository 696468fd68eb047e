/**
 * The in-memory model of a problem package, whatever format it came in (Kattis legacy,
 * 2023-07-draft, 2025-09, DMOJ `init.yml`). Plain data: it can be serialised as JSON. File
 * contents are not held here; every file is named by its path inside the package (POSIX,
 * relative, as found: a symlink keeps its own name), and `LoadedProblemPackage.files` reads
 * them, following links that were all checked to stay inside the package.
 * `null` always means "the package says nothing"; defaults are applied by the judge, so that an
 * import never invents a limit the author did not set.
 */

export type PackageFormat = 'kattis' | 'dmoj';
/** The variant read. `legacy` covers `legacy-icpc` too (see `declaredVersion`). */
export type PackageVersion = 'legacy' | '2023-07-draft' | '2025-09' | 'dmoj';

export type Aggregation = 'pass-fail' | 'sum' | 'min';

export interface ProblemPackage {
  format: PackageFormat;
  version: PackageVersion;
  /** What the package wrote in `problem_format_version`, or null when absent. */
  declaredVersion: string | null;
  /** Short name: the folder or archive base name, lower-cased to `[a-z0-9-]`. */
  slug: string;
  /** Problem names per natural language (`en`, `pt-BR`...). */
  names: Record<string, string>;
  /** Kattis problem types: `pass-fail` or `scoring`, plus `interactive`, `multi-pass`, `submit-answer`. */
  types: string[];
  uuid: string | null;
  source: string | null;
  license: string | null;
  authors: string[];
  keywords: string[];
  statements: Statement[];
  limits: Limits;
  validation: Validation;
  /** `data/sample` and `data/secret` (and, for DMOJ, `pretest`), in judging order. */
  testData: TestGroup[];
  inputValidators: Program[];
  /** Programs under `submissions/`, by folder. */
  submissions: SubmissionFolder[];
  /** DMOJ `generator`: the program that writes the cases marked `needsGeneration`. */
  generator: Program | null;
  /** Things read but not understood, or ignored on purpose; the import still succeeded. */
  warnings: string[];
}

export interface Statement {
  language: string;
  format: 'markdown' | 'latex' | 'pdf';
  /** The file it came from. */
  path: string;
  /** Markdown with `$…$` / `$$…$$` math: the file itself, or the LaTeX converted; null for PDF. */
  markdown: string | null;
}

export interface Limits {
  /** An explicit time limit in seconds (`limits.time_limit`, a legacy `.timelimit` file). */
  timeSeconds: number | null;
  /** Per-language time limits in seconds, by language id; empty when none are given. */
  timeSecondsByLanguage: Record<string, number>;
  /** Kattis: TL ≥ slowest AC × this (legacy `time_multiplier`, 2023+ `ac_to_time_limit`). */
  acToTimeLimit: number | null;
  /** Kattis: TL × this ≤ fastest TLE (legacy `time_safety_margin`, 2023+ `time_limit_to_tle`). */
  timeLimitToTle: number | null;
  /** Kattis 2023+: the derived TL is rounded up to a multiple of this. */
  timeResolution: number | null;
  memoryMiB: number | null;
  outputMiB: number | null;
  codeKiB: number | null;
  compilationTimeSeconds: number | null;
  compilationMemoryMiB: number | null;
  validationTimeSeconds: number | null;
  validationMemoryMiB: number | null;
  validationOutputMiB: number | null;
}

export interface DefaultValidatorFlags {
  /** Kattis imports default to false (case-insensitive), as the Kattis default validator does. */
  caseSensitive: boolean;
  spaceChangeSensitive: boolean;
  floatAbsoluteTolerance: number | null;
  floatRelativeTolerance: number | null;
}

export interface Validation {
  kind: 'default' | 'custom';
  interactive: boolean;
  /** The validator reports a score (`validation: custom score`, `type: scoring` with a custom validator). */
  scoring: boolean;
  multiPass: boolean;
  /**
   * problem.yaml's `validator_flags` as written (legacy). Arguments set in `testdata.yaml` /
   * `test_group.yaml` are in each group's and test's `outputValidatorArgs`; a validator gets
   * `flags` followed by the test's `outputValidatorArgs`.
   */
  flags: string[];
  /** The default validator's flags parsed from `flags` and the `data/` group's arguments (when `kind` is `default`). */
  defaultFlags: DefaultValidatorFlags;
  /** The custom output validator or interactor (`output_validators/`, `output_validator/`, DMOJ `interactive`). */
  custom: Program | null;
  /** DMOJ's checker as written (`checker: floats` or `{name, args}`); null for Kattis. */
  checker: { name: string; args: Record<string, unknown> } | null;
  /** How a custom validator speaks: Kattis (exit 42/43), testlib, or a DMOJ Python checker. */
  protocol: 'kattis' | 'testlib' | 'dmoj-default' | 'dmoj-python' | 'coci' | null;
}

export interface Program {
  /** The program's name: a file's base name or a directory's name. */
  name: string;
  /** Every file of the program (one for a single-file program). */
  files: string[];
  /** Language id of this project's registry (`cpp`, `python`...), or null when not recognised. */
  language: string | null;
}

export interface GroupSettings {
  aggregation: Aggregation;
  /** Legacy `on_reject`; for 2023+ `break` for pass-fail groups, `continue` otherwise. */
  onReject: 'break' | 'continue';
  /** Legacy: the score of an accepted test (default 1 in scoring problems). */
  acceptScore: number | null;
  rejectScore: number | null;
  /** Legacy `range: "min max"` of the group's score. */
  range: [number, number] | null;
  /** The group's maximum score (2025-09 `max_score`, 2023-07 `scoring.score`, DMOJ batch `points`); null = unbounded or unset. */
  maxScore: number | null;
  /** Groups that must pass before this one runs (2025-09 `require_pass`, DMOJ `dependencies`), as group paths. */
  requirePass: string[];
  args: string[];
  outputValidatorArgs: string[];
  inputValidatorArgs: string[] | Record<string, string[]>;
  fullFeedback: boolean;
  /** Legacy `grading`/`grader_flags` words as written (`first_error`, `ignore_sample`...). */
  graderFlags: string[];
}

export interface TestGroup {
  /** Path relative to `data/`: `sample`, `secret`, `secret/group1`; DMOJ `secret/batch-2`, `pretest`. */
  path: string;
  kind: 'sample' | 'secret' | 'group' | 'pretest';
  settings: GroupSettings;
  /**
   * Test cases directly in this group, in name order. A group's cases and subgroups together
   * are judged in the name order of their last path component (Kattis: "test cases and groups
   * are used in lexicographical order"; DMOJ names are zero-padded positions, so the same rule
   * gives file order).
   */
  cases: TestCase[];
  /** Subgroups, in name order. */
  groups: TestGroup[];
  /** Sample interactions for the statement (`.interaction` files without an `.in`). */
  interactions: string[];
}

export interface TestCase {
  /** Path relative to `data/` without extension (`secret/group1/01-small`); DMOJ `secret/3`. */
  name: string;
  /** The input file; null when a DMOJ generator must write it first. */
  input: string | null;
  /** The answer file; null when a generator must write it first. */
  answer: string | null;
  /** `.interaction` file shown in the statement for interactive samples. */
  interaction: string | null;
  /** `.files` directory copied next to the submission. */
  filesDir: string | null;
  args: string[];
  outputValidatorArgs: string[];
  /** DMOJ per-case points; null for Kattis (the group's settings decide). */
  points: number | null;
  /** DMOJ: the generator writes this case (`generator_args`). */
  needsGeneration: boolean;
  generatorArgs: string[];
  hint: string | null;
  description: string | null;
}

/** Verdict letters of Kattis submission requirements. */
export type KattisVerdict = 'AC' | 'WA' | 'TLE' | 'RTE';

export interface SubmissionFolder {
  /** `accepted`, `wrong_answer`, ... as found under `submissions/`. */
  folder: string;
  /** The one verdict the folder stands for (`AC`, `WA`, `TLE`, `RTE`, `PAC`), null for mixed ones. */
  expected: 'AC' | 'WA' | 'TLE' | 'RTE' | 'PAC' | null;
  /** The default requirement of the folder (2025-09 §Default directories), null for unknown folders. */
  permitted: KattisVerdict[] | null;
  required: KattisVerdict[] | null;
  programs: SubmissionProgram[];
}

export interface SubmissionProgram extends Program {
  /** Path under `submissions/` (`accepted/sol.cpp`). */
  path: string;
  /** `submissions.yaml` entries whose glob matches this program, as written. */
  rules: Record<string, unknown>[];
}

export interface LoadedProblemPackage {
  problem: ProblemPackage;
  files: PackageFiles;
}

/** Read access to the package's files by the paths the model names. */
export interface PackageFiles {
  read(path: string): Buffer;
  readText(path: string): string;
  size(path: string): number;
  exists(path: string): boolean;
}
