import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { CallerError, ErrorCodes, SystemError } from '../../src/errors.js';
import { HttpCodes, statusOf } from '../../src/server/http-errors.js';

/**
 * docs/errors.md is what client authors switch on: every code the API or the engine can answer
 * with must be there, with the status `statusOf` really gives it.
 */

/** Codes raised as SystemError (our fault); every other code is raised as a CallerError. */
const SYSTEM_CODES = new Set<string>([
  HttpCodes.internal,
  HttpCodes.serviceUnavailable,
  ErrorCodes.engineClosed,
  ErrorCodes.sandboxUnavailable,
  ErrorCodes.unknownSandboxDriver,
  ErrorCodes.cgroupUnavailable,
  ErrorCodes.internal,
  ErrorCodes.invalidConfig,
  ErrorCodes.unknownChecker,
  ErrorCodes.invalidJudgeConfig,
]);

function documentedRows(): { code: string; status: number }[] {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/errors.md'), 'utf8');
  return [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => ({ code: m[1]!, status: Number(m[2]) }));
}

describe('docs/errors.md', () => {
  const rows = documentedRows();
  const all = [...new Set([...Object.values(HttpCodes), ...Object.values(ErrorCodes)])];

  it('lists every code of HttpCodes and ErrorCodes', () => {
    const documented = new Set(rows.map((r) => r.code));
    expect(all.filter((c) => !documented.has(c))).toEqual([]);
  });

  it('gives each code the HTTP status the server answers it with', () => {
    const wrong = rows
      .filter((r) => (all as string[]).includes(r.code))
      .map((r) => {
        const err = SYSTEM_CODES.has(r.code) ? new SystemError(r.code, 'x') : new CallerError(r.code, 'x');
        return { code: r.code, documented: r.status, actual: statusOf(err) };
      })
      .filter((r) => r.documented !== r.actual);
    expect(wrong).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    expect(rows.filter((r) => !(all as string[]).includes(r.code)).map((r) => r.code)).toEqual([]);
  });
});
