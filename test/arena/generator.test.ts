import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeSubmission } from '../../src/arena/judge/index.js';
import { runGenerator } from '../../src/arena/judge/generator.js';
import { loadProblemPackage } from '../../src/arena/packages/index.js';
import type { TestCase, TestGroup } from '../../src/arena/packages/model.js';
import { useEngine } from '../helpers/engine.js';

/** DMOJ generators run in the real sandbox: generated data, judging on it, and failures that name the case. */
const ctx = useEngine();
const FIX = path.join(import.meta.dirname, '../fixtures/problems/dmoj-generator');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-generator-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cases = (groups: readonly TestGroup[]): TestCase[] => groups.flatMap((g) => [...g.cases, ...cases(g.groups)]);

function variant(name: string, replace: Record<string, string>): string {
  const dir = path.join(tmp, name);
  fs.cpSync(FIX, dir, { recursive: true });
  for (const [rel, content] of Object.entries(replace)) fs.writeFileSync(path.join(dir, rel), content);
  return dir;
}

describe('runGenerator', () => {
  it('writes every case that needs it (stdout the input, stderr the answer) and leaves the others', async () => {
    const loaded = loadProblemPackage(FIX);
    expect(cases(loaded.problem.testData).filter((c) => c.needsGeneration)).toHaveLength(3);
    const { problem, files } = await runGenerator({ engine: ctx.engine, ...loaded });
    const all = cases(problem.testData);
    expect(all.every((c) => !c.needsGeneration && c.input !== null && c.answer !== null)).toBe(true);
    const table = all.map((c) => [c.input, files.readText(c.input!), files.readText(c.answer!)]);
    expect(table).toEqual([
      [loaded.problem.testData.flatMap((g) => g.cases)[0]!.input, '7\n', '49\n'],
      [expect.stringMatching(/^generated\/.+\.in$/), '100\n', '10000\n'],
      [expect.stringMatching(/^generated\/.+\.in$/), '1000\n', '1000000\n'],
      [expect.stringMatching(/^generated\/.+\.in$/), '10000\n', '100000000\n'],
    ]);
    // The original package is untouched.
    expect(cases(loaded.problem.testData).filter((c) => c.needsGeneration)).toHaveLength(3);
  });

  it('gives a package the judge can judge', async () => {
    const generated = await runGenerator({ engine: ctx.engine, ...loadProblemPackage(FIX) });
    const ok = await judgeSubmission({ engine: ctx.engine, ...generated, submission: { language: 'python', code: 'n = int(input())\nprint(n * n)\n' } });
    expect(ok.verdict).toBe('AC');
    expect(ok.score).toBe(ok.maxScore);
    const wrong = await judgeSubmission({ engine: ctx.engine, ...generated, submission: { language: 'python', code: 'n = int(input())\nprint(n * n if n < 1000 else 0)\n' } });
    expect(wrong.verdict).toBe('WA');
    expect(wrong.score).toBe(50);
  });

  it('a generator that crashes on one case is PACKAGE_GENERATOR_FAILED naming that case', async () => {
    const dir = variant('crash', { 'gen.py': 'import sys\nn = int(sys.argv[1])\nassert n != 1000, "no thousands"\nprint(n)\nprint(n * n, file=sys.stderr)\n' });
    const err = await runGenerator({ engine: ctx.engine, ...loadProblemPackage(dir), concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PACKAGE_GENERATOR_FAILED', details: { stage: 'run' } });
    const failedCase = (err as { details: { case: string } }).details.case;
    expect((err as Error).message).toContain(`test case ${failedCase}`);
    expect((err as Error).message).toContain('no thousands');
    const generated = cases(loadProblemPackage(dir).problem.testData).filter((c) => c.needsGeneration);
    expect(generated.find((c) => c.name === failedCase)?.generatorArgs).toEqual(['1000']);
  });

  it('a generator that does not compile is PACKAGE_GENERATOR_FAILED at the compile stage', async () => {
    const dir = variant('broken', {});
    fs.rmSync(path.join(dir, 'gen.py'));
    fs.writeFileSync(path.join(dir, 'gen.c'), 'int main( {\n');
    fs.writeFileSync(path.join(dir, 'init.yml'), fs.readFileSync(path.join(dir, 'init.yml'), 'utf8').replace('generator: gen.py', 'generator: gen.c'));
    await expect(runGenerator({ engine: ctx.engine, ...loadProblemPackage(dir) })).rejects.toMatchObject({ code: 'PACKAGE_GENERATOR_FAILED', details: { stage: 'compile' } });
  });

  it('a generator that runs over its time limit fails too', async () => {
    const dir = variant('slow', { 'gen.py': 'while True:\n    pass\n' });
    const loaded = loadProblemPackage(dir);
    const engine = { run: ctx.engine.run.bind(ctx.engine), runInteractive: ctx.engine.runInteractive.bind(ctx.engine), limits: { ...ctx.engine.limits, run: { ...ctx.engine.limits.run, max: { ...ctx.engine.limits.run.max, cpuMs: 500 } } } };
    await expect(runGenerator({ engine, ...loaded })).rejects.toMatchObject({ code: 'PACKAGE_GENERATOR_FAILED', message: expect.stringContaining('time limit') });
  });
});
