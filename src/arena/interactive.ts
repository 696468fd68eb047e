/**
 * The verdict of one interactive test (Kattis protocol), from what the two sandboxes reported.
 * The submission's stdout is the validator's stdin and the other way round; the runner (judge
 * service, later) keeps each pipe's write end open until its writer is reaped, and at the wall
 * limit kills only the submission, so the rule below sees a deterministic picture:
 *
 * 1. the sandbox failed for either process, or the validator did not exit 42/43 (crash,
 *    timeout, other code) ⇒ JE;
 * 2. the validator exited FIRST with 43 ⇒ WA, even if the submission then timed out or crashed
 *    (it was talking to a validator that had already rejected it);
 * 3. the submission went over its time limit ⇒ TLE;
 * 4. the submission ended abnormally ⇒ its verdict (MLE near or at the limit, OLE, RTE);
 * 5. otherwise the validator's verdict (42 AC, with its score files; 43 WA).
 */
import { parseKattisResult, type CheckerRun, type KattisFeedback } from './checker-protocols.js';
import { testOutcome, type RunOutcome, type TestOutcome } from './stage-verdict.js';

export interface InteractiveFacts {
  /** The submission's run, through stageVerdict. */
  submission: RunOutcome;
  validator: CheckerRun;
  feedback?: KattisFeedback;
  /** Whether the validator's exit was recorded before the submission's. */
  validatorExitedFirst: boolean;
  /** The test's worth in points, for a score.txt. */
  maxScore?: number;
}

export function interactiveOutcome(f: InteractiveFacts): TestOutcome {
  if (f.submission.verdict === 'JE') return { verdict: 'JE', message: f.submission.message };
  const validator = parseKattisResult(f.validator, f.feedback, f.maxScore === undefined ? {} : { maxScore: f.maxScore });
  if (validator.verdict === 'JE') return { verdict: 'JE', message: `interactor: ${validator.message}` };
  if (validator.verdict === 'WA' && f.validatorExitedFirst) return testOutcome({ verdict: 'OK' }, validator);
  // Steps 3 and 4: stageVerdict already put TLE before the other abnormal ends.
  if (f.submission.verdict !== 'OK') return testOutcome(f.submission);
  return testOutcome({ verdict: 'OK' }, validator);
}
