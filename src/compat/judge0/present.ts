import type { StageJson } from '../../engine/types.js';
import { compatOf, type ExecutionRow, storedRequestOf } from '../../executions/service.js';
import { byOurId } from '../languages.js';
import { decimalSeconds, encode64, isUtf8, matchesExpected, signalNumber, statusById, statusForSignal } from './format.js';
import type { Judge0Stored } from './request.js';
import type { Judge0Settings } from './settings.js';

/**
 * An execution row -> a Judge0 submission object (every attribute, then the selected ones).
 * Pure. Verdict mapping (docs/compat.md "Statuses"): queued 1, running 2; ok -> 3 or 4 by
 * expected_output; compile error 6; time limit 5; a signal -> 7/8/9/10/12 as isolate maps it,
 * a non-zero exit 11; our memory limit -> 11 (what Judge0 reports for a program killed for
 * memory: "Exited with error status 137") and our output limit -> 8 (SIGXFSZ, Judge0's limit on
 * output size); a failure of ours 13. The `muscode` field carries the engine's own verdict.
 */

export type SubmissionObject = Record<string, unknown>;

/** Judge0's attributes of a row that was not created through the Judge0 API (a native execution). */
function storedOf(row: ExecutionRow, s: Judge0Settings): Judge0Stored {
  const c = compatOf(row);
  if (c && c.api === 'judge0') return c as unknown as Judge0Stored;
  const req = storedRequestOf(row);
  return {
    api: 'judge0',
    language_id: byOurId(row.language)?.judge0?.id ?? 0,
    source_code: req.files.find((f) => f.path === req.mainFile)?.content ?? '',
    expected_output: null,
    number_of_runs: 1,
    cpu_time_limit: s.cpuTimeLimit.default,
    cpu_extra_time: s.cpuExtraTime.default,
    wall_time_limit: s.wallTimeLimit.default,
    memory_limit: s.memoryLimit.default,
    stack_limit: s.stackLimit.default,
    max_processes_and_or_threads: s.maxProcesses.default,
    enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    max_file_size: s.maxFileSize.default,
    redirect_stderr_to_stdout: false,
    enable_network: false,
    compiler_options: null,
    command_line_arguments: req.args.length ? req.args.join(' ') : null,
    callback_url: null,
    additional_files: null,
  };
}

const nonEmpty = (b: Buffer | null | undefined): Buffer | null => (b && b.length ? b : null);

/** The status id and isolate-style message of a row. */
export function judge0Status(row: ExecutionRow, stored: Pick<Judge0Stored, 'expected_output'>, stdout: Buffer | null): { id: number; message: string | null } {
  if (row.status === 'queued') return { id: 1, message: null };
  if (row.status === 'running') return { id: 2, message: null };
  if (row.status === 'cancelled') return { id: 13, message: 'cancelled' };
  const signal = signalNumber(row.signal);
  switch (row.verdict) {
    case 'ok':
      return { id: matchesExpected(stdout === null ? null : stdout.toString('utf8'), stored.expected_output) ? 3 : 4, message: null };
    case 'compile_error':
      return { id: 6, message: null };
    case 'time_limit':
      return { id: 5, message: 'Time limit exceeded' };
    case 'runtime_error':
      if (signal !== null) return { id: statusForSignal(signal), message: `Caught fatal signal ${signal}` };
      return { id: 11, message: `Exited with error status ${row.exitCode ?? 1}` };
    case 'memory_limit':
      return { id: 11, message: 'Memory limit exceeded' };
    case 'output_limit':
      return { id: 8, message: 'Output limit exceeded' };
    default:
      return { id: 13, message: row.failureReason ?? 'internal error' };
  }
}

export interface PresentOptions {
  fields: readonly string[];
  base64: boolean;
  languageName: (judge0Id: number) => string;
  settings: Judge0Settings;
}

/** Null when a text attribute is not UTF-8 and base64 is off (the caller answers Judge0's 400). */
export function presentSubmission(row: ExecutionRow, o: PresentOptions): SubmissionObject | null {
  const stored = storedOf(row, o.settings);
  const final = row.completedAt !== null;
  const compile = row.compile as StageJson | null;
  const compileFailed = row.verdict === 'compile_error';
  let stdout = final ? nonEmpty(row.stdout) : null;
  let stderr = final ? nonEmpty(row.stderr) : null;
  if (stored.redirect_stderr_to_stdout && final) {
    stdout = nonEmpty(Buffer.concat([row.stdout ?? Buffer.alloc(0), row.stderr ?? Buffer.alloc(0)]));
    stderr = null;
  }
  const status = judge0Status(row, stored, stdout);
  let compileOutput: Buffer | null = null;
  if (row.compilationError) compileOutput = nonEmpty(Buffer.from(row.compilationError, 'utf8'));
  if (compileFailed && compile?.status === 'time_limit') compileOutput = Buffer.from('Compilation time limit exceeded.');
  const ran = final && !compileFailed && row.cpuMs !== null;
  const stdin = row.stdin && row.stdin.length ? row.stdin : null;

  const texts = { source_code: stored.source_code === '' ? null : Buffer.from(stored.source_code), stdin, expected_output: stored.expected_output === null ? null : Buffer.from(stored.expected_output), stdout, stderr, compile_output: compileOutput };
  if (!o.base64 && Object.values(texts).some((b) => b !== null && !isUtf8(b))) return null;
  const t = (b: Buffer | null): string | null => (b === null ? null : o.base64 ? encode64(b) : b.toString('utf8'));
  const message = ran || status.id === 13 ? status.message : null;

  const all: SubmissionObject = {
    source_code: t(texts.source_code),
    language_id: stored.language_id,
    stdin: t(texts.stdin),
    expected_output: t(texts.expected_output),
    stdout: ran ? t(stdout) : null,
    status_id: status.id,
    created_at: row.createdAt.toISOString(),
    finished_at: row.completedAt?.toISOString() ?? null,
    time: ran ? decimalSeconds(row.cpuMs! / 1000) : null,
    memory: ran ? row.memoryKb : null,
    stderr: ran ? t(stderr) : null,
    token: row.id,
    number_of_runs: stored.number_of_runs,
    cpu_time_limit: decimalSeconds(stored.cpu_time_limit),
    cpu_extra_time: decimalSeconds(stored.cpu_extra_time),
    wall_time_limit: decimalSeconds(stored.wall_time_limit),
    memory_limit: stored.memory_limit,
    stack_limit: stored.stack_limit,
    max_processes_and_or_threads: stored.max_processes_and_or_threads,
    enable_per_process_and_thread_time_limit: stored.enable_per_process_and_thread_time_limit,
    enable_per_process_and_thread_memory_limit: stored.enable_per_process_and_thread_memory_limit,
    max_file_size: stored.max_file_size,
    compile_output: t(compileOutput),
    exit_code: ran ? (row.exitCode ?? 0) : null,
    exit_signal: ran ? signalNumber(row.signal) : null,
    message: message === null ? null : t(Buffer.from(message)),
    wall_time: ran && row.wallMs !== null ? decimalSeconds(row.wallMs / 1000) : null,
    compiler_options: stored.compiler_options,
    command_line_arguments: stored.command_line_arguments,
    redirect_stderr_to_stdout: stored.redirect_stderr_to_stdout,
    callback_url: stored.callback_url,
    additional_files: stored.additional_files,
    enable_network: stored.enable_network,
    status: { id: status.id, description: statusById(status.id).description },
    language: { id: stored.language_id, name: o.languageName(stored.language_id) },
    muscode: {
      execution_id: row.id,
      state: row.status,
      verdict: row.verdict,
      cpu_ms: row.cpuMs,
      wall_ms: row.wallMs,
      memory_kb: row.memoryKb,
      truncated: row.truncated,
    },
  };
  return Object.fromEntries(o.fields.map((f) => [f, all[f]]));
}
