/**
 * The Kattis default output validator (problemtools support/default_validator), rewritten as a
 * pure function: whitespace-separated tokens; case-insensitive unless `case_sensitive`;
 * `space_change_sensitive` makes every whitespace byte count; with a float tolerance, an answer
 * token that parses as a finite float (integers included) must be met by a finite float within
 * the absolute OR the relative tolerance. `inf` and `nan` are never floats (as problemtools'
 * isfloat): a contestant's `nan` never matches a number, and an answer token that is itself
 * `inf` is compared as text. Trailing output is a WA.
 *
 * One difference from problemtools: native MUSCode problems default to case-sensitive; the Kattis
 * importer passes `case_sensitive: false` unless the package sets the flag (parseKattisFlags).
 */
import { z } from 'zod';
import type { CheckResult } from './types.js';
import { accepted, asciiLower, locate, toBytes, tokenize, wrong } from './text.js';

export const kattisOptionsSchema = z
  .object({
    case_sensitive: z.boolean().default(true).describe('Letters must match in case.'),
    space_change_sensitive: z.boolean().default(false).describe('Every whitespace byte must match.'),
    float_absolute_tolerance: z.number().nonnegative().finite().optional(),
    float_relative_tolerance: z.number().nonnegative().finite().optional(),
    /** Sets both tolerances: either one suffices. */
    float_tolerance: z.number().nonnegative().finite().optional(),
  })
  .strict();
export type KattisOptions = z.input<typeof kattisOptionsSchema>;

/**
 * The `validator_flags` / `output_validator_args` of a Kattis package as options. Unknown flags
 * and missing numbers are an error (problemtools answers them with a judge error).
 */
export function parseKattisFlags(flags: string | readonly string[]): KattisOptions | { error: string } {
  const words = typeof flags === 'string' ? flags.split(/\s+/).filter(Boolean) : [...flags];
  const options: KattisOptions = { case_sensitive: false };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'case_sensitive') options.case_sensitive = true;
    else if (w === 'space_change_sensitive') options.space_change_sensitive = true;
    else if (w === 'float_absolute_tolerance' || w === 'float_relative_tolerance' || w === 'float_tolerance') {
      const value = parseKattisFloat(words[i + 1] ?? '');
      if (value === null || value < 0) return { error: `${w} needs a non-negative number` };
      options[w] = value;
      i++;
    } else return { error: `unknown flag ${JSON.stringify(w)}` };
  }
  return options;
}

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/;

/**
 * C's `sscanf("%lf%s")` accepting the whole token, minus inf and nan (problemtools' isfloat):
 * decimal and hexadecimal floats; out-of-range values overflow to infinity and are refused.
 */
export function parseKattisFloat(token: string): number | null {
  let value: number;
  if (DECIMAL_RE.test(token)) value = Number(token);
  else {
    const m = HEX_RE.exec(token);
    if (!m || (m[2] === '' && m[3] === '')) return null;
    const digits = `${m[2]}${m[3]}`;
    value = 0;
    for (const d of digits) value = value * 16 + parseInt(d, 16);
    value *= 2 ** (Number(m[4] ?? 0) - 4 * m[3]!.length);
    if (m[1] === '-') value = -value;
  }
  return Number.isFinite(value) ? value : null;
}

interface Resolved {
  caseSensitive: boolean;
  spaceSensitive: boolean;
  abs: number;
  rel: number;
  floats: boolean;
}

function resolve(options: KattisOptions): Resolved {
  const o = kattisOptionsSchema.parse(options);
  const abs = o.float_absolute_tolerance ?? o.float_tolerance ?? -1;
  const rel = o.float_relative_tolerance ?? o.float_tolerance ?? -1;
  return { caseSensitive: o.case_sensitive, spaceSensitive: o.space_change_sensitive, abs, rel, floats: abs >= 0 || rel >= 0 };
}

export function kattisDefault(output: string | Buffer, answer: string | Buffer, options: KattisOptions = {}): CheckResult {
  return compare(toBytes(output), toBytes(answer), resolve(options));
}

/** Binds validated options once (the registry calls this at load). */
export function bindKattisDefault(options: KattisOptions): (output: string | Buffer, answer: string | Buffer) => CheckResult {
  const r = resolve(options);
  return (output, answer) => compare(toBytes(output), toBytes(answer), r);
}

function compare(out: string, ans: string, o: Resolved): CheckResult {
  // Most accepted outputs are byte-identical to the answer; identical tokens always match here.
  if (out === ans) return accepted();
  const got = tokenize(out);
  const exp = tokenize(ans);
  const at = (offset: number, ansOffset: number) => ({ ...locate(out, offset), answerLine: locate(ans, ansOffset).line });
  for (let i = 0; i <= exp.length; i++) {
    if (o.spaceSensitive) {
      // The whitespace run before token i (or the trailing run) must match byte for byte.
      const gStart = i === 0 ? 0 : got[i - 1]!.start + got[i - 1]!.text.length;
      const eStart = i === 0 ? 0 : exp[i - 1]!.start + exp[i - 1]!.text.length;
      const gEnd = got[i]?.start ?? (i === got.length ? out.length : gStart);
      const eEnd = exp[i]?.start ?? ans.length;
      if (i <= got.length) {
        const gGap = out.slice(gStart, gEnd);
        const eGap = ans.slice(eStart, eEnd);
        if (gGap !== eGap) return wrong(out, ans, at(gStart, eStart), eGap, gGap, 'whitespace differs');
      }
    }
    const e = exp[i];
    const g = got[i];
    if (e === undefined) {
      if (g !== undefined) return wrong(out, ans, at(g.start, ans.length), null, g.text, 'trailing output');
      break;
    }
    if (g === undefined) return wrong(out, ans, at(out.length, e.start), e.text, null);
    const why = tokenMismatch(e.text, g.text, o);
    if (why !== null) return wrong(out, ans, at(g.start, e.start), e.text, g.text, why || undefined);
  }
  return accepted();
}

/** null when the tokens match, else a reason ('' for a plain mismatch). */
function tokenMismatch(expected: string, got: string, o: Resolved): string | null {
  if (o.floats) {
    const e = parseKattisFloat(expected);
    if (e !== null) {
      const g = parseKattisFloat(got);
      if (g === null) return 'expected a number';
      const diff = Math.abs(e - g);
      if (diff <= o.abs || diff <= o.rel * Math.abs(e)) return null;
      return `difference ${diff.toPrecision(3)} is over the tolerance`;
    }
  }
  if (expected === got) return null;
  if (!o.caseSensitive && expected.length === got.length && asciiLower(expected) === asciiLower(got)) return null;
  return '';
}
