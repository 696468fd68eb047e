/** Contest API shapes, mirrored from src/arena/contests/service.ts and src/arena/api/contest-schemas.ts. */
export type ContestFormat = 'icpc' | 'ioi';
export type ContestPhase = 'upcoming' | 'running' | 'ended';

export interface ContestSummary {
  slug: string;
  title: string;
  format: ContestFormat;
  startsAt: string;
  endsAt: string;
  phase: ContestPhase;
  visibility: 'public' | 'invite';
  freezeMinutes: number;
  penaltyMinutes: number;
  participants: number;
}

export interface ContestDetail extends ContestSummary {
  description: string;
  now: string;
  ownerId: string | null;
  canManage: boolean;
  me: { virtual: boolean; startsAt: string; endsAt: string } | null;
  problems: { label: string; slug: string; title: string }[];
}

export interface IcpcCell {
  solved: boolean;
  tries: number;
  pending: number;
  minute: number | null;
  penalty: number;
  first: boolean;
  frozen: boolean;
}
export interface IoiCell {
  score: number;
  tries: number;
  pending: number;
  frozen: boolean;
}
interface RowBase {
  rank: number;
  userId: string;
  username: string;
  virtual: boolean;
}
export type Scoreboard =
  | { format: 'icpc'; frozen: boolean; problems: string[]; now: string; rows: (RowBase & { solved: number; penalty: number; lastAcMinute: number | null; cells: Record<string, IcpcCell> })[] }
  | { format: 'ioi'; frozen: boolean; problems: string[]; now: string; rows: (RowBase & { total: number; cells: Record<string, IoiCell> })[] };
