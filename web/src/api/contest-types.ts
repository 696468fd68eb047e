/** Contest API shapes, named: derived from generated.ts (the server's route schemas, `npm run gen:types`). */
import type { ApiResponse } from './generated';

export type ContestDetail = ApiResponse<'/api/v1/contests/{slug}', 'get'>;
export type ContestSummary = ApiResponse<'/api/v1/contests', 'get'>['contests'][number];
export type ContestFormat = ContestSummary['format'];
export type ContestPhase = ContestSummary['phase'];

export type Scoreboard = ApiResponse<'/api/v1/contests/{slug}/scoreboard', 'get'>;
export type IcpcCell = Extract<Scoreboard, { format: 'icpc' }>['rows'][number]['cells'][string];
export type IoiCell = Extract<Scoreboard, { format: 'ioi' }>['rows'][number]['cells'][string];
