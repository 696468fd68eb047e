/**
 * How long a refused request (429) asks us to wait, read defensively from whatever the server
 * sends: the `Retry-After` header (seconds or an HTTP date), a `retryAfter` or
 * `retryAfterSeconds` field (in the error, its details or the body), or, for older servers,
 * the message's "retry in N s". And how to say it to a person.
 */
import { ApiError } from '../api/errors';

/** Parses a Retry-After header value: delta-seconds or an HTTP date (relative to `now`). */
export function parseRetryAfterHeader(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v));
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** "retry in 887 s", "try again in 6 seconds", "retry after 2 min". */
export function parseRetryFromMessage(message: string): number | null {
  const m = /(?:retry|try again)\s+(?:in|after)\s+(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?)\b/i.exec(message);
  if (!m) return null;
  const n = Number(m[1]);
  return Math.ceil(/^m/i.test(m[2]!) ? n * 60 : n);
}

function positive(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.ceil(n) : null;
}

/** Seconds to wait before asking again, or null when the error does not say (or is not a 429). */
export function retryAfterSeconds(err: unknown): number | null {
  if (!(err instanceof ApiError) || err.status !== 429) return null;
  const d = (err.details ?? {}) as Record<string, unknown>;
  return (
    positive(err.retryAfter) ??
    positive(d.retryAfter) ??
    positive(d.retryAfterSeconds) ??
    parseRetryFromMessage(err.message) ??
    (typeof d.resetAt === 'string' ? parseRetryAfterHeader(d.resetAt) : null)
  );
}

/** "45 s", "1 min 05 s", "15 min", "2 h 5 min". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const r = s % 60;
    return s >= 600 || r === 0 ? `${Math.ceil(s / 60)} min` : `${m} min ${String(r).padStart(2, '0')} s`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** Which limit a 429 is about (the server's details.limit), for the wording. */
export function limitOf(err: unknown): 'execute' | 'auth' | 'api' | 'quota' | null {
  if (!(err instanceof ApiError) || err.status !== 429) return null;
  if (err.code === 'QUOTA_EXCEEDED') return 'quota';
  const l = (err.details as { limit?: unknown } | undefined)?.limit;
  if (l === 'execute' || l === 'auth' || l === 'api') return l;
  const m = /too many (execute|auth) requests/i.exec(err.message);
  return m ? (m[1]!.toLowerCase() as 'execute' | 'auth') : 'api';
}
