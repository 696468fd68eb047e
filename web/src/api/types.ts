/**
 * The API's shapes the app uses, named. Derived from web/src/api/generated.ts (generated from
 * the server's route schemas by `npm run gen:types`), so they cannot drift from the server:
 * a changed route schema changes these types, and the app's type-check says where it matters.
 */
import type { ApiResponse } from './generated';

export type User = ApiResponse<'/api/v1/auth/me', 'get'>;

export type Language = ApiResponse<'/api/v1/languages', 'get'>[number];

/** GET /api/v1/limits. */
export type Limits = ApiResponse<'/api/v1/limits', 'get'>;
export type StageLimits = Limits['run']['defaults'];

/** GET /api/v1/languages answers the array; the web app loads it with GET /api/v1/limits. */
export interface LanguagesResponse {
  languages: Language[];
  limits: Limits;
}

export type Execution = ApiResponse<'/api/v1/execute/{id}', 'get'>;
export type Verdict = NonNullable<Execution['verdict']>;
export type ExecutionStatus = Execution['status'];
export const FINAL_STATUSES = ['completed', 'timeout', 'failed', 'cancelled'] as const satisfies readonly ExecutionStatus[];

/** POST /api/v1/execute without ?wait=true. */
export type QueuedReceipt = Extract<ApiResponse<'/api/v1/execute', 'post'>, { estimatedTime: number }>;

export type Pagination = ApiResponse<'/api/v1/execute', 'get'>['pagination'];

export type Stats = ApiResponse<'/api/v1/stats', 'get'>;

export type ProjectDetail = ApiResponse<'/api/v1/projects/{id}', 'get'>;
export type ProjectSummary = ApiResponse<'/api/v1/projects', 'get'>['projects'][number];
export type ProjectFile = ProjectDetail['files'][number];
export type Visibility = ProjectSummary['visibility'];

export type CommentThread = ApiResponse<'/api/v1/projects/{id}/comments', 'get'>['comments'][number];
export type Comment = ApiResponse<'/api/v1/projects/{id}/comments', 'post'>;
