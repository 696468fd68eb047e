/**
 * Code as people paste it (issue 13, item 3), through the real sandbox: Java classes not named
 * Main, a shebang line, Windows line ends and a UTF-8 BOM, TypeScript scripts using Node's APIs.
 */
import { describe, expect, it } from 'vitest';
import { esModuleFiles, javaMainFile, normalizeSource } from '../../src/engine/languages/pasted-source.js';
import { LANGUAGES } from '../../src/engine/languages/registry.js';
import { out, runCode, useEngine } from '../helpers/engine.js';

const FIZZ = `import java.util.Scanner;

public class FizzBuzz {
    public static void main(String[] args) {
        int n = new Scanner(System.in).nextInt();
        for (int i = 1; i <= n; i++) {
            System.out.println(i % 15 == 0 ? "FizzBuzz" : i % 3 == 0 ? "Fizz" : i % 5 == 0 ? "Buzz" : String.valueOf(i));
        }
    }
}
`;
const FIZZ_OUT = '1\n2\nFizz\n4\nBuzz\n';

describe('javaMainFile reads the class a pasted file needs', () => {
  it('names the public class, the only class with main, a package directory', () => {
    expect(javaMainFile(FIZZ)).toBe('FizzBuzz.java');
    expect(javaMainFile('class Helper { int x; }\nclass Solution {\n  public static void main(String[] a) {}\n}\n')).toBe('Solution.java');
    expect(javaMainFile('package com.acme.tools;\n\npublic final class App { public static void main(String... a) {} }')).toBe('com/acme/tools/App.java');
    // A public class without main still names the file (javac requires it).
    expect(javaMainFile('public class Lib { }')).toBe('Lib.java');
    expect(javaMainFile('@SuppressWarnings("unused")\npublic record Point(int x, int y) { }')).toBe('Point.java');
  });

  it('ignores comments, strings, nested classes; says nothing when it cannot tell', () => {
    const tricky =
      '/* public class Wrong {} */\n// public class AlsoWrong\nclass Real {\n  static String s = "public class InString {";\n' +
      '  static class Inner { public static void main(String[] a) {} }\n  public static void main(String[] a) { System.out.println(\'{\'); }\n}\n';
    expect(javaMainFile(tricky)).toBe('Real.java');
    expect(javaMainFile('class A { public static void main(String[] a) {} }\nclass B { public static void main(String[] a) {} }')).toBeUndefined();
    expect(javaMainFile('int x = 1;')).toBeUndefined();
  });

  it('reads hostile megabyte sources in one pass (no regex that backtracks over the file)', () => {
    // Each of these made an earlier draft quadratic: it must come back, with the right answer.
    expect(javaMainFile(`class A {${' static'.repeat(200_000)} }`)).toBeUndefined();
    expect(javaMainFile(`${'/*'.repeat(300_000)}`)).toBeUndefined();
    expect(javaMainFile(`${'class '.repeat(100_000)}`)).toBeUndefined();
    expect(esModuleFiles(`${'\n'.repeat(1_000_000)}x`, 'javascript')).toEqual([]);
    expect(esModuleFiles(`${'`'.repeat(500_001)}`, 'typescript')).toEqual([]);
  });
});

describe('normalizeSource', () => {
  it('drops a BOM, turns CRLF into LF, blanks a shebang only where asked, keeps Rust attributes', () => {
    const src = Buffer.from('\uFEFF#!/usr/bin/env x\r\nline\r\n', 'utf8');
    expect(normalizeSource(src, 'blank').toString()).toBe('\nline\n');
    expect(normalizeSource(src, 'native').toString()).toBe('#!/usr/bin/env x\nline\n');
    expect(normalizeSource(Buffer.from('#![allow(unused)]\nfn main() {}\n'), 'blank').toString()).toBe('#![allow(unused)]\nfn main() {}\n');
    // Bytes that are not UTF-8 come back unchanged.
    const latin = Buffer.from([0x63, 0xe9, 0x0d, 0x0a]);
    expect([...normalizeSource(latin, 'native')]).toEqual([0x63, 0xe9, 0x0a]);
  });
});

describe('pasted code in the sandbox', () => {
  const ctx = useEngine();

  it('Java: public class FizzBuzz sent as single-file code (named Main.java by default) runs', async () => {
    const r = await runCode(ctx.engine, 'java', FIZZ, { stdin: '5\n' });
    expect(r.compile?.status).toBe('ok');
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toBe(FIZZ_OUT);
  });

  it('Java: a non-public class with main, and a class in a package, run', async () => {
    const plain = FIZZ.replace('public class FizzBuzz', 'class FizzBuzz');
    const r = await runCode(ctx.engine, 'java', plain, { stdin: '5\n' });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    expect(out(r)).toBe(FIZZ_OUT);
    const r2 = await runCode(ctx.engine, 'java', `package org.example.kata;\n\n${FIZZ}`, { stdin: '5\n' });
    expect(r2.run?.status, r2.compile?.stderr.toString()).toBe('ok');
    expect(out(r2)).toBe(FIZZ_OUT);
  });

  it('Java: a multi-file project keeps its explicit main file', async () => {
    const r = await ctx.engine.run({
      language: 'java',
      files: [
        { path: 'Main.java', content: 'public class Main { public static void main(String[] a) { System.out.println(Util.twice(21)); } }\n' },
        { path: 'Util.java', content: 'public class Util { static int twice(int x) { return 2 * x; } public static void main(String[] a) { System.out.println("wrong"); } }\n' },
      ],
    });
    expect(out(r)).toBe('42\n');
  });

  // Every language's self-test, pasted from a Windows editor with a shebang on top.
  for (const def of LANGUAGES) {
    it(`${def.id}: a UTF-8 BOM, CRLF line ends and a shebang line do not break it`, async () => {
      const source = `\uFEFF#!/usr/bin/env ${def.id}\n${def.selfTest.source}`.replaceAll('\n', '\r\n');
      const r = await runCode(ctx.engine, def.id, source, { stdin: def.selfTest.stdin, args: def.selfTest.args });
      expect(r.compile?.status ?? 'ok', r.compile?.stderr.toString()).toBe('ok');
      expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
      expect(out(r)).toBe(def.selfTest.expected);
    });
  }

  it('Java: a compile error keeps its line number under a blanked shebang', async () => {
    const r = await runCode(ctx.engine, 'java', '#!/usr/bin/java --source 17\r\npublic class X {\r\n  int y = ;\r\n}\r\n');
    expect(r.compile?.status).toBe('compile_error');
    expect(r.compile?.stderr.toString()).toContain('X.java:3:');
  });

  it('TypeScript: scripts using Node APIs compile (require, process, a global named like a DOM one)', async () => {
    const script =
      "const fs = require('fs');\nconst name = fs.readFileSync(0, 'utf8').trim();\nconst timer: NodeJS.Timeout = setTimeout(() => {}, 0);\n" +
      'clearTimeout(timer);\nprocess.stdout.write(`hello, ${name} ${Buffer.from("ab").length} ${__dirname.length > 0}\\n`);\n';
    const r = await runCode(ctx.engine, 'typescript', script, { stdin: 'muscode\n' });
    expect(r.compile?.status, r.compile?.stdout.toString()).toBe('ok');
    expect(out(r)).toBe('hello, muscode 2 true\n');

    const readline =
      "import * as readline from 'node:readline';\nconst rl = readline.createInterface({ input: process.stdin });\nlet total = 0;\n" +
      "rl.on('line', (l: string) => { total += Number(l); });\nrl.on('close', () => console.log(total));\n";
    const r2 = await runCode(ctx.engine, 'typescript', readline, { stdin: '1\n2\n3\n' });
    expect(r2.compile?.status, r2.compile?.stdout.toString()).toBe('ok');
    expect(out(r2)).toBe('6\n');
  });

  it('JavaScript and TypeScript: a top-level await and import statements run (as an ES module)', async () => {
    const tla =
      "import { stdin } from 'node:process';\nlet text = '';\nfor await (const chunk of stdin) text += chunk;\n" +
      'const [a, b] = text.split(/\\s+/).map(Number);\nconsole.log(a + b);\n';
    for (const lang of ['javascript', 'typescript']) {
      const r = await runCode(ctx.engine, lang, tla, { stdin: '3 4\n' });
      expect(r.compile?.status ?? 'ok', `${lang}: ${r.compile?.stdout.toString()}`).toBe('ok');
      expect(out(r), `${lang}: ${r.run?.stderr.toString()}`).toBe('7\n');
    }
    // A CommonJS program stays CommonJS, await or not.
    const cjs = "const fs = require('fs');\n(async () => { const t = await Promise.resolve(fs.readFileSync(0, 'utf8')); console.log(t.trim()); })();\n";
    expect(out(await runCode(ctx.engine, 'javascript', cjs, { stdin: 'cjs\n' }))).toBe('cjs\n');
  });

  it('stdin can be opened by name (/dev/stdin), sized and read again, as a redirected file', async () => {
    const js = "console.log(require('fs').readFileSync('/dev/stdin', 'utf8').trim().split(' ').map(Number).reduce((a, b) => a + b));\n";
    const r = await runCode(ctx.engine, 'javascript', js, { stdin: '3 4 5\n' });
    expect(out(r), r.run?.stderr.toString()).toBe('12\n');
    // Read-only, whichever way it is opened: the file lives outside the box's quota.
    const py =
      'import os, sys\nprint(os.fstat(0).st_size, sys.stdin.read().split())\nprint(open("/dev/stdin").read().strip())\n' +
      'for how in (lambda: os.write(0, b"x"), lambda: open("/dev/stdin", "w")):\n  try:\n    how(); print("written")\n' +
      '  except OSError as e:\n    print(e.errno in (9, 13))\n';
    const r2 = await runCode(ctx.engine, 'python', py, { stdin: 'x y\n' });
    expect(out(r2), r2.run?.stderr.toString()).toBe("4 ['x', 'y']\nx y\nTrue\nTrue\n");
  });
});
