/**
 * DMOJ's `standard` checker (dmoj/checkers/_checker.c): leading and trailing whitespace ignored,
 * tokens compared byte for byte (case-sensitive), any run of whitespace equivalent to any other,
 * except that a run containing a line break (\n or \r) only matches a run containing one. So the
 * line structure matters but blank lines and trailing spaces do not.
 */
import { z } from 'zod';
import type { CheckResult } from './types.js';
import { accepted, isLineBreak, locate, toBytes, tokenize, wrong, type Token } from './text.js';

export const standardOptionsSchema = z.object({}).strict();
export type StandardOptions = z.input<typeof standardOptionsSchema>;

export function standard(output: string | Buffer, answer: string | Buffer, _options: StandardOptions = {}): CheckResult {
  const out = toBytes(output);
  const ans = toBytes(answer);
  if (out === ans) return accepted();
  const got = tokenize(out);
  const exp = tokenize(ans);
  const at = (offset: number, ansOffset: number) => ({ ...locate(out, offset), answerLine: locate(ans, ansOffset).line });
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i]!;
    const g = got[i];
    if (g === undefined) return wrong(out, ans, at(out.length, e.start), e.text, null);
    if (i > 0) {
      const eBreak = breakBefore(ans, exp, i);
      if (eBreak !== breakBefore(out, got, i)) {
        return wrong(out, ans, at(g.start, e.start), e.text, g.text, eBreak ? 'expected a new line before this token' : 'expected this token on the previous line');
      }
    }
    if (e.text !== g.text) return wrong(out, ans, at(g.start, e.start), e.text, g.text);
  }
  const extra = got[exp.length];
  if (extra !== undefined) return wrong(out, ans, at(extra.start, ans.length), null, extra.text, 'trailing output');
  return accepted();
}

/** Whether the whitespace between token i-1 and token i holds a line break. */
function breakBefore(s: string, tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1]!;
  for (let k = prev.start + prev.text.length; k < tokens[i]!.start; k++) if (isLineBreak(s.charCodeAt(k))) return true;
  return false;
}
