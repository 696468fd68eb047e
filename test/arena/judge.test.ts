import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeSubmission, type JudgeSubmission } from '../../src/arena/judge/index.js';
import { loadProblemPackage } from '../../src/arena/packages/index.js';
import { useEngine } from '../helpers/engine.js';

const FIX = path.join(import.meta.dirname, '../fixtures');
const ctx = useEngine();

function pkg(rel: string) {
  return loadProblemPackage(path.join(FIX, rel));
}

function py(code: string): JudgeSubmission {
  return { language: 'python', code };
}

function fromFile(rel: string, language: string): JudgeSubmission {
  const p = path.join(FIX, rel);
  return { language, files: [{ path: path.basename(p), content: fs.readFileSync(p) }] };
}

async function judge(rel: string, submission: JudgeSubmission, limits?: { cpuMs?: number; memoryBytes?: number }) {
  const { problem, files } = pkg(rel);
  return judgeSubmission({ engine: ctx.engine, problem, files, submission, ...(limits ? { limits } : {}) });
}

const summary = (r: Awaited<ReturnType<typeof judge>>) => r.tests.map((t) => `${t.name}:${t.verdict}`);

describe('judgeSubmission', () => {
  it('accepts a right answer on every test, with measurements, and scores it', async () => {
    const progress: number[] = [];
    const { problem, files } = pkg('judge/sum-legacy');
    const r = await judgeSubmission({
      engine: ctx.engine,
      problem,
      files,
      submission: fromFile('judge/sum-legacy/submissions/accepted/sum.py', 'python'),
      onProgress: (p) => progress.push(p.tests.filter((t) => t.verdict !== 'pending').length),
    });
    expect(r.verdict).toBe('AC');
    expect(summary(r)).toEqual(['sample/1:AC', 'secret/1:AC', 'secret/2:AC', 'secret/3:AC']);
    expect(r.score).toBe(r.maxScore);
    expect(r.maxScore).toBeGreaterThan(0);
    for (const t of r.tests) {
      expect(t.cpuMs).not.toBeNull();
      expect(t.memoryKb).toBeGreaterThan(0);
    }
    // Defaults when the package sets no time limit: 2 s CPU; the package's 64 MiB memory.
    expect(r.limits).toMatchObject({ cpuMs: 2000, memoryBytes: 64 * 2 ** 20 });
    expect(progress.at(-1)).toBe(4);
  });

  it('gives WA on the first wrong test and skips the rest of its break group', async () => {
    const r = await judge('judge/sum-legacy', fromFile('judge/sum-legacy/submissions/wrong_answer/minus.py', 'python'));
    expect(r.verdict).toBe('WA');
    expect(r.firstFailure).toBe('secret/1');
    expect(r.score).toBe(0);
    expect(r.tests[0]!.verdict).toBe('AC');
    expect(r.tests[1]!.verdict).toBe('WA');
    expect(r.tests[1]!.message).toMatch(/30/);
    // secret/2 may have started in parallel before secret/1 failed; either way the table says SK.
    expect(r.tests.slice(2).map((t) => t.verdict)).toEqual(['SK', 'SK']);
    expect(r.tests[3]!.skipReason).toBe('test secret/1 failed');
  });

  it('gives TLE for a busy loop', async () => {
    const r = await judge('judge/sum-legacy', py('while True:\n    pass\n'), { cpuMs: 300 });
    expect(r.verdict).toBe('TLE');
    expect(r.tests[0]).toMatchObject({ name: 'sample/1', verdict: 'TLE' });
  });

  it('gives RTE with the exit code for a crash', async () => {
    const r = await judge('judge/sum-legacy', fromFile('judge/sum-legacy/submissions/run_time_error/crash.py', 'python'));
    expect(r.verdict).toBe('RTE');
    expect(r.tests[0]!.detail).toBe('exit 3');
  });

  it('gives MLE for a program that allocates and touches too much', async () => {
    const r = await judge('judge/sum-legacy', py('x = bytearray(200 * 1024 * 1024)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\nprint(len(x))\n'), { memoryBytes: 48 * 2 ** 20 });
    expect(r.verdict).toBe('MLE');
    expect(r.tests[0]!.verdict).toBe('MLE');
  });

  it('gives CE with the compiler message, every test skipped', async () => {
    const r = await judge('judge/sum-legacy', { language: 'cpp', code: 'int main() { return nope; }\n' });
    expect(r.verdict).toBe('CE');
    expect(r.compileMessage).toMatch(/nope/);
    expect(r.tests.every((t) => t.verdict === 'SK' && t.skipReason === 'compile error')).toBe(true);
  });

  it('compiles once and judges a C++ submission of an existing fixture (float tolerance flags)', async () => {
    const ac = await judge('problems/kattis-legacy-average', fromFile('problems/kattis-legacy-average/submissions/accepted/avg.py', 'python'));
    expect(ac.verdict).toBe('AC');
    const wa = await judge('problems/kattis-legacy-average', fromFile('problems/kattis-legacy-average/submissions/wrong_answer/floor.cpp', 'cpp'));
    expect(wa.verdict).toBe('WA');
    // Pass-fail: the sample failed, so the secret group (which requires it) was skipped; one compile.
    expect(wa.tests.map((t) => t.cpuMs === null)).toEqual([false, true, true]);
    expect(wa.tests[1]!.skipReason).toBe('group sample did not pass');
    expect(wa.compiles).toBe(1);
    const again = await judge('problems/kattis-legacy-average', fromFile('problems/kattis-legacy-average/submissions/wrong_answer/floor.cpp', 'cpp'));
    expect(again.compiles).toBe(0);
  });

  describe('custom Kattis validator in the sandbox', () => {
    it('AC when it exits 42', async () => {
      const r = await judge('judge/validator-kattis', fromFile('judge/validator-kattis/submissions/accepted/double.py', 'python'));
      expect(r.verdict).toBe('AC');
      expect(summary(r)).toEqual(['sample/1:AC', 'secret/1:AC']);
    });

    it('WA with its message when it exits 43', async () => {
      const r = await judge('judge/validator-kattis', fromFile('judge/validator-kattis/submissions/wrong_answer/triple.py', 'python'));
      expect(r.verdict).toBe('WA');
      expect(r.tests[0]!.message).toBe('expected 8, got 12');
    });

    it('a compiled (C++) validator gets the input and answer files in its box', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-judge-'));
      try {
        fs.cpSync(path.join(FIX, 'judge/validator-kattis'), dir, { recursive: true });
        fs.rmSync(path.join(dir, 'output_validators/check/check.py'));
        fs.writeFileSync(
          path.join(dir, 'output_validators/check/check.cpp'),
          '#include <fstream>\n#include <iostream>\nint main(int, char** argv) { std::ifstream in(argv[1]), ans(argv[2]); long n, a, b; in >> n; ans >> a;\n' +
            '  if (!(std::cin >> b)) return 1; if (a == 2 * n && b == a) return 42; std::cerr << "want " << a << "\\n"; return 43; }\n',
        );
        const { problem, files } = loadProblemPackage(dir);
        expect(problem.validation.custom?.language).toBe('cpp');
        const ok = await judgeSubmission({ engine: ctx.engine, problem, files, submission: py('print(2 * int(input()))\n') });
        expect(summary(ok)).toEqual(['sample/1:AC', 'secret/1:AC']);
        const wrong = await judgeSubmission({ engine: ctx.engine, problem, files, submission: py('print(7)\n') });
        expect(wrong.verdict).toBe('WA');
        expect(wrong.tests[0]!.message).toBe('want 8');
        const silent = await judgeSubmission({ engine: ctx.engine, problem, files, submission: py('pass\n') });
        expect(silent.tests[0]).toMatchObject({ verdict: 'JE' });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('engine dataFiles: joined to the run box after the compile, so other data compiles nothing', async () => {
      const src = '#include <fstream>\n#include <iostream>\nint main() { std::ifstream f("__judge/input"); long x; f >> x; std::cout << x * 2 << "\\n"; }\n';
      const run = (data: string) => ctx.engine.run({ language: 'cpp', files: [{ path: 'v.cpp', content: src }], dataFiles: [{ path: '__judge/input', content: data }] });
      const a = await run('21');
      const b = await run('50');
      expect(a.run?.stdout.toString()).toBe('42\n');
      expect(b.run?.stdout.toString()).toBe('100\n');
      expect(b.compile?.cached).toBe(true);
      await expect(ctx.engine.run({ language: 'python', files: [{ path: 'a.py', content: 'print(1)' }], dataFiles: [{ path: 'A.py', content: 'x' }] })).rejects.toMatchObject({ code: 'DUPLICATE_FILE' });
    });

    it('JE, not WA, when the validator crashes', async () => {
      const r = await judge('judge/validator-kattis', py('print("crash")\n'));
      expect(r.verdict).toBe('JE');
      expect(r.tests[0]!.verdict).toBe('JE');
      expect(r.tests[0]!.message).toMatch(/must exit 42 or 43/);
      expect(r.tests[0]!.message).toMatch(/validator bug/);
    });
  });

  describe('Kattis 2025-09 scoring groups', () => {
    it('partial score: groups add up; a group whose required group failed is SK', async () => {
      const part = await judge('judge/groups-2025', fromFile('judge/groups-2025/submissions/partially_accepted/small.py', 'python'));
      expect(part.verdict).toBe('WA');
      expect(part.score).toBe(40);
      expect(part.groups.map((g) => [g.name, g.score, g.state])).toEqual([
        ['sample', 0, 'passed'],
        ['secret/1-small', 40, 'passed'],
        ['secret/2-large', 0, 'failed'],
      ]);
      const wrong = await judge('judge/groups-2025', fromFile('judge/groups-2025/submissions/wrong_answer/off-by-one.py', 'python'));
      expect(summary(wrong)).toEqual(['sample/1:WA', 'secret/1-small/a:WA', 'secret/1-small/b:SK', 'secret/2-large/a:SK']);
      expect(wrong.tests[3]!.skipReason).toBe('group secret/1-small did not pass');
      expect(wrong.score).toBe(0);
    });
  });

  describe('DMOJ package: checker by name, per-case points, batches with dependencies', () => {
    it('scores every case and batch when all are right (floats checker)', async () => {
      const r = await judge('problems/dmoj-batches', py('n = int(input())\nprint(f"{n * n}.00001")\n'));
      expect(r.verdict).toBe('AC');
      expect(r.tests.map((t) => t.name)).toEqual(['secret/1', 'secret/2-batch1/1', 'secret/2-batch1/2', 'secret/3-batch2/1', 'secret/3-batch2/2', 'secret/4']);
      expect(r.score).toBe(r.maxScore);
      expect(r.maxScore).toBe(101);
    });

    it('skips a batch whose dependency failed, keeps the other points (partial score)', async () => {
      const r = await judge('problems/dmoj-batches', py('n = int(input())\nprint(5 if n == 2 else n * n)\n'));
      expect(r.verdict).toBe('WA');
      expect(r.firstFailure).toBe('secret/2-batch1/1');
      expect(summary(r)).toEqual(['secret/1:AC', 'secret/2-batch1/1:WA', 'secret/2-batch1/2:SK', 'secret/3-batch2/1:SK', 'secret/3-batch2/2:SK', 'secret/4:AC']);
      expect(r.tests[3]!.skipReason).toBe('group secret/2-batch1 did not pass');
      expect(r.score).toBe(6);
    });
  });

  it('stops when cancelled: rejects, and leaves nothing running (checked after each test)', async () => {
    const { problem, files } = pkg('judge/sum-legacy');
    const abort = new AbortController();
    const p = judgeSubmission({
      engine: ctx.engine,
      problem,
      files,
      submission: py('while True:\n    pass\n'),
      limits: { cpuMs: 10_000 },
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 200);
    await expect(p).rejects.toThrow();
  });

  it('stops when cancelled while tests run in parallel', async () => {
    const { problem, files } = pkg('judge/sum-legacy');
    const abort = new AbortController();
    // The sample passes (a + b), then every secret test spins: both slots busy when cancelled.
    const p = judgeSubmission({
      engine: ctx.engine,
      problem,
      files,
      submission: py('a, b = map(int, input().split())\nwhile a + b != 3:\n    pass\nprint(3)\n'),
      limits: { cpuMs: 10_000 },
      signal: abort.signal,
      onProgress: () => setTimeout(() => abort.abort(), 200),
    });
    await expect(p).rejects.toThrow();
  });

  it('feeds test inputs larger than the playground stdin limit (1 MiB)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-judge-'));
    try {
      fs.cpSync(path.join(FIX, 'judge/sum-legacy'), dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'data/secret/3.in'), `7 -2\n${'x'.repeat(2 * 2 ** 20)}\n`);
      expect(ctx.engine.limits.stdinBytes.default).toBeLessThan(2 * 2 ** 20);
      const { problem, files } = loadProblemPackage(dir);
      const r = await judgeSubmission({ engine: ctx.engine, problem, files, submission: fromFile('judge/sum-legacy/submissions/accepted/sum.py', 'python') });
      expect(r.tests.at(-1)).toMatchObject({ name: 'secret/3', verdict: 'AC' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('judges the interactive package with its interactor (more in interactive-judge.test.ts)', async () => {
    const ok = await judge('problems/kattis-interactive-guess', fromFile('problems/kattis-interactive-guess/submissions/accepted/guess.py', 'python'));
    expect(ok.verdict).toBe('AC');
    const wa = await judge('problems/kattis-interactive-guess', py('print(1)\n'));
    expect(wa.verdict).toBe('WA');
  });
});
