/** What every built-in checker returns, and the shared shape of a checker. */

/** Where a wrong answer starts: 1-based line of the contestant's output and token in that line. */
export interface Position {
  line: number;
  token: number;
  /** The corresponding line of the answer file, when it differs from `line`. */
  answerLine?: number;
}

export interface CheckResult {
  verdict: 'AC' | 'WA';
  /**
   * Fraction of the test's points in 0..1, for partial checkers (linecount, custom checkers).
   * Absent means all (AC) or nothing (WA).
   */
  score?: number;
  /** On a WA: the output would be accepted if only whitespace or letter case were changed. */
  detail?: 'presentation';
  /**
   * For people: where it went wrong and expected against got, each cut to about 64 characters.
   * It quotes the answer file, so for hidden tests show `publicMessage(result)` instead.
   */
  message: string;
  at?: Position;
  /** The expected and received excerpts quoted in `message` (already truncated). */
  expected?: string;
  got?: string;
}

/** A checker bound to its options: pure, synchronous, never throws on any output. */
export type BoundChecker = (output: string | Buffer, answer: string | Buffer) => CheckResult;

/**
 * The message without excerpts of the answer file, for tests whose data is hidden: only the
 * verdict, the position and the presentation hint remain.
 */
export function publicMessage(result: CheckResult): string {
  if (result.verdict === 'AC') return result.score !== undefined && result.score < 1 ? 'Partially accepted' : 'Accepted';
  const where = result.at ? ` at line ${result.at.line}, token ${result.at.token}` : '';
  const hint = result.detail === 'presentation' ? ' (only whitespace or letter case differ)' : '';
  return `Wrong answer${where}${hint}`;
}
