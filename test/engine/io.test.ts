import { describe, expect, it } from 'vitest';
import { normalizeSource } from '../../src/engine/languages/pasted-source.js';
import { LANGUAGES } from '../../src/engine/languages/registry.js';
import type { RunResult } from '../../src/engine/types.js';
import { CallerError, ErrorCodes } from '../../src/errors.js';
import { out, runCode, useEngine } from '../helpers/engine.js';

/** What goes in and out of a run: stdin, args, several files, compile errors, streaming, cancellation. */

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be reproduced. */
function garbage(n: number, seed: number, skip: (b: number) => boolean = () => false): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; ) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const b = x & 0xff;
    if (!skip(b)) out[i++] = b;
  }
  return out;
}

const compileText = (r: RunResult) => `${r.compile?.stdout.toString('utf8')}${r.compile?.stderr.toString('utf8')}`;

describe('input and output', () => {
  const ctx = useEngine();

  it('stdin reaches the program byte for byte (NUL, invalid UTF-8, more than a pipe buffer)', async () => {
    const input = Buffer.concat([Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0xc3, 0x28, 0x00]), garbage(200_000, 7)]);
    const r = await runCode(ctx.engine, 'python', 'import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read())\n', { stdin: input });
    expect(r.run?.status).toBe('ok');
    expect(r.run!.stdout.length).toBe(input.length);
    expect(r.run!.stdout.equals(input)).toBe(true);
  });

  it('args are passed literally, one argv entry each (no shell)', async () => {
    const args = ['a b', '"double"', "'single'", '', '$HOME', '*', '--flag', '-', 'ünïcödé', 'x\ty', '\\n', '; echo no'];
    const r = await runCode(ctx.engine, 'python', 'import json, sys\nprint(json.dumps(sys.argv[1:]))\n', { args });
    expect(r.run?.status).toBe('ok');
    expect(JSON.parse(out(r))).toEqual(args);
  });

  describe('several files', () => {
    it('java: Main calls a class of another file', async () => {
      const r = await ctx.engine.run({
        language: 'java',
        files: [
          { path: 'Main.java', content: 'public class Main {\n  public static void main(String[] a) {\n    System.out.println(Helper.greet());\n  }\n}\n' },
          { path: 'Helper.java', content: 'class Helper {\n  static String greet() { return "hello from Helper"; }\n}\n' },
        ],
      });
      expect(r.compile?.status).toBe('ok');
      expect(out(r)).toBe('hello from Helper\n');
    });

    it('python: main.py imports a package module', async () => {
      const r = await ctx.engine.run({
        language: 'python',
        files: [
          { path: 'main.py', content: 'import pkg.util\nprint(pkg.util.twice(21), pkg.NAME)\n' },
          { path: 'pkg/__init__.py', content: 'NAME = "pkg"\n' },
          { path: 'pkg/util.py', content: 'def twice(x):\n    return 2 * x\n' },
        ],
      });
      expect(r.run?.status).toBe('ok');
      expect(out(r)).toBe('42 pkg\n');
    });

    it('cpp: a header and a second translation unit in a subdirectory', async () => {
      const r = await ctx.engine.run({
        language: 'cpp',
        files: [
          { path: 'main.cpp', content: '#include <iostream>\n#include "lib/math.hpp"\nint main() { std::cout << mathlib::square(7) << "\\n"; }\n' },
          { path: 'lib/math.hpp', content: '#pragma once\nnamespace mathlib { int square(int x); }\n' },
          { path: 'lib/math.cpp', content: '#include "math.hpp"\nnamespace mathlib { int square(int x) { return x * x; } }\n' },
        ],
      });
      expect(r.compile?.status, compileText(r)).toBe('ok');
      expect(out(r)).toBe('49\n');
    });

    it('go: two files of package main and a sub-package imported as "main/util"', async () => {
      const r = await ctx.engine.run({
        language: 'go',
        files: [
          {
            path: 'main.go',
            content: 'package main\n\nimport (\n\t"fmt"\n\t"main/util"\n)\n\nfunc main() {\n\tfmt.Println(helper(), util.Double(21))\n}\n',
          },
          { path: 'helper.go', content: 'package main\n\nfunc helper() string { return "helper" }\n' },
          { path: 'util/util.go', content: 'package util\n\nfunc Double(x int) int { return 2 * x }\n' },
        ],
      });
      expect(r.compile?.status, compileText(r)).toBe('ok');
      expect(out(r)).toBe('helper 42\n');
    });
  });

  // Each source has its error on line 4; the compiler's message must point there.
  const compileErrors: [string, string, RegExp][] = [
    ['c', '#include <stdio.h>\nint main(void) {\n  int x = 1;\n  int y = ;\n  return x;\n}\n', /main\.c:4:\d+: error/],
    ['cpp', '#include <cstdio>\nint main() {\n  int x = 1;\n  int y = ;\n  return x;\n}\n', /main\.cpp:4:\d+: error/],
    ['java', 'public class Main {\n  public static void main(String[] a) {\n    int x = 1;\n    int y = ;\n  }\n}\n', /Main\.java:4: error/],
    ['go', 'package main\n\nfunc main() {\n\tx := )\n}\n', /main\.go:4:\d+: syntax error/],
    ['rust', 'fn main() {\n    let x = 1;\n    println!("{}", x);\n    let y: i32 = ;\n}\n', /main\.rs:4:\d+/],
    ['typescript', 'const a = 1;\nconsole.log(a);\n\nconst y: number = ;\n', /main\.ts\(4,\d+\): error TS/],
  ];
  for (const [lang, source, where] of compileErrors) {
    it(`${lang}: a syntax error is compile_error naming line 4, and nothing runs`, async () => {
      const r = await runCode(ctx.engine, lang, source);
      expect(r.compile?.status).toBe('compile_error');
      expect(r.run).toBeNull();
      expect(compileText(r)).toMatch(where);
    });
  }

  it('typescript: a type error is a compile error', async () => {
    const r = await runCode(ctx.engine, 'typescript', 'const x: number = "a";\nconsole.log(x);\n');
    expect(r.compile?.status).toBe('compile_error');
    expect(r.run).toBeNull();
    expect(compileText(r)).toMatch(/main\.ts\(1,7\): error TS2322/);
  });

  for (const def of LANGUAGES) {
    it(`${def.id}: binary garbage as source is a verdict, never a thrown error`, async () => {
      // No '<' (a PHP open tag) and no '#' (a shebang line PHP would skip).
      const source = garbage(2000, 0x9e3779b9, (b) => b === 0x3c || b === 0x23);
      const r = await ctx.engine.run({ language: def.id, files: [{ path: def.sourceFile, content: source }] });
      if (def.id === 'php') {
        // Text outside <?php ... ?> is output as is: a valid, if odd, PHP program. As every
        // source file, it was given LF line ends (pasted-source.ts).
        expect(r.run?.status).toBe('ok');
        expect(r.run!.stdout.equals(normalizeSource(source, 'native'))).toBe(true);
      } else if (def.compile) {
        expect(r.compile?.status).toBe('compile_error');
        expect(r.run).toBeNull();
      } else {
        expect(r.run?.status).toBe('runtime_error');
      }
    });
  }

  it('streams output: the first chunk arrives before the run ends', async () => {
    let settled = false;
    const chunks: { text: string; settled: boolean }[] = [];
    const errChunks: string[] = [];
    const p = runCode(
      ctx.engine,
      'python',
      'import sys, time\nprint("first", flush=True)\nprint("err", file=sys.stderr, flush=True)\ntime.sleep(0.3)\nprint("second", flush=True)\n',
      {
        onStdout: (c) => chunks.push({ text: c.toString('utf8'), settled }),
        onStderr: (c) => errChunks.push(c.toString('utf8')),
      },
    );
    void p.then(() => (settled = true));
    const r = await p;
    expect(r.run?.status).toBe('ok');
    // Python writes unbuffered (PYTHONUNBUFFERED), so "first" and its newline may be two chunks.
    expect(chunks[0]?.settled).toBe(false);
    expect(chunks[0]?.text).toMatch(/^first/);
    expect(chunks.map((c) => c.text).join('')).toBe('first\nsecond\n');
    expect(out(r)).toBe('first\nsecond\n');
    expect(errChunks.join('')).toBe('err\n');
  });

  it('python: stdout and stderr interleave in the order written, as in a terminal (PYTHONUNBUFFERED)', async () => {
    // No flush anywhere: block-buffered stdout would arrive at exit, after the stderr line.
    // The combined stream: chunks in arrival order, runs of one stream joined.
    const combined: { stream: 'out' | 'err'; text: string }[] = [];
    const push = (stream: 'out' | 'err', c: Buffer) => {
      const last = combined.at(-1);
      if (last?.stream === stream) last.text += c.toString();
      else combined.push({ stream, text: c.toString() });
    };
    const r = await runCode(
      ctx.engine,
      'python',
      'import os, sys, time\nprint("to stdout", os.environ.get("PYTHONUNBUFFERED"))\ntime.sleep(0.2)\nprint("to stderr", file=sys.stderr)\ntime.sleep(0.2)\nprint("to stdout again")\n',
      { onStdout: (c) => push('out', c), onStderr: (c) => push('err', c) },
    );
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toBe('to stdout 1\nto stdout again\n');
    expect(combined).toEqual([
      { stream: 'out', text: 'to stdout 1\n' },
      { stream: 'err', text: 'to stderr\n' },
      { stream: 'out', text: 'to stdout again\n' },
    ]);
  });

  it('cancellation kills a running endless loop and rejects with CANCELLED; the slots work afterwards', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const err = await runCode(ctx.engine, 'python', 'print("started", flush=True)\nwhile True:\n    pass\n', {
      signal: ac.signal,
      // Abort once the program is certainly running.
      onStdout: () => ac.abort(),
      limits: { cpuMs: 15_000, wallMs: 30_000 },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(CallerError);
    expect(err.code).toBe(ErrorCodes.cancelled);
    // Ended by the cancellation, far before the limits would have ended it.
    expect(Date.now() - t0).toBeLessThan(10_000);
    const again = await Promise.all([
      runCode(ctx.engine, 'python', 'print("one")\n'),
      runCode(ctx.engine, 'python', 'print("two")\n'),
    ]);
    expect(again.map(out)).toEqual(['one\n', 'two\n']);
  });

  it('a request whose signal is already aborted is rejected with CANCELLED', async () => {
    const chunks: Buffer[] = [];
    const err = await runCode(ctx.engine, 'python', 'print("ran")\n', { signal: AbortSignal.abort(), onStdout: (c) => chunks.push(c) }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(CallerError);
    expect(err.code).toBe(ErrorCodes.cancelled);
    expect(chunks).toEqual([]);
  });
});
