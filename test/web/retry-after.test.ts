/**
 * Reading a 429's wait (web/src/lib/retry-after.ts) from every place a server may put it, and
 * the words the app uses for it (never the raw "too many execute requests ...; retry in 6 s").
 */
import { describe, expect, it } from 'vitest';
import { ApiError, describeError, errorFromBody, rateLimitMessage } from '../../web/src/api/errors';
import { exchange } from '../../web/src/api/http';
import { formatWait, limitOf, parseRetryAfterHeader, parseRetryFromMessage, retryAfterSeconds } from '../../web/src/lib/retry-after';
import { secondsLeft } from '../../web/src/lib/use-countdown';

const body = (message: string, details?: unknown, extra: Record<string, unknown> = {}) => ({ success: false, error: { code: 'RATE_LIMITED', message, details, ...extra } });

describe('retry-after', () => {
  it('the header: seconds or an HTTP date', () => {
    expect(parseRetryAfterHeader('42')).toBe(42);
    expect(parseRetryAfterHeader(' 7 ')).toBe(7);
    expect(parseRetryAfterHeader(new Date(60_000).toUTCString(), 0)).toBe(60);
    expect(parseRetryAfterHeader('soon')).toBeNull();
    expect(parseRetryAfterHeader(null)).toBeNull();
  });

  it('the message, for servers that only say it in words', () => {
    expect(parseRetryFromMessage('too many execute requests: 10 per 1 min; retry in 6 s')).toBe(6);
    expect(parseRetryFromMessage('too many auth requests: 5 per 15 min; retry in 887 s')).toBe(887);
    expect(parseRetryFromMessage('try again in 2 minutes')).toBe(120);
    expect(parseRetryFromMessage('nothing here')).toBeNull();
  });

  it('takes the header first, then the JSON retryAfter (error, details, body), then the message', () => {
    const msg = 'too many execute requests: 10 per 1 min; retry in 6 s';
    expect(retryAfterSeconds(errorFromBody(429, body(msg), 30))).toBe(30);
    expect(retryAfterSeconds(errorFromBody(429, body(msg, undefined, { retryAfter: 12 })))).toBe(12);
    expect(retryAfterSeconds(errorFromBody(429, { ...body(msg), retryAfter: 13 }))).toBe(13);
    expect(retryAfterSeconds(errorFromBody(429, body(msg, { retryAfter: 9, limit: 'execute' })))).toBe(9);
    expect(retryAfterSeconds(errorFromBody(429, body(msg, { retryAfterSeconds: 8 })))).toBe(8);
    expect(retryAfterSeconds(errorFromBody(429, body(msg)))).toBe(6);
    expect(retryAfterSeconds(errorFromBody(429, body('slow down')))).toBeNull();
    expect(retryAfterSeconds(new ApiError(400, 'VALIDATION_ERROR', 'retry in 5 s'))).toBeNull(); // not a 429
  });

  it('reads the Retry-After header of a real response, also when the body is not JSON', async () => {
    const fetch429 = (text: string, headers: Record<string, string>) => async () => new Response(text, { status: 429, headers });
    const err = await exchange(fetch429(JSON.stringify(body('too many requests')), { 'retry-after': '17' }), 'GET', '/x', undefined, null).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(retryAfterSeconds(err)).toBe(17);
    const html = await exchange(fetch429('<html>slow down</html>', { 'retry-after': '4' }), 'GET', '/x', undefined, null).catch((e) => e);
    expect(html.code).toBe('RATE_LIMITED');
    expect(retryAfterSeconds(html)).toBe(4);
  });

  it('which limit, and the human message', () => {
    const exec = errorFromBody(429, body('too many execute requests: 10 per 1 min; retry in 6 s', { limit: 'execute', max: 10, windowSeconds: 60, retryAfter: 6 }));
    expect(limitOf(exec)).toBe('execute');
    expect(describeError(exec)).toBe('You have run code often in a short time (10 per 1 min). Try again in 6 s.');
    expect(describeError(exec)).not.toMatch(/too many execute requests/);
    const auth = errorFromBody(429, body('too many auth requests: 5 per 15 min; retry in 887 s'));
    expect(limitOf(auth)).toBe('auth');
    expect(describeError(auth)).toBe('Too many sign-in attempts from here. Try again in 15 min.');
    expect(rateLimitMessage(auth, 0)).toBe('Too many sign-in attempts from here. You can try again now.');
    const quota = new ApiError(429, 'QUOTA_EXCEEDED', 'daily execution quota of 100 reached; it resets at 2026-11-30T00:00:00.000Z');
    expect(limitOf(quota)).toBe('quota');
  });

  it('formats waits and counts down', () => {
    expect(formatWait(0)).toBe('0 s');
    expect(formatWait(6)).toBe('6 s');
    expect(formatWait(59.2)).toBe('1 min');
    expect(formatWait(60)).toBe('1 min');
    expect(formatWait(65)).toBe('1 min 05 s');
    expect(formatWait(887)).toBe('15 min');
    expect(formatWait(7500)).toBe('2 h 5 min');
    expect(secondsLeft(10_000, 4_001)).toBe(6);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(null, 0)).toBe(0);
  });
});
