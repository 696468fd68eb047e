/**
 * The input of both scoreboards: a contest's submission log. A board is a pure function of the
 * log, so a rejudge (new verdicts in the log), a thaw (the freeze option dropped) or a replay
 * gives a consistent board by construction; nothing is stored incrementally.
 */
import type { SubmissionVerdict } from '../verdicts.js';

export interface ContestLogEntry {
  userId: string;
  /** The problem's label in the contest (A, B, …). */
  problem: string;
  /** Milliseconds from the participant's start (the contest start, or a virtual window's). */
  timeMs: number;
  /** `pending`: queued or being judged; `cancelled` counts for nothing. */
  status: 'pending' | 'done' | 'cancelled';
  verdict: SubmissionVerdict | null;
  /** The submission's score (pass-fail problems: max score when AC, else 0). */
  score: number;
  /** Per-group scores of scoring problems (the IOI rule takes the best per group). */
  groups?: readonly { name: string; score: number }[];
}

export interface BoardParticipant {
  userId: string;
  username: string;
  virtual?: boolean;
}

/**
 * The freeze as one viewer sees it: submissions made at or after `fromMs` by anyone but
 * `viewerId` show as pending. The caller drops the option when the viewer sees everything (the
 * contest's owner, an admin) and after the end (the thaw).
 */
export interface FreezeView {
  fromMs: number;
  viewerId: string | null;
}

/** Whether an entry's result is hidden from the viewer (shown as a pending try). */
export function hiddenByFreeze(e: ContestLogEntry, freeze: FreezeView | undefined): boolean {
  return !!freeze && e.timeMs >= freeze.fromMs && e.userId !== freeze.viewerId;
}

/** Submissions in time order; equal times keep the log's order (stable sort). */
export function byTime(log: readonly ContestLogEntry[]): ContestLogEntry[] {
  return [...log].sort((a, b) => a.timeMs - b.timeMs);
}

/**
 * Ranks with ties shared and a gap after them ("competition ranking": 1, 2, 2, 4): rows must be
 * sorted; `same` says whether two neighbours tie.
 */
export function assignRanks<T extends { rank: number }>(rows: T[], same: (a: T, b: T) => boolean): T[] {
  rows.forEach((r, i) => {
    r.rank = i > 0 && same(rows[i - 1]!, r) ? rows[i - 1]!.rank : i + 1;
  });
  return rows;
}

/** Byte order of usernames for rows that tie (localeCompare costs milliseconds on big boards). */
export const byName = (a: { username: string }, b: { username: string }): number => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0);
