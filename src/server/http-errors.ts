import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CallerError, ErrorCodes, MuscodeError, SystemError } from '../errors.js';

/**
 * The one place where errors become HTTP. Every error response is
 * `{ success: false, error: { code, message, status, details? } }`; docs/errors.md lists the codes.
 */
export const HttpCodes = {
  validation: 'VALIDATION_ERROR',
  malformedJson: 'MALFORMED_JSON',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  notFound: 'NOT_FOUND',
  routeNotFound: 'ROUTE_NOT_FOUND',
  unauthorized: 'UNAUTHORIZED',
  tokenExpired: 'TOKEN_EXPIRED',
  invalidToken: 'INVALID_TOKEN',
  forbidden: 'FORBIDDEN',
  conflict: 'CONFLICT',
  rateLimited: 'RATE_LIMITED',
  quotaExceeded: 'QUOTA_EXCEEDED',
  accountLocked: 'ACCOUNT_LOCKED',
  invalidCredentials: 'INVALID_CREDENTIALS',
  refreshTokenReused: 'REFRESH_TOKEN_REUSED',
  invalidRefreshToken: 'INVALID_REFRESH_TOKEN',
  emailTaken: 'EMAIL_TAKEN',
  usernameTaken: 'USERNAME_TAKEN',
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
  [HttpCodes.unsupportedMediaType]: 415,
  [ErrorCodes.sourceTooLarge]: 413,
  [ErrorCodes.stdinTooLarge]: 413,
  [HttpCodes.accountLocked]: 423,
  [HttpCodes.rateLimited]: 429,
  [HttpCodes.quotaExceeded]: 429,
  [ErrorCodes.queueFull]: 429,
  [ErrorCodes.languageUnavailable]: 422,
  [HttpCodes.serviceUnavailable]: 503,
  [ErrorCodes.engineClosed]: 503,
  [ErrorCodes.sandboxUnavailable]: 503,
};

export function statusOf(err: MuscodeError): number {
  return STATUS[err.code] ?? (err instanceof CallerError ? 400 : 500);
}

export interface ErrorBody {
  success: false;
  error: { code: string; message: string; status: number; details?: unknown };
}

export function errorBody(code: string, message: string, status: number, details?: unknown): ErrorBody {
  const error: ErrorBody['error'] = { code, message, status };
  if (details !== undefined) error.details = details;
  return { success: false, error };
}

/** Convenience constructors used by services. */
export const notFound = (what: string) => new CallerError(HttpCodes.notFound, `${what} not found`);
export const unauthorized = (message = 'authentication required') => new CallerError(HttpCodes.unauthorized, message);

/** Retry-After for a 429 that did not set one: until `details.resetAt` (quotas) when given, else a minute. */
function retryAfterSeconds(details: unknown): number {
  const resetAt = (details as { resetAt?: unknown } | undefined)?.resetAt;
  const at = typeof resetAt === 'string' ? Date.parse(resetAt) : NaN;
  return Number.isFinite(at) ? Math.max(1, Math.ceil((at - Date.now()) / 1000)) : 60;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | MuscodeError | Error, request, reply) => {
    let body: ErrorBody;
    if (err instanceof MuscodeError) {
      const status = statusOf(err);
      body = errorBody(err.code, err.message, status, err.details);
      if (err instanceof SystemError) request.log.error({ err }, 'system error');
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }));
      const where = err.validationContext ?? 'request';
      body = errorBody(HttpCodes.validation, `invalid ${where}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, 400, details);
    } else {
      const fe = err as FastifyError;
      // The empty-body check comes first: fastify's message for it also mentions JSON.
      if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        body = errorBody(HttpCodes.validation, 'the JSON body is empty', 400);
      } else if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
        body = errorBody(HttpCodes.malformedJson, 'the request body is not valid JSON', 400);
      } else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        body = errorBody(HttpCodes.payloadTooLarge, 'the request body is too large', 413);
      } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        body = errorBody(HttpCodes.unsupportedMediaType, 'send application/json', 415);
      } else if (fe.statusCode === 429) {
        body = errorBody(HttpCodes.rateLimited, fe.message || 'too many requests', 429);
      } else if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
        body = errorBody(HttpCodes.validation, fe.message, fe.statusCode);
      } else {
        request.log.error({ err }, 'unhandled error');
        body = errorBody(HttpCodes.internal, 'internal error', 500);
      }
    }
    if (body.error.status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(retryAfterSeconds(body.error.details)));
    void reply.status(body.error.status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(HttpCodes.routeNotFound, `no route ${request.method} ${request.url.split('?')[0]}`, 404));
  });
}
