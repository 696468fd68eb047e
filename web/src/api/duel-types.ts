/** Duels, ratings and leaderboards (docs/api.md "Duels, ratings and leaderboards"). */
export interface RatingSnapshot {
  rating: number;
  rd: number;
  volatility: number;
}

export interface DuelPlayer {
  userId: string;
  username: string;
  rating: number;
  provisional: boolean;
  attempts: number;
  bestTestsPassed: number;
  testsTotal: number;
}

export interface MatchView {
  id: string;
  mode: string;
  status: 'active' | 'finished';
  problem: { id: string; slug: string; title: string; difficulty: string } | null;
  languages: string[];
  players: DuelPlayer[];
  winnerUserId: string | null;
  outcome: 'ac' | 'timeout' | 'forfeit' | 'problem_deleted' | null;
  result: { ratings: Record<string, { before: RatingSnapshot; after: RatingSnapshot; delta: number }> } | null;
  startedAt: string;
  endsAt: string;
  finishedAt: string | null;
  now: string;
}

export type DequeueAnswer = { matchId: string; problemId: string | null } | { status: 'waiting'; waitedMs: number; window: number };

export interface LeaderboardEntry {
  rank: number;
  id: string;
  username: string;
  rating: number;
  rd: number;
  provisional: boolean;
  games: number;
  wins: number;
  losses: number;
  draws: number;
}

export interface RatingProfile {
  userId: string;
  rating: number;
  rd: number;
  volatility: number;
  provisional: boolean;
  games: number;
  history: { matchId: string | null; rating: number; rd: number; delta: number; at: string }[];
}
