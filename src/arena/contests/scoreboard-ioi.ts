/**
 * The IOI scoreboard (research/arena.md §7, IOI since 2017): a task's score is the sum over its
 * subtasks (groups) of the best score of that group over all the participant's submissions, so
 * 30+10 and 0+40 give 70; a problem without groups scores its best submission. Rows sort by
 * total (desc); equal totals share a rank and leave a gap (no tie-break, as at the IOI).
 */
import { assignRanks, type BoardParticipant, byName, type ContestLogEntry, type FreezeView, hiddenByFreeze } from './scoreboard-log.js';

export interface IoiOptions {
  problems: readonly string[];
  freeze?: FreezeView;
}

export interface IoiCell {
  score: number;
  /** Judged submissions (any verdict; cancelled and pending ones are not counted here). */
  tries: number;
  pending: number;
  frozen: boolean;
}

export interface IoiRow {
  rank: number;
  userId: string;
  username: string;
  virtual: boolean;
  total: number;
  cells: Record<string, IoiCell>;
}

export function ioiBoard(participants: readonly BoardParticipant[], log: readonly ContestLogEntry[], opts: IoiOptions): IoiRow[] {
  const rows = new Map<string, IoiRow>();
  // Best per group, created at a cell's first judged submission (most cells of a big board have none).
  const best = new Map<IoiCell, { groups: Map<string, number>; plain: number }>();
  for (const p of participants) {
    const cells: Record<string, IoiCell> = {};
    for (const label of opts.problems) {
      const c: IoiCell = { score: 0, tries: 0, pending: 0, frozen: false };
      cells[label] = c;
    }
    rows.set(p.userId, { rank: 0, userId: p.userId, username: p.username, virtual: !!p.virtual, total: 0, cells });
  }
  // Order does not matter: a maximum per group.
  for (const e of log) {
    const cell = rows.get(e.userId)?.cells[e.problem];
    if (!cell || e.status === 'cancelled') continue;
    if (hiddenByFreeze(e, opts.freeze)) {
      cell.pending++;
      cell.frozen = true;
      continue;
    }
    if (e.status === 'pending' || e.verdict === null) {
      cell.pending++;
      continue;
    }
    cell.tries++;
    let b = best.get(cell);
    if (!b) best.set(cell, (b = { groups: new Map(), plain: 0 }));
    if (e.groups && e.groups.length > 0) {
      for (const g of e.groups) b.groups.set(g.name, Math.max(b.groups.get(g.name) ?? 0, g.score));
    } else b.plain = Math.max(b.plain, e.score);
  }
  for (const row of rows.values()) {
    for (const cell of Object.values(row.cells)) {
      const b = best.get(cell);
      if (!b) continue;
      let byGroups = 0;
      for (const x of b.groups.values()) byGroups += x;
      // Rounded to 1e-9: sums of fractional group scores must tie when they are equal.
      cell.score = Math.round(Math.max(byGroups, b.plain) * 1e9) / 1e9;
      row.total += cell.score;
    }
    row.total = Math.round(row.total * 1e9) / 1e9;
  }
  const sorted = [...rows.values()].sort((a, b) => b.total - a.total || byName(a, b));
  return assignRanks(sorted, (a, b) => a.total === b.total);
}
