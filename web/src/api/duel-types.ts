/** Duels, ratings and leaderboards (docs/api.md): derived from generated.ts (the server's route schemas, `npm run gen:types`). */
import type { ApiResponse } from './generated';

export type MatchView = ApiResponse<'/api/v1/matches/{id}', 'get'>;
export type DuelPlayer = MatchView['players'][number];
export type RatingSnapshot = NonNullable<MatchView['result']>['ratings'][string]['before'];

export type DequeueAnswer = ApiResponse<'/api/v1/match/dequeue', 'post'>;
export type LeaderboardEntry = ApiResponse<'/api/v1/leaderboard/top', 'get'>[number];
export type RatingProfile = ApiResponse<'/api/v1/users/{username}/rating', 'get'>;
