import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  doublePrecision,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

/** Program output is bytes (a NUL, invalid UTF-8): stored as bytea, never trimmed or mangled. */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array | Buffer | string }>({
  dataType: () => 'bytea',
  toDriver: (v) => v,
  fromDriver: (v) => {
    if (typeof v === 'string') return Buffer.from(v.startsWith('\\x') ? v.slice(2) : v, 'hex');
    return Buffer.from(v);
  },
});

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const created = () => tstz('created_at').notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: varchar('email', { length: 255 }).notNull(),
    username: varchar('username', { length: 50 }).notNull(),
    passwordHash: varchar('password_hash', { length: 255 }).notNull(),
    fullName: varchar('full_name', { length: 100 }),
    avatarUrl: text('avatar_url'),
    emailVerified: boolean('email_verified').notNull().default(false),
    isActive: boolean('is_active').notNull().default(true),
    role: varchar('role', { length: 20 }).notNull().default('user'),
    createdAt: created(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    lastLoginAt: tstz('last_login_at'),
  },
  (t) => [
    uniqueIndex('users_email_lower').on(sql`lower(${t.email})`),
    uniqueIndex('users_username_lower').on(sql`lower(${t.username})`),
    check('users_role', sql`${t.role} in ('user', 'author', 'admin')`),
  ],
);

/** Rotating refresh tokens, stored hashed, in families (one family per login). */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: varchar('token_hash', { length: 128 }).notNull(),
    expiresAt: tstz('expires_at').notNull(),
    createdAt: created(),
    /** Set when rotated; the successor is `replacedBy`. */
    rotatedAt: tstz('rotated_at'),
    replacedBy: uuid('replaced_by'),
    /** The successor's raw token, encrypted, kept only for the grace period (two tabs refreshing at once). */
    successorSealed: text('successor_sealed'),
    revoked: boolean('revoked').notNull().default(false),
    ipAddress: varchar('ip_address', { length: 64 }),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('refresh_tokens_hash').on(t.tokenHash), index('refresh_tokens_user').on(t.userId), index('refresh_tokens_family').on(t.familyId)],
);

/** Failed logins per (account, client IP): lockout never lets one client lock another out. */
export const loginFailures = pgTable('login_failures', {
  key: varchar('key', { length: 400 }).primaryKey(),
  count: integer('count').notNull().default(0),
  firstAt: tstz('first_at').notNull().defaultNow(),
  lockedUntil: tstz('locked_until'),
});

/**
 * Email tokens (issue 12 item 5): address verification and password reset. Only an HMAC of the
 * token is stored; a token is single use (`used_at`) and expires (`expires_at`). Rows of one
 * user and purpose also count the mails sent, for the per-address rate limit.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** verify | reset */
    purpose: varchar('purpose', { length: 10 }).notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    /** The address the mail went to: a verification holds only for the address it was sent to. */
    email: varchar('email', { length: 255 }).notNull(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    createdAt: created(),
  },
  (t) => [uniqueIndex('email_tokens_hash').on(t.tokenHash), index('email_tokens_user').on(t.userId, t.purpose), check('email_tokens_purpose', sql`${t.purpose} in ('verify', 'reset')`)],
);

export const executions = pgTable(
  'executions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id'),
    language: varchar('language', { length: 50 }).notNull(),
    /** queued | running | completed | timeout | failed | cancelled */
    status: varchar('status', { length: 20 }).notNull().default('queued'),
    /** The engine's stage status of the deciding stage (ok, runtime_error, ...). */
    verdict: varchar('verdict', { length: 30 }),
    /** The job: files, main file, args, limits (everything but stdin). */
    request: jsonb('request').notNull(),
    stdin: bytea('stdin'),
    stdout: bytea('stdout'),
    stderr: bytea('stderr'),
    exitCode: integer('exit_code'),
    signal: varchar('signal', { length: 20 }),
    cpuMs: integer('cpu_ms'),
    wallMs: integer('wall_ms'),
    memoryKb: bigint('memory_kb', { mode: 'number' }),
    truncated: boolean('truncated').notNull().default(false),
    compile: jsonb('compile'),
    /**
     * What the run left for the caller, when asked: output files (content base64), refused
     * ones by name, the run stage's timeline. Null when the request asked for neither.
     */
    artifacts: jsonb('artifacts'),
    compilationError: text('compilation_error'),
    /** Why a run failed on our side (worker_lost, internal). */
    failureReason: text('failure_reason'),
    attempts: integer('attempts').notNull().default(0),
    workerId: varchar('worker_id', { length: 100 }),
    leaseUntil: tstz('lease_until'),
    createdAt: created(),
    startedAt: tstz('started_at'),
    completedAt: tstz('completed_at'),
  },
  (t) => [
    index('executions_user_created').on(t.userId, t.createdAt),
    index('executions_status').on(t.status),
    index('executions_project').on(t.projectId),
  ],
);

export const userQuotas = pgTable('user_quotas', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  executionsToday: integer('executions_today').notNull().default(0),
  executionsMonth: integer('executions_month').notNull().default(0),
  storageUsedBytes: bigint('storage_used_bytes', { mode: 'number' }).notNull().default(0),
  maxExecutionsDaily: integer('max_executions_daily'),
  maxExecutionsMonthly: integer('max_executions_monthly'),
  maxStorageMb: integer('max_storage_mb'),
  lastResetDaily: varchar('last_reset_daily', { length: 10 }).notNull().default(sql`to_char(now() at time zone 'utc', 'YYYY-MM-DD')`),
  lastResetMonthly: varchar('last_reset_monthly', { length: 7 }).notNull().default(sql`to_char(now() at time zone 'utc', 'YYYY-MM')`),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const auditLogs = pgTable(
  'audit_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    action: varchar('action', { length: 50 }).notNull(),
    resourceType: varchar('resource_type', { length: 50 }),
    resourceId: uuid('resource_id'),
    ipAddress: varchar('ip_address', { length: 64 }),
    userAgent: text('user_agent'),
    metadata: jsonb('metadata'),
    createdAt: created(),
  },
  (t) => [index('audit_logs_user').on(t.userId), index('audit_logs_action').on(t.action)],
);

/**
 * Projects (issue 4, first seed's projects table). The language is checked against the engine's
 * registry in the service, not by a CHECK constraint, so adding a language needs no migration.
 * `deleted_at` is a soft delete: hidden everywhere, restorable by the owner for 30 days.
 */
export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 200 }).notNull(),
    description: text('description'),
    language: varchar('language', { length: 50 }).notNull(),
    visibility: varchar('visibility', { length: 20 }).notNull().default('private'),
    isTemplate: boolean('is_template').notNull().default(false),
    forkFrom: uuid('fork_from').references((): AnyPgColumn => projects.id, { onDelete: 'set null' }),
    starCount: integer('star_count').notNull().default(0),
    viewCount: integer('view_count').notNull().default(0),
    createdAt: created(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    check('projects_visibility', sql`${t.visibility} in ('private', 'public', 'unlisted')`),
    index('projects_user').on(t.userId),
    index('projects_language').on(t.language),
    index('projects_visibility').on(t.visibility),
    index('projects_created').on(t.createdAt),
    index('projects_updated').on(t.updatedAt),
    index('projects_fork_from').on(t.forkFrom),
  ],
);

/**
 * A project's files: a directory `path` ("/" or "/src", normalised) and a `name`; the engine sees
 * "src/name". The engine refuses two files differing only in case, so the unique index is on the
 * lower-cased pair; the seed's (project_id, path, name) constraint is kept too. At most one main
 * file per project (partial unique index).
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 255 }).notNull(),
    path: varchar('path', { length: 500 }).notNull().default('/'),
    content: text('content').notNull().default(''),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    language: varchar('language', { length: 50 }),
    isMain: boolean('is_main').notNull().default(false),
    /** 'utf8': `content` is the text; 'base64': a binary file (a PNG a workspace wrote), its bytes in base64. */
    encoding: varchar('encoding', { length: 10 }).notNull().default('utf8'),
    createdAt: created(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    unique('unique_file_path').on(t.projectId, t.path, t.name),
    uniqueIndex('files_project_path_name_ci').on(t.projectId, sql`lower(${t.path})`, sql`lower(${t.name})`),
    uniqueIndex('files_one_main').on(t.projectId).where(sql`${t.isMain}`),
    index('files_project').on(t.projectId),
  ],
);

export const projectStars = pgTable(
  'project_stars',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    createdAt: created(),
  },
  (t) => [unique('unique_user_project_star').on(t.userId, t.projectId), index('project_stars_user').on(t.userId), index('project_stars_project').on(t.projectId)],
);

/** Comments with replies (`parent_id`); soft-deleted (`deleted_at`) so that a thread keeps its shape. */
export const comments = pgTable(
  'comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    parentId: uuid('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    createdAt: created(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [index('comments_project').on(t.projectId, t.createdAt), index('comments_user').on(t.userId), index('comments_parent').on(t.parentId)],
);

/**
 * Arena problems (issue 8). `model` is the loaded package's model (src/arena/packages/model.ts,
 * plain JSON); its files live in `problem_files`, per version, so that a worker on any host can
 * load the package from the database. Statements and limits are copied out for the views.
 */
export const problems = pgTable(
  'problems',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: varchar('slug', { length: 100 }).notNull(),
    title: varchar('title', { length: 300 }).notNull(),
    difficulty: varchar('difficulty', { length: 10 }).notNull().default('medium'),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    /** pass-fail | scoring */
    type: varchar('type', { length: 20 }).notNull().default('pass-fail'),
    interactive: boolean('interactive').notNull().default(false),
    published: boolean('published').notNull().default(false),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** Grows with every package import; submissions record the version they were judged on. */
    version: integer('version').notNull().default(1),
    /** `{ language, markdown }[]` */
    statements: jsonb('statements').notNull(),
    /** ProblemLimits of the contract (the time limit the judge applies, explicit or default). */
    limits: jsonb('limits').notNull(),
    /** The package model (ProblemPackage) as JSON. */
    model: jsonb('model').notNull(),
    /** Names of non-sample tests whose data is shown (public tests). */
    publicTests: jsonb('public_tests').$type<string[]>().notNull().default([]),
    /** Import warnings (shown to the author and admins). */
    warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
    /** Maximum score of a submission (the scoring plan's). */
    maxScore: doublePrecision('max_score').notNull().default(1),
    createdAt: created(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('problems_slug').on(t.slug),
    check('problems_difficulty', sql`${t.difficulty} in ('easy', 'medium', 'hard')`),
    check('problems_type', sql`${t.type} in ('pass-fail', 'scoring')`),
    index('problems_published').on(t.published, t.createdAt),
    index('problems_difficulty_idx').on(t.difficulty),
    index('problems_author').on(t.authorId),
  ],
);

/** The package's files, per problem version (bytea: test data is bytes). */
export const problemFiles = pgTable(
  'problem_files',
  {
    problemId: uuid('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    path: varchar('path', { length: 1000 }).notNull(),
    content: bytea('content').notNull(),
  },
  (t) => [uniqueIndex('problem_files_pk').on(t.problemId, t.version, t.path)],
);

/**
 * Submissions and runs (kind `run`: samples only, never counted). `result` holds the judge's
 * table (tests, groups, compile message) as the stored, already-filtered view data: hidden test
 * data is never written here.
 */
export const submissions = pgTable(
  'submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    problemId: uuid('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    problemVersion: integer('problem_version').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** submission | run | verify (the package's own programs, by its author). */
    kind: varchar('kind', { length: 10 }).notNull().default('submission'),
    language: varchar('language', { length: 50 }).notNull(),
    /** `{ files, mainFile }` */
    source: jsonb('source').notNull(),
    /** queued | compiling | running | cancelled | done */
    status: varchar('status', { length: 20 }).notNull().default('queued'),
    verdict: varchar('verdict', { length: 5 }),
    score: doublePrecision('score').notNull().default(0),
    maxScore: doublePrecision('max_score').notNull().default(0),
    cpuMs: integer('cpu_ms'),
    memoryKb: bigint('memory_kb', { mode: 'number' }),
    testsDone: integer('tests_done').notNull().default(0),
    testsTotal: integer('tests_total').notNull().default(0),
    /** Per-test rows (SubmissionTestView[]), per-group scores, compile message, first failure. */
    result: jsonb('result'),
    /** The verify program path (kind verify) and what it expects. */
    verifyProgram: varchar('verify_program', { length: 500 }),
    queueOwner: varchar('queue_owner', { length: 200 }),
    attempts: integer('attempts').notNull().default(0),
    workerId: varchar('worker_id', { length: 100 }),
    leaseUntil: tstz('lease_until'),
    createdAt: created(),
    startedAt: tstz('started_at'),
    judgedAt: tstz('judged_at'),
  },
  (t) => [
    check('submissions_kind', sql`${t.kind} in ('submission', 'run', 'verify')`),
    check('submissions_status', sql`${t.status} in ('queued', 'compiling', 'running', 'cancelled', 'done')`),
    index('submissions_problem_created').on(t.problemId, t.createdAt),
    index('submissions_user_created').on(t.userId, t.createdAt),
    index('submissions_user_problem').on(t.userId, t.problemId),
    index('submissions_status').on(t.status),
    index('submissions_created').on(t.createdAt),
  ],
);

/** Per-group scores of judged submissions (kind `submission`), for the IOI rule. */
export const submissionGroupScores = pgTable(
  'submission_group_scores',
  {
    submissionId: uuid('submission_id')
      .notNull()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    problemId: uuid('problem_id').notNull(),
    userId: uuid('user_id').notNull(),
    groupName: varchar('group_name', { length: 300 }).notNull(),
    score: doublePrecision('score').notNull(),
  },
  (t) => [uniqueIndex('submission_group_scores_pk').on(t.submissionId, t.groupName), index('submission_group_scores_user_problem').on(t.userId, t.problemId)],
);

/**
 * Compile checks of a package's custom programs at import, in cluster mode: the API replica has
 * no sandbox, so it stores the sources here, queues `cmp-<id>` and waits; a worker compiles and
 * writes the outcome. Rows live for the duration of one import (the reconciler removes leftovers).
 */
export const arenaCompileChecks = pgTable('arena_compile_checks', {
  id: uuid('id').primaryKey().defaultRandom(),
  language: varchar('language', { length: 50 }).notNull(),
  /** `{ path, content (base64) }[]` and the main file. */
  program: jsonb('program').notNull(),
  /** pending | ok | compile_error | failed */
  status: varchar('status', { length: 20 }).notNull().default('pending'),
  message: text('message'),
  createdAt: created(),
});

/**
 * Personal access tokens (issue 12): `mck_…`, shown once, stored as a SHA-256 hash (the key is
 * 256 random bits, so a plain hash cannot be reversed). `prefix` is the start of the key, for
 * telling keys apart in a list. Revocation sets `revoked_at`; rows are kept for the audit trail.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 100 }).notNull(),
    prefix: varchar('prefix', { length: 16 }).notNull(),
    keyHash: varchar('key_hash', { length: 64 }).notNull(),
    /** Subset of execute, read, projects, admin. */
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    expiresAt: tstz('expires_at'),
    lastUsedAt: tstz('last_used_at'),
    revokedAt: tstz('revoked_at'),
    createdAt: created(),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.keyHash), index('api_keys_user').on(t.userId)],
);

/**
 * Contests (issue 9, docs/arena.md "Contests"): a set of problems with labels, a window and a
 * format. The scoreboard is computed from the contest's submissions on every read (never stored),
 * so a rejudge or the thaw gives a consistent board.
 */
export const contests = pgTable(
  'contests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: varchar('slug', { length: 100 }).notNull(),
    title: varchar('title', { length: 300 }).notNull(),
    description: text('description').notNull().default(''),
    /** icpc | ioi */
    format: varchar('format', { length: 10 }).notNull(),
    startsAt: tstz('starts_at').notNull(),
    endsAt: tstz('ends_at').notNull(),
    /** The last N minutes of the contest show others' results as pending (0: no freeze). */
    freezeMinutes: integer('freeze_minutes').notNull().default(0),
    penaltyMinutes: integer('penalty_minutes').notNull().default(20),
    /** public | invite */
    visibility: varchar('visibility', { length: 10 }).notNull().default('public'),
    /** Users who may join an invite-only contest. */
    invited: jsonb('invited').$type<string[]>().notNull().default([]),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: created(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    /** A rated contest moves the (duel) ratings of its live participants once, after its end. */
    rated: boolean('rated').notNull().default(false),
    /** Set by the one UPDATE that applies the ratings (… WHERE ratings_applied_at IS NULL). */
    ratingsAppliedAt: tstz('ratings_applied_at'),
  },
  (t) => [
    uniqueIndex('contests_slug').on(t.slug),
    check('contests_format', sql`${t.format} in ('icpc', 'ioi')`),
    check('contests_visibility', sql`${t.visibility} in ('public', 'invite')`),
    check('contests_window', sql`${t.endsAt} > ${t.startsAt}`),
    index('contests_starts').on(t.startsAt),
  ],
);

/** A contest's problems, ordered, with their labels (A, B, …). */
export const contestProblems = pgTable(
  'contest_problems',
  {
    contestId: uuid('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    problemId: uuid('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    label: varchar('label', { length: 5 }).notNull(),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('contest_problems_label').on(t.contestId, t.label), uniqueIndex('contest_problems_problem').on(t.contestId, t.problemId)],
);

/**
 * Participants. A live participant's window is the contest's; a virtual one (joined after the
 * end) gets a window of the contest's length from the join (the database's now()).
 */
export const contestParticipants = pgTable(
  'contest_participants',
  {
    contestId: uuid('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    virtual: boolean('virtual').notNull().default(false),
    startsAt: tstz('starts_at').notNull(),
    endsAt: tstz('ends_at').notNull(),
    joinedAt: created(),
  },
  (t) => [uniqueIndex('contest_participants_pk').on(t.contestId, t.userId)],
);

/** Which submissions were made in a contest (the submissions table stays as it is). */
export const contestSubmissions = pgTable(
  'contest_submissions',
  {
    submissionId: uuid('submission_id')
      .primaryKey()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    contestId: uuid('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    label: varchar('label', { length: 5 }).notNull(),
  },
  (t) => [index('contest_submissions_contest').on(t.contestId)],
);

/**
 * Duel ratings (Glicko-2, src/arena/ratings/glicko2.ts). A user without a row has the new-player
 * rating (1500 / 350 / 0.06); the row is created at their first rated game.
 */
export const duelRatings = pgTable(
  'duel_ratings',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    rating: doublePrecision('rating').notNull(),
    rd: doublePrecision('rd').notNull(),
    volatility: doublePrecision('volatility').notNull(),
    games: integer('games').notNull().default(0),
    wins: integer('wins').notNull().default(0),
    losses: integer('losses').notNull().default(0),
    draws: integer('draws').notNull().default(0),
    /** The opponent of the last duel: matchmaking never pairs them again right away. */
    lastOpponentId: uuid('last_opponent_id'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('duel_ratings_rating').on(t.rating)],
);

/** Duels (1v1 matches). `result` holds the rating changes; times are the database's. */
export const matches = pgTable(
  'matches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mode: varchar('mode', { length: 30 }).notNull(),
    /** active | finished */
    status: varchar('status', { length: 20 }).notNull().default('active'),
    problemId: uuid('problem_id').references(() => problems.id, { onDelete: 'set null' }),
    playerOneId: uuid('player_one_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    playerTwoId: uuid('player_two_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    winnerUserId: uuid('winner_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Languages both accept (empty = any). */
    languages: jsonb('languages').$type<string[]>().notNull().default([]),
    /** ac | timeout | forfeit | problem_deleted */
    outcome: varchar('outcome', { length: 20 }),
    /** `{ ratings: { [userId]: { before, after } } }` (MatchResult). */
    result: jsonb('result'),
    startedAt: tstz('started_at').notNull().defaultNow(),
    endsAt: tstz('ends_at').notNull(),
    finishedAt: tstz('finished_at'),
    createdAt: created(),
  },
  (t) => [
    check('matches_status', sql`${t.status} in ('active', 'finished')`),
    check('matches_players', sql`${t.playerOneId} <> ${t.playerTwoId}`),
    index('matches_p1').on(t.playerOneId, t.createdAt),
    index('matches_p2').on(t.playerTwoId, t.createdAt),
    index('matches_active_ends').on(t.status, t.endsAt),
  ],
);

/** Submissions made for a duel (normal Arena submissions, linked here). */
export const matchSubmissions = pgTable(
  'match_submissions',
  {
    submissionId: uuid('submission_id')
      .primaryKey()
      .references(() => submissions.id, { onDelete: 'cascade' }),
    matchId: uuid('match_id')
      .notNull()
      .references(() => matches.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
  },
  (t) => [index('match_submissions_match').on(t.matchId)],
);

/** Every rating change, for the profile chart. */
export const ratingHistory = pgTable(
  'rating_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    matchId: uuid('match_id').references(() => matches.id, { onDelete: 'set null' }),
    rating: doublePrecision('rating').notNull(),
    rd: doublePrecision('rd').notNull(),
    volatility: doublePrecision('volatility').notNull(),
    delta: doublePrecision('delta').notNull(),
    createdAt: created(),
    /** The rated contest this entry comes from (null for a duel). */
    contestId: uuid('contest_id').references(() => contests.id, { onDelete: 'set null' }),
  },
  (t) => [index('rating_history_user').on(t.userId, t.createdAt)],
);

/** Daily leaderboard snapshots (`date` is the database's UTC date). */
export const leaderboardSnapshots = pgTable(
  'leaderboard_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    snapshotDate: varchar('snapshot_date', { length: 10 }).notNull(),
    /** LeaderboardEntry[] */
    entries: jsonb('entries').notNull(),
    createdAt: created(),
  },
  (t) => [uniqueIndex('leaderboard_snapshots_date').on(t.snapshotDate)],
);

/**
 * Rooms (issue 10, src/rooms/): collaborative editing over Yjs. `state` is the compacted Yjs
 * state (fast load); `stateLogId` the newest `room_updates.id` known to be in it. Notes are
 * the interviewer's and live here, never in the shared document.
 */
export const rooms = pgTable(
  'rooms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: varchar('title', { length: 200 }).notNull(),
    language: varchar('language', { length: 50 }).notNull(),
    fileName: varchar('file_name', { length: 255 }).notNull(),
    notes: text('notes').notNull().default(''),
    state: bytea('state'),
    stateLogId: bigint('state_log_id', { mode: 'number' }).notNull().default(0),
    /** Bumped to revoke every invite link issued before. */
    inviteVersion: integer('invite_version').notNull().default(1),
    createdAt: created(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    endedAt: tstz('ended_at'),
  },
  (t) => [index('rooms_owner').on(t.ownerId, t.createdAt), index('rooms_expires').on(t.expiresAt)],
);

/** Who joined a room, with which role; guests have no user id. */
export const roomParticipants = pgTable(
  'room_participants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    displayName: varchar('display_name', { length: 50 }).notNull(),
    /** interviewer | candidate | viewer */
    role: varchar('role', { length: 20 }).notNull(),
    color: varchar('color', { length: 7 }).notNull(),
    createdAt: created(),
  },
  (t) => [
    check('room_participants_role', sql`${t.role} in ('interviewer', 'candidate', 'viewer')`),
    index('room_participants_room').on(t.roomId),
    uniqueIndex('room_participants_user').on(t.roomId, t.userId),
  ],
);

/** Every Yjs update applied to a room, in order of arrival (the playback log; never trimmed). */
export const roomUpdates = pgTable(
  'room_updates',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    participantId: uuid('participant_id'),
    /** edit | restore | server */
    origin: varchar('origin', { length: 20 }).notNull(),
    data: bytea('data').notNull(),
    createdAt: created(),
  },
  (t) => [index('room_updates_room').on(t.roomId, t.id)],
);

/** Full states rebuilt from the log (all updates with id <= logId): playback seeks from these. */
export const roomCheckpoints = pgTable(
  'room_checkpoints',
  {
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    logId: bigint('log_id', { mode: 'number' }).notNull(),
    state: bytea('state').notNull(),
    createdAt: created(),
  },
  (t) => [uniqueIndex('room_checkpoints_room_log').on(t.roomId, t.logId)],
);

/** Named (by a user) or automatic (every 30 s while the text changes) copies of the code. */
export const roomSnapshots = pgTable(
  'room_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 200 }),
    auto: boolean('auto').notNull().default(false),
    code: text('code').notNull(),
    participantId: uuid('participant_id'),
    createdAt: created(),
  },
  (t) => [index('room_snapshots_room').on(t.roomId, t.createdAt)],
);

/** Runs started in a room (the execution row holds the result). */
export const roomRuns = pgTable(
  'room_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    executionId: uuid('execution_id').references(() => executions.id, { onDelete: 'set null' }),
    participantId: uuid('participant_id'),
    code: text('code').notNull(),
    createdAt: created(),
  },
  (t) => [index('room_runs_room').on(t.roomId, t.createdAt)],
);

/**
 * Workspaces (issue 11, docs/workspaces.md): a project opened as a persistent environment. The
 * files are the project's (one file model); this row holds who opened it and when it was last
 * used. Whether it runs is the workspace host's state, not the database's.
 */
export const workspaces = pgTable(
  'workspaces',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: created(),
    lastActiveAt: tstz('last_active_at').notNull().defaultNow(),
  },
  (t) => [unique('workspaces_project').on(t.projectId), index('workspaces_user').on(t.userId)],
);

/** People the owner invited into a workspace: 'read' (watch terminals, read files) or 'write'. */
export const workspaceCollaborators = pgTable(
  'workspace_collaborators',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 10 }).notNull(),
    createdAt: created(),
  },
  (t) => [unique('workspace_collaborators_pk').on(t.workspaceId, t.userId), check('workspace_collaborators_role', sql`${t.role} in ('read', 'write')`)],
);
