/**
 * The two error families. `CallerError`: the request was wrong (bad input, limits above the
 * maximum, unknown language); the caller can fix it. `SystemError`: we failed (sandbox could not
 * be set up, toolchain crashed the host side); the caller cannot. Each carries a stable `code`
 * that clients may switch on; the HTTP and WebSocket layers map families and codes in one place.
 * Verdicts about the user's program (time limit, runtime error...) are values, never errors.
 */
export class MuscodeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's fault: maps to 4xx, CLI exit 64/65. */
export class CallerError extends MuscodeError {}

/** Our fault: maps to 5xx, CLI exit 70. */
export class SystemError extends MuscodeError {}

export const ErrorCodes = {
  unknownLanguage: 'UNKNOWN_LANGUAGE',
  languageUnavailable: 'LANGUAGE_UNAVAILABLE',
  invalidFile: 'INVALID_FILE',
  invalidPath: 'INVALID_PATH',
  emptySource: 'EMPTY_SOURCE',
  sourceTooLarge: 'SOURCE_TOO_LARGE',
  tooManyFiles: 'TOO_MANY_FILES',
  duplicateFile: 'DUPLICATE_FILE',
  mainFileMissing: 'MAIN_FILE_MISSING',
  limitTooHigh: 'LIMIT_TOO_HIGH',
  invalidLimit: 'INVALID_LIMIT',
  stdinTooLarge: 'STDIN_TOO_LARGE',
  /** stdin, eof or a signal for an execution not started with `interactive: true` (409). */
  notInteractive: 'NOT_INTERACTIVE',
  /** stdin, eof or a signal for an execution that has ended (409). */
  executionEnded: 'EXECUTION_ENDED',
  /** stdin after this socket sent `execution:eof` for the execution (409). */
  stdinClosed: 'STDIN_CLOSED',
  argsTooLarge: 'ARGS_TOO_LARGE',
  invalidConfig: 'INVALID_CONFIG',
  usage: 'USAGE',
  cancelled: 'CANCELLED',
  /** The caller already has QUEUE_USER_WAITING_MAX runs waiting (HTTP 429). */
  queueFull: 'QUEUE_FULL',
  engineClosed: 'ENGINE_CLOSED',
  sandboxUnavailable: 'SANDBOX_UNAVAILABLE',
  unknownSandboxDriver: 'UNKNOWN_SANDBOX_DRIVER',
  cgroupUnavailable: 'CGROUP_UNAVAILABLE',
  /** The judge was asked for a checker it does not have (src/arena/checkers/registry.ts). */
  unknownChecker: 'UNKNOWN_CHECKER',
  /** Rooms (src/rooms/): the room expired or was ended, it is read-only (HTTP 410, WebSocket 4410). */
  roomClosed: 'ROOM_CLOSED',
  /** A room document past ROOM_MAX_DOCUMENT_CHARS (WebSocket 4413). */
  documentTooLarge: 'DOCUMENT_TOO_LARGE',
  /** The room has ROOM_MAX_PARTICIPANTS participants (409). */
  roomFull: 'ROOM_FULL',
  /** An invite link that was revoked, forged or expired (401). */
  invalidInvite: 'INVALID_INVITE',
  /** Duels (src/arena/duels/): enqueue while already waiting (409). */
  alreadyQueued: 'ALREADY_QUEUED',
  /** Enqueue while in an active duel (409). */
  alreadyInMatch: 'ALREADY_IN_MATCH',
  /** Dequeue without being queued nor in a duel (409). */
  notQueued: 'NOT_QUEUED',
  matchNotFound: 'MATCH_NOT_FOUND',
  /** Forfeit or submit in a duel that has ended (409). */
  matchFinished: 'MATCH_FINISHED',
  /** The duel's problem was deleted; the duel ended without a rating change (409). */
  matchProblemDeleted: 'MATCH_PROBLEM_DELETED',
  /** Submit or forfeit in a duel one does not play (403). */
  notAPlayer: 'NOT_A_PLAYER',
  snapshotNotFound: 'SNAPSHOT_NOT_FOUND',
  /** Checker options or test groups the judge cannot use (src/arena). */
  invalidJudgeConfig: 'INVALID_JUDGE_CONFIG',
  internal: 'INTERNAL',
  // The Arena (issue 8, docs/arena.md).
  /** A package's custom output validator or interactor does not compile (the message names the file). */
  packageValidatorCompileError: 'PACKAGE_VALIDATOR_COMPILE_ERROR',
  problemNotFound: 'PROBLEM_NOT_FOUND',
  problemExists: 'PROBLEM_EXISTS',
  submissionNotFound: 'SUBMISSION_NOT_FOUND',
  /** The caller lacks the author or admin role, or is not the problem's author. */
  forbiddenRole: 'FORBIDDEN_ROLE',
  /** The problem does not accept this language. */
  languageNotAllowed: 'LANGUAGE_NOT_ALLOWED',
  // Contests (issue 9, docs/arena.md "Contests").
  contestNotFound: 'CONTEST_NOT_FOUND',
  contestExists: 'CONTEST_EXISTS',
  contestAlreadyJoined: 'CONTEST_ALREADY_JOINED',
  contestNotJoined: 'CONTEST_NOT_JOINED',
  contestNotInvited: 'CONTEST_NOT_INVITED',
  contestNotStarted: 'CONTEST_NOT_STARTED',
  contestEnded: 'CONTEST_ENDED',
  contestInvalid: 'CONTEST_INVALID',
  // Problem packages (issue 8, docs/problem-packages.md): a package the caller uploaded or named is wrong.
  packageInvalid: 'PACKAGE_INVALID',
  packageUnsafePath: 'PACKAGE_UNSAFE_PATH',
  packageBadSymlink: 'PACKAGE_BAD_SYMLINK',
  packageTooLarge: 'PACKAGE_TOO_LARGE',
  packageGeneratorFailed: 'PACKAGE_GENERATOR_FAILED',
  // Workspaces (issue 11, docs/workspaces.md).
  workspaceNotFound: 'WORKSPACE_NOT_FOUND',
  /** The operation needs a running workspace (a terminal, a sync). */
  workspaceNotRunning: 'WORKSPACE_NOT_RUNNING',
  /** The caller already runs WORKSPACE_USER_MAX workspaces. */
  workspaceUserLimit: 'WORKSPACE_USER_LIMIT',
  /** This host already runs WORKSPACE_HOST_MAX workspaces. */
  workspaceHostFull: 'WORKSPACE_HOST_FULL',
  /** The workspace already has WORKSPACE_TERMINALS_MAX terminals. */
  workspaceTerminalLimit: 'WORKSPACE_TERMINAL_LIMIT',
  /** A change made in the terminal would put the project over its limits; it stays out of the database. */
  workspaceOverQuota: 'WORKSPACE_OVER_QUOTA',
} as const;
