import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALL_LANGUAGES } from '../../src/engine/languages/registry.js';
import { processesOfUids } from '../helpers/engine.js';

/**
 * The real command line (bin/muscode -> dist/src/cli/main.js) as a user runs it, in a child
 * process, with files in a temp directory. Each invocation gets a private data dir and a uid
 * range of its own; afterwards nothing of that process may be left (processes, boxes, cgroups).
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin/muscode');
const MAIN_JS = path.join(REPO, 'dist/src/cli/main.js');
// testConfig() uses base and base+1 of this 16-uid block; the CLI takes two others.
const UID_BASE = 61000 + (process.pid % 400) * 16 + 8;
const RUN_DIR = '/run/muscode';
const STAGE_KEYS = ['cpuMs', 'exitCode', 'memoryKb', 'signal', 'status', 'stderr', 'stdout', 'truncated', 'wallMs'];

let work: string;
let dataDir: string;
const pids: number[] = [];

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): CliResult {
  const r = spawnSync(BIN, args, {
    cwd: work,
    encoding: 'utf8',
    timeout: 110_000,
    env: { ...process.env, DATA_DIR: dataDir, SANDBOX_SLOTS: '2', SANDBOX_UID_BASE: String(UID_BASE), SANDBOX_RUN_DIR: RUN_DIR },
  });
  if (r.error) throw r.error;
  if (r.pid) pids.push(r.pid);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(rel: string, content: string): string {
  const file = path.join(work, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return rel;
}

describe('muscode CLI', () => {
  beforeAll(() => {
    // The CLI runs from dist/; build it only when it is missing (the build belongs to `make`).
    if (!fs.existsSync(MAIN_JS)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'inherit' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-cli-'));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-cli-data-'));
  }, 300_000);

  afterEach(() => {
    expect(processesOfUids([UID_BASE, UID_BASE + 1])).toEqual([]);
    for (const pid of pids.splice(0)) {
      const boxes = fs.existsSync(RUN_DIR) ? fs.readdirSync(RUN_DIR).filter((n) => n.startsWith(`${pid}-`)) : [];
      expect(boxes).toEqual([]);
      for (const ctl of ['memory', 'pids', 'cpuacct']) {
        const dir = `/sys/fs/cgroup/${ctl}/muscode`;
        const left = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith(`${pid}-`)) : [];
        expect(left).toEqual([]);
      }
    }
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('run hello.py prints hello and exits 0', () => {
    const r = cli('run', write('hello.py', 'print("hello")\n'));
    expect(r).toEqual({ status: 0, stdout: 'hello\n', stderr: '' });
  });

  it("passes the program's exit code through", () => {
    const r = cli('run', write('exit3.py', 'import sys\nsys.exit(3)\n'));
    expect(r.status).toBe(3);
  });

  it('a time limit ends the run with 128+SIGKILL and says so on stderr', () => {
    const r = cli('run', write('loop.py', 'while True:\n    pass\n'), '--time-limit', '500');
    expect(r.status).toBe(137);
    expect(r.stderr).toMatch(/muscode: time_limit/);
  });

  it('a compile error exits 1 with the compiler message on stderr', () => {
    const r = cli('run', write('bad.c', 'int main(void) {\n  return x;\n}\n'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad\.c:2:\d+: error/);
    expect(r.stderr).toMatch(/muscode: compile_error/);
  });

  it('--json prints one object with exactly the documented keys', () => {
    const r = cli('run', write('json.c', '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n'), '--json');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(['compile', 'language', 'run']);
    expect(j.language).toBe('c');
    expect(Object.keys(j.compile).sort()).toEqual([...STAGE_KEYS, 'cached'].sort());
    expect(Object.keys(j.run).sort()).toEqual(STAGE_KEYS);
    expect(j.compile).toMatchObject({ status: 'ok', cached: false });
    expect(j.run).toMatchObject({ status: 'ok', stdout: 'hi\n', stderr: '', exitCode: 0, signal: null, truncated: false });
    for (const k of ['cpuMs', 'wallMs', 'memoryKb']) expect(typeof j.run[k]).toBe('number');
  });

  it('--json of an interpreted language has compile null', () => {
    const r = cli('run', write('json.py', 'print("x")\n'), '--json');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ language: 'python', compile: null, run: { status: 'ok', stdout: 'x\n' } });
  });

  it('--stdin feeds the program and everything after -- is its arguments', () => {
    const file = write('echo.py', 'import json, sys\nprint(json.dumps({"in": sys.stdin.read(), "argv": sys.argv[1:]}))\n');
    const r = cli('run', file, '--stdin', 'line one\nline two', '--', 'a b', '--json', '-x', '');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ in: 'line one\nline two', argv: ['a b', '--json', '-x', ''] });
  });

  it('--stdin-file reads stdin from a file', () => {
    const r = cli('run', write('cat.py', 'import sys\nsys.stdout.write(sys.stdin.read().upper())\n'), '--stdin-file', write('in.txt', 'abc\n'));
    expect(r).toMatchObject({ status: 0, stdout: 'ABC\n' });
  });

  it('runs several files keeping their paths relative to the main file', () => {
    write('proj/pkg/util.py', 'def shout(s):\n    return s.upper() + "!"\n');
    const r = cli('run', write('proj/main.py', 'from pkg.util import shout\nprint(shout("multi"))\n'), 'proj/pkg/util.py');
    expect(r).toEqual({ status: 0, stdout: 'MULTI!\n', stderr: '' });
  });

  it('an unknown option is a usage error: exit 64', () => {
    const r = cli('run', write('opt.py', 'print(1)\n'), '--bogus');
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/unknown option --bogus/);
    expect(r.stdout).toBe('');
  });

  it('no command at all is a usage error: exit 64', () => {
    expect(cli().status).toBe(64);
  });

  const badInput: [string, () => string[], RegExp][] = [
    ['an unknown language', () => ['run', write('prog.xyz', 'print(1)\n')], /UNKNOWN_LANGUAGE/],
    ['an unknown --lang', () => ['run', write('prog2.py', 'print(1)\n'), '--lang', 'cobol'], /UNKNOWN_LANGUAGE/],
    ['a missing file', () => ['run', 'does-not-exist.py'], /INVALID_FILE.*ENOENT/],
    ['a directory given as a file', () => (fs.mkdirSync(path.join(work, 'dir.py'), { recursive: true }), ['run', 'dir.py']), /INVALID_FILE.*EISDIR/],
    ['an empty file', () => ['run', write('empty.py', '')], /EMPTY_SOURCE/],
    ['a time limit above the maximum', () => ['run', write('limit.py', 'print(1)\n'), '--time-limit', '999999'], /LIMIT_TOO_HIGH/],
  ];
  for (const [name, args, message] of badInput) {
    it(`${name} is bad input: exit 65`, () => {
      const r = cli(...args());
      expect(r.status).toBe(65);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('languages --json lists every language (40 and more), all available', () => {
    const r = cli('languages', '--json');
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; available: boolean; version: string | null }[];
    expect(list.map((l) => l.id).sort()).toEqual(ALL_LANGUAGES.map((d) => d.id).sort());
    expect(list.length).toBeGreaterThanOrEqual(40);
    for (const l of list) expect(l, l.id).toMatchObject({ available: true, version: expect.stringMatching(/\d/) });
  });

  it('selftest passes for the 14 core languages (--all adds the rest; more-languages.test.ts runs them)', () => {
    const r = cli('selftest');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('14/14');
    expect(r.stdout).not.toMatch(/\bFAIL\b/);
  });

  it('run --output-files GLOB --output-dir DIR writes the run\'s files there and names the refused ones', () => {
    const prog = write(
      'plot.py',
      'import os\nopen("plot.png", "wb").write(b"\\x89PNG fake")\nos.makedirs("out", exist_ok=True)\nopen("out/t.csv", "w").write("a,b\\n")\n' +
        'os.symlink("/etc/passwd", "leak.csv")\n',
    );
    const r = cli('run', prog, '--output-files', '*.png,**/*.csv', '--output-dir', 'results');
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(work, 'results/plot.png'), 'latin1')).toBe('\x89PNG fake');
    expect(fs.readFileSync(path.join(work, 'results/out/t.csv'), 'utf8')).toBe('a,b\n');
    expect(fs.existsSync(path.join(work, 'results/leak.csv'))).toBe(false);
    expect(r.stderr).toContain('not returned: leak.csv (symlink)');
    // A symlink already in the output directory is not written through.
    const victim = path.join(work, 'victim.txt');
    fs.writeFileSync(victim, 'untouched');
    fs.symlinkSync(victim, path.join(work, 'results/plot.png.tmp'));
    fs.rmSync(path.join(work, 'results/plot.png'));
    fs.renameSync(path.join(work, 'results/plot.png.tmp'), path.join(work, 'results/plot.png'));
    const again = cli('run', prog, '--output-files', '*.png', '--output-dir', 'results', '--json');
    expect(again.status).toBe(65);
    expect(again.stderr).toMatch(/INVALID_FILE.*ELOOP/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched');
  });

  it('run of a pasted Java file whose public class is not its file name works', () => {
    const r = cli('run', write('paste.java', 'public class FizzBuzz {\n  public static void main(String[] a) { System.out.println("fizz"); }\n}\n'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('fizz\n');
  });
});
