/**
 * DMOJ's `sorted` (and its deprecated alias `unordered`): the output and the answer are equal as
 * multisets of lines (`split_on: lines`, default: each line compared as its list of tokens, blank
 * lines dropped) or of tokens (`split_on: whitespace`). A WA names one expected item the output
 * lacks and one output item the answer lacks, at the output's position of the latter.
 */
import { z } from 'zod';
import type { CheckResult } from './types.js';
import { accepted, locate, toBytes, tokenize, wrong } from './text.js';
import { tokenLines } from './floats.js';

export const sortedOptionsSchema = z
  .object({ split_on: z.enum(['lines', 'whitespace']).default('lines').describe('Items to sort: lines or tokens.') })
  .strict();
export type SortedOptions = z.input<typeof sortedOptionsSchema>;

interface Item {
  key: string;
  /** Offset in the text, for the position of a WA. */
  start: number;
  line?: number;
}

function items(s: string, mode: 'lines' | 'whitespace'): Item[] {
  if (mode === 'whitespace') return tokenize(s).map((t) => ({ key: t.text, start: t.start }));
  // A line is its token list: spacing inside a line does not matter, as in DMOJ.
  return tokenLines(s).map((l) => ({ key: l.tokens.map((t) => t.text).join(' '), start: l.tokens[0]!.start, line: l.number }));
}

export function sorted(output: string | Buffer, answer: string | Buffer, options: SortedOptions = {}): CheckResult {
  const mode = sortedOptionsSchema.parse(options).split_on;
  const out = toBytes(output);
  const ans = toBytes(answer);
  if (out === ans) return accepted();
  const got = items(out, mode);
  const exp = items(ans, mode);
  const counts = new Map<string, number>();
  for (const e of exp) counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
  let extra: Item | undefined;
  for (const g of got) {
    const c = counts.get(g.key) ?? 0;
    if (c === 0) {
      extra ??= g;
      continue;
    }
    counts.set(g.key, c - 1);
  }
  const missing = exp.find((e) => {
    const c = counts.get(e.key) ?? 0;
    return c > 0;
  });
  if (extra === undefined && missing === undefined) return accepted();
  const what = mode === 'lines' ? 'line' : 'token';
  const at = extra
    ? { ...locate(out, extra.start), ...(missing ? { answerLine: locate(ans, missing.start).line } : {}) }
    : { line: (got.length > 0 ? locate(out, got[got.length - 1]!.start).line : 0) + 1, token: 1, answerLine: locate(ans, missing!.start).line };
  const why =
    extra && missing
      ? `a ${what} of the output is not in the answer (items are compared in any order)`
      : extra
        ? `the output has ${got.length} ${what}s, the answer ${exp.length}`
        : `a ${what} of the answer is missing (items are compared in any order)`;
  return wrong(out, ans, at, missing?.key ?? null, extra?.key ?? null, why);
}
