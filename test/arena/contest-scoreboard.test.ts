import { describe, expect, it } from 'vitest';
import { icpcBoard } from '../../src/arena/contests/scoreboard-icpc.js';
import { ioiBoard } from '../../src/arena/contests/scoreboard-ioi.js';
import type { BoardParticipant, ContestLogEntry } from '../../src/arena/contests/scoreboard-log.js';
import type { SubmissionVerdict } from '../../src/arena/verdicts.js';

/** A scripted ICPC contest: 120 minutes, penalty 20, freeze for the last 30 minutes. */
const MIN = 60_000;
const people = ['alice', 'bob', 'carol', 'dave', 'eve', 'frank'];
const participants: BoardParticipant[] = people.map((u) => ({ userId: u, username: u }));
const sub = (userId: string, problem: string, minutes: number, verdict: SubmissionVerdict | null, status: ContestLogEntry['status'] = 'done'): ContestLogEntry => ({
  userId,
  problem,
  timeMs: Math.round(minutes * MIN),
  status,
  verdict,
  score: verdict === 'AC' ? 1 : 0,
});
const log: ContestLogEntry[] = [
  sub('alice', 'A', 5, 'WA'),
  sub('alice', 'A', 10.5, 'AC'), // 10 + 20 = 30
  sub('alice', 'B', 12, 'CE'), // free
  sub('alice', 'B', 40.9, 'AC'), // 40
  sub('alice', 'A', 50, 'WA'), // after the AC: ignored
  sub('bob', 'A', 30, 'AC'),
  sub('bob', 'B', 40, 'AC'), // 70, last 40: ties alice
  sub('carol', 'A', 25, 'AC'),
  sub('carol', 'B', 46, 'AC'), // 71
  sub('dave', 'A', 1, 'JE'), // free
  sub('dave', 'A', 2, null, 'cancelled'), // free
  sub('dave', 'A', 5, 'AC'),
  sub('eve', 'C', 92, 'WA'), // in the freeze
  sub('eve', 'C', 95, 'AC'), // in the freeze: 95 + 20 = 115
  sub('frank', 'A', 50, 'AC'),
  sub('frank', 'B', 20, 'AC'), // 70, but last AC at 50
];
const opts = { problems: ['A', 'B', 'C'], penaltyMinutes: 20 };
const summary = (rows: ReturnType<typeof icpcBoard>) => rows.map((r) => [r.rank, r.username, r.solved, r.penalty]);

describe('ICPC scoreboard', () => {
  it('ranks by solved, penalty, last AC; ties share a rank and leave a gap; CE/JE/cancelled free; tries after AC ignored', () => {
    const board = icpcBoard(participants, log, opts);
    expect(summary(board)).toEqual([
      [1, 'alice', 2, 70],
      [1, 'bob', 2, 70],
      [3, 'frank', 2, 70],
      [4, 'carol', 2, 71],
      [5, 'dave', 1, 5],
      [6, 'eve', 1, 115],
    ]);
    const alice = board[0]!;
    expect(alice.cells.A).toMatchObject({ solved: true, tries: 2, minute: 10, penalty: 30, pending: 0 });
    expect(alice.cells.B).toMatchObject({ solved: true, tries: 1, minute: 40, penalty: 40 });
    expect(alice.lastAcMinute).toBe(40);
    expect(board.find((r) => r.username === 'dave')!.cells.A).toMatchObject({ solved: true, tries: 1, penalty: 5, first: true });
    expect(board.find((r) => r.username === 'frank')!.cells.B.first).toBe(true);
    expect(alice.cells.A.first).toBe(false);
    expect(alice.cells.C).toMatchObject({ solved: false, tries: 0, pending: 0 });
  });

  it('a frozen view shows others’ tries in the freeze as pending; the owner of the tries sees them; the thaw equals the full board', () => {
    const freeze = { fromMs: 90 * MIN, viewerId: 'bob' };
    const frozen = icpcBoard(participants, log, { ...opts, freeze });
    const eve = frozen.find((r) => r.username === 'eve')!;
    expect(eve.cells.C).toMatchObject({ solved: false, tries: 2, pending: 2, frozen: true, penalty: 0 });
    expect(eve.solved).toBe(0);
    expect(summary(frozen).at(-1)).toEqual([6, 'eve', 0, 0]);
    const own = icpcBoard(participants, log, { ...opts, freeze: { fromMs: 90 * MIN, viewerId: 'eve' } });
    expect(own.find((r) => r.username === 'eve')!.cells.C).toMatchObject({ solved: true, tries: 2, penalty: 115, frozen: false });
    // Before the freeze nothing changes for anyone.
    expect(summary(frozen).slice(0, 5)).toEqual(summary(icpcBoard(participants, log, opts)).slice(0, 5));
    // The thaw: the freeze option dropped, the board is the full one.
    expect(icpcBoard(participants, log, opts)).toEqual(icpcBoard(participants, [...log], { ...opts, freeze: undefined }));
  });

  it('pending submissions count as pending tries; the board after a rejudge is the board of the new log', () => {
    const queued = icpcBoard(participants, [...log, sub('eve', 'A', 60, null, 'pending')], opts);
    expect(queued.find((r) => r.username === 'eve')!.cells.A).toMatchObject({ solved: false, tries: 1, pending: 1 });
    // A rejudge that confirms every verdict gives the same board.
    const same = log.map((e) => ({ ...e }));
    expect(icpcBoard(participants, same, opts)).toEqual(icpcBoard(participants, log, opts));
    // A rejudge that turns alice's first WA on A into AC: A at minute 5, no penalty, alone first.
    const rejudged = log.map((e) => (e.userId === 'alice' && e.problem === 'A' && e.timeMs === 5 * MIN ? { ...e, verdict: 'AC' as const } : e));
    const board = icpcBoard(participants, rejudged, opts);
    expect(summary(board).slice(0, 3)).toEqual([
      [1, 'alice', 2, 45],
      [2, 'bob', 2, 70],
      [3, 'frank', 2, 70],
    ]);
    expect(board[0]!.cells.A).toMatchObject({ tries: 1, minute: 5, first: true });
    expect(board.find((r) => r.username === 'dave')!.cells.A.first).toBe(true); // dave's AC at 5 ties the earliest
  });

  it('the penalty per rejection is the contest’s', () => {
    const board = icpcBoard(participants, log, { ...opts, penaltyMinutes: 10 });
    expect(board.find((r) => r.username === 'alice')!.penalty).toBe(60);
  });
});

describe('IOI scoreboard', () => {
  const g = (userId: string, problem: string, minutes: number, groups: [string, number][]): ContestLogEntry => ({
    userId,
    problem,
    timeMs: minutes * MIN,
    status: 'done',
    verdict: groups.every(([, s]) => s > 0) ? 'AC' : 'WA',
    score: groups.reduce((s, [, x]) => s + x, 0),
    groups: groups.map(([name, score]) => ({ name, score })),
  });
  const ioiPeople: BoardParticipant[] = ['x', 'y', 'z', 'w'].map((u) => ({ userId: u, username: u }));
  const ioiLog: ContestLogEntry[] = [
    g('x', 'P', 1, [
      ['g1', 30],
      ['g2', 10],
    ]),
    g('x', 'P', 2, [
      ['g1', 0],
      ['g2', 40],
    ]),
    g('y', 'P', 3, [
      ['g1', 30],
      ['g2', 70],
    ]),
    g('z', 'P', 4, [
      ['g1', 30],
      ['g2', 40],
    ]),
    { userId: 'y', problem: 'Q', timeMs: 5 * MIN, status: 'done', verdict: 'WA', score: 0 },
    { userId: 'x', problem: 'Q', timeMs: 6 * MIN, status: 'done', verdict: 'CE', score: 0 },
    { userId: 'w', problem: 'Q', timeMs: 100 * MIN, status: 'done', verdict: 'AC', score: 1 },
  ];

  it('sums the best per subtask over all submissions; equal totals share a rank and leave a gap', () => {
    const board = ioiBoard(ioiPeople, ioiLog, { problems: ['P', 'Q'] });
    expect(board.map((r) => [r.rank, r.username, r.total])).toEqual([
      [1, 'y', 100],
      [2, 'x', 70],
      [2, 'z', 70],
      [4, 'w', 1],
    ]);
    expect(board[1]!.cells.P).toMatchObject({ score: 70, tries: 2 });
  });

  it('freezes and rejudges like the ICPC board', () => {
    const frozen = ioiBoard(ioiPeople, ioiLog, { problems: ['P', 'Q'], freeze: { fromMs: 90 * MIN, viewerId: 'x' } });
    expect(frozen.find((r) => r.username === 'w')).toMatchObject({ total: 0, rank: 4, cells: { Q: { pending: 1, frozen: true, score: 0 } } });
    const rejudged = ioiLog.map((e) => (e.userId === 'z' ? { ...e, groups: [{ name: 'g1', score: 30 }, { name: 'g2', score: 70 }] } : e));
    expect(ioiBoard(ioiPeople, rejudged, { problems: ['P', 'Q'] }).map((r) => [r.rank, r.username, r.total])).toEqual([
      [1, 'y', 100],
      [1, 'z', 100],
      [3, 'x', 70],
      [4, 'w', 1],
    ]);
  });
});
