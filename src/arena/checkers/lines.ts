/** Difference finders for the byte-exact and line-based checkers. */
import type { CheckResult } from './types.js';
import { isSpace, locate, wrong } from './text.js';

function isBreak(s: string, k: number): boolean {
  const c = s.charCodeAt(k);
  return c === 10 || c === 13;
}

function inToken(s: string, k: number): boolean {
  return k < s.length && !isSpace(s.charCodeAt(k));
}

/**
 * Where to start an excerpt around the first difference at byte i (the bytes before i are
 * equal on both sides): the start of the token holding it, or, for a whitespace difference, the
 * start of the token before it on the same line, so that a changed space is visible.
 */
function excerptStart(s: string, i: number, bothInToken: boolean): number {
  let from = i;
  if (!bothInToken) while (from > 0 && !isBreak(s, from - 1) && isSpace(s.charCodeAt(from - 1))) from--;
  while (from > 0 && inToken(s, from - 1)) from--;
  return from;
}

/** From `from` to the end of its line, the line break included (it may be the difference). */
function restOfLine(s: string, from: number): string | null {
  if (from >= s.length) return null;
  let end = from;
  while (end < s.length && !isBreak(s, end)) end++;
  if (end < s.length) end += s.charCodeAt(end) === 13 && s.charCodeAt(end + 1) === 10 ? 2 : 1;
  return s.slice(from, end);
}

/** A WA at the first byte where `out` and `ans` differ. */
export function firstDifference(out: string, ans: string, why?: string): CheckResult {
  let i = 0;
  const n = Math.min(out.length, ans.length);
  while (i < n && out.charCodeAt(i) === ans.charCodeAt(i)) i++;
  const from = excerptStart(out, i, inToken(out, i) && inToken(ans, i));
  const pos = locate(out, from);
  return wrong(out, ans, { ...pos, answerLine: locate(ans, from).line }, restOfLine(ans, from), restOfLine(out, from), why);
}

/**
 * A WA on one pair of lines (either may be missing): the first differing byte of the two line
 * texts, reported at its token.
 */
export function lineMismatch(
  out: string,
  ans: string,
  outLine: { text: string; number: number } | null,
  ansLine: { text: string; number: number } | null,
  outLineIfMissing: number,
  why?: string,
): CheckResult {
  if (outLine === null) {
    return wrong(out, ans, { line: outLineIfMissing, token: 1, answerLine: ansLine?.number }, ansLine?.text ?? null, null, why);
  }
  if (ansLine === null) return wrong(out, ans, { line: outLine.number, token: 1 }, null, outLine.text, why ?? 'trailing output');
  const a = outLine.text;
  const b = ansLine.text;
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const from = excerptStart(a, i, inToken(a, i) && inToken(b, i));
  const token = locate(a, from).token;
  return wrong(out, ans, { line: outLine.number, token, answerLine: ansLine.number }, b.slice(from), a.slice(from), why);
}
