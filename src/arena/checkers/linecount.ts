/**
 * DMOJ's `linecount`, a partial checker: blank lines dropped, the i-th output line matches the
 * i-th answer line when equal after stripping surrounding whitespace; the score is the fraction
 * of answer lines matched. More output lines than answer lines is a WA worth 0. AC only when
 * every line matches; otherwise a WA carrying its score and a ✓/✗ line map.
 */
import { z } from 'zod';
import type { CheckResult } from './types.js';
import { accepted, isBlank, splitLines, strip, toBytes } from './text.js';
import { lineMismatch } from './lines.js';

export const linecountOptionsSchema = z
  .object({ feedback: z.boolean().default(true).describe('Append the ✓/✗ map of lines to the message.') })
  .strict();
export type LinecountOptions = z.input<typeof linecountOptionsSchema>;

/** The ✓/✗ map is cut here: a million-line answer must not make a megabyte message. */
const MAP_CHARS = 200;

function lines(s: string): { text: string; number: number }[] {
  return splitLines(s)
    .filter((l) => !isBlank(l.text))
    .map((l) => ({ text: strip(l.text), number: l.number }));
}

export function linecount(output: string | Buffer, answer: string | Buffer, options: LinecountOptions = {}): CheckResult {
  const { feedback } = linecountOptionsSchema.parse(options);
  const out = toBytes(output);
  const ans = toBytes(answer);
  if (out === ans) return accepted();
  const got = lines(out);
  const exp = lines(ans);
  if (got.length > exp.length) {
    const r = lineMismatch(out, ans, got[exp.length]!, null, 0, `the output has ${got.length} lines, the answer ${exp.length}`);
    return { ...r, score: 0 };
  }
  if (exp.length === 0) return accepted();
  let matched = 0;
  let firstBad = -1;
  let map = '';
  for (let i = 0; i < exp.length; i++) {
    const ok = got[i] !== undefined && got[i]!.text === exp[i]!.text;
    if (ok) matched++;
    else if (firstBad < 0) firstBad = i;
    if (map.length < MAP_CHARS) map += ok ? '✓' : '✗';
  }
  if (matched === exp.length) return accepted();
  const missingAt = (got[got.length - 1]?.number ?? 0) + 1;
  const r = lineMismatch(out, ans, got[firstBad] ?? null, exp[firstBad]!, missingAt, got[firstBad] ? undefined : 'missing line');
  const summary = `${matched} of ${exp.length} lines correct${feedback ? ` (${map}${exp.length > MAP_CHARS ? '…' : ''})` : ''}`;
  return { ...r, score: matched / exp.length, message: `${summary}. ${r.message}` };
}
