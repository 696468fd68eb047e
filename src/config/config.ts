import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_LIMITS, type LimitTable } from '../engine/limits.js';
import { ErrorCodes, SystemError } from '../errors.js';

/**
 * All configuration, parsed once at startup into a frozen object. Nothing else reads
 * process.env. Every option has a description and a default; docs/configuration.md lists them
 * (generated from OPTIONS by `bin/muscode config --markdown`).
 */

/** The checkout: the nearest directory above this file with MUSCode's package.json (works from src/ and dist/). */
export const REPO_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'muscode') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the MUSCode checkout');
    dir = up;
  }
})();

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const bool = () =>
  z
    .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'])
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const duration = (dflt: string) =>
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)?$/, 'a duration such as 15m, 7d, 30s or 500ms')
    .default(dflt);

export const OPTIONS = {
  PORT: {
    schema: int(0, 65535).default(3000),
    description: 'HTTP port of `muscode serve` (0 picks a free port).',
  },
  HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    description: 'Address `muscode serve` listens on. Use 0.0.0.0 behind a proxy or in a container.',
  },
  DATABASE_URL: {
    schema: z.string().optional(),
    description: 'PostgreSQL URL. Unset: embedded mode (PGlite in DATA_DIR). Set together with REDIS_URL for cluster mode.',
  },
  PGLITE_OPTIMIZE: {
    schema: bool().default(false),
    description:
      "Embedded mode: let V8 tier PGlite's WebAssembly up to its optimizing compiler. Off, it runs on the baseline compiler only (Liftoff): about 60 MB less resident in the API process, each database statement somewhat slower (docs/performance.md, \"Resident memory\").",
  },
  REDIS_URL: {
    schema: z.string().optional(),
    description: 'Redis URL for the BullMQ queue, socket.io adapter, output streams and rate limits (cluster mode).',
  },
  REDIS_KEY_PREFIX: {
    schema: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('muscode'),
    description: 'Namespace of every Redis key and of the BullMQ queue, so deployments (or tests) can share one Redis.',
  },
  JWT_SECRET: {
    schema: z.string().min(32).optional(),
    description: 'Access-token signing secret (>= 32 chars). Embedded mode generates and persists one in DATA_DIR; cluster mode requires it.',
  },
  JWT_REFRESH_SECRET: {
    schema: z.string().min(32).optional(),
    description: 'Refresh-token secret (>= 32 chars), distinct from JWT_SECRET. Same rules.',
  },
  JWT_EXPIRATION: { schema: duration('15m'), description: 'Access-token lifetime.' },
  JWT_REFRESH_EXPIRATION: { schema: duration('7d'), description: 'Refresh-token lifetime.' },
  REFRESH_GRACE_PERIOD: {
    schema: duration('10s'),
    description: 'Reusing a just-rotated refresh token within this period returns the same successor instead of revoking the family.',
  },
  CORS_ORIGIN: {
    schema: z.string().default(''),
    description: 'Allowed CORS origins, comma-separated ("*" for any). Empty: same-origin only.',
  },
  ANONYMOUS_EXECUTE: {
    schema: bool().default(false),
    description: 'Allow runs without an account (their id is the only key to them).',
  },
  JUDGE0_ENABLED: {
    schema: bool().default(true),
    description: 'Serve the Judge0 CE 1.13.1 compatible API under JUDGE0_PREFIX (docs/compat.md). Access follows ANONYMOUS_EXECUTE and access tokens like the main API.',
  },
  JUDGE0_PREFIX: {
    schema: z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path such as /judge0').default('/judge0'),
    description: "Path prefix of the Judge0 compatible API: a Judge0 client's base URL is http://host:PORT + this prefix.",
  },
  PISTON_ENABLED: {
    schema: bool().default(true),
    description: 'Serve the Piston v2 compatible API under PISTON_PREFIX (docs/compat.md).',
  },
  PISTON_PREFIX: {
    schema: z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path such as /piston').default('/piston'),
    description: "Path prefix of the Piston compatible API: a Piston client's server URL is http://host:PORT + this prefix (it adds /api/v2).",
  },
  CALLBACK_ALLOWED_HOSTS: {
    schema: z.string().default(''),
    description:
      "Hosts (names or IP addresses, comma-separated) a Judge0 `callback_url` may point to. Empty: callbacks are refused. Loopback, link-local and private addresses are refused unless listed here by address; redirects are never followed.",
  },
  TRUST_PROXY: {
    schema: z
      .string()
      .regex(/^(false|\d+|((loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d+)?)\s*(,\s*|$))+)$/, 'false, a hop count, or comma-separated addresses/CIDRs')
      .default('loopback'),
    description:
      "Which proxies' `X-Forwarded-For` is believed, for the client address used by rate limits, login lockout and the audit log: `false` (none: the peer's address), a hop count (`1`: the last hop), or comma-separated addresses/CIDRs (`10.0.0.0/8,172.16.0.0/12`), or `loopback`, `linklocal`, `uniquelocal`. Default `loopback`: a proxy on the same host (deploy/nginx.conf) works as is; a proxy elsewhere must be listed.",
  },
  SERVICE_USER: {
    schema: z.string().default('muscode'),
    description: 'Unprivileged user the HTTP/worker process runs as; only the engine supervisor keeps root.',
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    schema: int(100, 3_600_000).default(120_000),
    description:
      'Longest time a client may take to send a whole request (headers and body), ms; past it the connection gets 408 REQUEST_TIMEOUT and is closed. Answers may take longer (`?wait=true`).',
  },
  HTTP_HEADERS_TIMEOUT_MS: {
    schema: int(100, 3_600_000).default(30_000),
    description: 'Longest time a client may take to send the request headers, ms (never more than HTTP_REQUEST_TIMEOUT_MS).',
  },
  HTTP_KEEP_ALIVE_TIMEOUT_MS: {
    schema: int(100, 3_600_000).default(72_000),
    description: 'How long an idle keep-alive connection stays open between requests, ms (above a proxy\'s own idle timeout).',
  },
  HTTP_CONNECTION_TIMEOUT_MS: {
    schema: int(1000, 24 * 3_600_000).default(300_000),
    description: 'A connection with no traffic in either direction for this long is closed, ms. Raised, when lower, to the `?wait=true` budget plus 30 s.',
  },
  RATE_LIMIT_API: { schema: int(0, 1e9).default(100), description: 'Requests per 15 minutes per user (or IP). 0 turns it off.' },
  RATE_LIMIT_EXECUTE: { schema: int(0, 1e9).default(10), description: 'Executions, Arena submissions and runs per minute per user (or IP). 0 turns it off.' },
  RATE_LIMIT_AUTH: { schema: int(0, 1e9).default(5), description: 'register/login per 15 minutes per IP. 0 turns it off.' },
  QUOTA_EXECUTIONS_DAILY: { schema: int(0, 1e9).default(100), description: 'Executions per user per UTC day. 0 turns it off.' },
  QUOTA_EXECUTIONS_MONTHLY: { schema: int(0, 1e9).default(1000), description: 'Executions per user per UTC month. 0 turns it off.' },
  QUOTA_STORAGE_MB: { schema: int(0, 1e9).default(100), description: 'Storage per user (projects), MB. 0 turns it off.' },
  LOCKOUT_ATTEMPTS: { schema: int(1, 1000).default(5), description: 'Failed logins (per account and client IP) before a lockout.' },
  LOCKOUT_DURATION: { schema: duration('15m'), description: 'How long a lockout lasts.' },
  SMTP_HOST: {
    schema: z.string().default(''),
    description:
      'SMTP server for account mail (address verification, password reset; docs/auth.md). Empty: no mail is sent; each mail is written to the server log and to DATA_DIR/mail/ (an .eml file) instead.',
  },
  SMTP_PORT: { schema: int(1, 65535).default(587), description: 'SMTP port: 587 (STARTTLS when the server offers it), 465 (TLS from the start), 25.' },
  SMTP_USER: { schema: z.string().default(''), description: 'SMTP user name; empty: no authentication.' },
  SMTP_PASS: { schema: z.string().default(''), description: 'SMTP password (with SMTP_USER).' },
  SMTP_FROM: {
    schema: z.string().min(3).default('MUSCode <no-reply@localhost>'),
    description: 'Sender address of account mail ("Name <address>" or an address).',
  },
  PUBLIC_URL: {
    schema: z.string().regex(/^(https?:\/\/[^/\s]+(\/[^\s]*)?)?$/, 'an http(s) URL such as https://code.example.com').default(''),
    description:
      "The web app's address as users reach it, for the links in account mail. Empty: http://HOST:PORT of this server (right for `make run`; set it behind a proxy). Never taken from the request's Host header, which a caller controls.",
  },
  EMAIL_VERIFY_TTL: { schema: duration('1d'), description: 'How long an address-verification link stays valid.' },
  PASSWORD_RESET_TTL: { schema: duration('1h'), description: 'How long a password-reset link stays valid.' },
  EMAIL_MAX_PER_HOUR: {
    schema: int(1, 1000).default(5),
    description: 'Account mails (verification plus reset) sent to one account per hour; further requests get the same answer but send nothing.',
  },
  UNVERIFIED_MAY_EXECUTE: {
    schema: bool().default(true),
    description: 'Whether an account whose email address is not verified may run code (executions, project runs, Arena submissions, the compat APIs). Off: 403 EMAIL_NOT_VERIFIED.',
  },
  QUEUE_LOCK_DURATION_MS: {
    schema: int(1000, 600_000).default(30_000),
    description: 'BullMQ job lock duration: a worker that stops renewing it for this long is considered lost.',
  },
  QUEUE_STALLED_INTERVAL_MS: {
    schema: int(1000, 600_000).default(30_000),
    description: 'How often BullMQ looks for stalled jobs (those whose worker died).',
  },
  QUEUE_USER_RUNNING_MAX: {
    schema: int(0, 256).default(2),
    description:
      'Runs one caller (a user, an anonymous IP, or the platform itself) may have running at once, in both queue modes; callers are served round-robin. A hard cap: slots stay free rather than go to a caller at its cap. 0: no cap.',
  },
  QUEUE_USER_WAITING_MAX: {
    schema: int(0, 100_000).default(10),
    description: 'Runs one caller may have waiting in the queue; a new run beyond it is refused with 429 QUEUE_FULL. 0: no limit.',
  },
  RECONCILE_INTERVAL_MS: {
    schema: int(1000, 3_600_000).default(60_000),
    description: 'How often the reconciler re-queues queued rows no queue holds and ends running rows whose lease expired.',
  },
  EXECUTION_LEASE_MS: {
    schema: int(5_000, 3_600_000).default(120_000),
    description: 'A running execution whose lease (renewed while it runs) expires is ended as failed/worker_lost or re-queued.',
  },
  LANGUAGES_CHECK_TTL_MS: {
    schema: int(0, 60_000).default(1_000),
    description: "How long a new run's language availability check reuses the engine's language list (in cluster mode, the workers' heartbeats). A language that goes away is still accepted that long, then refused by the engine. 0: ask on every run.",
  },
  WORKER_METRICS_PORT: {
    schema: int(0, 65535).default(0),
    description: '`muscode worker` only: serve GET /metrics (runs by verdict, latencies, queue depth) on HOST:this port; 0 turns it off. API replicas serve /metrics on their own port.',
  },
  METRICS_TOKEN: {
    schema: z.string().min(16).optional(),
    description: 'When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. Unset: /metrics is open (keep it off the public internet).',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    description: 'Log level (pino).',
  },
  DATA_DIR: {
    schema: z.string().min(1).default(path.join(REPO_ROOT, 'data')),
    description: 'Directory for persistent state: the embedded database and secrets (DATA_DIR/service) and the compile cache. One process at a time (a lock; see docs/operations.md).',
  },
  SANDBOX_DRIVER: {
    schema: z.string().default('bwrap'),
    description: 'Sandbox driver by name. Unknown names stop startup.',
  },
  SANDBOX_SLOTS: {
    schema: int(1, 256).default(os.availableParallelism()),
    description: 'Concurrent sandboxes (slots). Default: the number of CPU cores.',
  },
  SANDBOX_UID_BASE: {
    schema: int(1000, 2 ** 31 - 512).default(60000),
    description: 'Slot n runs as uid/gid UID_BASE + n. These uids must not belong to anyone.',
  },
  SANDBOX_RUN_DIR: {
    schema: z.string().min(1).default('/run/muscode'),
    description: 'Where per-slot box tmpfs mounts live. Must be traversable by the slot uids.',
  },
  SANDBOX_BWRAP: {
    schema: z.string().default('/usr/bin/bwrap'),
    description: 'Path of the bubblewrap binary.',
  },
  SANDBOX_LAUNCHER: {
    schema: z.string().default(path.join(REPO_ROOT, 'build/muscode-sandbox')),
    description: 'Path of the native launcher built by `make` from native/muscode-sandbox.c.',
  },
  SANDBOX_CPU_POLL_MS: {
    schema: int(5, 1000).default(50),
    description: 'How often the CPU-time watchdog reads the cgroup (ms).',
  },
  SANDBOX_PRESTART: {
    schema: bool().default(true),
    description: "Start each slot's launcher for its next stage ahead, already inside the slot's cgroups, so no run pays a cgroup move (off: the old path, for comparison).",
  },
  SANDBOX_WARM: {
    schema: bool().default(true),
    description:
      "With SANDBOX_PRESTART, also set each slot's next sandbox up ahead (namespaces, mounts, seccomp, init) for the options its next stage is expected to have (those that most often followed the slot's last stage), so a run only writes its files and starts its program. Used once, thrown away; one per slot; taken down after 60 s idle. Its waiting processes (bubblewrap, the init) run as the slot's uid, in pid, mount, IPC, network and UTS namespaces no run shares. Off: only the launcher is started ahead.",
  },
  CGROUP_VERSION: {
    schema: z.enum(['auto', '1', '2']).default('auto'),
    description: '"auto" uses cgroup v1 when its memory, pids and cpuacct controllers are mounted, else v2.',
  },
  CGROUP_V2_ROOT: {
    schema: z.string().default('/sys/fs/cgroup/muscode'),
    description: 'cgroup v2 only: a delegated cgroup (memory, pids, cpu) under which runs get their own.',
  },
  COMPILE_CACHE_MB: {
    schema: int(0, 1_000_000).default(1024),
    description: 'Size bound of the compile cache in MiB (0 disables it). Oldest entries are evicted first.',
  },
  EXECUTION_TIMEOUT: {
    schema: z.coerce.number().positive().max(600).default(DEFAULT_LIMITS.run.max.wallMs / 1000),
    description:
      "Maximum wall time of a run stage, seconds (first seed). Also the largest `timeout` (CPU seconds) a request may ask for, when above the engine's 15 s.",
  },
  MEMORY_LIMIT: {
    schema: int(16, 65536).default(DEFAULT_LIMITS.run.defaults.memoryBytes / 2 ** 20),
    description: 'Default memory limit of a run stage, MB (first seed).',
  },
  MAX_CODE_LENGTH: {
    schema: int(1, 16 * 2 ** 20).default(DEFAULT_LIMITS.codeChars.default),
    description: 'Maximum characters of a single-file `code` field (first seed).',
  },
  MAX_FILE_SIZE: {
    schema: int(1, 64 * 2 ** 20).default(5 * 2 ** 20),
    description: 'Maximum bytes of one source file: 5 MiB (5242880) as in the first seed.',
  },
  ARENA_PROBLEMS_DIR: {
    schema: z.string().min(1).default(path.join(REPO_ROOT, 'problems')),
    description: 'Folder of shipped problem packages (one per subfolder) imported, published, at API startup when their slug is not in the database yet.',
  },
  ARENA_IMPORT_SHIPPED: {
    schema: bool().default(true),
    description: 'Import the packages of ARENA_PROBLEMS_DIR at API startup (off: the Arena starts with what the database holds).',
  },
  ARENA_DEFAULT_TIME_LIMIT_MS: {
    schema: int(100, 60_000).default(2_000),
    description: 'CPU time limit of a problem whose package sets none (the import then warns; verify shows a derived one).',
  },
  ARENA_PACKAGE_MAX_MB: {
    schema: int(1, 4096).default(256),
    description: 'Largest problem package archive accepted by an import, MiB.',
  },
  ARENA_PACKAGE_MAX_UNPACKED_MB: {
    schema: int(1, 16_384).default(1024),
    description: 'Largest total unpacked size of a problem package, MiB (zip bombs are refused before inflating).',
  },
  ARENA_PACKAGE_MAX_FILE_MB: {
    schema: int(1, 4096).default(256),
    description: 'Largest single file of a problem package, MiB.',
  },
  ARENA_PACKAGE_MAX_FILES: {
    schema: int(1, 1_000_000).default(20_000),
    description: 'Most entries (files, folders, links) of a problem package.',
  },
  DUEL_TIMEOUT_S: {
    schema: int(60, 86_400).default(1800),
    description: 'Length of a duel, seconds; a duel nobody has won by then ends in a draw.',
  },
  MATCHMAKING_INTERVAL_MS: {
    schema: int(200, 60_000).default(2000),
    description: 'How often the duel matchmaker pairs waiting players (a dequeue poll also runs a tick); each timed tick also applies the ratings of rated contests that ended.',
  },
  LEADERBOARD_TOP_SIZE: {
    schema: int(1, 1000).default(100),
    description: 'How many players GET /leaderboard/top and the daily snapshots list.',
  },
  ARENA_PACKAGE_CACHE: {
    schema: int(0, 10_000).default(16),
    description: 'Problem packages (problem, version) a judging process keeps loaded in memory; least recently used first out.',
  },
  // Issue 10: rooms (src/rooms/, docs/rooms.md).
  ROOM_MAX_EXPIRY: { schema: duration('7d'), description: 'Longest lifetime a room can be given (create and patch `expiresIn`).' },
  ROOM_RETENTION: {
    schema: duration('30d'),
    description: 'How long an expired or ended room (its code, log, snapshots and playback) is kept before it is deleted.',
  },
  ROOM_MAX_DOCUMENT_CHARS: {
    schema: int(1000, 10_000_000).default(256 * 1024),
    description: "Largest room document (code + stdin + args, in characters); an edit past it is undone and its connection closed with 4413.",
  },
  ROOM_MAX_MESSAGE_BYTES: {
    schema: int(1024, 16 * 2 ** 20).default(2 ** 20),
    description: 'Largest WebSocket message a room connection may send (bytes); a larger one closes it with 4413.',
  },
  ROOM_RATE_MESSAGES: {
    schema: int(1, 100_000).default(100),
    description: 'Messages per second a room connection may send on average (token bucket of ROOM_RATE_BURST); past it the connection is closed with 4429.',
  },
  ROOM_RATE_BURST: { schema: int(1, 100_000).default(400), description: 'Burst size of the per-connection room rate limit.' },
  ROOM_AUTH_TIMEOUT_MS: {
    schema: int(100, 600_000).default(10_000),
    description: 'A room WebSocket that has not authenticated a document this long after connecting is closed with 4401.',
  },
  ROOM_MAX_PARTICIPANTS: { schema: int(2, 10_000).default(100), description: 'Participants (accounts and guests) one room may have.' },
  ROOM_AUTO_SNAPSHOT_MS: {
    schema: int(1000, 3_600_000).default(30_000),
    description: 'Interval of the automatic snapshots of a room whose text changed since the last one.',
  },
  // Issue 11: workspaces (src/workspaces/, docs/workspaces.md).
  WORKSPACES_ENABLED: {
    schema: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    description: 'Serve workspaces (/api/v1/workspaces and their terminals). Needs the API process to run as root (mounts, cgroups, uids); without root the routes answer 503 SANDBOX_UNAVAILABLE.',
  },
  WORKSPACE_MEMORY_MB: {
    schema: int(32, 65536).default(512),
    description: 'Memory limit of a running workspace (all its terminals and processes together), MiB.',
  },
  WORKSPACE_CPU_CORES: {
    schema: z.coerce.number().min(0.05).max(64).default(0.5),
    description: 'CPU bandwidth of a running workspace in cores (cfs quota on cgroup v1, cpu.max on v2).',
  },
  WORKSPACE_PROCESSES: {
    schema: int(16, 65536).default(256),
    description: 'Processes (pids) a running workspace may have at once.',
  },
  WORKSPACE_DISK_MB: {
    schema: int(1, 65536).default(64),
    description: "Size of a running workspace's /workspace (a tmpfs), MiB; also the largest file a process there may write.",
  },
  WORKSPACE_TMP_MB: {
    schema: int(1, 65536).default(64),
    description: "Size of each terminal's private /tmp, MiB.",
  },
  WORKSPACE_IDLE_MINUTES: {
    schema: z.coerce.number().positive().max(10080).default(30),
    description: 'A workspace with no terminal input or output and no editor activity for this long stops.',
  },
  WORKSPACE_GRACE_SECONDS: {
    schema: z.coerce.number().positive().max(86400).default(180),
    description: "Once its last socket closes, a workspace stops after this much inactivity instead (Gitpod's 3 minutes).",
  },
  WORKSPACE_USER_MAX: {
    schema: int(1, 1000).default(2),
    description: 'Running workspaces one user may have; one more is refused with 429 WORKSPACE_USER_LIMIT.',
  },
  WORKSPACE_HOST_MAX: {
    schema: int(1, 4096).default(16),
    description: 'Running workspaces on this server; one more is refused with 503 WORKSPACE_HOST_FULL.',
  },
  WORKSPACE_TERMINALS_MAX: {
    schema: int(1, 64).default(4),
    description: 'Terminals one workspace may have open at once.',
  },
  WORKSPACE_UID_BASE: {
    schema: int(0, 2 ** 31 - 4096).default(0),
    description: 'Running workspace n of this server runs as uid/gid WORKSPACE_UID_BASE + n; 0: SANDBOX_UID_BASE + 256 (after the run slots). These uids must not belong to anyone.',
  },
  WORKSPACE_ADVERTISE_URL: {
    schema: z.string().url().optional(),
    description: "Cluster mode: the URL other API replicas use to reach this one for the workspaces it runs (their requests and terminal sockets are forwarded here). Empty: http://<the address it listens on>:<port> (0.0.0.0 read as 127.0.0.1: set this on a multi-host cluster).",
  },
  WORKSPACE_SYNC_INTERVAL_MS: {
    schema: int(100, 600000).default(5000),
    description: "How often a running workspace's directory is rescanned for changes a file watcher missed (the watcher itself reacts within about 300 ms).",
  },
  WORKSPACE_TERMINAL_PING_MS: {
    schema: int(100, 600000).default(30000),
    description: "How often the server pings each terminal socket, so that a proxy's idle timeout (nginx's proxy_read_timeout, 120 s in deploy/nginx.conf) does not close a terminal that prints nothing for a while.",
  },
} as const;

type Options = typeof OPTIONS;
export type Config = Readonly<{ [K in keyof Options]: z.output<Options[K]['schema']> }> & {
  readonly limits: LimitTable;
  /** embedded: PGlite + in-process queue; cluster: PostgreSQL + Redis/BullMQ + workers. */
  readonly mode: 'embedded' | 'cluster';
};

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Record<string, string> = {}): Config {
  const shape = Object.fromEntries(Object.entries(OPTIONS).map(([k, v]) => [k, v.schema])) as {
    [K in keyof Options]: Options[K]['schema'];
  };
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(OPTIONS)) {
    const v = overrides[key] ?? env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new SystemError(ErrorCodes.invalidConfig, `invalid configuration: ${issues}`);
  }
  const c = parsed.data;
  const limits: LimitTable = structuredClone(DEFAULT_LIMITS);
  limits.run.max.wallMs = Math.round(c.EXECUTION_TIMEOUT * 1000);
  // Issue 12 (seed contract): the request's `timeout` (CPU seconds) goes up to EXECUTION_TIMEOUT
  // (30 s by default, as the seed allows); the wall limit is derived and capped by the same value.
  limits.run.max.cpuMs = Math.max(limits.run.max.cpuMs, limits.run.max.wallMs);
  limits.run.defaults.wallMs = Math.min(limits.run.defaults.wallMs, limits.run.max.wallMs);
  limits.run.defaults.memoryBytes = c.MEMORY_LIMIT * 2 ** 20;
  limits.run.max.memoryBytes = Math.max(limits.run.max.memoryBytes, limits.run.defaults.memoryBytes);
  limits.codeChars.default = c.MAX_CODE_LENGTH;
  limits.fileBytes.default = c.MAX_FILE_SIZE;
  if (Boolean(c.DATABASE_URL) !== Boolean(c.REDIS_URL)) {
    throw new SystemError(ErrorCodes.invalidConfig, 'invalid configuration: cluster mode needs both DATABASE_URL and REDIS_URL');
  }
  if (c.DATABASE_URL && (!c.JWT_SECRET || !c.JWT_REFRESH_SECRET)) {
    throw new SystemError(ErrorCodes.invalidConfig, 'invalid configuration: cluster mode requires JWT_SECRET and JWT_REFRESH_SECRET (replicas must agree)');
  }
  if (c.JWT_SECRET && c.JWT_SECRET === c.JWT_REFRESH_SECRET) {
    throw new SystemError(ErrorCodes.invalidConfig, 'invalid configuration: JWT_SECRET and JWT_REFRESH_SECRET must differ');
  }
  return deepFreeze({ ...c, limits, mode: c.DATABASE_URL ? 'cluster' : 'embedded' }) as Config;
}

/** TRUST_PROXY as Fastify's `trustProxy` takes it (proxy-addr semantics). */
export function trustProxySetting(text: string): false | string[] | ((address: string, hop: number) => boolean) {
  const t = text.trim();
  if (t === '' || t === 'false') return false;
  if (/^\d+$/.test(t)) {
    // A hop count: believe that many proxies in front of us (proxy-addr's numeric trust).
    const hops = Number(t);
    return (_address, hop) => hop < hops;
  }
  return t.split(',').map((s) => s.trim()).filter(Boolean);
}

/** "15m" -> 900000 ms. */
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!m) throw new Error(`bad duration ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms'];
  return Number(m[1]) * unit;
}

/** Markdown table of every option, for docs/configuration.md. */
export function configMarkdown(): string {
  const rows = Object.entries(OPTIONS).map(([k, v]) => {
    const def = (v.schema as z.ZodTypeAny).parse(undefined) ?? '(unset)';
    const shown = typeof def === 'string' && def.startsWith(REPO_ROOT) ? def.replace(REPO_ROOT, '<checkout>') : def;
    const dflt = k === 'SANDBOX_SLOTS' ? 'number of CPU cores' : String(shown);
    return `| \`${k}\` | \`${dflt}\` | ${v.description} |`;
  });
  return ['| variable | default | description |', '|---|---|---|', ...rows].join('\n');
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
