/**
 * The queue in front of the workers as an M/G/c model, fed with the service times measured by
 * bench/cluster-costs.ts (docs/scaling-costs.json): Poisson arrivals at λ runs/s, c slots (one
 * per worker core), FIFO, each run's service time drawn from the measured samples, shifted so
 * that their mean is the measured per-slot cost in cluster mode (the engine's run plus the
 * queue's and the database's work around it). A discrete-event simulation gives the mean and the
 * 95th percentile of the wait in the queue; the Allen-Cunneen approximation (Erlang C scaled
 * by (1 + CV²)/2) is printed beside it as a check. Writes docs/scaling-queue-wait.svg.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/queue-model.js [--costs docs/scaling-costs.json]
 *     [--rates 10,50,200] [--service-ms MS] [--svg FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src/config/config.js';
import { isMain } from './common.js';
import type { ClusterCosts } from './cluster-costs.js';

/** A small seeded PRNG (mulberry32): the same costs give the same plot. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimResult { slots: number; rho: number; meanWaitMs: number; p95WaitMs: number; approxMeanWaitMs: number }

/** FIFO M/G/c: `arrivals` Poisson arrivals at `lambda`/s, service times drawn from `samplesMs`. */
export function simulate(lambda: number, slots: number, samplesMs: readonly number[], arrivals = 100_000, seed = 1): SimResult {
  const rand = rng(seed);
  // Each slot's next free time; with FIFO, a run starts on the earliest free slot.
  const free = new Float64Array(slots);
  const waits = new Float64Array(arrivals);
  let t = 0;
  const meanS = samplesMs.reduce((a, b) => a + b, 0) / samplesMs.length;
  for (let i = 0; i < arrivals; i++) {
    t += (-Math.log(1 - rand()) / lambda) * 1000;
    let k = 0;
    for (let j = 1; j < slots; j++) if (free[j]! < free[k]!) k = j;
    const start = Math.max(t, free[k]!);
    waits[i] = start - t;
    free[k] = start + samplesMs[Math.floor(rand() * samplesMs.length)]!;
  }
  // The first tenth warms the queue up.
  const kept = Array.from(waits.subarray(Math.floor(arrivals / 10))).sort((a, b) => a - b);
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  const sd = Math.sqrt(samplesMs.reduce((a, b) => a + (b - meanS) ** 2, 0) / samplesMs.length);
  return {
    slots,
    rho: (lambda * meanS) / 1000 / slots,
    meanWaitMs: mean,
    p95WaitMs: kept[Math.floor(kept.length * 0.95)]!,
    approxMeanWaitMs: allenCunneen(lambda, slots, meanS, sd / meanS),
  };
}

/** Erlang C mean wait (M/M/c) times (1 + CV²)/2: the Allen-Cunneen approximation for M/G/c. */
export function allenCunneen(lambda: number, c: number, meanServiceMs: number, cv: number): number {
  const mu = 1000 / meanServiceMs;
  const a = lambda / mu;
  if (a >= c) return Infinity;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - a / c);
  const erlangC = last / (sum + last);
  return (erlangC / (c * mu - lambda)) * 1000 * ((1 + cv * cv) / 2);
}

/** The measured samples, shifted to the per-slot cost seen in cluster mode. */
export function serviceSamples(costs: ClusterCosts): { samples: number[]; meanMs: number } {
  const perSlotMs = (costs.endToEnd.workers * 1000) / costs.endToEnd.runsPerSecond;
  const shift = Math.max(0, perSlotMs - costs.engine.meanMs);
  return { samples: costs.engine.samplesMs.map((x) => x + shift), meanMs: costs.engine.meanMs + shift };
}

/** A log-scale line chart as SVG: wait (ms) against slots, one colour per arrival rate. */
export function plot(series: { lambda: number; points: SimResult[] }[], meanServiceMs: number): string {
  const W = 780, H = 440, L = 70, R = 190, T = 40, B = 50;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.slots);
  const xMin = Math.min(...xs), xMax = Math.max(...xs);
  const yMin = 0.1, yMax = Math.max(10, ...all.map((p) => p.p95WaitMs)) * 1.5;
  const x = (v: number) => L + ((v - xMin) / Math.max(1, xMax - xMin)) * (W - L - R);
  const y = (v: number) => T + (1 - (Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - B);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="22" font-size="14" font-weight="bold">Queue wait against worker slots (M/G/c, measured service time ${meanServiceMs.toFixed(0)} ms)</text>`,
  ];
  for (let e = Math.ceil(Math.log10(yMin)); e <= Math.floor(Math.log10(yMax)); e++) {
    const v = 10 ** e;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`, `<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  const step = Math.max(1, Math.ceil((xMax - xMin) / 12));
  for (let v = xMin; v <= xMax; v += step) out.push(`<text x="${x(v)}" y="${H - B + 18}" text-anchor="middle">${v}</text>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">worker slots (cores running programs)</text>`);
  out.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="black"/>`, `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="black"/>`);
  series.forEach((s, i) => {
    const c = colours[i % colours.length]!;
    const line = (f: (p: SimResult) => number, dash: string) =>
      `<polyline fill="none" stroke="${c}" stroke-width="2" ${dash} points="${s.points.map((p) => `${x(p.slots).toFixed(1)},${y(f(p)).toFixed(1)}`).join(' ')}"/>`;
    out.push(line((p) => p.meanWaitMs, ''), line((p) => p.p95WaitMs, 'stroke-dasharray="6 4"'));
    out.push(`<line x1="${W - R + 15}" x2="${W - R + 40}" y1="${T + 20 + i * 24}" y2="${T + 20 + i * 24}" stroke="${c}" stroke-width="2"/>`);
    out.push(`<text x="${W - R + 46}" y="${T + 24 + i * 24}">${s.lambda} runs/s arriving</text>`);
  });
  const ly = T + 20 + series.length * 24 + 10;
  out.push(`<text x="${W - R + 15}" y="${ly}" fill="#555">solid: mean wait</text>`, `<text x="${W - R + 15}" y="${ly + 16}" fill="#555">dashed: 95th percentile</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function model(costs: ClusterCosts, rates: number[], serviceMs?: number) {
  const measured = serviceSamples(costs);
  // --service-ms: the same distribution (shape and CV) scaled to another mean, e.g. a quieter
  // machine's figure or a heavier workload's.
  const k = serviceMs ? serviceMs / measured.meanMs : 1;
  const samples = measured.samples.map((x) => x * k);
  const meanMs = measured.meanMs * k;
  const series = rates.map((lambda, i) => {
    const first = Math.floor((lambda * meanMs) / 1000) + 1; // the least c with ρ < 1
    const points: SimResult[] = [];
    for (let c = first; c <= Math.max(first + 8, Math.ceil(first * 1.5)); c++) points.push(simulate(lambda, c, samples, 100_000, 7 + i));
    return { lambda, points };
  });
  return { meanMs, series };
}

if (isMain(import.meta.url)) {
  const arg = (f: string) => {
    const i = process.argv.indexOf(f);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const costs = JSON.parse(fs.readFileSync(arg('--costs') ?? path.join(REPO_ROOT, 'docs/scaling-costs.json'), 'utf8')) as ClusterCosts;
  const rates = (arg('--rates') ?? '10,50,200').split(',').map(Number);
  const serviceMs = arg('--service-ms');
  const { meanMs, series } = model(costs, rates, serviceMs ? Number(serviceMs) : undefined);
  const svg = arg('--svg') ?? path.join(REPO_ROOT, 'docs/scaling-queue-wait.svg');
  fs.writeFileSync(svg, plot(series, meanMs));
  console.log(`service time per slot: ${meanMs.toFixed(1)} ms (engine ${costs.engine.meanMs.toFixed(1)} ms, CV ${costs.engine.cv.toFixed(2)})`);
  console.log('| runs/s | slots | utilisation | mean wait | p95 wait | Allen-Cunneen mean |');
  console.log('|---|---|---|---|---|---|');
  for (const s of series) for (const p of s.points) {
    console.log(`| ${s.lambda} | ${p.slots} | ${(p.rho * 100).toFixed(0)} % | ${p.meanWaitMs.toFixed(1)} ms | ${p.p95WaitMs.toFixed(1)} ms | ${p.approxMeanWaitMs.toFixed(1)} ms |`);
  }
  console.log(`wrote ${svg}`);
}
