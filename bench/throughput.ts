/**
 * Throughput: Python "hello" runs per second through the engine, with as many concurrent runs
 * as the engine has slots, against the same program spawned bare by Node with the same
 * concurrency. Rounds alternate bare / engine so that background load on a shared machine hits
 * both alike; the figure reported is the median over rounds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/engine/runner/engine.js';
import { benchConfig, isMain, progress, requireRoot, spawnAndWait } from './common.js';
import { markdownTable, median, pct, textTable } from './stats.js';

export interface ThroughputOptions {
  /** Runs per round, per side. */
  runs: number;
  rounds: number;
  /** Concurrent runs; the engine gets as many slots. Default: the number of cores. */
  concurrency: number;
}

export const DEFAULT_THROUGHPUT_OPTIONS: ThroughputOptions = { runs: 100, rounds: 3, concurrency: os.availableParallelism() };

export interface ThroughputResult {
  options: ThroughputOptions;
  /** Runs per second of each round. */
  bare: number[];
  engine: number[];
  bareMedian: number;
  engineMedian: number;
  /** engine / bare (target >= 0.70). */
  ratio: number;
}

const SOURCE = 'print("hello, muscode")\n';
const EXPECTED = 'hello, muscode\n';
const PY_ENV = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  PYTHONIOENCODING: 'utf-8',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONHASHSEED: '0',
};
export const THROUGHPUT_TARGET = 0.7;

/** Runs `fn` `n` times with `concurrency` workers; returns runs per second. */
async function drive(n: number, concurrency: number, fn: () => Promise<void>): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < n) {
        started++;
        await fn();
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

export async function runThroughput(opts: ThroughputOptions = DEFAULT_THROUGHPUT_OPTIONS): Promise<ThroughputResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-py-'));
  const script = path.join(tmp, 'main.py');
  fs.writeFileSync(script, SOURCE);
  const bc = benchConfig({ SANDBOX_SLOTS: String(opts.concurrency) }, 20);
  let engine: Engine | null = null;
  try {
    engine = Engine.create(bc.config);
    const e = engine;
    const bare = () => spawnAndWait('/usr/bin/python3', ['-B', script], { env: PY_ENV, cwd: tmp });
    const viaEngine = async () => {
      const r = await e.run({ language: 'python', files: [{ path: 'main.py', content: SOURCE }] });
      if (r.run?.status !== 'ok' || r.run.stdout.toString() !== EXPECTED) {
        throw new Error(`engine run failed: ${r.run?.status} ${r.run?.message ?? r.run?.stderr.toString() ?? ''}`);
      }
    };
    // Warm-up: page cache, the engine's language version probe, the slots' cgroups.
    await drive(opts.concurrency * 3, opts.concurrency, bare);
    await drive(opts.concurrency * 3, opts.concurrency, viaEngine);
    const bareRates: number[] = [];
    const engineRates: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      progress(`throughput: round ${round + 1}/${opts.rounds}, ${opts.runs} runs each, concurrency ${opts.concurrency}...`);
      bareRates.push(await drive(opts.runs, opts.concurrency, bare));
      engineRates.push(await drive(opts.runs, opts.concurrency, viaEngine));
    }
    const bareMedian = median(bareRates);
    const engineMedian = median(engineRates);
    return { options: opts, bare: bareRates, engine: engineRates, bareMedian, engineMedian, ratio: engineMedian / bareMedian };
  } finally {
    await engine?.close();
    bc.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatThroughput(r: ThroughputResult, md = false): string {
  const table = md ? markdownTable : textTable;
  const f = (x: number) => x.toFixed(1);
  const rows = r.bare.map((b, i) => [String(i + 1), f(b), f(r.engine[i]!), pct(r.engine[i]! / b)]);
  rows.push(['median', f(r.bareMedian), f(r.engineMedian), pct(r.ratio)]);
  const verdict = r.ratio >= THROUGHPUT_TARGET ? 'meets' : 'MISSES';
  return [
    md ? '### Throughput' : '== Throughput ==',
    '',
    `Python hello, ${r.options.runs} runs per round, ${r.options.concurrency} at a time (engine slots = ${r.options.concurrency}).`,
    '',
    table(['round', 'bare runs/s', 'engine runs/s', 'engine / bare'], rows),
    '',
    `engine throughput is ${pct(r.ratio)} of bare (${verdict} the >= ${pct(THROUGHPUT_TARGET)} target)`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  requireRoot();
  const r = await runThroughput();
  console.log(formatThroughput(r, process.argv.includes('--markdown')));
}
