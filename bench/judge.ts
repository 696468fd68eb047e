/**
 * Judging a 50-test problem (a + b, tiny inputs, a C solution) with `judgeSubmission` on the real
 * engine, against the same 50 runs done bare: the binary compiled with the engine's gcc flags and
 * run directly by Node (child_process, no sandbox), in the same rounds (interleaved, after a
 * warm-up that fills the compile cache, so the judge's figure is the runs, not the compile).
 *
 * - judge wall: one `judgeSubmission`, its tests in parallel over every slot;
 * - bare sum: the 50 bare runs one after another (the brief's baseline), and bare parallel: the
 *   same 50 over as many concurrent processes as the engine has slots;
 * - tests per second with all slots busy: `slots` submissions judged at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { judgeSubmission } from '../src/arena/judge/index.js';
import { loadProblemPackage } from '../src/arena/packages/index.js';
import { c } from '../src/engine/languages/c.js';
import { Engine } from '../src/engine/runner/engine.js';
import { benchConfig, isMain, progress, requireRoot, spawnAndWait } from './common.js';
import { markdownTable, ms, ratio, type Summary, summarize, textTable } from './stats.js';

export interface JudgeBenchOptions {
  tests: number;
  rounds: number;
}

export const DEFAULT_JUDGE_OPTIONS: JudgeBenchOptions = { tests: 50, rounds: 5 };

export interface JudgeBenchResult {
  options: JudgeBenchOptions;
  slots: number;
  judge: Summary;
  bareSum: Summary;
  bareParallel: Summary;
  /** Tests per second: `slots` submissions judged at once, and bare runs over `slots` processes. */
  saturatedTestsPerSecond: number;
  bareTestsPerSecond: number;
}

const SOLUTION = '#include <stdio.h>\nint main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\\n", a + b); return 0; }\n';

function writePackage(dir: string, tests: number): { input: string; answer: string }[] {
  const w = (rel: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  };
  w('problem.yaml', 'problem_format_version: 2023-07-draft\nname: Bench Sum\ntype: pass-fail\nlimits:\n  time_limit: 1\n  memory: 64\n');
  const cases: { input: string; answer: string }[] = [];
  for (let i = 0; i < tests; i++) {
    const a = i * 7919;
    const b = 1_000_000 - i;
    const kind = i === 0 ? 'sample' : 'secret';
    const name = `data/${kind}/${String(i).padStart(2, '0')}`;
    w(`${name}.in`, `${a} ${b}\n`);
    w(`${name}.ans`, `${a + b}\n`);
    cases.push({ input: `${a} ${b}\n`, answer: `${a + b}\n` });
  }
  return cases;
}

function runBare(binary: string, input: string, answer: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'ignore'], env: {} });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 && out === answer ? resolve() : reject(new Error(`bare run: exit ${code}, output ${JSON.stringify(out)}`))));
    child.stdin.end(input);
  });
}

async function pool<T>(items: readonly T[], width: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

export async function runJudgeBench(opts: JudgeBenchOptions = DEFAULT_JUDGE_OPTIONS): Promise<JudgeBenchResult> {
  const bc = benchConfig({}, 60);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-judge-'));
  let engine: Engine | null = null;
  try {
    engine = Engine.create(bc.config);
    const slots = engine.stats.slots;
    const pkgDir = path.join(tmp, 'pkg');
    const cases = writePackage(pkgDir, opts.tests);
    const { problem, files } = loadProblemPackage(pkgDir);
    const bareDir = path.join(tmp, 'bare');
    fs.mkdirSync(bareDir);
    fs.writeFileSync(path.join(bareDir, 'main.c'), SOLUTION);
    const argv = c.compile!.argv.filter((a) => a !== '{options}').map((a) => (a === '{sources}' ? 'main.c' : a));
    await spawnAndWait(argv[0]!, argv.slice(1), { cwd: bareDir, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    const binary = path.join(bareDir, 'main');

    const judgeOnce = async () => {
      const r = await judgeSubmission({ engine: engine!, problem, files, submission: { language: 'c', code: SOLUTION } });
      if (r.verdict !== 'AC' || r.tests.length !== opts.tests) throw new Error(`judge: ${r.verdict} over ${r.tests.length} tests`);
    };
    progress('judge: warm-up (compile into the cache)...');
    await judgeOnce();
    for (const x of cases.slice(0, 5)) await runBare(binary, x.input, x.answer);

    const judge: number[] = [];
    const bareSum: number[] = [];
    const bareParallel: number[] = [];
    const saturated: number[] = [];
    const bareSaturated: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      progress(`judge: round ${round + 1}/${opts.rounds}...`);
      let t0 = performance.now();
      await judgeOnce();
      judge.push(performance.now() - t0);
      // Bare, one after another: the sum of the 50 runs.
      let sum = 0;
      for (const x of cases) {
        const t = performance.now();
        await runBare(binary, x.input, x.answer);
        sum += performance.now() - t;
      }
      bareSum.push(sum);
      t0 = performance.now();
      await pool(cases, slots, (x) => runBare(binary, x.input, x.answer));
      bareParallel.push(performance.now() - t0);
      // All slots busy: as many submissions as slots at once.
      t0 = performance.now();
      await Promise.all(Array.from({ length: slots }, judgeOnce));
      saturated.push(performance.now() - t0);
      t0 = performance.now();
      await pool(Array.from({ length: slots }, () => cases).flat(), slots, (x) => runBare(binary, x.input, x.answer));
      bareSaturated.push(performance.now() - t0);
    }
    const sat = summarize(saturated);
    const bsat = summarize(bareSaturated);
    return {
      options: opts,
      slots,
      judge: summarize(judge),
      bareSum: summarize(bareSum),
      bareParallel: summarize(bareParallel),
      saturatedTestsPerSecond: (slots * opts.tests) / (sat.median / 1000),
      bareTestsPerSecond: (slots * opts.tests) / (bsat.median / 1000),
    };
  } finally {
    await engine?.close();
    bc.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatJudgeBench(r: JudgeBenchResult, md = false): string {
  const table = md ? markdownTable : textTable;
  const row = (name: string, s: Summary) => [name, ms(s.median), ms(s.p90), ms(s.min), ms(s.max), String(s.n)];
  return [
    md ? '### Judging a 50-test problem' : '== Judging a 50-test problem ==',
    '',
    `a + b in C (gcc -O2), ${r.options.tests} tests of one line each, ${r.slots} slots, compile served by the cache.`,
    '',
    table(
      ['what', 'median', 'p90', 'min', 'max', 'n'],
      [
        row(`judgeSubmission, ${r.options.tests} tests over ${r.slots} slots (wall)`, r.judge),
        row(`bare: the ${r.options.tests} runs one after another (sum)`, r.bareSum),
        row(`bare: the ${r.options.tests} runs over ${r.slots} processes (wall)`, r.bareParallel),
      ],
    ),
    '',
    `judgeSubmission takes ${ratio(r.judge.median / r.bareSum.median)} the sum of the bare runs and ${ratio(r.judge.median / r.bareParallel.median)} the bare parallel wall;`,
    `per test: ${ms((r.judge.median * r.slots) / r.options.tests)} of slot time judged against ${ms(r.bareSum.median / r.options.tests)} bare.`,
    `with all slots busy (${r.slots} submissions at once): ${r.saturatedTestsPerSecond.toFixed(0)} tests/s judged, ${r.bareTestsPerSecond.toFixed(0)} runs/s bare ` +
      `(${ratio(r.bareTestsPerSecond / r.saturatedTestsPerSecond)}).`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  requireRoot();
  const quick = process.argv.includes('--quick');
  const r = await runJudgeBench(quick ? { tests: 50, rounds: 2 } : DEFAULT_JUDGE_OPTIONS);
  console.log(formatJudgeBench(r, process.argv.includes('--markdown')));
}
