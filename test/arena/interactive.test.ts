import { describe, expect, it } from 'vitest';
import { interactiveOutcome, type InteractiveFacts } from '../../src/arena/interactive.js';
import type { CheckerRun } from '../../src/arena/checker-protocols.js';
import type { RunOutcome } from '../../src/arena/stage-verdict.js';

const V = (exitCode: number | null, more: Partial<CheckerRun> = {}): CheckerRun => ({ status: 'runtime_error', exitCode, signal: null, ...more });
const OK: RunOutcome = { verdict: 'OK' };
const TLE: RunOutcome = { verdict: 'TLE', detail: 'wall' };
const CRASH: RunOutcome = { verdict: 'RTE', detail: 'signal SIGSEGV' };
const EXIT1: RunOutcome = { verdict: 'RTE', detail: 'exit 1' };
const MLE: RunOutcome = { verdict: 'MLE', detail: 'near-limit' };

describe('interactive exit-order rules (Kattis)', () => {
  const rows: [string, Partial<InteractiveFacts>, string, string?][] = [
    // name, facts, verdict, detail
    ['correct dialogue', { submission: OK, validator: V(42), validatorExitedFirst: false }, 'AC'],
    ['validator accepts first, submission exits 0 after', { submission: OK, validator: V(42), validatorExitedFirst: true }, 'AC'],
    ['a crash after a correct answer is RTE', { submission: CRASH, validator: V(42), validatorExitedFirst: true }, 'RTE', 'signal SIGSEGV'],
    ['a non-zero exit after a correct answer is RTE', { submission: EXIT1, validator: V(42), validatorExitedFirst: false }, 'RTE', 'exit 1'],
    ['the interactor rejects first: WA even if the submission then crashes', { submission: CRASH, validator: V(43), validatorExitedFirst: true }, 'WA'],
    ['the interactor rejects first: WA even if the submission then times out', { submission: TLE, validator: V(43), validatorExitedFirst: true }, 'WA'],
    ['submission exits first with a crash, then the interactor rejects: RTE', { submission: CRASH, validator: V(43), validatorExitedFirst: false }, 'RTE', 'signal SIGSEGV'],
    // an unflushed program waits forever: killed at the wall limit, the validator then reads EOF and rejects
    ['an unflushed program is TLE', { submission: TLE, validator: V(43), validatorExitedFirst: false }, 'TLE', 'wall'],
    ['TLE before the validator accepted is TLE', { submission: TLE, validator: V(42), validatorExitedFirst: false }, 'TLE', 'wall'],
    ['MLE after a correct answer', { submission: MLE, validator: V(42), validatorExitedFirst: false }, 'MLE', 'near-limit'],
    ['clean exit, validator rejects after', { submission: OK, validator: V(43, { }), validatorExitedFirst: false }, 'WA'],
    ['the interactor crashes: JE, whatever the submission did', { submission: CRASH, validator: V(null, { signal: 'SIGSEGV' }), validatorExitedFirst: true }, 'JE'],
    ['the interactor exits 0: JE', { submission: OK, validator: V(0, { status: 'ok' }), validatorExitedFirst: false }, 'JE'],
    ['the interactor times out: JE', { submission: TLE, validator: V(null, { status: 'time_limit', signal: 'SIGKILL' }), validatorExitedFirst: false }, 'JE'],
    ['the sandbox failed for the submission: JE', { submission: { verdict: 'JE', message: 'bwrap failed' }, validator: V(42), validatorExitedFirst: false }, 'JE'],
  ];
  it.each(rows)('%s', (_n, facts, verdict, detail) => {
    const r = interactiveOutcome(facts as InteractiveFacts);
    expect(r.verdict).toBe(verdict);
    expect(r.detail).toBe(detail);
  });

  it('carries the interactor message and score', () => {
    expect(interactiveOutcome({ submission: OK, validator: V(43), feedback: { judgemessage: 'guessed 5 times too many' }, validatorExitedFirst: true })).toEqual({ verdict: 'WA', message: 'guessed 5 times too many' });
    expect(interactiveOutcome({ submission: OK, validator: V(42), feedback: { scoreMultiplier: '0.5' }, validatorExitedFirst: false })).toMatchObject({ verdict: 'AC', score: 0.5 });
    expect(interactiveOutcome({ submission: OK, validator: V(7), validatorExitedFirst: false }).message).toMatch(/^interactor: the checker exited with code 7/);
  });

});
