import { CallerError, ErrorCodes, MuscodeError } from '../../errors.js';
import type { SandboxOutcome } from '../sandbox/sandbox.js';

/** What the host measured of a stage until it was stopped (from its cgroup and clock). */
export interface MeasuredAtCancel {
  stage: 'compile' | 'run';
  cpuMs: number;
  wallMs: number;
  memoryKb: number;
}

/**
 * The CANCELLED error. When a stage was running, its figures travel in `details.measured`
 * (details cross the supervisor channel as they are), so that a stopped run still says how long
 * it ran and how much memory it used.
 */
export function cancelledError(measured?: MeasuredAtCancel): CallerError {
  return new CallerError(ErrorCodes.cancelled, 'the run was cancelled', measured ? { measured } : undefined);
}

export function cancelledStage(stage: MeasuredAtCancel['stage'], o: SandboxOutcome): CallerError {
  return cancelledError({ stage, cpuMs: o.cpuMs, wallMs: o.wallMs, memoryKb: o.memoryKb });
}

/** The run stage's figures carried by a CANCELLED error, as execution columns; {} when none. */
export function runFiguresOfCancel(err: unknown): { cpuMs?: number; wallMs?: number; memoryKb?: number } {
  if (!(err instanceof MuscodeError) || err.code !== ErrorCodes.cancelled) return {};
  const m = err.details?.measured as Partial<MeasuredAtCancel> | undefined;
  if (!m || m.stage !== 'run') return {};
  const int = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.round(x) : undefined);
  const out: { cpuMs?: number; wallMs?: number; memoryKb?: number } = {};
  const cpuMs = int(m.cpuMs);
  const wallMs = int(m.wallMs);
  const memoryKb = int(m.memoryKb);
  if (cpuMs !== undefined) out.cpuMs = cpuMs;
  if (wallMs !== undefined) out.wallMs = wallMs;
  if (memoryKb !== undefined) out.memoryKb = memoryKb;
  return out;
}
