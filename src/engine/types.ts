import type { LiveInput } from './live-input.js';

/** Engine contracts. The engine knows nothing of HTTP or databases: these are its whole surface. */

export const STAGE_STATUSES = [
  'ok',
  'runtime_error',
  'time_limit',
  'memory_limit',
  'output_limit',
  'compile_error',
  'internal_error',
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** Limits of one stage, all in explicit units. */
export interface StageLimits {
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  /** Processes and threads (the pids cgroup counts both). */
  processes: number;
  /** stdout + stderr captured together. */
  outputBytes: number;
  /** One written file (RLIMIT_FSIZE). */
  fileBytes: number;
  /** The whole writable box (its tmpfs size). */
  boxBytes: number;
  /** The sandbox's /tmp (a tmpfs of its own). */
  tmpBytes: number;
  openFiles: number;
}

export interface StageResult {
  status: StageStatus;
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  /** Signal name such as "SIGKILL" when the program died from a signal. */
  signal: string | null;
  cpuMs: number;
  wallMs: number;
  memoryKb: number;
  /** Output was cut at the output limit. */
  truncated: boolean;
  /** Compile stage only: the artifacts came from the compile cache. */
  cached?: boolean;
  /** For internal_error: what failed, for operators (never user output). */
  message?: string;
  /** Run stage, when asked (RunRequest.timeline): [ms, cpuMs, memoryKb] samples, bounded. */
  timeline?: [number, number, number][];
}

export interface SourceFile {
  /** Relative path inside the box, "/" separated, e.g. "pkg/util.py". */
  path: string;
  content: Buffer | string;
}

export interface LimitOverrides {
  cpuMs?: number;
  wallMs?: number;
  memoryBytes?: number;
  processes?: number;
  outputBytes?: number;
  /** One written file (RLIMIT_FSIZE): Judge0's max_file_size. */
  fileBytes?: number;
}

export interface RunRequest {
  language: string;
  files: SourceFile[];
  /** Path of the main file; defaults to the first file. */
  mainFile?: string;
  stdin?: Buffer | string;
  /**
   * Raises the stdin cap (default: the engine's default) up to the engine's maximum, for callers
   * whose stdin is trusted data rather than user input (the arena judge's test inputs).
   */
  stdinLimitBytes?: number;
  /**
   * Files added to the run stage's box only, after compiling: not compiled and not part of the
   * compile cache's key, so the same sources with other data compile once (the arena judge's
   * test files for a custom validator). Each up to the engine's maximum file size.
   */
  dataFiles?: SourceFile[];
  /**
   * Box paths read back after the run (when they exist, as regular files, each cut at
   * COLLECT_FILE_BYTES), e.g. a Kattis validator's `feedback/score.txt`. Their parent
   * directories are created empty before the run, owned by the program.
   */
  collectFiles?: string[];
  /**
   * Globs of files the run leaves in its box that the caller wants back ("*.png",
   * "out/*.csv"; a "**" segment spans directories): see output-files.ts for the bounds and
   * what is refused.
   */
  outputFiles?: string[];
  /** Sample the run stage's CPU and memory every few ms (StageResult.timeline). */
  timeline?: boolean;
  args?: string[];
  /**
   * Extra compiler arguments (Judge0's `compiler_options`), placed where the language's compile
   * argv has "{options}": after its own flags, so that a later -O3 or -std wins, and before the
   * sources. Each is one argv element (no shell); part of the compile cache key.
   */
  compileOptions?: string[];
  limits?: LimitOverrides;
  compileLimits?: LimitOverrides;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /**
   * Interactive run: the program's stdin stays open and is fed from this while it runs (`stdin`
   * is then ignored: write it into the LiveInput first). The run's limits apply as always; the
   * wall limit is what bounds a program that waits for input forever.
   */
  input?: LiveInput;
  /** With `input`: run the program on a pseudo-terminal of this size (TERM=xterm-256color). */
  tty?: { cols: number; rows: number };
}

export interface RunResult {
  language: string;
  compile: StageResult | null;
  run: StageResult | null;
  /** The `collectFiles` that the run left as regular files (only when asked for). */
  files?: { path: string; content: Buffer }[];
  /** The files matched by `outputFiles` (only when asked for), and those refused by name. */
  outputFiles?: OutputFile[];
  refusedOutputFiles?: RefusedOutputFile[];
}

/** A file the run left in its box, returned because an `outputFiles` glob matched it. */
export interface OutputFile {
  /** Path in the box, "/" separated. */
  name: string;
  size: number;
  /** Media type from the extension (application/octet-stream when unknown). */
  type: string;
  content: Buffer;
}

/** A matched file that was not returned, and why: never opened when it is not a regular file. */
export interface RefusedOutputFile {
  name: string;
  reason: 'symlink' | 'not_regular_file' | 'too_large' | 'too_many' | 'total_too_large';
}

/** Bounds of `outputFiles`: patterns per request, files returned, bytes per file and in all. */
export const OUTPUT_PATTERNS_MAX = 16;
export const OUTPUT_FILES_MAX = 32;
export const OUTPUT_FILE_BYTES = 4 * 1024 * 1024;
export const OUTPUT_TOTAL_BYTES = 8 * 1024 * 1024;

/** Each collected file is cut here: feedback files are messages and numbers, not data. */
export const COLLECT_FILE_BYTES = 64 * 1024;
/** At most this many collected files per run. */
export const COLLECT_FILES_MAX = 16;

/** One side of an interactive run: a program and its own limits. */
export interface InteractiveSide {
  language: string;
  files: SourceFile[];
  mainFile?: string;
  args?: string[];
  dataFiles?: SourceFile[];
  collectFiles?: string[];
  limits?: LimitOverrides;
  compileLimits?: LimitOverrides;
}

/**
 * Two programs joined by pipes (Kattis interactive protocol): the interactor's stdout is the
 * submission's stdin and the submission's stdout the interactor's stdin. Each side runs in its
 * own sandbox (own slot, uid, box) with its own limits; the pair has `wallMs`, at which only the
 * submission is killed (the interactor then reads EOF).
 */
export interface InteractiveRunRequest {
  submission: InteractiveSide;
  interactor: InteractiveSide;
  /** Wall limit of the pair (problemtools: 2 × the time limit). */
  wallMs: number;
  signal?: AbortSignal;
}

export interface InteractiveRunResult {
  submission: RunResult;
  interactor: RunResult;
  /**
   * Whether the interactor's end was recorded before the submission's; null when they did not
   * both run (a compile failed). Each pipe's write end stays open until its writer's end is
   * recorded, so a reader cannot see EOF (and exit on it) before the writer has been recorded.
   */
  validatorExitedFirst: boolean | null;
}
/** The JSON shape of a stage (CLI `--json`, API). Output as UTF-8 text. */
export interface StageJson {
  status: StageStatus;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  cpuMs: number;
  wallMs: number;
  memoryKb: number;
  truncated: boolean;
  cached?: boolean;
}

export function stageToJson(stage: StageResult): StageJson {
  const json: StageJson = {
    status: stage.status,
    stdout: stage.stdout.toString('utf8'),
    stderr: stage.stderr.toString('utf8'),
    exitCode: stage.exitCode,
    signal: stage.signal,
    cpuMs: stage.cpuMs,
    wallMs: stage.wallMs,
    memoryKb: stage.memoryKb,
    truncated: stage.truncated,
  };
  if (stage.cached !== undefined) json.cached = stage.cached;
  return json;
}

export function resultToJson(result: RunResult): { language: string; compile: StageJson | null; run: StageJson | null } {
  return {
    language: result.language,
    compile: result.compile && stageToJson(result.compile),
    run: result.run && stageToJson(result.run),
  };
}
