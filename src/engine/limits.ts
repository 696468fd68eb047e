import { CallerError, ErrorCodes } from '../errors.js';
import type { LimitOverrides, StageLimits } from './types.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Defaults and maximums of every limit (DESIGN.md "Limits"); configuration may change both. */
export interface LimitTable {
  run: { defaults: StageLimits; max: StageLimits };
  compile: { defaults: StageLimits; max: StageLimits };
  stdinBytes: { default: number; max: number };
  /** The `code` field of a single-file request, in characters. */
  codeChars: { default: number; max: number };
  fileBytes: { default: number; max: number };
  jobBytes: number;
  jobFiles: number;
  argsBytes: number;
}

export const DEFAULT_LIMITS: LimitTable = {
  run: {
    defaults: {
      cpuMs: 5_000,
      wallMs: 11_000, // 2 x CPU + 1 s
      memoryBytes: 256 * MiB,
      processes: 64,
      outputBytes: 1 * MiB,
      fileBytes: 16 * MiB,
      boxBytes: 64 * MiB,
      tmpBytes: 16 * MiB,
      openFiles: 256,
    },
    max: {
      cpuMs: 15_000,
      wallMs: 30_000,
      memoryBytes: 1024 * MiB,
      processes: 256,
      outputBytes: 16 * MiB,
      fileBytes: 64 * MiB,
      boxBytes: 64 * MiB,
      tmpBytes: 64 * MiB,
      openFiles: 1024,
    },
  },
  compile: {
    defaults: {
      cpuMs: 10_000,
      wallMs: 20_000,
      memoryBytes: 1024 * MiB,
      processes: 128,
      outputBytes: 1 * MiB,
      fileBytes: 16 * MiB,
      boxBytes: 64 * MiB,
      tmpBytes: 64 * MiB,
      openFiles: 1024,
    },
    max: {
      cpuMs: 30_000,
      wallMs: 60_000,
      memoryBytes: 2048 * MiB,
      processes: 256,
      outputBytes: 1 * MiB,
      fileBytes: 64 * MiB,
      boxBytes: 64 * MiB,
      tmpBytes: 64 * MiB,
      openFiles: 1024,
    },
  },
  stdinBytes: { default: 1 * MiB, max: 16 * MiB },
  codeChars: { default: 50_000, max: 1 * MiB },
  fileBytes: { default: 5_000_000, max: 16 * MiB },
  jobBytes: 16 * MiB,
  jobFiles: 256,
  argsBytes: 64 * KiB,
};

const OVERRIDABLE = ['cpuMs', 'wallMs', 'memoryBytes', 'processes', 'outputBytes', 'fileBytes'] as const;

/**
 * The smallest value a request may ask for. Below these a stage cannot run at all, and the
 * failure would look like ours (internal_error): a memory limit under what the pooled cgroup
 * still holds cannot even be written (EBUSY on cgroup v1), and the sandbox itself needs 4 of
 * the processes (measured: 4 -> "fork: Resource temporarily unavailable", 5 runs a C program).
 * CPU and wall time below these only ever give time_limit; an output limit under 1 KiB cannot
 * hold a one-line error message. One written file (RLIMIT_FSIZE) gets at least 1 KiB, so that a
 * runtime's own small files (the JVM's perf data) are not what the limit stops.
 */
export const MIN_LIMITS: Readonly<Record<(typeof OVERRIDABLE)[number], number>> = {
  cpuMs: 1,
  wallMs: 100,
  memoryBytes: 8 * MiB,
  processes: 8,
  outputBytes: 1 * KiB,
  fileBytes: 1 * KiB,
};

/**
 * Resolves a request's overrides against defaults, minimums and maximums. A value out of range
 * is refused, never silently clamped: a caller who asked for 60 s must learn they will not get it.
 * When only CPU time is given, the wall limit follows it (2 x CPU + 1 s, capped at the maximum).
 */
export function resolveLimits(
  stage: 'run' | 'compile',
  table: LimitTable,
  overrides: LimitOverrides | undefined,
): StageLimits {
  const { defaults, max } = table[stage];
  const out: StageLimits = { ...defaults };
  for (const key of OVERRIDABLE) {
    const value = overrides?.[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new CallerError(ErrorCodes.invalidLimit, `${stage} limit ${key} must be a positive number (got ${value})`, {
        stage,
        limit: key,
      });
    }
    if (value > max[key]) {
      throw new CallerError(
        ErrorCodes.limitTooHigh,
        `${stage} limit ${key}=${value} is above the maximum ${max[key]}`,
        { stage, limit: key, max: max[key] },
      );
    }
    out[key] = Math.floor(value);
    if (out[key] < MIN_LIMITS[key]) {
      throw new CallerError(ErrorCodes.invalidLimit, `${stage} limit ${key}=${value} is below the minimum ${MIN_LIMITS[key]}`, {
        stage,
        limit: key,
        min: MIN_LIMITS[key],
      });
    }
  }
  if (stage === 'run' && overrides?.cpuMs !== undefined && overrides.wallMs === undefined) {
    out.wallMs = Math.min(2 * out.cpuMs + 1_000, max.wallMs);
  }
  return out;
}
