/**
 * The Arena's API shapes, named: derived from generated.ts (the server's route schemas, `npm run
 * gen:types`), except the socket events, which are not in the OpenAPI document.
 */
import type { ApiResponse } from './generated';

type Problem = ApiResponse<'/api/v1/problems/{slug}', 'get'>;
type Submission = ApiResponse<'/api/v1/submissions/{id}', 'get'>;

export type Difficulty = Problem['difficulty'];
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const satisfies readonly Difficulty[];

export const TEST_VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RTE', 'SK', 'JE'] as const satisfies readonly SubmissionTestView['verdict'][];
export type TestVerdict = (typeof TEST_VERDICTS)[number];
export const SUBMISSION_VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RTE', 'JE', 'CE'] as const satisfies readonly NonNullable<Submission['verdict']>[];
export type SubmissionVerdict = (typeof SUBMISSION_VERDICTS)[number];
export type SubmissionState = Submission['status'];

export type ProblemSummary = ApiResponse<'/api/v1/problems', 'get'>['problems'][number];
export type ProblemDetail = Problem;
export type PublicTest = Problem['samples'][number];
export type ImportResult = ApiResponse<'/api/v1/problems/import', 'post'>;

export type SubmissionView = Submission;
export type SubmissionSummary = ApiResponse<'/api/v1/submissions', 'get'>['submissions'][number];
export type SubmissionFile = NonNullable<Submission['files']>[number];
export type SubmissionTestView = Submission['tests'][number];
export type SubmissionGroupView = Submission['groups'][number];
export type SubmissionKind = Submission['kind'];

export type VerifyRow = ApiResponse<'/api/v1/problems/{slug}/verify', 'get'>['rows'][number];

export type ProblemList = ApiResponse<'/api/v1/problems', 'get'>;
export type SubmissionList = ApiResponse<'/api/v1/submissions', 'get'>;

/** Socket events (`submission:*` on /ws). */
export interface SubmissionStatusEvent {
  submissionId: string;
  seq: number;
  status: SubmissionState;
}
export interface SubmissionProgressEvent {
  submissionId: string;
  seq: number;
  status: SubmissionState;
  test: SubmissionTestView;
  testsDone: number;
  testsTotal: number;
}
export interface SubmissionCompleteEvent {
  submissionId: string;
  seq: number;
  result: SubmissionView | null;
}
/** The judging failed outside any test (the worker could not judge it). */
export interface SubmissionErrorEvent {
  submissionId: string;
  seq: number;
  error: { code: string; message: string };
}
export type SubmissionEvent =
  | ({ kind: 'status' } & SubmissionStatusEvent)
  | ({ kind: 'progress' } & SubmissionProgressEvent)
  | ({ kind: 'complete' } & SubmissionCompleteEvent)
  | ({ kind: 'error' } & SubmissionErrorEvent);
