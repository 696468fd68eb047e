import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { CallerError } from '../errors.js';
import { HttpCodes } from './http-errors.js';

/**
 * Request body limits, per route, sized from the configured limits (red-team H1: one 193 MiB
 * limit for every route let a single unauthenticated /auth/login take 5 GB and two minutes).
 *
 * The JSON-escaping factor is 2. JSON.stringify (browsers, Node, our web app) writes printable
 * ASCII in at most 2 characters per byte (`"` and `\` are the only ones escaped), \t \n \r \b \f
 * in 2, and every non-ASCII character unescaped (its UTF-8 bytes, so 1 byte per byte). Only the
 * other C0 control characters take 6 (\u0001), and they do not occur in source text. A client
 * that escapes non-ASCII (Python's json.dumps default) needs up to 3 bytes per byte for 2-byte
 * characters; such a client near the limit should send UTF-8 (ensure_ascii=False). The factor 6
 * of the old limit covered only a body made entirely of control bytes, at three times the cost.
 *
 * What each route may hold is the *default* limits the engine really applies: a job of
 * `jobBytes` (16 MiB), stdin of `stdinBytes.default` (1 MiB; stdinBytes.max is not reachable over
 * the API), arguments of `argsBytes` (64 KiB), a project file of `fileBytes.default` (MAX_FILE_SIZE).
 */
export const JSON_ESCAPE_FACTOR = 2;

const KiB = 1024;

/** Room for field names, small fields, whitespace and a client's pretty-printing. */
const SLACK = 16 * KiB;

/** Bodies of at most this many characters are not scanned: they cannot hold enough values to matter. */
const SCAN_ABOVE = 64 * KiB;

export interface BodyLimits {
  /** register, login, refresh, logout: a few short fields (the longest, a login password, is at most 1,024 characters). */
  auth: number;
  /** Every route not named here: projects' own fields, comments, stars, fork (description and comments are at most 10,000 characters, each at most 6 bytes as \uXXXX). */
  small: number;
  /** POST /execute: one source (at most codeChars characters, and within the job size), stdin and arguments. */
  execute: number;
  /** POST /execute/batch: jobFiles files of at most fileBytes each and jobBytes in all, stdin and arguments. */
  batch: number;
  /** POST /projects/{id}/run: stdin and arguments only (the files are stored). */
  projectRun: number;
  /** POST, PUT, PATCH /projects/{id}/files/...: one file's content and its name and path. */
  projectFile: number;
  /** POST /submissions and POST /problems/{slug}/run: one program as for a batch (and stdin for a custom run). */
  submission: number;
  /** POST /problems: a native problem, its statement and its tests inline (within the job size). */
  problemCreate: number;
}

/** Per-file JSON around a batch file: `{"name":"…","content":""},` with a name of up to 1,000 characters. */
const PER_FILE_OVERHEAD = 64 + 1000 * JSON_ESCAPE_FACTOR;

/** Tests a native problem (POST /problems) may carry inline; a larger problem is a package. */
export const MAX_NATIVE_TESTS = 1000;
/** JSON around one inline test: `{"input":"","output":"","kind":"sample"},`. */
const PER_TEST_OVERHEAD = 64;

export function bodyLimitsFor(config: Pick<Config, 'limits'>): BodyLimits {
  const l = config.limits;
  const runExtras = l.stdinBytes.default + l.argsBytes;
  const code = Math.min(l.jobBytes, l.codeChars.default * 3); // a character is at most 3 UTF-8 bytes
  const files = Math.min(l.jobBytes, l.jobFiles * l.fileBytes.default);
  return {
    auth: 8 * KiB,
    small: 64 * KiB,
    execute: JSON_ESCAPE_FACTOR * (code + runExtras) + SLACK,
    batch: JSON_ESCAPE_FACTOR * (files + runExtras) + l.jobFiles * PER_FILE_OVERHEAD + SLACK,
    projectRun: JSON_ESCAPE_FACTOR * runExtras + SLACK,
    projectFile: JSON_ESCAPE_FACTOR * l.fileBytes.default + SLACK,
    submission: JSON_ESCAPE_FACTOR * (files + runExtras) + l.jobFiles * PER_FILE_OVERHEAD + SLACK,
    problemCreate: JSON_ESCAPE_FACTOR * l.jobBytes + MAX_NATIVE_TESTS * PER_TEST_OVERHEAD + SLACK,
  };
}

/**
 * How many JSON values a body of each large route may hold (objects, arrays and array or object
 * members, counted as `{`, `[` and `,` outside strings). The body limit bounds bytes; this bounds
 * what JSON.parse allocates, which for `[{},{},…]` is about 20 times the bytes and took 9.8 s for
 * 33 MB here. Counted before parsing with a scan that skips strings (about twice JSON.parse's
 * time on source text, and it stops at the bound).
 */
export function maxJsonValuesFor(config: Pick<Config, 'limits'>): { run: number; batch: number; file: number; problem: number } {
  return { run: 1000 + 64, batch: config.limits.jobFiles * 6 + 1000 + 64, file: 64, problem: MAX_NATIVE_TESTS * 6 + 1000 + 64 };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Bound on the JSON values of the body, checked before parsing (src/server/body-limits.ts). */
    maxJsonValues?: number;
  }
}

/**
 * Counts `{`, `[` and `,` outside JSON strings, stopping once past `max`. Strings are skipped with
 * indexOf; an unterminated string ends the scan (JSON.parse then reports the body malformed).
 */
export function countJsonValues(s: string, max: number): number {
  let i = 0;
  let n = 0;
  const len = s.length;
  while (i < len) {
    const q = s.indexOf('"', i);
    const end = q === -1 ? len : q;
    for (let j = i; j < end; j++) {
      const c = s.charCodeAt(j);
      if (c === 123 || c === 91 || c === 44) {
        if (++n > max) return n;
      }
    }
    if (q === -1) break;
    let k = q + 1;
    for (;;) {
      k = s.indexOf('"', k);
      if (k === -1) return n;
      let b = k - 1;
      while (s.charCodeAt(b) === 92) b--;
      if ((k - 1 - b) % 2 === 0) break; // an even run of backslashes: the quote is not escaped
      k++;
    }
    i = k + 1;
  }
  return n;
}

/**
 * Replaces the JSON parser with one that checks the route's `maxJsonValues` first, then parses as
 * fastify does (secure-json-parse: `__proto__` and `constructor` keys are refused).
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const max = request.routeOptions.config?.maxJsonValues;
    if (max !== undefined && text.length > SCAN_ABOVE) {
      const n = countJsonValues(text, max);
      if (n > max) {
        done(new CallerError(HttpCodes.payloadTooLarge, `the request body holds more than ${max} JSON values`, { maxJsonValues: max }), undefined);
        return;
      }
    }
    parse(request, text, done);
  });
}
