/** The API's shapes, as far as the app uses them (see /openapi.json for the full ones). */

export interface User {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  role: string;
  avatarUrl: string | null;
  emailVerified: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface Language {
  id: string;
  name: string;
  version: string | null;
  aliases: string[];
  extensions: string[];
  compiled: boolean;
  available: boolean;
  reason?: string;
}

export interface StageLimits {
  cpuMs: number;
  wallMs: number;
  memoryMb: number;
  processes: number;
  outputBytes: number;
}

/** GET /api/v1/limits. */
export interface Limits {
  run: { defaults: StageLimits; max: StageLimits };
  stdinBytes: number;
  codeChars: number;
  fileBytes: number;
}

/** GET /api/v1/languages answers the array; the web app loads it with GET /api/v1/limits. */
export interface LanguagesResponse {
  languages: Language[];
  limits: Limits;
}

export type Verdict = 'ok' | 'runtime_error' | 'time_limit' | 'memory_limit' | 'output_limit' | 'compile_error' | 'internal_error';

export const FINAL_STATUSES = ['completed', 'timeout', 'failed', 'cancelled'] as const;
export type ExecutionStatus = 'queued' | 'running' | (typeof FINAL_STATUSES)[number];

export interface Execution {
  executionId: string;
  status: ExecutionStatus;
  language: string;
  output: string | null;
  error: string | null;
  executionTime: number | null;
  memoryUsed: number | null;
  exitCode: number | null;
  compilationError: string | null;
  verdict: Verdict | null;
  signal: string | null;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  truncated: boolean;
  failureReason: string | null;
  /** Only when the request asked for them (outputFiles globs, timeline: true). */
  outputFiles?: { name: string; size: number; type: string; content: string }[];
  refusedOutputFiles?: { name: string; reason: string }[];
  timeline?: [number, number, number][];
  projectId: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface QueuedReceipt {
  executionId: string;
  status: 'queued';
  estimatedTime: number;
  queuePosition: number | null;
}

export interface Pagination {
  total: number;
  page: number;
  limit: number;
  pages: number;
}

export interface Stats {
  totalExecutions: number;
  totalProjects: number;
  storageUsed: number;
  executionTimeToday: number;
  executionsToday: number;
  executionsThisMonth: number;
  averageExecutionTime: number;
  executionsByStatus: Record<string, number>;
  executionsByVerdict: Record<string, number>;
  languages: Record<string, number>;
  quota: {
    daily: { used: number; limit: number | null; resetAt: string };
    monthly: { used: number; limit: number | null; resetAt: string };
    storage: { usedMb: number; limitMb: number | null };
  };
}

export type Visibility = 'private' | 'public' | 'unlisted';

export interface ProjectSummary {
  id: string;
  name: string;
  description: string | null;
  language: string;
  visibility: Visibility;
  isTemplate: boolean;
  forkFrom: string | null;
  starCount: number;
  viewCount: number;
  fileCount: number;
  starred: boolean;
  owner: { id: string; username: string };
  createdAt: string;
  updatedAt: string;
}

export interface ProjectFile {
  id: string;
  name: string;
  path: string;
  enginePath: string;
  size: number;
  isMain: boolean;
  language: string | null;
  content: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectDetail extends ProjectSummary {
  files: ProjectFile[];
  mainFileId: string | null;
}

export interface Comment {
  id: string;
  projectId: string;
  parentId: string | null;
  content: string | null;
  author: { id: string; username: string } | null;
  edited: boolean;
  deleted: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CommentThread extends Comment {
  replies: Comment[];
}
