import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CallerError, ErrorCodes, MuscodeError, SystemError } from '../errors.js';
import { humanValidation, type ValidationItem } from './validation-messages.js';

/**
 * The one place where errors become HTTP. Every error response is
 * `{ success: false, error: { code, message, status, details? } }`; docs/errors.md lists the codes.
 */
export const HttpCodes = {
  validation: 'VALIDATION_ERROR',
  malformedJson: 'MALFORMED_JSON',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  requestTimeout: 'REQUEST_TIMEOUT',
  headersTooLarge: 'HEADERS_TOO_LARGE',
  malformedRequest: 'MALFORMED_REQUEST',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  notFound: 'NOT_FOUND',
  routeNotFound: 'ROUTE_NOT_FOUND',
  unauthorized: 'UNAUTHORIZED',
  tokenExpired: 'TOKEN_EXPIRED',
  invalidToken: 'INVALID_TOKEN',
  forbidden: 'FORBIDDEN',
  insufficientScope: 'INSUFFICIENT_SCOPE',
  conflict: 'CONFLICT',
  rateLimited: 'RATE_LIMITED',
  quotaExceeded: 'QUOTA_EXCEEDED',
  accountLocked: 'ACCOUNT_LOCKED',
  invalidCredentials: 'INVALID_CREDENTIALS',
  refreshTokenReused: 'REFRESH_TOKEN_REUSED',
  invalidRefreshToken: 'INVALID_REFRESH_TOKEN',
  emailTaken: 'EMAIL_TAKEN',
  usernameTaken: 'USERNAME_TAKEN',
  invalidEmailToken: 'INVALID_EMAIL_TOKEN',
  emailNotVerified: 'EMAIL_NOT_VERIFIED',
  notCancellable: 'NOT_CANCELLABLE',
  // Projects (issue 4, docs/errors.md "Projects")
  invalidFileName: 'INVALID_FILE_NAME',
  fileExists: 'FILE_EXISTS',
  pathConflict: 'PATH_CONFLICT',
  fileTooLarge: 'FILE_TOO_LARGE',
  projectTooLarge: 'PROJECT_TOO_LARGE',
  mainFileRequired: 'MAIN_FILE_REQUIRED',
  notATemplate: 'NOT_A_TEMPLATE',
  serviceUnavailable: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_ERROR',
} as const;

/** HTTP status per code; caller codes not listed are 400, system codes 500. */
const STATUS: Record<string, number> = {
  [HttpCodes.notFound]: 404,
  [HttpCodes.routeNotFound]: 404,
  [HttpCodes.unauthorized]: 401,
  [HttpCodes.tokenExpired]: 401,
  [HttpCodes.invalidToken]: 401,
  [HttpCodes.invalidCredentials]: 401,
  [HttpCodes.invalidRefreshToken]: 401,
  [HttpCodes.refreshTokenReused]: 401,
  [HttpCodes.forbidden]: 403,
  [HttpCodes.insufficientScope]: 403,
  [HttpCodes.emailNotVerified]: 403,
  [HttpCodes.conflict]: 409,
  [HttpCodes.emailTaken]: 409,
  [HttpCodes.usernameTaken]: 409,
  [HttpCodes.notCancellable]: 409,
  [HttpCodes.fileExists]: 409,
  [HttpCodes.pathConflict]: 409,
  [HttpCodes.mainFileRequired]: 409,
  [HttpCodes.fileTooLarge]: 413,
  [HttpCodes.projectTooLarge]: 413,
  [HttpCodes.payloadTooLarge]: 413,
  [HttpCodes.requestTimeout]: 408,
  [HttpCodes.headersTooLarge]: 431,
  [HttpCodes.unsupportedMediaType]: 415,
  [ErrorCodes.sourceTooLarge]: 413,
  [ErrorCodes.stdinTooLarge]: 413,
  [ErrorCodes.notInteractive]: 409,
  [ErrorCodes.executionEnded]: 409,
  [ErrorCodes.stdinClosed]: 409,
  [ErrorCodes.packageTooLarge]: 413,
  [ErrorCodes.problemNotFound]: 404,
  [ErrorCodes.alreadyQueued]: 409,
  [ErrorCodes.alreadyInMatch]: 409,
  [ErrorCodes.notQueued]: 409,
  [ErrorCodes.matchNotFound]: 404,
  [ErrorCodes.matchFinished]: 409,
  [ErrorCodes.matchProblemDeleted]: 409,
  [ErrorCodes.notAPlayer]: 403,
  [ErrorCodes.snapshotNotFound]: 404,
  [ErrorCodes.submissionNotFound]: 404,
  [ErrorCodes.problemExists]: 409,
  [ErrorCodes.forbiddenRole]: 403,
  [ErrorCodes.contestNotFound]: 404,
  [ErrorCodes.contestExists]: 409,
  [ErrorCodes.contestAlreadyJoined]: 409,
  [ErrorCodes.contestNotJoined]: 403,
  [ErrorCodes.contestNotInvited]: 403,
  [ErrorCodes.contestNotStarted]: 409,
  [ErrorCodes.contestEnded]: 409,
  [ErrorCodes.roomClosed]: 410,
  [ErrorCodes.documentTooLarge]: 413,
  [ErrorCodes.roomFull]: 409,
  [ErrorCodes.invalidInvite]: 401,
  [HttpCodes.accountLocked]: 423,
  [HttpCodes.rateLimited]: 429,
  [HttpCodes.quotaExceeded]: 429,
  [ErrorCodes.queueFull]: 429,
  [ErrorCodes.languageUnavailable]: 422,
  [HttpCodes.serviceUnavailable]: 503,
  [ErrorCodes.engineClosed]: 503,
  [ErrorCodes.sandboxUnavailable]: 503,
  [ErrorCodes.workspaceNotFound]: 404,
  [ErrorCodes.workspaceNotRunning]: 409,
  [ErrorCodes.workspaceUserLimit]: 429,
  [ErrorCodes.workspaceHostFull]: 503,
  [ErrorCodes.workspaceOverQuota]: 413,
  [ErrorCodes.workspaceTerminalLimit]: 429,
};

export function statusOf(err: MuscodeError): number {
  return STATUS[err.code] ?? (err instanceof CallerError ? 400 : 500);
}

export interface ErrorBody {
  success: false;
  error: { code: string; message: string; status: number; details?: unknown; retryAfter?: number };
}

export function errorBody(code: string, message: string, status: number, details?: unknown): ErrorBody {
  const error: ErrorBody['error'] = { code, message, status };
  if (details !== undefined) error.details = details;
  return { success: false, error };
}

/** Convenience constructors used by services. */
export const notFound = (what: string) => new CallerError(HttpCodes.notFound, `${what} not found`);
export const unauthorized = (message = 'authentication required') => new CallerError(HttpCodes.unauthorized, message);

/** Retry-After for a 429 that did not set one: `details.retryAfter`, else until `details.resetAt` (quotas), else a minute. */
function retryAfterSeconds(details: unknown): number {
  const d = details as { resetAt?: unknown; retryAfter?: unknown } | undefined;
  if (typeof d?.retryAfter === 'number' && Number.isFinite(d.retryAfter)) return Math.max(1, Math.ceil(d.retryAfter));
  const at = typeof d?.resetAt === 'string' ? Date.parse(d.resetAt) : NaN;
  return Number.isFinite(at) ? Math.max(1, Math.ceil((at - Date.now()) / 1000)) : 60;
}

/** 45 -> "45 seconds", 61 -> "2 minutes", 900 -> "15 minutes", 5400 -> "2 hours". */
export function humanDuration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 90) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.ceil(m / 60);
  return `${h} hour${h === 1 ? '' : 's'}`;
}

/** "You have used your daily quota of 100 runs. Try again in 5 hours." (the details keep the figures). */
function quotaMessage(details: unknown, retryAfter: number): string | undefined {
  const d = details as { quota?: unknown; limit?: unknown } | undefined;
  if (d?.quota === 'daily' || d?.quota === 'monthly') return `You have used your ${d.quota} quota of ${String(d.limit)} runs. Try again in ${humanDuration(retryAfter)}.`;
  if (d?.quota === 'storage') return `This would exceed your storage quota of ${String(d.limit)} MB. Delete files or projects to make room.`;
  return undefined;
}

/**
 * Errors Node's HTTP parser raises before fastify sees a request: a request not received within
 * HTTP_REQUEST_TIMEOUT_MS (408), headers too large (431), anything unparsable (400). Answered in
 * the standard envelope, and the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let body: ErrorBody;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') body = errorBody(HttpCodes.requestTimeout, 'the request was not received in time; the connection is closed', 408);
  else if (err.code === 'HPE_HEADER_OVERFLOW') body = errorBody(HttpCodes.headersTooLarge, 'the request headers are too large', 431);
  else body = errorBody(HttpCodes.malformedRequest, 'the request is not valid HTTP', 400);
  const text = JSON.stringify(body);
  const reason = { 408: 'Request Timeout', 431: 'Request Header Fields Too Large', 400: 'Bad Request' }[body.error.status as 400 | 408 | 431];
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${body.error.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

/** Connection-level failures, from the socket or from PostgreSQL (SQLSTATE class 08, 57P01-57P03). */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

/**
 * Whether an unexpected error is a database or Redis connection failing (a restart, a network
 * cut) rather than a bug: then the answer is 503 SERVICE_UNAVAILABLE, which a client may retry,
 * not 500. Drizzle wraps the driver's error in `cause`.
 */
export function isServiceDown(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && DOWN_CODES.has(code)) return true;
    if (typeof message === 'string' && /^(Connection terminated|Connection is closed|Client has encountered a connection error)/.test(message)) return true;
  }
  return false;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | MuscodeError | Error, request, reply) => {
    let body: ErrorBody;
    if (err instanceof MuscodeError) {
      const status = statusOf(err);
      body = errorBody(err.code, err.message, status, err.details);
      if (err instanceof SystemError) request.log.error({ err }, 'system error');
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      // Human messages ("Name is required"), with the path of each field in details.
      const details = err.validation.map((v) => ({ path: v.instancePath || '/', message: humanValidation(v as unknown as ValidationItem) }));
      // Too many files is TOO_MANY_FILES whether zod (the /files bound) or the engine finds it.
      const files = err.validation.find((v) => v.keyword === 'too_big' && v.instancePath === '/files' && (v.params as { origin?: string }).origin === 'array');
      body = files
        ? errorBody(ErrorCodes.tooManyFiles, `more than ${String((files.params as { maximum?: number }).maximum)} files`, statusOf(new CallerError(ErrorCodes.tooManyFiles, '')), {
            max: (files.params as { maximum?: number }).maximum,
          })
        : errorBody(HttpCodes.validation, details.map((d) => d.message).join('; '), 400, details);
    } else {
      const fe = err as FastifyError;
      // The empty-body check comes first: fastify's message for it also mentions JSON.
      if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        body = errorBody(HttpCodes.validation, 'the JSON body is empty', 400);
      } else if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
        body = errorBody(HttpCodes.malformedJson, 'the request body is not valid JSON', 400);
      } else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        const max = request.routeOptions.bodyLimit;
        body = errorBody(HttpCodes.payloadTooLarge, `the request body is over this route's limit of ${max} bytes`, 413, { max });
      } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        body = errorBody(HttpCodes.unsupportedMediaType, 'send application/json', 415);
      } else if (fe.statusCode === 429) {
        body = errorBody(HttpCodes.rateLimited, fe.message || 'too many requests', 429);
      } else if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
        body = errorBody(HttpCodes.validation, fe.message, fe.statusCode);
      } else if (isServiceDown(err)) {
        request.log.warn({ err }, 'a service is down');
        body = errorBody(HttpCodes.serviceUnavailable, 'a service this request needs (the database or Redis) is unavailable; retry shortly', 503);
      } else {
        request.log.error({ err }, 'unhandled error');
        body = errorBody(HttpCodes.internal, 'internal error', 500);
      }
    }
    if (body.error.status === 429) {
      // Every 429 says when to come back: the Retry-After header and `retryAfter` (seconds) in the body.
      const retryAfter = reply.hasHeader('retry-after') ? Number(reply.getHeader('retry-after')) : retryAfterSeconds(body.error.details);
      reply.header('retry-after', String(retryAfter));
      body.error.retryAfter = retryAfter;
      if (body.error.code === HttpCodes.quotaExceeded) body.error.message = quotaMessage(body.error.details, retryAfter) ?? body.error.message;
    }
    // An oversized body is not read further: close the connection rather than drain the rest.
    if (body.error.code === HttpCodes.payloadTooLarge) reply.header('connection', 'close');
    void reply.status(body.error.status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(HttpCodes.routeNotFound, `no route ${request.method} ${request.url.split('?')[0]}`, 404));
  });
}
