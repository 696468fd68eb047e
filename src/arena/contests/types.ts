/**
 * The shapes of the contest service (src/arena/contests/service.ts): its inputs, its views and
 * its dependencies. The route schemas (src/arena/api/contest-schemas.ts) describe the same shapes
 * for HTTP and OpenAPI.
 */
import type { Db } from '../../db/client.js';
import type { OutputBus } from '../../realtime/bus.js';
import type { ProblemService } from '../service/problems.js';
import type { SubmissionService } from '../service/submissions.js';
import type { IcpcRow } from './scoreboard-icpc.js';
import type { IoiRow } from './scoreboard-ioi.js';

export type ContestFormat = 'icpc' | 'ioi';
export type ContestPhase = 'upcoming' | 'running' | 'ended';

export interface ContestInput {
  slug: string;
  title: string;
  description?: string;
  format: ContestFormat;
  startsAt: string;
  endsAt: string;
  freezeMinutes?: number;
  penaltyMinutes?: number;
  visibility?: 'public' | 'invite';
  /** Usernames allowed to join an invite-only contest. */
  invited?: string[];
  /** Moves its live participants' ratings once after the end (default false). */
  rated?: boolean;
  /** Problem slugs in order; labelled A, B, … */
  problems: string[];
}
export type ContestPatch = Partial<Omit<ContestInput, 'slug'>>;

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
  rated: boolean;
}
export interface ContestDetail extends ContestSummary {
  description: string;
  /** The server's (database's) time, for countdowns. */
  now: string;
  ownerId: string | null;
  canManage: boolean;
  /** The caller's participation, null when not joined. */
  me: { virtual: boolean; startsAt: string; endsAt: string } | null;
  /** Hidden (empty) before the start, and during the contest from non-participants when a problem is a draft. */
  problems: { label: string; slug: string; title: string }[];
}
export type Scoreboard =
  | { format: 'icpc'; frozen: boolean; problems: string[]; rows: IcpcRow[]; now: string }
  | { format: 'ioi'; frozen: boolean; problems: string[]; rows: IoiRow[]; now: string };

export interface ContestServiceDeps {
  db: Db;
  bus: OutputBus;
  problems: ProblemService;
  submissions: SubmissionService;
  /** Called after a rated contest moved ratings (leaderboard cache invalidation). */
  onRatingsChanged?: () => Promise<void>;
}
