/**
 * The ICPC scoreboard (research/arena.md §7, the CCS rules): a problem is solved at its first AC;
 * its penalty is the minutes (rounded down) from the start to that AC plus `penaltyMinutes` per
 * rejected try before it; CE, JE and cancelled tries are free, and nothing after the first AC
 * counts. Rows sort by solved (desc), total penalty (asc), minute of the last AC (asc); rows equal
 * on all three share a rank and leave a gap.
 */
import { assignRanks, type BoardParticipant, byName, byTime, type ContestLogEntry, type FreezeView, hiddenByFreeze } from './scoreboard-log.js';

export interface IcpcOptions {
  /** Labels in contest order. */
  problems: readonly string[];
  penaltyMinutes: number;
  freeze?: FreezeView;
}

export interface IcpcCell {
  solved: boolean;
  /** Counted tries: rejections before the AC, plus the AC itself. */
  tries: number;
  /** Tries whose result the viewer does not know yet (being judged, or made during the freeze). */
  pending: number;
  /** Minute of the first AC. */
  minute: number | null;
  /** This problem's penalty (minute + penalty per rejection), 0 unless solved. */
  penalty: number;
  /** The first AC of the problem on the board (strictly the earliest time). */
  first: boolean;
  /** Some of the tries are hidden by the freeze. */
  frozen: boolean;
}

export interface IcpcRow {
  rank: number;
  userId: string;
  username: string;
  virtual: boolean;
  solved: number;
  penalty: number;
  /** Minute of the last AC (the tie-break), null when nothing is solved. */
  lastAcMinute: number | null;
  cells: Record<string, IcpcCell>;
}

const FREE = new Set(['CE', 'JE']);
const minuteOf = (ms: number) => Math.floor(ms / 60_000);

function emptyCell(): IcpcCell {
  return { solved: false, tries: 0, pending: 0, minute: null, penalty: 0, first: false, frozen: false };
}

export function icpcBoard(participants: readonly BoardParticipant[], log: readonly ContestLogEntry[], opts: IcpcOptions): IcpcRow[] {
  const rows = new Map<string, IcpcRow>();
  for (const p of participants) {
    const cells: Record<string, IcpcCell> = {};
    for (const label of opts.problems) cells[label] = emptyCell();
    rows.set(p.userId, { rank: 0, userId: p.userId, username: p.username, virtual: !!p.virtual, solved: 0, penalty: 0, lastAcMinute: null, cells });
  }
  const rejected = new Map<IcpcCell, number>();
  const firstMs = new Map<string, number>();
  const solvedAt = new Map<IcpcCell, number>();
  for (const e of byTime(log)) {
    const cell = rows.get(e.userId)?.cells[e.problem];
    if (!cell || cell.solved) continue;
    if (hiddenByFreeze(e, opts.freeze)) {
      if (e.status === 'cancelled') continue;
      cell.pending++;
      cell.frozen = true;
      continue;
    }
    if (e.status === 'cancelled') continue;
    if (e.status === 'pending' || e.verdict === null) {
      cell.pending++;
      continue;
    }
    if (FREE.has(e.verdict)) continue;
    if (e.verdict === 'AC') {
      const n = rejected.get(cell) ?? 0;
      cell.solved = true;
      cell.tries = n + 1;
      cell.minute = minuteOf(e.timeMs);
      cell.penalty = cell.minute + n * opts.penaltyMinutes;
      solvedAt.set(cell, e.timeMs);
      const best = firstMs.get(e.problem);
      if (best === undefined || e.timeMs < best) firstMs.set(e.problem, e.timeMs);
    } else {
      rejected.set(cell, (rejected.get(cell) ?? 0) + 1);
    }
  }
  for (const row of rows.values()) {
    for (const [label, cell] of Object.entries(row.cells)) {
      // Shown tries include the pending ones (before the first AC: after it nothing counts).
      if (!cell.solved) cell.tries = (rejected.get(cell) ?? 0) + cell.pending;
      else {
        row.solved++;
        row.penalty += cell.penalty;
        row.lastAcMinute = Math.max(row.lastAcMinute ?? 0, cell.minute!);
        cell.first = solvedAt.get(cell) === firstMs.get(label);
      }
    }
  }
  const sorted = [...rows.values()].sort(
    (a, b) => b.solved - a.solved || a.penalty - b.penalty || (a.lastAcMinute ?? 0) - (b.lastAcMinute ?? 0) || byName(a, b),
  );
  return assignRanks(sorted, (a, b) => a.solved === b.solved && a.penalty === b.penalty && (a.lastAcMinute ?? 0) === (b.lastAcMinute ?? 0));
}
