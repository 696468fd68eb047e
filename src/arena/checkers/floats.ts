/**
 * DMOJ's `floats` (also `floatsabs`, `floatsrel`): lines and tokens per line must match in number
 * (blank lines dropped); an answer token that parses as a number is compared with epsilon =
 * 10^-precision, any other token byte for byte. Error modes: `absolute` |g - e| <= eps;
 * `relative` |g - e| <= eps * |e|; `default` either absolute, or relative when |e| >= eps.
 * NaN and infinities never match, on either side (DMOJ rejects NaN by the way its comparisons
 * are written; we also refuse inf, which DMOJ's relative mode would accept against inf).
 */
import { z } from 'zod';
import type { CheckResult } from './types.js';
import { accepted, isSpace, toBytes, wrong, type Token } from './text.js';

export const floatsOptionsSchema = z
  .object({
    precision: z.number().int().min(0).max(30).default(6).describe('epsilon = 10^-precision'),
    error_mode: z.enum(['default', 'absolute', 'relative']).default('default'),
  })
  .strict();
export type FloatsOptions = z.input<typeof floatsOptionsSchema>;

/** What Python's float() accepts, minus digit separators: decimals, inf, infinity, nan. */
const PY_FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

export function parsePythonFloat(token: string): number | null {
  if (!PY_FLOAT_RE.test(token)) return null;
  const body = token.replace(/^[+-]/, '').toLowerCase();
  const sign = token.startsWith('-') ? -1 : 1;
  if (body === 'nan') return NaN;
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  return Number(token);
}

interface TokenLine {
  number: number;
  tokens: Token[];
}

/**
 * Non-blank lines with their tokens (offsets relative to the whole text), in one scan. Line
 * breaks as splitLines: \n, \r\n or a lone \r.
 */
export function tokenLines(s: string): TokenLine[] {
  const out: TokenLine[] = [];
  const n = s.length;
  let line = 1;
  let current: TokenLine | null = null;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (c === 13 && s.charCodeAt(i + 1) === 10) i++;
      line++;
      current = null;
      i++;
    } else if (isSpace(c)) {
      i++;
    } else {
      const start = i;
      while (i < n && !isSpace(s.charCodeAt(i))) i++;
      if (current === null) {
        current = { number: line, tokens: [] };
        out.push(current);
      }
      current.tokens.push({ text: s.slice(start, i), start });
    }
  }
  return out;
}

export function floats(output: string | Buffer, answer: string | Buffer, options: FloatsOptions = {}): CheckResult {
  const o = floatsOptionsSchema.parse(options);
  const eps = Number(`1e-${o.precision}`);
  const out = toBytes(output);
  const ans = toBytes(answer);
  const got = tokenLines(out);
  const exp = tokenLines(ans);
  for (let li = 0; li < Math.max(got.length, exp.length); li++) {
    const g = got[li];
    const e = exp[li];
    if (g === undefined) {
      const line = (got[got.length - 1]?.number ?? 0) + 1;
      return wrong(out, ans, { line, token: 1, answerLine: e!.number }, e!.tokens[0]!.text, null, 'missing line');
    }
    if (e === undefined) return wrong(out, ans, { line: g.number, token: 1 }, null, g.tokens[0]!.text, 'extra line');
    for (let ti = 0; ti < Math.max(g.tokens.length, e.tokens.length); ti++) {
      const gt = g.tokens[ti];
      const et = e.tokens[ti];
      const at = { line: g.number, token: ti + 1, answerLine: e.number };
      if (gt === undefined) return wrong(out, ans, at, et!.text, null, `expected ${e.tokens.length} tokens on the line, got ${g.tokens.length}`);
      if (et === undefined) return wrong(out, ans, at, null, gt.text, `expected ${e.tokens.length} tokens on the line, got ${g.tokens.length}`);
      const why = mismatch(et.text, gt.text, eps, o.error_mode);
      if (why !== null) return wrong(out, ans, at, et.text, gt.text, why || undefined, why !== NON_FINITE);
    }
  }
  return accepted();
}

const NON_FINITE = 'NaN and infinity never match';

function mismatch(expected: string, got: string, eps: number, mode: 'default' | 'absolute' | 'relative'): string | null {
  const e = parsePythonFloat(expected);
  if (e === null) return expected === got ? null : '';
  // The same text is the same finite number (the common case: no second parse).
  if (expected === got && Number.isFinite(e)) return null;
  const g = parsePythonFloat(got);
  if (g === null) return 'expected a number';
  if (!Number.isFinite(g) || !Number.isFinite(e)) return NON_FINITE;
  const diff = Math.abs(g - e);
  const ok =
    mode === 'absolute'
      ? diff <= eps
      : mode === 'relative'
        ? diff <= eps * Math.abs(e)
        : diff <= eps || (Math.abs(e) >= eps && Math.abs(1 - g / e) <= eps);
  return ok ? null : `difference ${diff.toPrecision(3)} is over ${mode === 'default' ? 'the' : `the ${mode}`} tolerance ${eps}`;
}

