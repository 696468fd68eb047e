import type { ContestService } from '../arena/contests/service.js';
import type { LeaderboardService } from '../arena/duels/leaderboard.js';
import type { DuelService } from '../arena/duels/service.js';
import type { CompileChecks } from '../arena/service/compile-check.js';
import type { ProblemService } from '../arena/service/problems.js';
import type { SubmissionService } from '../arena/service/submissions.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import type { EngineClient } from '../engine/client.js';
import type { ExecutionService } from '../executions/service.js';
import type { QuotaService } from '../guards/quotas.js';
import type { ExecutionQueue } from '../queue/queue.js';
import type { OutputBus } from '../realtime/bus.js';
import type { Metrics } from '../system/metrics.js';

/** The authenticated caller, set by the auth plugin from a valid access token. */
export interface AuthUser {
  id: string;
  username: string;
  role: string;
  /** The session (refresh-token family) of the access token, when it names one. */
  sessionId?: string;
  /** Set when the caller is an API key (src/auth/api-keys.ts): the key and what it may do. */
  apiKeyId?: string;
  scopes?: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
}

export interface Secrets {
  jwt: string;
  jwtRefresh: string;
}

/**
 * Everything an API process is wired with. The mode (embedded or cluster) is a choice of these
 * drivers, made once at startup (src/server/platform.ts); nothing below branches on it.
 */
export interface AppContext {
  config: Config;
  database: Database;
  engine: EngineClient;
  queue: ExecutionQueue;
  bus: OutputBus;
  secrets: Secrets;
  executions: ExecutionService;
  /** The Arena (src/arena/service/). */
  problems: ProblemService;
  submissions: SubmissionService;
  /** Contests (issue 9, src/arena/contests/). */
  contests: ContestService;
  /** Duels and ratings (src/arena/duels/). */
  duels: DuelService;
  leaderboard: LeaderboardService;
  /** Compile checks of imported validators (on a worker in cluster mode). */
  compileChecks: CompileChecks;
  /** Redis client for rate limits in cluster mode. */
  redis?: import('ioredis').Redis;
  /** Execution and storage quotas (src/guards/quotas.ts). */
  quotas: QuotaService;
  /** This platform's Prometheus registry (src/system/metrics.ts). */
  metrics: Metrics;
  instanceId: string;
}
