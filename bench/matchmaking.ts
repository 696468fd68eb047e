/**
 * One matchmaking tick with 1,000 waiting players (issue 9): ratings spread normally around 1500
 * (sd 300), waits uniform in 0..120 s, a few languages and last opponents, one mode. Reports the
 * median and p90 of interleaved runs and how many were paired.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/matchmaking.js [--players 1000] [--runs 21]
 *
 * Pure JavaScript: needs no root, no sandbox, no services.
 */
import { performance } from 'node:perf_hooks';
import { pairTick, type QueueEntry } from '../src/arena/duels/matchmaking.js';
import { isMain } from './common.js';
import { median, ms, p90, textTable } from './stats.js';

function queue(players: number, seed: number): QueueEntry[] {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const langs = [[], ['python'], ['cpp'], ['python', 'cpp'], ['java']];
  return Array.from({ length: players }, (_, i) => ({
    userId: `u${i}`,
    rating: Math.round(1500 + 300 * normal()),
    mode: 'duel',
    languages: langs[Math.floor(rand() * langs.length)]!,
    enqueuedAt: 1_000_000 - Math.floor(rand() * 120_000),
    lastOpponentId: rand() < 0.2 ? `u${Math.floor(rand() * players)}` : null,
  }));
}

export function runMatchmakingBench(players: number, runs: number): { medianMs: number; p90Ms: number; paired: number } {
  const times: number[] = [];
  let paired = 0;
  for (let r = 0; r < runs; r += 1) {
    const q = queue(players, 1 + r);
    const t = performance.now();
    const pairs = pairTick(q, 1_000_000);
    times.push(performance.now() - t);
    paired = pairs.length * 2;
  }
  return { medianMs: median(times), p90Ms: p90(times), paired };
}

if (isMain(import.meta.url)) {
  const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const players = arg('--players', 1000);
  const r = runMatchmakingBench(players, arg('--runs', 21));
  console.log(textTable(['players', 'median tick', 'p90 tick', 'paired (last run)'], [[String(players), ms(r.medianMs), ms(r.p90Ms), String(r.paired)]]));
}
