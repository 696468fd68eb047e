/**
 * Hostile input through the request itself: shell metacharacters and newlines in arguments and
 * file names (no shell is ever involved, so they must arrive literally), paths that try to
 * leave the box, and argument vectors too large for the engine or for the kernel.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CallerError } from '../../src/errors.js';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { ERRNO, parseLines, uniqueMarker } from './hostile.js';

describe('hostile: request inputs', () => {
  const ctx = useEngine();
  const pwned = path.join(os.tmpdir(), uniqueMarker('pwned'));
  afterAll(() => fs.rmSync(pwned, { force: true }));

  const expectCallerError = async (p: Promise<unknown>, code: string) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CallerError);
    expect((err as CallerError).code).toBe(code);
  };

  const hostile = [
    `$(touch ${pwned})`,
    `\`touch ${pwned}\``,
    `; touch ${pwned}; rm -rf /`,
    `| touch ${pwned}`,
    `&& touch ${pwned}`,
    'a\nb',
    "quote ' and \" and \\",
    '--help',
    '-c',
    '*',
    '$HOME ${PATH} %s %n',
    '',
    ' leading and trailing ',
    'ünïcödé ✓ 𝄞',
    '\t\r\x1b[31m',
  ];

  it('passes shell metacharacters, newlines and options in args literally, in every language', async () => {
    const programs: Record<string, string> = {
      python: 'import sys, json\nprint(json.dumps(sys.argv[1:]))\n',
      c: '#include <stdio.h>\nint main(int c, char **v) { for (int i = 1; i < c; i++) { fputs(v[i], stdout); putchar(0); } return 0; }\n',
      javascript: 'console.log(JSON.stringify(process.argv.slice(2)));\n',
    };
    for (const [lang, src] of Object.entries(programs)) {
      const r = await runCode(ctx.engine, lang, src, { args: hostile });
      expect(r.run?.status, `${lang}: ${r.run?.stderr}`).toBe('ok');
      const got = lang === 'c' ? r.run!.stdout.toString('utf8').split('\0').slice(0, -1) : JSON.parse(out(r));
      expect(got, lang).toEqual(hostile);
    }
    expect(fs.existsSync(pwned)).toBe(false);
  });

  it('takes file names with spaces, $, ;, quotes and backticks literally, as modules and as sources', async () => {
    const weird = "weird $name;`touch x`'q'.py";
    const r = await ctx.engine.run({
      language: 'python',
      files: [
        { path: 'main.py', content: 'import importlib.util, json, os\nname = [n for n in os.listdir(".") if n.startswith("weird")][0]\nspec = importlib.util.spec_from_file_location("weird", name)\nm = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\nprint(json.dumps(name), m.VALUE)\n' },
        { path: weird, content: 'VALUE = "imported"\n' },
        { path: `dir $(touch ${path.basename(pwned)})/x.py`, content: 'pass\n' },
      ],
    });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    expect(out(r)).toBe(`${JSON.stringify(weird)} imported\n`);
    // A C program whose sources have such names: gcc gets them as argv entries, no shell.
    const c = await ctx.engine.run({
      language: 'c',
      files: [
        { path: 'main.c', content: '#include <stdio.h>\nint other(void);\nint main(void) { printf("%d\\n", other()); return 0; }\n' },
        { path: "o t;h$(e)r`x`'.c", content: 'int other(void) { return 42; }\n' },
      ],
    });
    expect(c.compile?.status, c.compile?.stderr.toString()).toBe('ok');
    expect(out(c)).toBe('42\n');
    // Had a host shell seen these names, the touch would have run in the engine's directory.
    expect(fs.existsSync(pwned)).toBe(false);
    expect(fs.existsSync(path.join(process.cwd(), path.basename(pwned)))).toBe(false);
  });

  it('refuses file names with a newline or control characters, and paths that leave the box', async () => {
    for (const bad of ['a\nb.py', 'a\rb.py', 'tab\t.py', '../escape.py', '/etc/passwd', 'a/../../b.py', './x.py', 'x/./y.py', '-rf.py', '@opts.py', 'd/@x.py', '@d/x.py', 'a\\b.py', 'nul\0.py', '']) {
      await expectCallerError(
        ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: 'print(1)\n' }, { path: bad, content: 'x = 1\n' }] }),
        'INVALID_PATH',
      );
    }
    await expectCallerError(ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: 'print(1)\n' }], mainFile: '../main.py' }), 'INVALID_PATH');
    await expectCallerError(ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: 'print(1)\n' }], mainFile: '@main.py' }), 'INVALID_PATH');
    await expectCallerError(ctx.engine.run({ language: 'python', files: [{ path: '.muscode/init', content: 'print(1)\n' }] }), 'INVALID_PATH');
  });

  it('refuses arguments above the configured limit with ARGS_TOO_LARGE, and NUL bytes in them', async () => {
    const limit = ctx.config.limits.argsBytes;
    await expectCallerError(runCode(ctx.engine, 'python', 'print(1)\n', { args: ['x'.repeat(limit)] }), 'ARGS_TOO_LARGE');
    await expectCallerError(runCode(ctx.engine, 'python', 'print(1)\n', { args: Array(limit + 1).fill('') }), 'ARGS_TOO_LARGE');
    await expectCallerError(runCode(ctx.engine, 'python', 'print(1)\n', { args: ['a\0b'] }), 'INVALID_FILE');
    // Just under the limit is fine.
    const r = await runCode(ctx.engine, 'python', 'import sys\nprint(len(sys.argv[1]))\n', { args: ['x'.repeat(limit - 2)] });
    expect(out(r)).toBe(`${limit - 2}\n`);
  });

  it('a program exec-ing itself with a 100 MB argv or environment fails inside (E2BIG), the engine carries on', async () => {
    const src = `
import os, sys
big = "x" * (100 * 2**20)
for name, fn in [
    ("argv_one", lambda: os.execv(sys.executable, [sys.executable, "-c", "print(1)", big])),
    ("argv_many", lambda: os.execv(sys.executable, [sys.executable, "-c", "print(1)"] + [big[:100000]] * 1000)),
    ("env", lambda: os.execve(sys.executable, [sys.executable, "-c", "print(1)"], {"BIG": big})),
]:
    try:
        fn()
    except OSError as e:
        print(f"{name}={e.errno}", flush=True)
`;
    const r = await runCode(ctx.engine, 'python', src, { limits: { memoryBytes: 512 * 2 ** 20 } });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(r));
    for (const k of ['argv_one', 'argv_many', 'env']) expect(lines.get(k), k).toBe(String(ERRNO.E2BIG));
    const next = await runCode(ctx.engine, 'python', 'print("still fine")\n');
    expect(out(next)).toBe('still fine\n');
  });
});

