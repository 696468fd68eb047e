/**
 * The judge's vocabulary. Verdicts are values: a wrong answer, a crash or a checker that fails is
 * data carried in results, never a thrown error (see src/errors.ts for what is thrown).
 * The reference for every choice here is docs/arena.md (and the research notes it cites).
 */

/** Verdicts of one test case. */
export const TEST_VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RTE', 'SK', 'JE'] as const;
export type TestVerdict = (typeof TEST_VERDICTS)[number];

/** Verdicts of a submission: a test's verdict (never SK, which always follows a failure) or CE. */
export const SUBMISSION_VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RTE', 'JE', 'CE'] as const;
export type SubmissionVerdict = (typeof SUBMISSION_VERDICTS)[number];

/** Every verdict code. */
export const VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RTE', 'SK', 'JE', 'CE'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Life of a submission; `done` carries a SubmissionVerdict, `cancelled` none. */
export const SUBMISSION_STATES = ['queued', 'compiling', 'running', 'cancelled', 'done'] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

const NEXT_STATES: Record<SubmissionState, readonly SubmissionState[]> = {
  queued: ['compiling', 'cancelled', 'done'], // done straight from the queue: a JE before compiling
  compiling: ['running', 'cancelled', 'done'], // done from compiling: CE
  running: ['cancelled', 'done'],
  cancelled: ['queued'], // a rejudge
  done: ['queued'], // a rejudge
};

/** Whether a submission may move from one state to another (a rejudge re-queues it). */
export function canTransition(from: SubmissionState, to: SubmissionState): boolean {
  return NEXT_STATES[from].includes(to);
}

export function isFinalState(state: SubmissionState): boolean {
  return state === 'done' || state === 'cancelled';
}

/**
 * Extra precision on a verdict: `presentation` on a WA when only whitespace or case differ;
 * `cpu`/`wall` on a TLE; `oom` (the cgroup killed it) or `near-limit` (it died abnormally at
 * >= 95 % of the memory limit) on an MLE; `exit N` or `signal S` on an RTE.
 */
export type VerdictDetail =
  | 'presentation'
  | 'cpu'
  | 'wall'
  | 'oom'
  | 'near-limit'
  | `exit ${number}`
  | `signal ${string}`;

export const VERDICT_LABELS: Record<Verdict, string> = {
  AC: 'Accepted',
  WA: 'Wrong answer',
  TLE: 'Time limit exceeded',
  MLE: 'Memory limit exceeded',
  OLE: 'Output limit exceeded',
  RTE: 'Run-time error',
  SK: 'Skipped',
  JE: 'Judge error',
  CE: 'Compile error',
};

/**
 * The CLICS "big 5" of each verdict (ccs-specs JSON_Format §Judgement Type): OLE counts as WA,
 * MLE as RTE. ICPC export and the Kattis `submissions/` folder check are lookups in this table.
 * JE and SK have none: a JE is never charged, an SK is not a judgement.
 */
export const BIG5: Record<Verdict, 'AC' | 'WA' | 'TLE' | 'RTE' | 'CE' | null> = {
  AC: 'AC',
  WA: 'WA',
  TLE: 'TLE',
  MLE: 'RTE',
  OLE: 'WA',
  RTE: 'RTE',
  CE: 'CE',
  SK: null,
  JE: null,
};

export function isTestVerdict(value: unknown): value is TestVerdict {
  return typeof value === 'string' && (TEST_VERDICTS as readonly string[]).includes(value);
}

export function isSubmissionVerdict(value: unknown): value is SubmissionVerdict {
  return typeof value === 'string' && (SUBMISSION_VERDICTS as readonly string[]).includes(value);
}

export function isSubmissionState(value: unknown): value is SubmissionState {
  return typeof value === 'string' && (SUBMISSION_STATES as readonly string[]).includes(value);
}

/** A verdict the user is answerable for (JE is ours; SK is a consequence, not a judgement). */
export function isUserFailure(verdict: Verdict): boolean {
  return verdict !== 'AC' && verdict !== 'JE' && verdict !== 'SK';
}
