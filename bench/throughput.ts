/**
 * Throughput: Python "hello" runs per second through the engine, with as many concurrent runs
 * as the engine has slots, against the same program spawned bare by Node with the same
 * concurrency. Each round runs every series once, in turn, so that background load on a shared
 * machine hits all alike; the headline is the median over rounds of engine / bare.
 *
 * Two more series explain the gap (reported, not targets):
 *   bwrap alone          the launcher and bubblewrap with the engine's exact argv, no cgroups
 *                        and no engine bookkeeping: what the sandbox itself costs
 *   bwrap, no net ns     the same without --unshare-net: creating and tearing down a network
 *                        namespace is known to be slow on some kernels (the engine keeps it)
 * and a second workload, a Python program with ~100 ms of CPU, shows how the ratio depends on
 * how much the program itself does (the sandbox's cost per run is fixed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCgroupDriver } from '../src/engine/cgroups/detect.js';
import { Engine } from '../src/engine/runner/engine.js';
import type { BwrapSandbox } from '../src/engine/sandbox/bwrap.js';
import { seccompFilter } from '../src/engine/sandbox/seccomp.js';
import { benchConfig, benchSandbox, closeBenchSandbox, boxPathOf, isMain, progress, requireRoot, spawnAndWait } from './common.js';
import { markdownTable, median, pct, textTable } from './stats.js';

export interface ThroughputOptions {
  /** Runs per round, per series. */
  runs: number;
  rounds: number;
  /** Concurrent runs; the engine gets as many slots. Default: the number of cores. */
  concurrency: number;
  /** Runs per round and rounds of the CPU-heavier workload (0 runs skips it). */
  heavyRuns: number;
  heavyRounds: number;
}

export const DEFAULT_THROUGHPUT_OPTIONS: ThroughputOptions = {
  runs: 100,
  rounds: 5,
  concurrency: os.availableParallelism(),
  heavyRuns: 30,
  heavyRounds: 3,
};

export const SERIES = ['bare', 'engine', 'bwrap', 'bwrapNoNet'] as const;
export type Series = (typeof SERIES)[number];

const SERIES_LABELS: Record<Series, string> = {
  bare: 'bare python3 (Node spawn)',
  engine: 'engine.run(python)',
  bwrap: 'launcher -> bwrap (engine argv), no cgroups',
  bwrapNoNet: 'same, without --unshare-net',
};

export interface ThroughputResult {
  options: ThroughputOptions;
  /** Runs per second of each round, per series. */
  rates: Record<Series, number[]>;
  /** CPU of this Node process per run (ms), per series: the engine's own bookkeeping. */
  nodeCpuMs: Record<Series, number>;
  /** Median over rounds of engine / bare (target >= 0.70). */
  ratio: number;
  /** Median CPU (ms) the slot cgroup measured for one engine run: launcher, bwrap, init, python. */
  engineRunCpuMs: number;
  /** The ~100 ms CPU workload: runs/s per round. */
  heavy: { bare: number[]; engine: number[]; ratio: number } | null;
}

const SOURCE = 'print("hello, muscode")\n';
const EXPECTED = 'hello, muscode\n';
const HEAVY_SOURCE = 's = 0\nfor i in range(1700000):\n    s += i * i\nprint(s)\n';
const HEAVY_EXPECTED = '1637665221666950000\n';
const PY_ENV = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  PYTHONIOENCODING: 'utf-8',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONHASHSEED: '0',
};
export const THROUGHPUT_TARGET = 0.8;

/** Runs `fn(worker)` `n` times with `concurrency` workers; returns runs per second. */
async function drive(n: number, concurrency: number, fn: (worker: number) => Promise<void>): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (started < n) {
        started++;
        await fn(worker);
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

function dropFlag(args: readonly string[], flag: string): string[] {
  const i = args.indexOf(flag);
  if (i < 0 || i > args.indexOf('--')) throw new Error(`${flag} is not in the engine's bwrap argv any more`);
  return [...args.slice(0, i), ...args.slice(i + 1)];
}

export async function runThroughput(opts: ThroughputOptions = DEFAULT_THROUGHPUT_OPTIONS): Promise<ThroughputResult> {
  const n = opts.concurrency;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-py-'));
  const script = path.join(tmp, 'main.py');
  fs.writeFileSync(script, SOURCE);
  const heavyScript = path.join(tmp, 'heavy.py');
  fs.writeFileSync(heavyScript, HEAVY_SOURCE);
  const bc = benchConfig({ SANDBOX_SLOTS: String(n) }, 20);
  const raw = benchConfig({ SANDBOX_SLOTS: String(n) }, 20 + n);
  const rc = raw.config;
  const cgroups = createCgroupDriver({ version: rc.CGROUP_VERSION, v2Root: rc.CGROUP_V2_ROOT, prefix: `muscode/${process.pid}-bench-tp` });
  let engine: Engine | null = null;
  let sandbox: BwrapSandbox | null = null;
  try {
    engine = Engine.create(bc.config);
    sandbox = benchSandbox(rc, cgroups, n);
    const e = engine;
    const sb = sandbox;
    // One box per worker holds main.py for the hand-made bwrap runs, as the slot uid.
    const argvFor = Array.from({ length: n }, (_, w) => {
      sb.slot(w).writeFiles([{ path: 'main.py', data: Buffer.from(SOURCE), mode: 0o644 }]);
      const stage = { argv: ['/usr/bin/python3', '-B', 'main.py'], env: PY_ENV, limits: rc.limits.run.defaults };
      return sb.bwrapArgs(boxPathOf(sb.slot(w)), sb.slotTmpPath(w), stage);
    });
    const viaBwrap = (w: number, args: string[]) => {
      const uid = String(sb.slot(w).uid);
      return spawnAndWait(
        rc.SANDBOX_LAUNCHER,
        // As the engine launches a stage, without the cgroups.
        [...sb.launcherArgs(Number(uid), [], sb.slotTmpPath(w), rc.limits.run.defaults), '--', rc.SANDBOX_BWRAP, ...args],
        { extraPipes: 2, fd3Data: seccompFilter() },
      );
    };
    const noNet = argvFor.map((a) => dropFlag(a, '--unshare-net'));
    const cpuMs: number[] = [];
    const series: Record<Series, (w: number) => Promise<void>> = {
      bare: () => spawnAndWait('/usr/bin/python3', ['-B', script], { env: PY_ENV, cwd: tmp }),
      engine: async () => {
        const r = await e.run({ language: 'python', files: [{ path: 'main.py', content: SOURCE }] });
        if (r.run?.status !== 'ok' || r.run.stdout.toString() !== EXPECTED) {
          throw new Error(`engine run failed: ${r.run?.status} ${r.run?.message ?? r.run?.stderr.toString() ?? ''}`);
        }
        cpuMs.push(r.run.cpuMs);
      },
      bwrap: (w) => viaBwrap(w, argvFor[w]!),
      bwrapNoNet: (w) => viaBwrap(w, noNet[w]!),
    };
    // Warm-up: page cache, the engine's language version probe, the slots' cgroups.
    for (const s of SERIES) await drive(n * 3, n, series[s]);
    const rates = Object.fromEntries(SERIES.map((s) => [s, [] as number[]])) as Record<Series, number[]>;
    const cpu = Object.fromEntries(SERIES.map((s) => [s, 0])) as Record<Series, number>;
    for (let round = 0; round < opts.rounds; round++) {
      progress(`throughput: round ${round + 1}/${opts.rounds}, ${opts.runs} runs per series, ${n} at a time...`);
      for (const s of SERIES) {
        const c0 = process.cpuUsage();
        rates[s].push(await drive(opts.runs, n, series[s]));
        const c = process.cpuUsage(c0);
        cpu[s] += (c.user + c.system) / 1000;
      }
    }
    let heavy: ThroughputResult['heavy'] = null;
    if (opts.heavyRuns > 0) {
      const bareHeavy = () => spawnAndWait('/usr/bin/python3', ['-B', heavyScript], { env: PY_ENV, cwd: tmp });
      const engineHeavy = async () => {
        const r = await e.run({ language: 'python', files: [{ path: 'main.py', content: HEAVY_SOURCE }] });
        if (r.run?.status !== 'ok' || r.run.stdout.toString() !== HEAVY_EXPECTED) throw new Error(`engine run failed: ${r.run?.status}`);
      };
      const hb: number[] = [];
      const he: number[] = [];
      for (let round = 0; round < opts.heavyRounds; round++) {
        progress(`throughput: ~100 ms CPU workload, round ${round + 1}/${opts.heavyRounds}, ${opts.heavyRuns} runs per series...`);
        hb.push(await drive(opts.heavyRuns, n, bareHeavy));
        he.push(await drive(opts.heavyRuns, n, engineHeavy));
      }
      heavy = { bare: hb, engine: he, ratio: median(he.map((x, i) => x / hb[i]!)) };
    }
    const total = opts.runs * opts.rounds;
    const nodeCpuMs = Object.fromEntries(SERIES.map((s) => [s, cpu[s] / total])) as Record<Series, number>;
    const ratio = median(rates.engine.map((x, i) => x / rates.bare[i]!));
    return { options: opts, rates, nodeCpuMs, ratio, engineRunCpuMs: median(cpuMs), heavy };
  } finally {
    await closeBenchSandbox(sandbox, cgroups);
    await engine?.close();
    bc.dispose();
    raw.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatThroughput(r: ThroughputResult, md = false): string {
  const table = md ? markdownTable : textTable;
  const f = (x: number) => x.toFixed(1);
  const rounds = r.rates.bare.map((b, i) => [
    String(i + 1),
    ...SERIES.map((s) => f(r.rates[s][i]!)),
    pct(r.rates.engine[i]! / b),
  ]);
  rounds.push(['median', ...SERIES.map((s) => f(median(r.rates[s]))), pct(r.ratio)]);
  const verdict = r.ratio >= THROUGHPUT_TARGET ? 'meets' : 'MISSES';
  const rel = (s: Series) => pct(median(r.rates[s].map((x, i) => x / r.rates.bare[i]!)));
  const heavy = r.heavy
    ? [
        '',
        `Second workload: Python with ~100 ms of CPU (a 1.7M-iteration loop; ~10 ms of it is interpreter start-up), ${r.options.heavyRuns} runs per round, ${r.options.heavyRounds} rounds. Runs/s:`,
        '',
        table(
          ['round', 'bare', 'engine', 'engine / bare'],
          [
            ...r.heavy.bare.map((b, i) => [String(i + 1), f(b), f(r.heavy!.engine[i]!), pct(r.heavy!.engine[i]! / b)]),
            ['median', f(median(r.heavy.bare)), f(median(r.heavy.engine)), pct(r.heavy.ratio)],
          ],
        ),
      ]
    : [];
  return [
    md ? '### Throughput' : '== Throughput ==',
    '',
    `Python hello, ${r.options.runs} runs per series per round, ${r.options.rounds} rounds, ${r.options.concurrency} at a time (engine slots = ${r.options.concurrency}). Runs/s:`,
    '',
    table(['round', 'bare', 'engine', 'bwrap alone', 'bwrap, no net ns', 'engine / bare'], rounds),
    '',
    table(
      ['series', 'runs/s vs bare (median of rounds)', 'Node CPU ms per run'],
      SERIES.map((s) => [SERIES_LABELS[s], rel(s), r.nodeCpuMs[s].toFixed(2)]),
    ),
    '',
    `CPU of one engine run as its cgroup measured it (launcher, bwrap, init, python): ${r.engineRunCpuMs} ms median.`,
    `engine throughput (hello) is ${pct(r.ratio)} of bare (${verdict} the >= ${pct(THROUGHPUT_TARGET)} target)`,
    ...heavy,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  requireRoot();
  const r = await runThroughput();
  console.log(formatThroughput(r, process.argv.includes('--markdown')));
}
