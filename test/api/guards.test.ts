import http from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executions, userQuotas, users } from '../../src/db/schema.js';
import { resetTimes } from '../../src/guards/quotas.js';
import type { RunningServer } from '../../src/server/serve.js';
import { api, type Mode, registerUser, startExtraApi, startTestServer, type TestServer } from '../helpers/app.js';
import { listKeys } from '../helpers/redis.js';

/**
 * Rate limits and quotas, each turned on by its own server's config (the test defaults turn
 * them all off). Anonymous callers are told apart by their address: the client binds to
 * 127.0.0.x (all loopback, so nothing leaves the machine).
 */

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { success: boolean; data?: Record<string, unknown>; error?: { code: string; status: number; details?: Record<string, unknown> } };
}

/** A JSON request from a chosen loopback address. */
function from(addr: string, server: { url: string }, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Res> {
  const url = new URL(path, server.url);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: addr, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text || '{}') as Res['body'] }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const newUser = (addr: string, server: { url: string }) => {
  const name = `g${process.pid}x${Math.random().toString(36).slice(2, 10)}`;
  return from(addr, server, 'POST', '/api/v1/auth/register', {
    body: { email: `${name}@example.com`, username: name, password: 'correct horse battery', fullName: 'Guard Test' },
  }).then((r) => {
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { ...(r.body.data as { userId: string; token: string; refreshToken: string }), email: `${name}@example.com` };
  });
};

function expectLimited(r: Res, limit: string, max: number) {
  expect(r.status, JSON.stringify(r.body)).toBe(429);
  expect(r.body.success).toBe(false);
  expect(r.body.error).toMatchObject({ code: 'RATE_LIMITED', status: 429, details: { limit, max } });
  const retry = Number(r.headers['retry-after']);
  expect(retry).toBeGreaterThan(0);
  expect(retry).toBeLessThanOrEqual(limit === 'execute' ? 60 : 900);
  expect(r.headers['x-ratelimit-limit']).toBe(String(max));
  expect(r.headers['x-ratelimit-remaining']).toBe('0');
  // The body says the same as Retry-After, and in words (UX review).
  expect((r.body.error as { retryAfter?: number }).retryAfter).toBe(retry);
  expect((r.body.error as { message?: string }).message).toMatch(/^Too many [a-z -]+\. Try again in \d+ (second|minute|hour)s?\.$/);
}

const PY = { language: 'python', code: 'print(1)' };

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`API rate limit (${mode})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { RATE_LIMIT_API: '3' } });
    });
    afterAll(async () => server?.stop());

    it('limits anonymous callers per IP, with the x-ratelimit headers', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await from('127.0.0.2', server, 'GET', '/api/v1/languages');
        expect(r.status).toBe(200);
        expect(r.headers['x-ratelimit-limit']).toBe('3');
        expect(r.headers['x-ratelimit-remaining']).toBe(String(2 - i));
      }
      expectLimited(await from('127.0.0.2', server, 'GET', '/api/v1/languages'), 'api', 3);
      // Another address has its own budget; health is never counted.
      expect((await from('127.0.0.3', server, 'GET', '/api/v1/languages')).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await from('127.0.0.2', server, 'GET', '/api/v1/health')).status).toBe(200);
    });

    it('limits authenticated callers per user: two users on one exhausted IP have their own budgets', async () => {
      const u1 = await newUser('127.0.0.4', server);
      const u2 = await newUser('127.0.0.5', server);
      for (let i = 0; i < 3; i++) expect((await from('127.0.0.6', server, 'GET', '/api/v1/languages')).status).toBe(200);
      expectLimited(await from('127.0.0.6', server, 'GET', '/api/v1/languages'), 'api', 3);
      for (let i = 0; i < 3; i++) {
        const r = await from('127.0.0.6', server, 'GET', '/api/v1/languages', { token: u1.token });
        expect(r.status).toBe(200);
        expect(r.headers['x-ratelimit-remaining']).toBe(String(2 - i));
      }
      expectLimited(await from('127.0.0.6', server, 'GET', '/api/v1/languages', { token: u1.token }), 'api', 3);
      // u1 is limited wherever it comes from; u2 is not, from the same address.
      expectLimited(await from('127.0.0.7', server, 'GET', '/api/v1/languages', { token: u1.token }), 'api', 3);
      expect((await from('127.0.0.6', server, 'GET', '/api/v1/languages', { token: u2.token })).status).toBe(200);
    });

    if (mode === 'cluster') {
      it('shares the counts between replicas through Redis', async () => {
        const prefix = server.config.REDIS_KEY_PREFIX;
        let replica: RunningServer | undefined;
        try {
          replica = await startExtraApi(server);
          expect((await from('127.0.0.8', server, 'GET', '/api/v1/languages')).status).toBe(200);
          expect((await from('127.0.0.8', replica, 'GET', '/api/v1/languages')).status).toBe(200);
          const third = await from('127.0.0.8', server, 'GET', '/api/v1/languages');
          expect(third.status).toBe(200);
          expect(third.headers['x-ratelimit-remaining']).toBe('0');
          expectLimited(await from('127.0.0.8', replica, 'GET', '/api/v1/languages'), 'api', 3);
          expectLimited(await from('127.0.0.8', server, 'GET', '/api/v1/languages'), 'api', 3);
          expect(await listKeys(`${prefix}:rl:*`)).toContain(`${prefix}:rl:api:ip:127.0.0.8`);
        } finally {
          await replica?.close({ abort: true });
        }
      });
    }
  });

  describe(`auth rate limit (${mode})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { RATE_LIMIT_AUTH: '2' } });
    });
    afterAll(async () => server?.stop());

    it('counts register and login per IP, but never refresh or me', async () => {
      const a = await newUser('127.0.0.9', server);
      await newUser('127.0.0.9', server);
      const third = await from('127.0.0.9', server, 'POST', '/api/v1/auth/register', {
        body: { email: 'third@example.com', username: 'thirduser', password: 'correct horse battery' },
      });
      expectLimited(third, 'auth', 2);
      expectLimited(await from('127.0.0.9', server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: 'correct horse battery' } }), 'auth', 2);
      // The same account logs in from another address.
      const login = await from('127.0.0.10', server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: 'correct horse battery' } });
      expect(login.status).toBe(200);
      // From the exhausted address: me and refresh go on working (a session must never be
      // locked out by its own refreshes).
      let refresh = a.refreshToken;
      let token = a.token;
      for (let i = 0; i < 4; i++) {
        const r = await from('127.0.0.9', server, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: refresh } });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        ({ refreshToken: refresh, token } = r.body.data as { refreshToken: string; token: string });
        expect((await from('127.0.0.9', server, 'GET', '/api/v1/auth/me', { token })).status).toBe(200);
      }
    });
  });

  describe(`auth rate limit and validation failures (${mode})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { RATE_LIMIT_AUTH: '2' } });
    });
    afterAll(async () => server?.stop());

    it('does not count 400s against the sign-in limit, and says when to come back', async () => {
      // A person fighting a form: five invalid submissions, then the real ones still go through.
      for (const body of [{ email: 'not-an-email', password: 'x' }, { email: '' }, {}, { email: 'a@b.c', password: '' }, { email: 'a@b.c', password: 'x'.repeat(2000) }]) {
        const r = await from('127.0.0.20', server, 'POST', '/api/v1/auth/login', { body });
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body.error?.code).toBe('VALIDATION_ERROR');
      }
      const u = await newUser('127.0.0.20', server); // counts: 1
      const wrong = await from('127.0.0.20', server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: 'wrong password!' } });
      expect(wrong.status).toBe(401); // counts: 2
      const limited = await from('127.0.0.20', server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: 'correct horse battery' } });
      expectLimited(limited, 'auth', 2);
      expect(limited.body.error).toMatchObject({ message: expect.stringMatching(/^Too many sign-in attempts\. Try again in 15 minutes\.$/) });
      const signup = await from('127.0.0.20', server, 'POST', '/api/v1/auth/register', {
        body: { email: 'later@example.com', username: 'lateruser', password: 'correct horse battery' },
      });
      expectLimited(signup, 'auth', 2);
      expect(signup.body.error).toMatchObject({ message: expect.stringMatching(/^Too many sign-up attempts\./) });
    });
  });

  describe(`execute rate limit (${mode})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { RATE_LIMIT_EXECUTE: '2' } });
    });
    afterAll(async () => server?.stop());

    it('counts /execute and /execute/batch per user, and nothing else', async () => {
      const u1 = await registerUser(server);
      const u2 = await registerUser(server);
      for (let i = 0; i < 2; i++) {
        const r = await from('127.0.0.11', server, 'POST', '/api/v1/execute', { token: u1.token, body: PY });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.headers['x-ratelimit-limit']).toBe('2');
      }
      const batch = { language: 'python', files: [{ name: 'main.py', content: 'print(1)' }] };
      expectLimited(await from('127.0.0.11', server, 'POST', '/api/v1/execute/batch', { token: u1.token, body: batch }), 'execute', 2);
      expectLimited(await from('127.0.0.12', server, 'POST', '/api/v1/execute', { token: u1.token, body: PY }), 'execute', 2);
      // Reading is not executing; the other user has a budget of its own.
      expect((await from('127.0.0.11', server, 'GET', '/api/v1/execute', { token: u1.token })).status).toBe(200);
      expect((await from('127.0.0.11', server, 'POST', '/api/v1/execute/batch', { token: u2.token, body: batch })).status).toBe(200);
    });
  });

  describe(`execution quotas (${mode})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { QUOTA_EXECUTIONS_DAILY: '2', QUOTA_EXECUTIONS_MONTHLY: '3', ANONYMOUS_EXECUTE: 'true' } });
    });
    afterAll(async () => server?.stop());

    const run = (token?: string) => api<Res['body']>(server, 'POST', '/api/v1/execute', { token, body: PY });
    const db = () => server.platform.ctx.database.db;

    it('refuses the run over the daily quota, resets on a new day, then stops at the monthly one', async () => {
      const u = await registerUser(server);
      expect((await run(u.token)).status).toBe(200);
      expect((await run(u.token)).status).toBe(200);
      const over = await run(u.token);
      expect(over.status).toBe(429);
      const today = new Date().toISOString().slice(0, 10);
      expect(over.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', status: 429, details: { quota: 'daily', limit: 2, resetAt: resetTimes(today).daily } });
      // Retry-After points at the reset (within a second or two of the test's own clock).
      const untilReset = (Date.parse(resetTimes(today).daily) - Date.now()) / 1000;
      expect(Math.abs(Number(over.headers.get('retry-after')) - untilReset)).toBeLessThan(5);
      const stats = await api<{ data: { quota: { daily: unknown; monthly: unknown } } }>(server, 'GET', '/api/v1/stats', { token: u.token });
      expect(stats.body.data.quota).toMatchObject({ daily: { used: 2, limit: 2 }, monthly: { used: 2, limit: 3 } });

      // A new UTC day (the row says its count is from another day): the daily count starts over.
      await db().update(userQuotas).set({ lastResetDaily: '2000-01-01' }).where(eq(userQuotas.userId, u.userId));
      expect((await run(u.token)).status).toBe(200);
      const monthly = await run(u.token);
      expect(monthly.status).toBe(429);
      expect(monthly.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota: 'monthly', limit: 3, resetAt: resetTimes(today).monthly } });
      const [row] = await db().select().from(userQuotas).where(eq(userQuotas.userId, u.userId));
      expect(row).toMatchObject({ executionsToday: 1, executionsMonth: 3, lastResetDaily: today });
    });

    it("uses the user's own limits when set (lower or higher than the setting)", async () => {
      const low = await registerUser(server);
      await db().insert(userQuotas).values({ userId: low.userId, maxExecutionsDaily: 1 });
      expect((await run(low.token)).status).toBe(200);
      const refused = await run(low.token);
      expect(refused.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota: 'daily', limit: 1 } });
      // Every 429 says when to come back, in the header, the body and words.
      const retry = Number(refused.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect((refused.body.error as { retryAfter?: number }).retryAfter).toBe(retry);
      expect((refused.body.error as { message?: string }).message).toMatch(/^You have used your daily quota of 1 runs\. Try again in \d+ (second|minute|hour)s?\.$/);

      const high = await registerUser(server);
      await db().insert(userQuotas).values({ userId: high.userId, maxExecutionsDaily: 3, maxExecutionsMonthly: 100 });
      for (let i = 0; i < 3; i++) expect((await run(high.token)).status).toBe(200);
      expect((await run(high.token)).body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota: 'daily', limit: 3 } });
    });

    it('does not quota anonymous runs', async () => {
      for (let i = 0; i < 3; i++) expect((await run()).status).toBe(200);
    });

    it('admits exactly K of N parallel runs when K remain', async () => {
      const u = await registerUser(server);
      const results = await Promise.all(Array.from({ length: 8 }, () => run(u.token)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 429, 429, 429, 429, 429, 429]);
      for (const r of results.filter((x) => x.status === 429)) expect(r.body.error?.code).toBe('QUOTA_EXCEEDED');
      const list = await api<{ data: { pagination: { total: number } } }>(server, 'GET', '/api/v1/execute', { token: u.token });
      expect(list.body.data.pagination.total).toBe(2);
      const [row] = await db().select().from(userQuotas).where(eq(userQuotas.userId, u.userId));
      expect(row).toMatchObject({ executionsToday: 2, executionsMonth: 2 });
    });

    it('refuses a run whose account was deleted after its token was issued (401), storing nothing', async () => {
      const u = await registerUser(server);
      await db().delete(users).where(eq(users.id, u.userId));
      const res = await run(u.token);
      expect(res.status).toBe(401);
      expect(await db().select().from(executions).where(eq(executions.userId, u.userId))).toEqual([]);
      expect(await db().select().from(userQuotas).where(eq(userQuotas.userId, u.userId))).toEqual([]);
    });
  });
}

describe('quota reset times', () => {
  it('are the next UTC midnight and the first of the next month', () => {
    expect(resetTimes('2024-02-28')).toEqual({ daily: '2024-02-29T00:00:00.000Z', monthly: '2024-03-01T00:00:00.000Z' });
    expect(resetTimes('2024-12-31')).toEqual({ daily: '2025-01-01T00:00:00.000Z', monthly: '2025-01-01T00:00:00.000Z' });
  });
});
