import { describe, expect, it } from 'vitest';
import type { RunRequest } from '../../src/engine/types.js';
import { CallerError, ErrorCodes } from '../../src/errors.js';
import { useEngine } from '../helpers/engine.js';

/**
 * Bad requests are refused with a CallerError carrying a stable code, before any sandbox is
 * touched. Each request below would print "ran" if it ever ran; the harness checks after each
 * case that nothing was left behind (no process, no box file, no busy slot).
 */

const MiB = 1024 * 1024;
const PY = 'print("ran")\n';
const py = (path: string, content: string | Buffer = PY) => ({ path, content });

interface Case {
  name: string;
  req: Omit<RunRequest, 'onStdout'>;
  code: string;
  /** The message must name the problem. */
  message: RegExp;
}

const cases: Case[] = [
  { name: 'unknown language', req: { language: 'intercal', files: [py('main.py')] }, code: ErrorCodes.unknownLanguage, message: /intercal/ },
  { name: 'no files at all', req: { language: 'python', files: [] }, code: ErrorCodes.emptySource, message: /no source files/ },
  { name: 'empty main file', req: { language: 'python', files: [py('main.py', '')] }, code: ErrorCodes.emptySource, message: /main\.py is empty/ },
  {
    name: 'whitespace-only main file',
    req: { language: 'python', files: [py('main.py', ' \n\t\n')] },
    code: ErrorCodes.emptySource,
    message: /main\.py is empty/,
  },
  { name: 'absolute path', req: { language: 'python', files: [py('/etc/main.py')] }, code: ErrorCodes.invalidPath, message: /absolute/ },
  { name: '".." component', req: { language: 'python', files: [py('../main.py')] }, code: ErrorCodes.invalidPath, message: /"\.\."/ },
  {
    name: '".." in the middle',
    req: { language: 'python', files: [py('pkg/../../main.py')] },
    code: ErrorCodes.invalidPath,
    message: /"\.\."/,
  },
  { name: 'NUL byte in a path', req: { language: 'python', files: [py('ma\0in.py')] }, code: ErrorCodes.invalidPath, message: /NUL/ },
  { name: 'newline in a path', req: { language: 'python', files: [py('ma\nin.py')] }, code: ErrorCodes.invalidPath, message: /control character/ },
  { name: 'leading "-"', req: { language: 'python', files: [py('-rf.py')] }, code: ErrorCodes.invalidPath, message: /starts with "-"/ },
  {
    name: 'leading "-" in a directory',
    req: { language: 'python', files: [py('main.py'), py('-o/x.py')] },
    code: ErrorCodes.invalidPath,
    message: /starts with "-"/,
  },
  { name: 'backslash', req: { language: 'python', files: [py('pkg\\main.py')] }, code: ErrorCodes.invalidPath, message: /backslash/ },
  {
    name: 'mainFile with an invalid path',
    req: { language: 'python', files: [py('main.py')], mainFile: '/main.py' },
    code: ErrorCodes.invalidPath,
    message: /absolute/,
  },
  {
    name: 'duplicate paths',
    req: { language: 'python', files: [py('main.py'), py('main.py')] },
    code: ErrorCodes.duplicateFile,
    message: /main\.py is given twice/,
  },
  {
    name: 'paths differing only in case',
    req: { language: 'python', files: [py('main.py'), py('MAIN.py')] },
    code: ErrorCodes.duplicateFile,
    message: /MAIN\.py is given twice/,
  },
  {
    name: 'a file and a directory of the same name',
    req: { language: 'python', files: [py('main.py'), py('pkg'), py('pkg/util.py')] },
    code: ErrorCodes.invalidPath,
    message: /pkg\/util\.py: a parent directory is also given as a file/,
  },
  {
    name: 'main file missing',
    req: { language: 'python', files: [py('main.py')], mainFile: 'other.py' },
    code: ErrorCodes.mainFileMissing,
    message: /other\.py/,
  },
  {
    name: 'too many files',
    req: { language: 'python', files: Array.from({ length: 257 }, (_, i) => py(`f${i}.py`)) },
    code: ErrorCodes.tooManyFiles,
    message: /257 files.*256/,
  },
  {
    name: 'one file over the file size limit',
    // MAX_FILE_SIZE is 5 MiB (5,242,880 bytes) as in the first seed.
    req: { language: 'python', files: [py('main.py'), py('big.py', Buffer.alloc(5_242_881, 0x61))] },
    code: ErrorCodes.sourceTooLarge,
    message: /big\.py is 5242881 bytes/,
  },
  {
    name: 'sources over the job limit',
    // Each file is under the 5 MiB file limit; together they exceed the 16 MiB job limit.
    req: { language: 'python', files: [py('main.py'), ...Array.from({ length: 4 }, (_, i) => py(`d${i}.py`, Buffer.alloc(4_500_000, 0x61)))] },
    code: ErrorCodes.sourceTooLarge,
    message: /sources total \d+ bytes/,
  },
  {
    name: 'stdin over the limit',
    req: { language: 'python', files: [py('main.py')], stdin: Buffer.alloc(MiB + 1) },
    code: ErrorCodes.stdinTooLarge,
    message: /stdin is 1048577 bytes/,
  },
  {
    name: 'args over the limit',
    req: { language: 'python', files: [py('main.py')], args: Array.from({ length: 65 }, () => 'a'.repeat(1024)) },
    code: ErrorCodes.argsTooLarge,
    message: /arguments total/,
  },
  {
    name: 'run limit above its maximum',
    req: { language: 'python', files: [py('main.py')], limits: { memoryBytes: 4096 * MiB } },
    code: ErrorCodes.limitTooHigh,
    message: /memoryBytes.*maximum/,
  },
  {
    name: 'compile limit above its maximum',
    req: { language: 'c', files: [{ path: 'main.c', content: 'int main(void) { return 0; }\n' }], compileLimits: { wallMs: 60_001 } },
    code: ErrorCodes.limitTooHigh,
    message: /compile limit wallMs/,
  },
  { name: 'zero limit', req: { language: 'python', files: [py('main.py')], limits: { cpuMs: 0 } }, code: ErrorCodes.invalidLimit, message: /cpuMs/ },
  {
    name: 'negative limit',
    req: { language: 'python', files: [py('main.py')], limits: { processes: -1 } },
    code: ErrorCodes.invalidLimit,
    message: /processes/,
  },
  {
    name: 'NaN limit',
    req: { language: 'python', files: [py('main.py')], limits: { wallMs: Number.NaN } },
    code: ErrorCodes.invalidLimit,
    message: /wallMs/,
  },
];

describe('bad input', () => {
  const ctx = useEngine();

  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, async () => {
      const chunks: Buffer[] = [];
      const err = await ctx.engine.run({ ...c.req, onStdout: (b) => chunks.push(b) }).then(
        (r) => new Error(`expected a rejection, got ${JSON.stringify(r.run?.status ?? r.compile?.status)}`),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CallerError);
      expect((err as CallerError).code).toBe(c.code);
      expect((err as CallerError).message).toMatch(c.message);
      expect(chunks).toEqual([]);
    });
  }

  it('a valid request still runs after all the refusals', async () => {
    const r = await ctx.engine.run({ language: 'python', files: [py('main.py')] });
    expect(r.run?.stdout.toString()).toBe('ran\n');
  });
});
