/**
 * Scoreboard benchmark (issue 9): a contest of 500 participants × 10 problems, about 3 tries per
 * participant and problem (15,000 submissions), recomputed from the whole log after one more
 * submission, as the live scoreboard does (the board is a function of the log, never updated in
 * place). Target: under 50 ms. The baseline is the recompute of the empty board (the same 500
 * rows, no submissions), and the frozen view (one viewer) is measured too.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/scoreboard.js [--runs 50]
 *
 * Pure computation: no sandbox, no database.
 */
import { performance } from 'node:perf_hooks';
import { icpcBoard } from '../src/arena/contests/scoreboard-icpc.js';
import { ioiBoard } from '../src/arena/contests/scoreboard-ioi.js';
import type { BoardParticipant, ContestLogEntry } from '../src/arena/contests/scoreboard-log.js';
import type { SubmissionVerdict } from '../src/arena/verdicts.js';
import { isMain } from './common.js';
import { ms, summarize, textTable } from './stats.js';

export const SCOREBOARD_TARGET_MS = 50;
const LABELS = 'ABCDEFGHIJ'.split('');
const CONTEST_MS = 5 * 3600_000;

/** A deterministic pseudo-random generator (mulberry32), so every run scores the same log. */
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

export function syntheticContest(users: number, triesPer: number): { participants: BoardParticipant[]; log: ContestLogEntry[] } {
  const rand = rng(9);
  const participants = Array.from({ length: users }, (_, i) => ({ userId: `u${i}`, username: `user${String(i).padStart(4, '0')}` }));
  const verdicts: SubmissionVerdict[] = ['AC', 'WA', 'TLE', 'RTE', 'CE'];
  const log: ContestLogEntry[] = [];
  for (const p of participants) {
    for (const label of LABELS) {
      for (let t = 0; t < triesPer; t++) {
        const verdict = verdicts[Math.floor(rand() * verdicts.length)]!;
        const g1 = Math.floor(rand() * 40);
        log.push({
          userId: p.userId,
          problem: label,
          timeMs: Math.floor(rand() * CONTEST_MS),
          status: 'done',
          verdict,
          score: verdict === 'AC' ? 100 : g1,
          groups: [
            { name: 'g1', score: g1 },
            { name: 'g2', score: verdict === 'AC' ? 100 - g1 : 0 },
          ],
        });
      }
    }
  }
  return { participants, log };
}

function time(runs: number, fn: () => void): number[] {
  fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export function runScoreboardBench(runs = 50): { name: string; samples: number[] }[] {
  const { participants, log } = syntheticContest(500, 3);
  const one: ContestLogEntry = { userId: 'u7', problem: 'C', timeMs: CONTEST_MS - 1000, status: 'done', verdict: 'AC', score: 100 };
  const after = [...log, one];
  const icpc = { problems: LABELS, penaltyMinutes: 20 };
  return [
    { name: 'ICPC, empty board (baseline)', samples: time(runs, () => icpcBoard(participants, [], icpc)) },
    { name: `ICPC, ${after.length} submissions`, samples: time(runs, () => icpcBoard(participants, after, icpc)) },
    { name: 'ICPC, frozen view (last 60 min)', samples: time(runs, () => icpcBoard(participants, after, { ...icpc, freeze: { fromMs: CONTEST_MS - 3600_000, viewerId: 'u7' } })) },
    { name: 'IOI, empty board (baseline)', samples: time(runs, () => ioiBoard(participants, [], { problems: LABELS })) },
    { name: `IOI, ${after.length} submissions`, samples: time(runs, () => ioiBoard(participants, after, { problems: LABELS })) },
  ];
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 50;
  const rows = runScoreboardBench(runs).map(({ name, samples }) => {
    const s = summarize(samples);
    return [name, ms(s.median), ms(s.p90), ms(s.max)];
  });
  console.log(`Scoreboard recompute, 500 participants × 10 problems (${runs} runs; target under ${SCOREBOARD_TARGET_MS} ms)`);
  console.log(textTable(['board', 'median', 'p90', 'max'], rows));
}
