/**
 * Line numbers from compiler and interpreter messages (web/src/lib/diagnostics.ts), checked on
 * the REAL toolchains' output through the real sandbox, so a toolchain that changes its format
 * breaks this test rather than the playground. Every program has its error on line 3.
 */
import { describe, expect, it } from 'vitest';
import { parseDiagnostics, splitArgs } from '../../web/src/lib/diagnostics';
import { runCode, useEngine } from '../helpers/engine';

const CASES: { language: string; source: string; stage: 'compile' | 'run'; file: string; message: RegExp }[] = [
  { language: 'c', stage: 'compile', file: 'main.c', source: '#include <stdio.h>\nint main(void) {\n  int x = ;\n  return 0;\n}\n', message: /expected expression/ },
  { language: 'cpp', stage: 'compile', file: 'main.cpp', source: '#include <iostream>\nint main() {\n  int x = undeclared_name;\n}\n', message: /undeclared_name/ },
  { language: 'java', stage: 'compile', file: 'Main.java', source: 'public class Main {\n  public static void main(String[] a) {\n    int x = "text";\n  }\n}\n', message: /incompatible types/ },
  { language: 'go', stage: 'compile', file: 'main.go', source: 'package main\n\nfunc main() { undefinedThing() }\n', message: /undefined/ },
  { language: 'rust', stage: 'compile', file: 'main.rs', source: 'fn main() {\n    let _a: i32 = 1;\n    let _b: i32 = "text";\n}\n', message: /mismatched types/ },
  { language: 'typescript', stage: 'compile', file: 'main.ts', source: 'const a: number = 1;\nconsole.log(a);\nconst b: number = "text";\n', message: /not assignable/ },
  { language: 'python', stage: 'run', file: 'main.py', source: 'import sys\n\nraise ValueError("bad value")\n', message: /ValueError: bad value/ },
  { language: 'python', stage: 'run', file: 'main.py', source: 'x = 1\ny = 2\nz = (1 +\n', message: /SyntaxError/ },
  { language: 'javascript', stage: 'run', file: 'main.js', source: 'const a = 1;\n\nnull.x;\n', message: /TypeError/ },
  { language: 'ruby', stage: 'run', file: 'main.rb', source: 'x = 1\ny = 2\nraise "boom"\n', message: /boom/ },
  { language: 'php', stage: 'run', file: 'main.php', source: '<?php\n$x = 1;\n$y = ;\n', message: /syntax error/ },
];

describe('diagnostics from real toolchain output', () => {
  const ctx = useEngine();

  it.each(CASES)('$language ($stage): line 3 of $file', async (c) => {
    const r = await runCode(ctx.engine, c.language, c.source);
    const stage = c.stage === 'compile' ? r.compile! : r.run!;
    expect(stage.status).toBe(c.stage === 'compile' ? 'compile_error' : 'runtime_error');
    // What the API returns: compilationError = compile stdout + stderr; for a run, stderr (PHP prints to stdout).
    const text = Buffer.concat([stage.stdout, stage.stderr]).toString('utf8');
    const found = parseDiagnostics(text);
    const hit = found.find((d) => d.line === 3 && d.file === c.file && d.severity === 'error');
    expect(hit, `no line-3 diagnostic in:\n${text}\nparsed: ${JSON.stringify(found)}`).toBeDefined();
    expect(hit!.message).toMatch(c.message);
  });
});

describe('diagnostics parser details', () => {
  it('keeps the column when there is one, and de-duplicates repeats', () => {
    const d = parseDiagnostics('main.c:3:11: error: expected expression before ‘;’ token\nmain.c:3:11: error: expected expression before ‘;’ token\n');
    expect(d).toEqual([{ file: 'main.c', line: 3, column: 11, severity: 'error', message: 'expected expression before ‘;’ token' }]);
  });

  it('warnings are warnings', () => {
    expect(parseDiagnostics('main.c:2:7: warning: unused variable ‘x’')[0]?.severity).toBe('warning');
  });

  it('python: the innermost frame in the user files wins over library frames', () => {
    const tb = [
      'Traceback (most recent call last):',
      '  File "/box/main.py", line 5, in <module>',
      '    helper()',
      '  File "/box/util.py", line 2, in helper',
      '    int("x")',
      '  File "/usr/lib/python3.11/something.py", line 99, in f',
      "ValueError: invalid literal for int() with base 10: 'x'",
    ].join('\n');
    expect(parseDiagnostics(tb)).toEqual([{ file: 'util.py', line: 2, column: null, severity: 'error', message: "ValueError: invalid literal for int() with base 10: 'x'" }]);
  });

  it('nothing recognisable gives nothing', () => {
    expect(parseDiagnostics('Segmentation fault\n')).toEqual([]);
    expect(parseDiagnostics(null)).toEqual([]);
  });
});

describe('argument line splitting', () => {
  it.each([
    ['', []],
    ['a b  c', ['a', 'b', 'c']],
    ['--name "two words" \'single quoted\'', ['--name', 'two words', 'single quoted']],
    ['a\\ b "x\\"y" \'\'', ['a b', 'x"y', '']],
  ])('%j', (line, args) => {
    expect(splitArgs(line)).toEqual(args);
  });
});
