/**
 * Hit rate of the sandboxes prepared ahead (SANDBOX_WARM): how often a stage finds its slot's
 * sandbox set up for exactly its options, on realistic mixes. Counts, not times (so it is
 * repeatable under load): `engine.warmStats()` before and after each mix.
 *
 *   node dist/bench/warm-hits.js [--jobs 40] [--markdown]
 *
 * Each mix runs on a fresh engine (2 slots, as many as this machine's cores) per variant: the
 * first version (the options that followed the last stage the last time; each language's own
 * binds), the most frequent follower instead, and that with the languages' configuration binds
 * shared by every stage (the default: stages of different languages then have the same options).
 *
 *   python             python hello, one job at a time
 *   C, compile + hit   C hello, a new source every other job (compile + run), else the same
 *                      source again (compile-cache hit: the run only)
 *   core round-robin   python, javascript, c, cpp, ruby, bash, php in turn, one job at a
 *                      time, C and C++ with a new source every other time
 *   core random        the same languages in a seeded random order
 *   python, saturated  python hello, 4 jobs in flight on 2 slots (a queue always waiting):
 *                      what the refill after each stage (REFILL_DELAY_MS) leaves to the slow
 *                      path; compared with the slot refilled at once when a job waits
 *                      ("at once", the default) and after the delay ("delayed"), in alternating
 *                      rounds, with the jobs per second of each round (wall time: under load,
 *                      read the ratio)
 */
import { Engine } from '../src/engine/runner/engine.js';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { emptyCounters, type WarmCounters } from '../src/engine/sandbox/bwrap.js';
import { benchConfig, isMain, progress, requireRoot, sleep } from './common.js';
import { markdownTable, median, textTable } from './stats.js';

type Job = { language: string; source: string };
const HELLO: Record<string, string> = {
  python: 'print("hello")',
  javascript: 'console.log("hello")',
  ruby: 'puts "hello"',
  bash: 'echo hello',
  php: '<?php echo "hello\\n";',
};
const cSource = (n: number) => `#include <stdio.h>\nint main(void) { puts("hello ${n}"); return 0; }\n`;
const cppSource = (n: number) => `#include <iostream>\nint main() { std::cout << "hello ${n}" << std::endl; return 0; }\n`;

/** A new source on even calls (a compile), the previous one again on odd calls (a cache hit). */
function alternating(make: (n: number) => string): () => string {
  let n = 0;
  let src = '';
  return () => {
    if (n++ % 2 === 0) src = make(Date.now() * 1000 + n + Math.floor(Math.random() * 1000));
    return src;
  };
}

function mixes(jobs: number): Record<string, { jobs: () => Job[]; inFlight: number }> {
  const core = ['python', 'javascript', 'c', 'cpp', 'ruby', 'bash', 'php'];
  const coreJobs = (order: string[]): Job[] => {
    const c = alternating(cSource);
    const cpp = alternating(cppSource);
    return order.map((language) => ({ language, source: language === 'c' ? c() : language === 'cpp' ? cpp() : HELLO[language]! }));
  };
  let seed = 15;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return {
    python: { jobs: () => Array.from({ length: jobs }, () => ({ language: 'python', source: HELLO.python! })), inFlight: 1 },
    'C, compile + hit': {
      jobs: () => {
        const c = alternating(cSource);
        return Array.from({ length: jobs }, () => ({ language: 'c', source: c() }));
      },
      inFlight: 1,
    },
    'core round-robin': { jobs: () => coreJobs(Array.from({ length: jobs }, (_, i) => core[i % core.length]!)), inFlight: 1 },
    'core random': {
      jobs: () => {
        seed = 15;
        return coreJobs(Array.from({ length: jobs }, () => core[Math.floor(rand() * core.length)]!));
      },
      inFlight: 1,
    },
    'python, saturated': { jobs: () => Array.from({ length: jobs }, () => ({ language: 'python', source: HELLO.python! })), inFlight: 4 },
  };
}

type Variant = { predictor: 'last' | 'frequent'; refillWhenQueued: boolean; sharedBinds: boolean };

/** The first version (the last follower, each language's own binds), then each change added. */
const SEQUENTIAL: [string, Variant][] = [
  ['before: last follower', { predictor: 'last', refillWhenQueued: true, sharedBinds: false }],
  ['most frequent follower', { predictor: 'frequent', refillWhenQueued: true, sharedBinds: false }],
  ['+ shared binds (default)', { predictor: 'frequent', refillWhenQueued: true, sharedBinds: true }],
];

export interface WarmHitsRow {
  mix: string;
  variant: string;
  /** Jobs per second (saturated mix only). */
  rate?: number;
  counters: WarmCounters;
  stages: number;
  hitRate: number;
}

async function runMix(name: string, mix: { jobs: () => Job[]; inFlight: number }, variant: Variant, label: string): Promise<WarmHitsRow> {
  const { config, dispose } = benchConfig({ SANDBOX_SLOTS: '2', SANDBOX_WARM: 'true' });
  const engine = Engine.create(config, { warmPredictor: variant.predictor, refillWhenQueued: variant.refillWhenQueued, sharedBinds: variant.sharedBinds });
  try {
    const jobs = mix.jobs();
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const r = await engine.run({ language: job.language, files: [{ path: engine.languages.get(job.language).sourceFile, content: job.source }] });
        if (r.run?.status !== 'ok') throw new Error(`${job.language}: ${r.run?.status ?? r.compile?.status} ${r.compile?.stderr ?? r.run?.stderr}`);
        // One job at a time: a client that reads the answer and sends the next request.
        if (mix.inFlight === 1) await sleep(30);
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: mix.inFlight }, worker));
    const rate = (jobs.length * 1000) / (performance.now() - t0);
    const counters = engine.warmStats();
    const stages = Object.values(counters).reduce((a, b) => a + b, 0);
    progress(`${name} (${label}): ${JSON.stringify(counters)}`);
    return { mix: name, variant: label, counters, stages, hitRate: stages ? counters.hit / stages : 0, ...(mix.inFlight > 1 ? { rate } : {}) };
  } finally {
    await engine.close();
    dispose();
  }
}

export async function runWarmHits(jobs = 40, rounds = 3): Promise<WarmHitsRow[]> {
  const rows: WarmHitsRow[] = [];
  for (const [name, mix] of Object.entries(mixes(jobs))) {
    if (mix.inFlight === 1) {
      for (const [label, variant] of SEQUENTIAL) rows.push(await runMix(name, mix, variant, label));
      continue;
    }
    // Alternating rounds; counters summed, the rate the median of the rounds.
    const per: Record<string, WarmHitsRow[]> = { delayed: [], 'at once (default)': [] };
    for (let r = 0; r < rounds; r++) {
      per.delayed!.push(await runMix(name, mix, { predictor: 'frequent', refillWhenQueued: false, sharedBinds: true }, 'refill delayed'));
      per['at once (default)']!.push(await runMix(name, mix, { predictor: 'frequent', refillWhenQueued: true, sharedBinds: true }, 'refill at once (default)'));
    }
    for (const [label, rs] of Object.entries(per)) {
      const counters = emptyCounters();
      for (const x of rs) for (const k of Object.keys(counters) as (keyof WarmCounters)[]) counters[k] += x.counters[k];
      const stages = Object.values(counters).reduce((a, b) => a + b, 0);
      rows.push({ mix: name, variant: `refill ${label}`, counters, stages, hitRate: counters.hit / stages, rate: median(rs.map((x) => x.rate!)) });
    }
  }
  return rows;
}

export function formatWarmHits(rows: WarmHitsRow[], markdown: boolean): string {
  const head = ['mix', 'variant', 'stages', 'hit', 'miss', 'bare', 'none', 'hit rate', 'jobs/s'];
  const body = rows.map((r) => [
    r.mix,
    r.variant,
    String(r.stages),
    String(r.counters.hit),
    String(r.counters.miss),
    String(r.counters.bare),
    String(r.counters.none),
    `${(r.hitRate * 100).toFixed(0)} %`,
    r.rate === undefined ? '' : r.rate.toFixed(1),
  ]);
  return markdown ? markdownTable(head, body) : textTable(head, body);
}

if (isMain(import.meta.url)) {
  requireRoot();
  const i = process.argv.indexOf('--jobs');
  const rows = await runWarmHits(i > 0 ? Number(process.argv[i + 1]) : 40);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(formatWarmHits(rows, process.argv.includes('--markdown')));
}
