/**
 * DMOJ's `identical`: the output must equal the answer byte for byte (no newline or CRLF
 * forgiveness). A WA whose only differences are whitespace or letter case says so (DMOJ's
 * `pe_allowed` "Presentation Error"), with the first differing line and token.
 */
import { z } from 'zod';
import type { CheckResult } from './types.js';
import { accepted, toBytes } from './text.js';
import { firstDifference } from './lines.js';

export const identicalOptionsSchema = z
  .object({ pe_allowed: z.boolean().optional().describe('Accepted for DMOJ packages; the presentation hint is always given.') })
  .strict();
export type IdenticalOptions = z.input<typeof identicalOptionsSchema>;

export function identical(output: string | Buffer, answer: string | Buffer, _options: IdenticalOptions = {}): CheckResult {
  const out = toBytes(output);
  const ans = toBytes(answer);
  if (out === ans) return accepted();
  return firstDifference(out, ans);
}
