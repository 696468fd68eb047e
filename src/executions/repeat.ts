import type { RunResult } from '../engine/types.js';

/**
 * Running one program several times (Judge0's `number_of_runs`, issue 12): the runs go one after
 * the other in the same job (same queue slot, quota and row), and the repetition stops at the
 * first run that is not a success: one that does not end `ok`, or whose stdout differs from
 * `expectedStdout` in the lenient comparison below. The row then holds the last run made, with
 * the mean CPU time and the mean peak memory (an integer, KB) of the runs made, as Judge0
 * averages `time` and `memory` (app/jobs/isolate_job.rb); the wall time stays the last run's.
 */
export interface RepeatSpec {
  /** Runs at most (1 = the usual single run). */
  times: number;
  /** When set, a run whose stdout does not match it ends the repetition (a wrong answer). */
  expectedStdout?: string | null;
}

/** Ruby's `rstrip` set: whitespace and NUL. */
const RSTRIP = /[\s\0]+$/u;

/** Judge0's comparison form: trailing whitespace dropped per line, then trailing blank lines. */
export function stripOutput(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(RSTRIP, ''))
    .join('\n')
    .replace(RSTRIP, '');
}

/** A null expected output accepts anything; an empty stdout matches nothing (Judge0 stores it as null). */
export function matchesExpected(stdout: string | null, expected: string | null | undefined): boolean {
  if (expected === null || expected === undefined) return true;
  if (stdout === null || stdout === '') return false;
  return stripOutput(stdout) === stripOutput(expected);
}

export async function repeatRuns(first: RunResult, spec: RepeatSpec, again: () => Promise<RunResult>): Promise<RunResult> {
  const done: RunResult[] = [first];
  const succeeded = (r: RunResult) => r.run?.status === 'ok' && matchesExpected(r.run.stdout.toString('utf8'), spec.expectedStdout);
  while (done.length < spec.times && succeeded(done[done.length - 1]!)) done.push(await again());
  const last = done[done.length - 1]!;
  if (done.length === 1 || !last.run) return last;
  const runs = done.map((r) => r.run!).filter(Boolean);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    ...last,
    run: { ...last.run, cpuMs: Math.round(mean(runs.map((r) => r.cpuMs))), memoryKb: Math.trunc(mean(runs.map((r) => r.memoryKb))) },
  };
}
