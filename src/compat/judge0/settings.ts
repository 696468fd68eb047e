import type { Config } from '../../config/config.js';

/**
 * Judge0's limits as this server applies them: Judge0's own bounds (app/helpers/config.rb),
 * narrowed to what our engine allows. GET /config_info reports these, and the request
 * validation uses them, so a client that reads config_info is never refused for a value it was told is fine.
 */
export interface Judge0Settings {
  /** Seconds. */
  cpuTimeLimit: { default: number; max: number };
  cpuExtraTime: { default: number; max: number };
  wallTimeLimit: { default: number; min: number; max: number };
  /** KB (our KiB). */
  memoryLimit: { default: number; min: number; max: number };
  stackLimit: { default: number; max: number };
  maxProcesses: { default: number; min: number; max: number };
  /** KB. */
  maxFileSize: { default: number; max: number };
  numberOfRuns: { default: number; max: number };
  /** KB of an additional_files archive and of what it unpacks to. */
  maxExtractSize: number;
  batchMax: number;
  callbacksEnabled: boolean;
  compilerOptionsEnabled: boolean;
  callbackAllowedHosts: string[];
}

export function judge0Settings(config: Pick<Config, 'limits' | 'CALLBACK_ALLOWED_HOSTS'>): Judge0Settings {
  const run = config.limits.run;
  const kib = (bytes: number) => Math.floor(bytes / 1024);
  const hosts = config.CALLBACK_ALLOWED_HOSTS.split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return {
    cpuTimeLimit: { default: Math.min(5, run.defaults.cpuMs / 1000), max: Math.min(15, run.max.cpuMs / 1000) },
    cpuExtraTime: { default: 1, max: 5 },
    wallTimeLimit: { default: Math.min(10, run.max.wallMs / 1000), min: 1, max: Math.min(20, run.max.wallMs / 1000) },
    memoryLimit: { default: Math.min(kib(run.defaults.memoryBytes), 512_000), min: 8192, max: Math.min(512_000, kib(run.max.memoryBytes)) },
    stackLimit: { default: 64_000, max: 128_000 },
    maxProcesses: { default: Math.min(60, run.max.processes), min: 8, max: Math.min(120, run.max.processes) },
    maxFileSize: { default: 1024, max: 4096 },
    numberOfRuns: { default: 1, max: 20 },
    maxExtractSize: 10_240,
    batchMax: 20,
    callbacksEnabled: hosts.length > 0,
    compilerOptionsEnabled: true,
    callbackAllowedHosts: hosts,
  };
}

/** GET /config_info: every key of Judge0's config_info (judge0-python refuses to start without one). */
export function configInfo(s: Judge0Settings, queueMax: number): Record<string, unknown> {
  return {
    maintenance_mode: false,
    enable_wait_result: true,
    enable_compiler_options: s.compilerOptionsEnabled,
    allowed_languages_for_compile_options: [],
    enable_command_line_arguments: true,
    enable_submission_delete: false,
    enable_callbacks: s.callbacksEnabled,
    callbacks_max_tries: 3,
    callbacks_timeout: 5,
    enable_additional_files: true,
    max_queue_size: queueMax,
    cpu_time_limit: s.cpuTimeLimit.default,
    max_cpu_time_limit: s.cpuTimeLimit.max,
    cpu_extra_time: s.cpuExtraTime.default,
    max_cpu_extra_time: s.cpuExtraTime.max,
    wall_time_limit: s.wallTimeLimit.default,
    max_wall_time_limit: s.wallTimeLimit.max,
    memory_limit: s.memoryLimit.default,
    max_memory_limit: s.memoryLimit.max,
    stack_limit: s.stackLimit.default,
    max_stack_limit: s.stackLimit.max,
    max_processes_and_or_threads: s.maxProcesses.default,
    max_max_processes_and_or_threads: s.maxProcesses.max,
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: false,
    max_file_size: s.maxFileSize.default,
    max_max_file_size: s.maxFileSize.max,
    number_of_runs: s.numberOfRuns.default,
    max_number_of_runs: s.numberOfRuns.max,
    redirect_stderr_to_stdout: false,
    max_extract_size: s.maxExtractSize,
    enable_batched_submissions: true,
    max_submission_batch_size: s.batchMax,
    submission_cache_duration: 0,
    use_docs_as_homepage: false,
    allow_enable_network: false,
    enable_network: false,
  };
}
