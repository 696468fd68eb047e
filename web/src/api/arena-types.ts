/**
 * The Arena's API shapes, mirrored from src/arena/service/contract.ts (the web app is
 * type-checked on its own and imports nothing from src/). Only what the pages use.
 */
import type { Pagination } from './types';

export type Difficulty = 'easy' | 'medium' | 'hard';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'medium', 'hard'];

export const TEST_VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RTE', 'SK', 'JE'] as const;
export type TestVerdict = (typeof TEST_VERDICTS)[number];
export const SUBMISSION_VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RTE', 'JE', 'CE'] as const;
export type SubmissionVerdict = (typeof SUBMISSION_VERDICTS)[number];
export type SubmissionState = 'queued' | 'compiling' | 'running' | 'cancelled' | 'done';

export interface ProblemSummary {
  id: string;
  slug: string;
  title: string;
  difficulty: Difficulty;
  tags: string[];
  published: boolean;
  type: 'pass-fail' | 'scoring';
  interactive: boolean;
  stats: { submissions: number; accepted: number; acceptanceRate: number | null; solvedBy: number; fastestMs: number | null };
  mark: 'solved' | 'attempted' | null;
  myScore: number | null;
  maxScore: number;
  authorId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PublicTest {
  name: string;
  kind: 'sample' | 'public';
  input: string;
  output: string;
  interaction?: string;
}

export interface ProblemDetail extends ProblemSummary {
  statement: { language: string; markdown: string };
  statementLanguages: string[];
  limits: { timeMs: number; timeMsByLanguage: Record<string, number>; memoryMb: number; outputKb: number };
  samples: PublicTest[];
  publicTests: PublicTest[];
  languages: string[];
  warnings?: string[];
  version: number;
}

export interface ImportResult {
  problem: ProblemDetail;
  created: boolean;
  warnings: string[];
}

export interface SubmissionFile {
  name: string;
  content: string;
}

export interface SubmissionTestView {
  index: number;
  name: string;
  group: string;
  visibility: 'sample' | 'public' | 'hidden';
  verdict: TestVerdict | 'pending';
  score: number;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  detail?: string;
  message?: string;
  input?: string;
  expected?: string;
  output?: string;
  truncated?: boolean;
}

export interface SubmissionGroupView {
  path: string;
  verdict: TestVerdict | 'pending';
  score: number;
  maxScore: number;
}

export type SubmissionKind = 'submission' | 'run';

export interface SubmissionSummary {
  id: string;
  kind: SubmissionKind;
  problemId: string;
  problemSlug: string;
  problemTitle: string;
  userId: string;
  username: string;
  language: string;
  status: SubmissionState;
  verdict: SubmissionVerdict | null;
  score: number;
  maxScore: number;
  cpuMs: number | null;
  memoryKb: number | null;
  testsDone: number;
  testsTotal: number;
  createdAt: string;
  judgedAt: string | null;
}

export interface SubmissionView extends SubmissionSummary {
  tests: SubmissionTestView[];
  groups: SubmissionGroupView[];
  compileMessage?: string;
  firstFailure?: string;
  files?: SubmissionFile[];
  queuePosition?: number | null;
}

export interface VerifyRow {
  program: string;
  language: string | null;
  expected: string;
  submissionId: string | null;
  status: SubmissionState | 'not-run';
  verdict: SubmissionVerdict | null;
  score: number | null;
  timeMs: number | null;
  ok: boolean | null;
  message?: string;
}

export interface ProblemList {
  problems: ProblemSummary[];
  pagination: Pagination;
}

export interface SubmissionList {
  submissions: SubmissionSummary[];
  pagination: Pagination;
}

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
