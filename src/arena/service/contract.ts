/**
 * The contract between the Arena's services (src/arena/service/), its HTTP and socket API
 * (src/arena/api/) and the web app (web/src/pages/arena/). The views here are exactly what the
 * API returns inside `{ success: true, data }`; the route schemas (zod, for OpenAPI) mirror them.
 *
 * Hidden test data never appears in a view: `input`, `expected` and `output` are set only for
 * sample and public tests; a hidden test's checker message is the public form
 * (`publicMessage`, "Wrong answer at line 2, token 2": no quote of the answer).
 */
import type { AuthUser } from '../../server/context.js';
import type { SubmissionState, SubmissionVerdict, TestVerdict, VerdictDetail } from '../verdicts.js';

export type { SubmissionState } from '../verdicts.js';

export type Difficulty = 'easy' | 'medium' | 'hard';
/** `admin` does everything; `author` creates problems and manages its own; `user` solves. */
export type Role = 'admin' | 'author' | 'user';
export const ROLES: readonly Role[] = ['admin', 'author', 'user'];

export interface Pagination {
  total: number;
  page: number;
  limit: number;
  pages: number;
}

export interface ProblemListQuery {
  page: number;
  limit: number;
  difficulty?: Difficulty;
  tag?: string;
  /** Case-insensitive text in the title or slug. */
  q?: string;
  /** Authors and admins: include their unpublished problems (admins: everyone's). */
  includeDrafts?: boolean;
}

export interface ProblemSummary {
  id: string;
  slug: string;
  title: string;
  difficulty: Difficulty;
  tags: string[];
  published: boolean;
  /** `scoring` problems have subtasks and partial scores (IOI rule); `pass-fail` ones do not. */
  type: 'pass-fail' | 'scoring';
  interactive: boolean;
  /**
   * Submissions judged (not runs, not JE; a running contest's only after its end) and accepted
   * among them; rate = accepted / judged, null when none; fastestMs: the least CPU time of an AC.
   */
  stats: { submissions: number; accepted: number; acceptanceRate: number | null; solvedBy: number; fastestMs: number | null };
  /** The caller's mark; null when anonymous or never submitted. */
  mark: 'solved' | 'attempted' | null;
  /** Scoring problems: the caller's IOI score (best per group over all submissions) out of maxScore. */
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
  /** Interactive samples: the transcript shown instead of input/output. */
  interaction?: string;
}

export interface ProblemLimits {
  /** The time limit the judge applies (explicit, derived at import, or the default). */
  timeMs: number;
  timeMsByLanguage: Record<string, number>;
  memoryMb: number;
  outputKb: number;
}

export interface ProblemDetail extends ProblemSummary {
  /** Markdown with `$…$` / `$$…$$` math, in the first available of: en, then any. */
  statement: { language: string; markdown: string };
  /** Other statement languages available (`?lang=` picks one). */
  statementLanguages: string[];
  limits: ProblemLimits;
  samples: PublicTest[];
  publicTests: PublicTest[];
  /** Language ids a submission may use (every engine language unless the package restricts). */
  languages: string[];
  /** Import warnings; only for the problem's author and admins. */
  warnings?: string[];
  /** Changes with every package import; submissions record the version they were judged on. */
  version: number;
}

export interface ImportOptions {
  /** Publish at once (default false: a draft only its author and admins see). */
  publish?: boolean;
  /** When the slug exists: replace its package (a new version; same author or admin), else PROBLEM_EXISTS. */
  replace?: boolean;
  /** Slug to use instead of the package's folder/archive name. */
  slug?: string;
}

export interface ImportResult {
  problem: ProblemDetail;
  created: boolean;
  warnings: string[];
}

/** A native problem (no package): one statement, tests given inline, the default checker. */
export interface NativeProblemInput {
  slug: string;
  title: string;
  difficulty: Difficulty;
  tags?: string[];
  statement: string;
  timeLimitMs?: number;
  memoryLimitMb?: number;
  /** Checker: `default` (Kattis tokens, case sensitive for native problems) or a DMOJ name with options. */
  checker?: { name: string; options?: Record<string, unknown> };
  tests: { input: string; output: string; kind: 'sample' | 'public' | 'hidden' }[];
}

export interface ProblemPatch {
  title?: string;
  difficulty?: Difficulty;
  tags?: string[];
  statement?: string;
  timeLimitMs?: number;
  memoryLimitMb?: number;
}

export interface SubmissionFileInput {
  name: string;
  content: string;
}

export interface SubmissionInput {
  /** One of problemId or problemSlug. */
  problemId?: string;
  problemSlug?: string;
  language: string;
  code?: string;
  files?: SubmissionFileInput[];
  mainFile?: string;
}

export type TestVisibility = 'sample' | 'public' | 'hidden';

export interface SubmissionTestView {
  /** Position in judging order, from 1. */
  index: number;
  /** Test name (`sample/1`, `secret/group1/03`); hidden tests are named too (names are not data). */
  name: string;
  group: string;
  visibility: TestVisibility;
  verdict: TestVerdict | 'pending';
  /** Fraction 0..1 earned. */
  score: number;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  detail?: VerdictDetail;
  /** Checker feedback (the public form for hidden tests), or why it was skipped. */
  message?: string;
  /** Sample and public tests only (each cut to 64 KiB, with `truncated`). */
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

/** `submission`: judged and counted; `run`: Run on samples (judged on samples only, never counted). */
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
  /** Set when status is `done`. */
  verdict: SubmissionVerdict | null;
  score: number;
  maxScore: number;
  /** Max over tests. */
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
  /** On CE: the compiler's output. */
  compileMessage?: string;
  /** The first failing test's name. */
  firstFailure?: string;
  /** The submitted code: only for its owner, the problem's author and admins. */
  files?: SubmissionFileInput[];
  /** Position among waiting jobs while queued. */
  queuePosition?: number | null;
}

export interface SubmissionListQuery {
  page: number;
  limit: number;
  problem?: string;
  /** A user id, username, or `me`. */
  user?: string;
  verdict?: SubmissionVerdict;
  kind?: SubmissionKind;
}

/** Rows of the author's verify table (the package's own submissions judged like verify does). */
export interface VerifyRow {
  program: string;
  language: string | null;
  expected: string;
  submissionId: string | null;
  status: SubmissionState | 'not-run';
  verdict: SubmissionVerdict | null;
  score: number | null;
  timeMs: number | null;
  /** null while judging. */
  ok: boolean | null;
  message?: string;
}

/** What the routes call; src/arena/service/ implements it. Errors are CallerError/SystemError (stable codes). */
export interface ProblemServiceContract {
  list(caller: AuthUser | null, q: ProblemListQuery): Promise<{ problems: ProblemSummary[]; pagination: Pagination }>;
  /** 404 PROBLEM_NOT_FOUND for an unpublished problem unless the caller is its author or an admin. */
  get(caller: AuthUser | null, slug: string, opts?: { lang?: string }): Promise<ProblemDetail>;
  /** A zip (`.zip`, `.kpp`) or, from the CLI only, a folder. One transaction: all or nothing. */
  importPackage(caller: AuthUser | null, source: { zip: Buffer; filename: string } | { dir: string }, opts?: ImportOptions): Promise<ImportResult>;
  create(caller: AuthUser, input: NativeProblemInput): Promise<ProblemDetail>;
  update(caller: AuthUser, slug: string, patch: ProblemPatch): Promise<ProblemDetail>;
  setPublished(caller: AuthUser, slug: string, published: boolean): Promise<ProblemDetail>;
  remove(caller: AuthUser, slug: string): Promise<void>;
  /** Judges the package's `submissions/` through the queue (author/admin); rows fill in as they finish. */
  startVerify(caller: AuthUser, slug: string): Promise<VerifyRow[]>;
  verifyTable(caller: AuthUser, slug: string): Promise<VerifyRow[]>;
}

export interface SubmissionServiceContract {
  /** Checks quotas and the per-owner queue caps like executions; 404 on an unpublished problem the caller may not see. */
  create(caller: AuthUser, input: SubmissionInput, opts: { queueOwner: string; kind?: SubmissionKind }): Promise<SubmissionView>;
  get(caller: AuthUser | null, id: string): Promise<SubmissionView>;
  /** Resolves with the final view, or the current one after `ms`. */
  waitForFinal(caller: AuthUser | null, id: string, ms: number): Promise<SubmissionView>;
  list(caller: AuthUser | null, q: SubmissionListQuery): Promise<{ submissions: SubmissionSummary[]; pagination: Pagination }>;
  cancel(caller: AuthUser, id: string): Promise<SubmissionView>;
  /** The problem's author or an admin. */
  rejudge(caller: AuthUser, id: string): Promise<SubmissionView>;
  rejudgeProblem(caller: AuthUser, slug: string): Promise<{ count: number }>;
}

/**
 * Socket events (socket.io at /ws, the same connection as executions):
 * - client → `subscribe:submission` `{ submissionId }`, ack `{ status, seq }` or `{ error }`;
 *   `unsubscribe:submission` `{ submissionId }`.
 * - server → `submission:status` `{ submissionId, seq, status }`;
 *   `submission:progress` `{ submissionId, seq, status, test: SubmissionTestView, testsDone, testsTotal }`
 *   (one per finished test, in finishing order; `test.index` places it);
 *   `submission:complete` `{ submissionId, seq, result: SubmissionView }`.
 * Replay then live, as for executions: a late subscriber gets every event from seq 1.
 */
export interface SubmissionProgressEvent {
  submissionId: string;
  seq: number;
  status: SubmissionState;
  test: SubmissionTestView;
  testsDone: number;
  testsTotal: number;
}
