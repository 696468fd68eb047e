/**
 * DMOJ's `rstripped`: lines compared after removing trailing whitespace from each, with the same
 * number of lines. Two deliberate differences from DMOJ, which splits on every \r and \n: a CRLF
 * is one line break, and trailing empty lines (a final newline or several) are ignored, so a
 * Windows-style or newline-terminated output is never a WA by itself. `filter_new_line` drops
 * every empty line, as in DMOJ.
 */
import { z } from 'zod';
import type { CheckResult } from './types.js';
import { accepted, rstrip, splitLines, toBytes } from './text.js';
import { lineMismatch } from './lines.js';

export const rstrippedOptionsSchema = z
  .object({ filter_new_line: z.boolean().default(false).describe('Ignore empty lines everywhere.') })
  .strict();
export type RstrippedOptions = z.input<typeof rstrippedOptionsSchema>;

interface L {
  text: string;
  number: number;
}

function lines(s: string, filterEmpty: boolean): L[] {
  const all = splitLines(s).map((l) => ({ text: rstrip(l.text), number: l.number }));
  while (all.length > 0 && all[all.length - 1]!.text === '') all.pop();
  return filterEmpty ? all.filter((l) => l.text !== '') : all;
}

export function rstripped(output: string | Buffer, answer: string | Buffer, options: RstrippedOptions = {}): CheckResult {
  const filter = rstrippedOptionsSchema.parse(options).filter_new_line;
  const out = toBytes(output);
  const ans = toBytes(answer);
  if (out === ans) return accepted();
  const got = lines(out, filter);
  const exp = lines(ans, filter);
  for (let i = 0; i < Math.max(got.length, exp.length); i++) {
    const g = got[i] ?? null;
    const e = exp[i] ?? null;
    if (g === null || e === null || g.text !== e.text) {
      const missingAt = (got[got.length - 1]?.number ?? 0) + 1;
      return lineMismatch(out, ans, g, e, missingAt, g === null ? 'missing line' : e === null ? 'extra line' : undefined);
    }
  }
  return accepted();
}
