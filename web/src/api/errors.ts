import { formatWait, limitOf, retryAfterSeconds } from '../lib/retry-after';

/**
 * Errors as the app shows them. Every failure of a call to the API ends up as an ApiError with a
 * stable `code` (the API's own, or NETWORK / BAD_RESPONSE for failures before an answer), so
 * that components print a readable message and never raw JSON.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, from a 429's Retry-After header (see lib/retry-after.ts for every other source). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const NETWORK = 'NETWORK';

/**
 * A 429 in words, with the wait as given (`seconds` counts down in the components that show it
 * live). Never the server's raw "too many execute requests: 10 per 1 min; retry in 6 s".
 */
export function rateLimitMessage(err: ApiError, seconds: number | null): string {
  const wait = seconds !== null && seconds > 0 ? ` Try again in ${formatWait(seconds)}.` : seconds === 0 ? ' You can try again now.' : ' Try again in a moment.';
  const d = (err.details ?? {}) as { max?: unknown; windowSeconds?: unknown };
  const per = typeof d.max === 'number' && typeof d.windowSeconds === 'number' ? ` (${d.max} per ${formatWait(d.windowSeconds)})` : '';
  switch (limitOf(err)) {
    case 'execute':
      return `You have run code often in a short time${per}.${wait}`;
    case 'auth':
      return `Too many sign-in attempts from here.${wait}`;
    case 'quota':
      return `${capitalize(err.message)}.`;
    default:
      return `Too many requests${per}.${wait}`;
  }
}
export const BAD_RESPONSE = 'BAD_RESPONSE';

/** Codes that mean "the access token is no good": worth one silent refresh and a retry. */
export const REFRESHABLE_CODES = new Set(['TOKEN_EXPIRED', 'INVALID_TOKEN']);

/** Builds an ApiError from a response body, whatever shape it has. */
export function errorFromBody(status: number, body: unknown, retryAfter?: number): ApiError {
  const b = body as { error?: { code?: unknown; message?: unknown; details?: unknown; retryAfter?: unknown }; retryAfter?: unknown } | null;
  const e = b?.error;
  // A JSON retryAfter (in the error or beside it) when the header was not readable.
  const jsonRetry = [e?.retryAfter, b?.retryAfter].find((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  const wait = retryAfter ?? (jsonRetry !== undefined ? Math.ceil(jsonRetry) : undefined);
  if (e && typeof e.code === 'string') {
    return new ApiError(status, e.code, typeof e.message === 'string' ? e.message : e.code, e.details, wait);
  }
  if (status === 429) return new ApiError(status, 'RATE_LIMITED', 'too many requests', undefined, wait);
  return new ApiError(status, BAD_RESPONSE, `the server answered ${status} without a readable error`);
}

const FRIENDLY: Record<string, string> = {
  NETWORK: 'Cannot reach the server. Check your connection and try again.',
  UNAUTHORIZED: 'Please sign in first.',
  TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  INVALID_TOKEN: 'Your session has expired. Please sign in again.',
  INVALID_CREDENTIALS: 'Wrong email or password.',
  INVALID_REFRESH_TOKEN: 'Your session has expired. Please sign in again.',
  REFRESH_TOKEN_REUSED: 'Your session was ended for safety. Please sign in again.',
  EMAIL_TAKEN: 'An account with this email already exists.',
  USERNAME_TAKEN: 'This username is taken.',
  FORBIDDEN: 'You are not allowed to do that.',
  ROUTE_NOT_FOUND: 'This feature is not available on this server.',
  INTERNAL_ERROR: 'Something went wrong on the server. Please try again.',
};

/** One readable sentence for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'RATE_LIMITED' || err.code === 'QUOTA_EXCEEDED' || err.status === 429) {
      return rateLimitMessage(err, retryAfterSeconds(err));
    }
    if (err.code === 'ACCOUNT_LOCKED') {
      const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      return `Too many failed attempts: this account is locked${retry ? ` for ${Math.ceil(retry / 60)} min` : ''}.`;
    }
    const friendly = FRIENDLY[err.code];
    if (friendly) return friendly;
    // The API's messages are written for people ("code is 70000 characters, over the limit...").
    return capitalize(err.message);
  }
  if (err instanceof Error) return capitalize(err.message);
  return 'Something went wrong.';
}

/** Field-level messages from a validation error's details, when the API gives them. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  if (err.code === 'EMAIL_TAKEN') out.email = FRIENDLY.EMAIL_TAKEN!;
  if (err.code === 'USERNAME_TAKEN') out.username = FRIENDLY.USERNAME_TAKEN!;
  // VALIDATION_ERROR details: [{ path: '/email', message }] (the body's JSON pointer).
  if (err.code === 'VALIDATION_ERROR' && Array.isArray(err.details)) {
    for (const d of err.details as { path?: unknown; message?: unknown }[]) {
      const key = typeof d.path === 'string' ? d.path.split('/').filter(Boolean).at(-1) : undefined;
      if (key && typeof d.message === 'string' && !out[key]) out[key] = capitalize(d.message);
    }
  }
  return out;
}

function capitalize(s: string): string {
  return s.length ? s[0]!.toUpperCase() + s.slice(1) : s;
}
