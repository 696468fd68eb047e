import { readZip } from '../../arena/packages/zip-reader.js';
import type { ExecuteInput } from '../../executions/service.js';
import { checkCallbackUrl } from './callback.js';
import { decode64 } from './format.js';
import type { Judge0Settings } from './settings.js';

/**
 * A Judge0 submission request -> our execution request, with Judge0's validations and their
 * Rails wording (app/models/submission.rb). Pure: the language facts come in as data.
 */

/** What the translation needs to know about a Judge0 language id. */
export interface Judge0LanguageFacts {
  ourId: string;
  available: boolean;
  compiled: boolean;
  sourceFile: string;
  /** Judge0's "Multi-file program" (89): no source_code; the program is additional_files with `run` and `compile` scripts. */
  project?: boolean;
  /** Its compile command takes compiler_options (ours: the language's compile argv has "{options}"). */
  takesCompilerOptions?: boolean;
}

/** Judge0's own attributes of a submission, kept with the execution (ExecuteInput.compat). */
export interface Judge0Stored {
  api: 'judge0';
  language_id: number;
  source_code: string;
  expected_output: string | null;
  number_of_runs: number;
  cpu_time_limit: number;
  cpu_extra_time: number;
  wall_time_limit: number;
  memory_limit: number;
  stack_limit: number;
  max_processes_and_or_threads: number;
  enable_per_process_and_thread_time_limit: boolean;
  enable_per_process_and_thread_memory_limit: boolean;
  max_file_size: number;
  redirect_stderr_to_stdout: boolean;
  enable_network: boolean;
  compiler_options: string | null;
  command_line_arguments: string | null;
  callback_url: string | null;
  /** As sent (base64), shown back by `fields=additional_files`. */
  additional_files: string | null;
}

export type Errors = Record<string, string[]>;

export type Translation = { ok: true; input: ExecuteInput; stored: Judge0Stored } | { ok: false; errors: Errors };

/** The permitted attributes (submissions_controller.rb#submission_params); anything else is ignored. */
const PERMITTED = [
  'source_code',
  'language_id',
  'compiler_options',
  'command_line_arguments',
  'number_of_runs',
  'stdin',
  'expected_output',
  'cpu_time_limit',
  'cpu_extra_time',
  'wall_time_limit',
  'memory_limit',
  'stack_limit',
  'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit',
  'max_file_size',
  'redirect_stderr_to_stdout',
  'callback_url',
  'additional_files',
  'enable_network',
] as const;

export function permitted(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PERMITTED.filter((k) => k in params).map((k) => [k, params[k]]));
}

/** The characters Judge0 strips from compiler_options and command_line_arguments. */
const SHELL_CHARS = /[$&;<>|`]/g;

export function stripShellCharacters(s: string): string {
  return s.replace(SHELL_CHARS, '');
}

/** Rails `blank?`: nil, or a string of whitespace only. */
function blank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || v === false;
}

/** Ruby's Float#to_s for a bound: 15 -> "15.0" (the bounds of float attributes are floats). */
const rubyFloat = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

/** ActiveRecord's cast of a boolean column. */
function bool(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && ['true', '1', 't', 'T', 'TRUE', 'on', 'ON'].includes(v));
}

type NumSpec = { min?: number; minExclusive?: boolean; max: number; float: boolean; dflt: number };

/** A numeric attribute: default when null or absent; "is not a number" or a bound message. */
function numeric(errors: Errors, field: string, v: unknown, spec: NumSpec): number {
  if (v === null || v === undefined || v === '') return spec.dflt;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) {
    (errors[field] ??= []).push('is not a number');
    return spec.dflt;
  }
  const value = spec.float ? n : Math.trunc(n);
  const show = spec.float ? rubyFloat : String;
  if (spec.min !== undefined) {
    if (spec.minExclusive && !(value > spec.min)) (errors[field] ??= []).push(`must be greater than ${show(spec.min)}`);
    if (!spec.minExclusive && value < spec.min) (errors[field] ??= []).push(`must be greater than or equal to ${show(spec.min)}`);
  }
  if (value > spec.max) (errors[field] ??= []).push(`must be less than or equal to ${show(spec.max)}`);
  return value;
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

/**
 * Validates and translates one submission. `params` are the merged query and body attributes;
 * `base64` is whether source_code, stdin and expected_output are base64 (Ruby's lenient decode).
 */
export function translateSubmission(
  params: Record<string, unknown>,
  base64: boolean,
  languages: (id: number) => Judge0LanguageFacts | undefined,
  s: Judge0Settings,
): Translation {
  const p = permitted(params);
  const errors: Errors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const decoded = (v: unknown): string | null => {
    const t = text(v);
    return t === null ? null : base64 ? decode64(t).toString('utf8') : t;
  };

  // language_id: "4" and 4.0 are accepted (ActiveRecord casts); anything else is blank.
  const rawLang = p.language_id;
  const languageId =
    typeof rawLang === 'number' ? Math.trunc(rawLang) : typeof rawLang === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(rawLang) ? Math.trunc(Number(rawLang)) : null;
  let lang: Judge0LanguageFacts | undefined;
  if (languageId === null) add('language_id', "can't be blank");
  else {
    lang = languages(languageId);
    if (!lang) add('language_id', `language with id ${languageId} doesn't exist`);
    else if (!lang.available) add('language_id', `language with id ${languageId} is archived and cannot be used anymore`);
  }

  const project = lang?.project === true;
  const source = decoded(p.source_code);
  if (project) {
    if (source !== null && source.trim() !== '') add('source_code', 'must be blank');
    if (blank(p.additional_files)) add('additional_files', "can't be blank");
  } else if (source === null || source.trim() === '') add('source_code', "can't be blank");
  const stdinRaw = text(p.stdin);
  const stdin = stdinRaw === null ? undefined : base64 ? decode64(stdinRaw) : stdinRaw;
  const expected = decoded(p.expected_output);

  const numberOfRuns = numeric(errors, 'number_of_runs', p.number_of_runs, { min: 0, minExclusive: true, max: s.numberOfRuns.max, float: false, dflt: s.numberOfRuns.default });
  // CPU time 0 would be refused by the engine (it cannot run at all), so the bound is "> 0".
  const cpu = numeric(errors, 'cpu_time_limit', p.cpu_time_limit, { min: 0, minExclusive: true, max: s.cpuTimeLimit.max, float: true, dflt: s.cpuTimeLimit.default });
  const cpuExtra = numeric(errors, 'cpu_extra_time', p.cpu_extra_time, { min: 0, max: s.cpuExtraTime.max, float: true, dflt: s.cpuExtraTime.default });
  const wall = numeric(errors, 'wall_time_limit', p.wall_time_limit, { min: s.wallTimeLimit.min, max: s.wallTimeLimit.max, float: true, dflt: s.wallTimeLimit.default });
  const memory = numeric(errors, 'memory_limit', p.memory_limit, { min: s.memoryLimit.min, max: s.memoryLimit.max, float: false, dflt: s.memoryLimit.default });
  const stack = numeric(errors, 'stack_limit', p.stack_limit, { min: 0, max: s.stackLimit.max, float: false, dflt: s.stackLimit.default });
  const processes = numeric(errors, 'max_processes_and_or_threads', p.max_processes_and_or_threads, {
    min: s.maxProcesses.min,
    max: s.maxProcesses.max,
    float: false,
    dflt: s.maxProcesses.default,
  });
  const maxFileSize = numeric(errors, 'max_file_size', p.max_file_size, { min: 0, max: s.maxFileSize.max, float: false, dflt: s.maxFileSize.default });

  const perTime = bool(p.enable_per_process_and_thread_time_limit);
  const perMemory = bool(p.enable_per_process_and_thread_memory_limit);
  if (perTime) add('enable_per_process_and_thread_time_limit', 'this option cannot be enabled');
  if (perMemory) add('enable_per_process_and_thread_memory_limit', 'this option cannot be enabled');
  const network = bool(p.enable_network);
  if (network) add('enable_network', 'enabling network is not allowed');
  const redirect = bool(p.redirect_stderr_to_stdout);

  // Judge0 (submission.rb#compiler_options_allowed, isolate_job.rb#compile): allowed for a language
  // with a compile command; $ & ; < > | and ` are deleted, and the rest goes into the command line,
  // split on whitespace here (each word one argument; no shell reads it).
  let compilerOptions = text(p.compiler_options);
  let compileOptions: string[] = [];
  if (!blank(compilerOptions)) {
    if (compilerOptions!.length > 512) add('compiler_options', 'is too long (maximum is 512 characters)');
    if (!s.compilerOptionsEnabled) add('compiler_options', 'setting compiler options is not allowed');
    else if (lang && !lang.compiled) add('compiler_options', 'setting compiler options is only allowed for compiled languages');
    compilerOptions = stripShellCharacters(compilerOptions!);
    // A project's compile script takes no options (Judge0's "/bin/bash compile" has no %s): kept, unused.
    if (lang?.takesCompilerOptions) compileOptions = compilerOptions.split(/\s+/).filter(Boolean);
  } else compilerOptions = null;

  let cla = text(p.command_line_arguments);
  let args: string[] = [];
  if (!blank(cla)) {
    if (cla!.length > 512) add('command_line_arguments', 'is too long (maximum is 512 characters)');
    cla = stripShellCharacters(cla!);
    // Judge0 hands them to `bash run.sh`, which splits on whitespace (quotes are not special
    // once the shell metacharacters are gone, as far as clients rely on it).
    args = cla.split(/\s+/).filter(Boolean);
  } else cla = null;

  let callbackUrl = text(p.callback_url);
  if (!blank(callbackUrl)) {
    if (!s.callbacksEnabled) add('callback_url', 'setting callback is not allowed');
    else {
      const why = checkCallbackUrl(callbackUrl!, s.callbackAllowedHosts);
      if (why) add('callback_url', why);
    }
  } else callbackUrl = null;

  const files: { name: string; content: string }[] = [];
  const additional = text(p.additional_files);
  if (lang && source !== null && !project) files.push({ name: lang.sourceFile, content: source });
  if (!blank(additional)) {
    const extra = unzipAdditional(decode64(additional!), s.maxExtractSize * 1024);
    if ('error' in extra) add('additional_files', extra.error);
    // `unzip -n`: a file that already exists (the source) is not overwritten.
    else for (const f of extra.files) if (!files.some((g) => g.name === f.name)) files.push(f);
    if (project && !('error' in extra) && !files.some((f) => f.name === 'run')) add('additional_files', 'must contain a run script (a file named run)');
  }

  if (Object.keys(errors).length || !lang || (source === null && !project)) return { ok: false, errors };
  const stored: Judge0Stored = {
    api: 'judge0',
    language_id: languageId!,
    source_code: source ?? '',
    expected_output: expected,
    number_of_runs: numberOfRuns,
    cpu_time_limit: cpu,
    cpu_extra_time: cpuExtra,
    wall_time_limit: wall,
    memory_limit: memory,
    stack_limit: stack,
    max_processes_and_or_threads: processes,
    enable_per_process_and_thread_time_limit: perTime,
    enable_per_process_and_thread_memory_limit: perMemory,
    max_file_size: maxFileSize,
    redirect_stderr_to_stdout: redirect,
    enable_network: network,
    compiler_options: compilerOptions,
    command_line_arguments: cla,
    callback_url: callbackUrl,
    additional_files: blank(additional) ? null : additional,
  };
  const input: ExecuteInput = {
    language: lang.ourId,
    files,
    mainFile: lang.sourceFile,
    stdin,
    args,
    ...(compileOptions.length ? { compileOptions } : {}),
    ...(numberOfRuns > 1 ? { repeat: { times: numberOfRuns, expectedStdout: expected } } : {}),
    // max_file_size is isolate's -f (RLIMIT_FSIZE, KB): a larger written file ends the program
    // with SIGXFSZ, status 8. 0 (no file at all) becomes the engine's minimum, 1 KB.
    limits: { cpuMs: Math.round(cpu * 1000), wallMs: Math.round(wall * 1000), memoryBytes: memory * 1024, processes, fileBytes: Math.max(1, maxFileSize) * 1024 },
    compat: stored as unknown as Record<string, unknown>,
  };
  return { ok: true, input, stored };
}

/** The regular files of a zip archive, within `maxBytes` unpacked; text (UTF-8) only. */
export function unzipAdditional(zip: Buffer, maxBytes: number): { files: { name: string; content: string }[] } | { error: string } {
  if (zip.length > maxBytes) return { error: `is too large (maximum is ${Math.floor(maxBytes / 1024)} KB)` };
  try {
    const entries = readZip(
      zip,
      { maxArchiveBytes: maxBytes, maxTotalBytes: maxBytes, maxFileBytes: maxBytes, maxEntries: 256, maxCompressionRatio: 200, ratioFloorBytes: 1024 * 1024 },
      'additional_files',
    );
    const files: { name: string; content: string }[] = [];
    for (const e of entries) {
      if (e.kind === 'dir') continue;
      if (e.kind === 'symlink') return { error: `holds a symbolic link (${e.name}), which is not allowed` };
      files.push({ name: e.name, content: e.read().toString('utf8') });
    }
    return { files };
  } catch (err) {
    return { error: `is not a usable zip archive: ${(err as Error).message}` };
  }
}
