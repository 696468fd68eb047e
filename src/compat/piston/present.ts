import type { StageJson, StageStatus } from '../../engine/types.js';
import type { ExecutionRow } from '../../executions/service.js';
import type { PistonRuntime } from './request.js';

/**
 * An execution row -> Piston's execute response (api/src/api/v2.js, api/src/job.js). Pure.
 * Units as Piston: cpu_time and wall_time in ms, memory in bytes.
 */

export interface PistonStage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: 'RE' | 'SG' | 'TO' | 'OL' | 'EL' | 'XX' | null;
  cpu_time: number | null;
  wall_time: number | null;
  memory: number | null;
}

export interface PistonResponse {
  compile?: PistonStage;
  run: PistonStage;
  language: string;
  version: string;
}

interface StageFacts {
  status: StageStatus | null;
  stdout: string;
  stderr: string;
  output: string;
  exitCode: number | null;
  signal: string | null;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
}

/** Piston's status, signal, code and message for one of our stage results. */
export function pistonStage(f: StageFacts): PistonStage {
  let status: PistonStage['status'] = null;
  let message: string | null = null;
  let signal = f.signal;
  switch (f.status) {
    case 'time_limit':
      status = 'TO';
      message = 'Time limit exceeded';
      signal = 'SIGKILL';
      break;
    case 'output_limit':
      status = 'OL';
      message = 'stdout length exceeded';
      signal = 'SIGKILL';
      break;
    case 'memory_limit':
      // Piston has no memory status: isolate's cgroup kills the program (SIGKILL).
      status = 'SG';
      message = 'Memory limit exceeded';
      signal = 'SIGKILL';
      break;
    case 'internal_error':
      status = 'XX';
      message = 'internal error';
      break;
    case 'runtime_error':
    case 'compile_error':
      if (signal) {
        status = 'SG';
        message = `Caught fatal signal ${signal}`;
      } else {
        status = 'RE';
        message = `Exited with error status ${f.exitCode ?? 1}`;
      }
      break;
    default:
      break;
  }
  return {
    stdout: f.stdout,
    stderr: f.stderr,
    output: f.output,
    code: signal ? null : f.exitCode,
    signal,
    message,
    status,
    cpu_time: f.cpuMs,
    wall_time: f.wallMs,
    memory: f.memoryKb === null ? null : f.memoryKb * 1024,
  };
}

/**
 * `output` is the run's stdout and stderr interleaved in arrival order (`interleaved`, from the
 * live events), or stdout then stderr when the live order is not known.
 */
export function presentExecute(row: ExecutionRow, rt: PistonRuntime, interleaved: string | null, compiled: boolean): PistonResponse {
  const c = row.compile as StageJson | null;
  let compile: PistonStage | undefined;
  if (c) {
    const stdout = Buffer.from(c.stdout, 'base64').toString('utf8');
    const stderr = Buffer.from(c.stderr, 'base64').toString('utf8');
    compile = pistonStage({
      status: c.status === 'ok' ? null : c.status,
      stdout,
      stderr,
      output: stdout + stderr,
      exitCode: c.exitCode,
      signal: c.signal,
      cpuMs: c.cpuMs,
      wallMs: c.wallMs,
      memoryKb: c.memoryKb,
    });
  } else if (compiled && row.verdict === 'compile_error') {
    compile = pistonStage({ status: 'compile_error', stdout: '', stderr: row.compilationError ?? '', output: row.compilationError ?? '', exitCode: 1, signal: null, cpuMs: null, wallMs: null, memoryKb: null });
  }
  const base = { language: rt.language, version: rt.version };
  // A failed compile: no run stage, and `run` is a copy of `compile` (Piston keeps it for old clients).
  if (compile && row.verdict === 'compile_error') return { compile, run: { ...compile }, ...base };
  const stdout = (row.stdout ?? Buffer.alloc(0)).toString('utf8');
  const stderr = (row.stderr ?? Buffer.alloc(0)).toString('utf8');
  const run = pistonStage({
    status: row.status === 'failed' || row.status === 'cancelled' ? 'internal_error' : ((row.verdict as StageStatus | null) ?? 'internal_error'),
    stdout,
    stderr,
    output: interleaved ?? stdout + stderr,
    exitCode: row.exitCode,
    signal: row.signal,
    cpuMs: row.cpuMs,
    wallMs: row.wallMs,
    memoryKb: row.memoryKb,
  });
  return compile ? { compile, run, ...base } : { run, ...base };
}
