/**
 * Judge0 CE 1.13.1's wire formats, as pure functions: statuses, the field list, Ruby's base64,
 * decimal strings, the expected_output rule. Sources are cited in docs/compat.md and in
 * ../shared/research/compat-apis.md (A4-A6).
 */

/** GET /statuses, exactly (app/enumerations/status.rb). */
export const STATUSES = [
  { id: 1, description: 'In Queue' },
  { id: 2, description: 'Processing' },
  { id: 3, description: 'Accepted' },
  { id: 4, description: 'Wrong Answer' },
  { id: 5, description: 'Time Limit Exceeded' },
  { id: 6, description: 'Compilation Error' },
  { id: 7, description: 'Runtime Error (SIGSEGV)' },
  { id: 8, description: 'Runtime Error (SIGXFSZ)' },
  { id: 9, description: 'Runtime Error (SIGFPE)' },
  { id: 10, description: 'Runtime Error (SIGABRT)' },
  { id: 11, description: 'Runtime Error (NZEC)' },
  { id: 12, description: 'Runtime Error (Other)' },
  { id: 13, description: 'Internal Error' },
  { id: 14, description: 'Exec Format Error' },
] as const;

export type Judge0Status = (typeof STATUSES)[number];

export function statusById(id: number): Judge0Status {
  return STATUSES.find((s) => s.id === id) ?? STATUSES[12];
}

/** Every attribute `fields=*` returns, in schema order (app/serializers/submission_serializer.rb). */
export const ALL_FIELDS = [
  'source_code',
  'language_id',
  'stdin',
  'expected_output',
  'stdout',
  'status_id',
  'created_at',
  'finished_at',
  'time',
  'memory',
  'stderr',
  'token',
  'number_of_runs',
  'cpu_time_limit',
  'cpu_extra_time',
  'wall_time_limit',
  'memory_limit',
  'stack_limit',
  'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit',
  'max_file_size',
  'compile_output',
  'exit_code',
  'exit_signal',
  'message',
  'wall_time',
  'compiler_options',
  'command_line_arguments',
  'redirect_stderr_to_stdout',
  'callback_url',
  'additional_files',
  'enable_network',
  'status',
  'language',
] as const;

export type FieldName = (typeof ALL_FIELDS)[number];

/** What a GET answers without `fields` (app/services/fields/submission.rb). */
export const DEFAULT_FIELDS: readonly FieldName[] = ['token', 'time', 'memory', 'stdout', 'stderr', 'compile_output', 'message', 'status'];

/**
 * Our extension field: the engine's own verdict and figures. Not a Judge0 attribute, so only a
 * `fields` list that names it returns it (`fields=muscode`, `fields=*,muscode`): `*` is Judge0's
 * set exactly, because judge0-python sets every key of a `fields=*` answer on a pydantic model
 * that refuses unknown attributes.
 */
export const EXTENSION_FIELD = 'muscode';

/** The fields a request selects, in schema order (the extension last); `{ invalid }` for unknown names. */
export function selectFields(param: string | undefined): { fields: string[] } | { invalid: string[] } {
  const known: readonly string[] = [...ALL_FIELDS, EXTENSION_FIELD];
  if (param === undefined || param.trim() === '') return { fields: known.filter((f) => (DEFAULT_FIELDS as readonly string[]).includes(f)) };
  const asked = param.split(',').map((f) => f.trim()).filter(Boolean);
  const invalid = asked.filter((f) => f !== '*' && !known.includes(f));
  if (invalid.length) return { invalid };
  if (asked.includes('*')) return { fields: asked.includes(EXTENSION_FIELD) ? [...known] : [...ALL_FIELDS] };
  return { fields: known.filter((f) => asked.includes(f)) };
}

/** `{"error":"invalid fields: [foo, bar]"}`. */
export function invalidFieldsMessage(invalid: string[]): string {
  return `invalid fields: [${invalid.join(', ')}]`;
}

/** Ruby's Base64.encode64: MIME style, a newline after every 60 characters and at the end. */
export function encode64(data: Buffer | string): string {
  const b64 = (Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8')).toString('base64');
  if (b64 === '') return '';
  let out = '';
  for (let i = 0; i < b64.length; i += 60) out += `${b64.slice(i, i + 60)}\n`;
  return out;
}

/** Ruby's Base64.decode64: lenient, characters outside the alphabet are skipped, never an error. */
export function decode64(text: string): Buffer {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Seconds as Judge0's decimal strings: "0.001", "0.0", "5.0" (a Ruby BigDecimal/Float `to_s`). */
export function decimalSeconds(seconds: number): string {
  const s = String(Math.round(seconds * 1000) / 1000);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

// The expected-output comparison is shared with the repetition of number_of_runs (the worker stops at a wrong answer).
export { matchesExpected, stripOutput } from '../../executions/repeat.js';

/** Signal numbers on Linux x86-64, for `exit_signal`. */
const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGSYS: 31,
};

export function signalNumber(name: string | null): number | null {
  if (name === null) return null;
  return SIGNALS[name.toUpperCase()] ?? null;
}

/** isolate's status for a signal (isolate_job.rb): 11 -> 7, 25 -> 8, 8 -> 9, 6 -> 10, other -> 12. */
export function statusForSignal(signal: number | null): number {
  switch (signal) {
    case 11:
      return 7;
    case 25:
      return 8;
    case 8:
      return 9;
    case 6:
      return 10;
    default:
      return 12;
  }
}

/** Judge0's "is this text UTF-8" check before answering without base64. */
export function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}
