/**
 * Built-in checkers by name. A problem names its checker in its package; the judge loads it once
 * per problem with `loadChecker`, which refuses an unknown name or bad options by throwing a
 * SystemError: by then the package was accepted, so a bad name is our fault, not the contestant's
 * (the importer calls the same function to refuse such a package up front).
 */
import { z } from 'zod';
import { ErrorCodes, SystemError } from '../../errors.js';
import type { BoundChecker, CheckResult } from './types.js';
import { bindKattisDefault, kattisOptionsSchema } from './kattis-default.js';
import { standard, standardOptionsSchema } from './standard.js';
import { identical, identicalOptionsSchema } from './identical.js';
import { rstripped, rstrippedOptionsSchema } from './rstripped.js';
import { floats, floatsOptionsSchema } from './floats.js';
import { sorted, sortedOptionsSchema } from './sorted.js';
import { linecount, linecountOptionsSchema } from './linecount.js';

interface Entry {
  schema: z.ZodType<Record<string, unknown>>;
  /** Options forced by an alias (floatsabs = floats with error_mode absolute). */
  fixed?: Record<string, unknown>;
  /** Can give a fraction of the points. */
  partial: boolean;
  bind(options: Record<string, unknown>): BoundChecker;
}

type Fn<O> = (output: string | Buffer, answer: string | Buffer, options: O) => CheckResult;
const simple =
  <O>(fn: Fn<O>) =>
  (options: Record<string, unknown>): BoundChecker =>
  (output, answer) =>
    fn(output, answer, options as O);

const kattis: Entry = { schema: kattisOptionsSchema, partial: false, bind: (o) => bindKattisDefault(o) };
const std: Entry = { schema: standardOptionsSchema, partial: false, bind: simple(standard) };
const exact: Entry = { schema: identicalOptionsSchema, partial: false, bind: simple(identical) };
const flt: Entry = { schema: floatsOptionsSchema, partial: false, bind: simple(floats) };
const srt: Entry = { schema: sortedOptionsSchema, partial: false, bind: simple(sorted) };

const CHECKERS: Record<string, Entry> = {
  /** Kattis default output validator; `tokens` is the arena's name for it. */
  default: kattis,
  tokens: kattis,
  standard: std,
  lines: std,
  identical: exact,
  exact,
  rstripped: { schema: rstrippedOptionsSchema, partial: false, bind: simple(rstripped) },
  floats: flt,
  floatsabs: { ...flt, fixed: { error_mode: 'absolute' } },
  floatsrel: { ...flt, fixed: { error_mode: 'relative' } },
  sorted: srt,
  unordered: srt,
  linecount: { schema: linecountOptionsSchema, partial: true, bind: simple(linecount) },
};

export const CHECKER_NAMES = Object.freeze(Object.keys(CHECKERS));

export interface LoadedChecker {
  name: string;
  partial: boolean;
  /** The validated options, defaults filled in. */
  options: Readonly<Record<string, unknown>>;
  check: BoundChecker;
}

export function isCheckerName(name: string): boolean {
  return Object.hasOwn(CHECKERS, name);
}

export function loadChecker(name: string, options: Record<string, unknown> = {}): LoadedChecker {
  if (!isCheckerName(name)) {
    throw new SystemError(ErrorCodes.unknownChecker, `Unknown checker ${JSON.stringify(name)}; known: ${CHECKER_NAMES.join(', ')}`, { checker: name });
  }
  const entry = CHECKERS[name]!;
  const parsed = entry.schema.safeParse({ ...options, ...entry.fixed });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new SystemError(ErrorCodes.invalidJudgeConfig, `Invalid options for checker ${name}: ${issues}`, { checker: name });
  }
  const validated = Object.freeze({ ...parsed.data });
  return { name, partial: entry.partial, options: validated, check: entry.bind(validated) };
}
