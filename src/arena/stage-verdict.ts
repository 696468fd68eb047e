/**
 * From what the engine measured for one run of the contestant's program to a test verdict.
 * Precedence is the engine's (docs/sandbox.md §Verdicts): internal_error > time_limit >
 * output_limit > memory_limit > runtime_error > ok. On top of it: a program that died abnormally
 * (non-zero exit or a signal) with its peak memory at >= 95 % of the limit is MLE, not RTE,
 * because that is how a failed malloc or `new` under a memory limit ends (vfleaking/uoj#3,
 * criyle/go-judge#186). Only a clean exit (`OK`) goes on to the checker.
 */
import type { StageLimits, StageResult } from '../engine/types.js';
import type { CheckResult } from './checkers/types.js';
import type { CustomCheckResult } from './checker-protocols.js';
import type { TestVerdict, VerdictDetail } from './verdicts.js';

/** Percent of the memory limit at or above which an abnormal end counts as MLE. */
export const MLE_NEAR_LIMIT_PERCENT = 95;

export type RunOutcome =
  | { verdict: 'OK' }
  | { verdict: 'TLE'; detail: 'cpu' | 'wall' }
  | { verdict: 'MLE'; detail: 'oom' | 'near-limit' }
  | { verdict: 'OLE' }
  | { verdict: 'RTE'; detail?: `exit ${number}` | `signal ${string}` }
  | { verdict: 'JE'; message: string };

export type StageFacts = Pick<StageResult, 'status' | 'exitCode' | 'signal' | 'memoryKb' | 'cpuMs'> & Partial<Pick<StageResult, 'wallMs' | 'message'>>;

export function stageVerdict(stage: StageFacts, limits: Pick<StageLimits, 'memoryBytes' | 'cpuMs'>): RunOutcome {
  const abnormal = stage.signal !== null || (stage.exitCode !== null && stage.exitCode !== 0);
  // Integer arithmetic: memoryKb * 1024 >= 0.95 * memoryBytes, without rounding at the boundary.
  const nearLimit = stage.memoryKb * 1024 * 100 >= limits.memoryBytes * MLE_NEAR_LIMIT_PERCENT;
  switch (stage.status) {
    case 'internal_error':
      return { verdict: 'JE', message: stage.message ?? 'the sandbox failed' };
    case 'time_limit':
      return { verdict: 'TLE', detail: stage.signal === 'SIGXCPU' || stage.cpuMs >= limits.cpuMs ? 'cpu' : 'wall' };
    case 'output_limit':
      return { verdict: 'OLE' };
    case 'memory_limit':
      return { verdict: 'MLE', detail: 'oom' };
    case 'runtime_error':
      if (nearLimit && abnormal) return { verdict: 'MLE', detail: 'near-limit' };
      return rte(stage);
    case 'ok':
      // The engine says ok only for exit 0; a non-zero code here would be an engine change.
      if (abnormal) return nearLimit ? { verdict: 'MLE', detail: 'near-limit' } : rte(stage);
      return { verdict: 'OK' };
    case 'compile_error':
      return { verdict: 'JE', message: 'a run stage reported compile_error' };
  }
}

function rte(stage: StageFacts): RunOutcome {
  if (stage.signal !== null) return { verdict: 'RTE', detail: `signal ${stage.signal}` };
  if (stage.exitCode !== null) return { verdict: 'RTE', detail: `exit ${stage.exitCode}` };
  return { verdict: 'RTE' };
}

/** The verdict of one test: the run's, or on a clean exit the checker's. */
export interface TestOutcome {
  verdict: TestVerdict;
  /** Fraction of the test's points, 0..1 (absent: 1 for AC, 0 otherwise). */
  score?: number;
  detail?: VerdictDetail;
  /** Checker feedback or JE cause. */
  message?: string;
}

export function testOutcome(run: RunOutcome, check?: CheckResult | CustomCheckResult): TestOutcome {
  if (run.verdict === 'JE') return { verdict: 'JE', message: run.message };
  if (run.verdict !== 'OK') {
    const out: TestOutcome = { verdict: run.verdict };
    if ('detail' in run && run.detail !== undefined) out.detail = run.detail;
    return out;
  }
  if (check === undefined) return { verdict: 'JE', message: 'no checker result for a clean run' };
  const out: TestOutcome = { verdict: check.verdict, message: check.message };
  if ('score' in check && check.score !== undefined) out.score = check.score;
  if ('detail' in check && check.detail !== undefined) out.detail = check.detail;
  return out;
}
