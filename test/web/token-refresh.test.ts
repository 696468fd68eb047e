/**
 * The web app's silent token refresh (web/src/api/token-manager.ts + http.ts), driven in Node
 * with a fake API that behaves like the real one: access tokens expire, refresh tokens rotate on
 * every use, a spent token presented again within the grace period gets the same successor, and
 * after it ends the session. Tabs share the cookie jar (one browser), a Web Lock and a channel.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/api/errors';
import { cookieRefresh, createApiClient, type FetchLike } from '../../web/src/api/http';
import { type ChannelLike, type LockManagerLike, secondsToExpiry, SessionEnded, TokenManager } from '../../web/src/api/token-manager';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const fail = (status: number, code: string) => json(status, { success: false, error: { code, message: code.toLowerCase(), status } });

/** The server side of the auth API, with rotation and a grace period, and one browser's cookie jar. */
class FakeAuthServer {
  private seq = 0;
  valid = new Set<string>();
  /** refresh token -> { successor, spentAt } */
  spent = new Map<string, { successor: string; access: string; at: number }>();
  cookie: string | null = null;
  revoked = false;
  refreshCalls = 0;
  inFlight = 0;
  maxInFlight = 0;
  now = 0;
  graceMs = 10_000;
  /** Milliseconds a refresh takes (lets concurrent calls overlap). */
  latency = 5;
  /** When set, the next refresh fails at the network level. */
  networkDown = false;

  constructor() {
    const r = this.newRefresh();
    this.cookie = r;
  }
  private newRefresh() {
    const r = `r${++this.seq}`;
    this.valid.add(r);
    return r;
  }
  newAccess() {
    return `a${++this.seq}`;
  }
  /** Access tokens the resource routes accept. */
  accepted = new Set<string>();

  fetch: FetchLike = async (url, init) => {
    const auth = (init?.headers as Record<string, string> | undefined)?.authorization;
    if (url.endsWith('/auth/refresh')) {
      this.refreshCalls++;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        await new Promise((r) => setTimeout(r, this.latency));
        if (this.networkDown) throw new TypeError('fetch failed');
        if (auth) throw new Error('the refresh call must not carry the access token');
        const presented = this.cookie;
        if (this.revoked || !presented) return fail(401, 'INVALID_REFRESH_TOKEN');
        if (this.valid.has(presented)) {
          this.valid.delete(presented);
          const successor = this.newRefresh();
          const access = this.newAccess();
          this.accepted.add(access);
          this.spent.set(presented, { successor, access, at: this.now });
          this.cookie = successor;
          return json(200, { success: true, data: { token: access, refreshToken: successor } });
        }
        const s = this.spent.get(presented);
        if (s && this.now - s.at <= this.graceMs) {
          this.cookie = s.successor;
          return json(200, { success: true, data: { token: s.access, refreshToken: s.successor } });
        }
        this.revoked = true; // reuse after the grace period: the whole session ends
        return fail(401, 'REFRESH_TOKEN_REUSED');
      } finally {
        this.inFlight--;
      }
    }
    // Any other route: a resource that needs a valid access token.
    const token = auth?.replace(/^Bearer /, '');
    if (!token) return fail(401, 'UNAUTHORIZED');
    if (!this.accepted.has(token)) return fail(401, 'TOKEN_EXPIRED');
    return json(200, { success: true, data: { ok: true, token } });
  };

  /** Every access token issued so far stops working (15 minutes passed). */
  expireAccessTokens() {
    this.accepted.clear();
  }
}

/** navigator.locks semantics: one holder per name, waiters in order. */
function fakeLocks(): LockManagerLike & { held: number; maxHeld: number } {
  const queues = new Map<string, Promise<unknown>>();
  const self = {
    held: 0,
    maxHeld: 0,
    request<T>(name: string, cb: () => Promise<T>): Promise<T> {
      const prev = queues.get(name) ?? Promise.resolve();
      const run = prev.then(async () => {
        self.held++;
        self.maxHeld = Math.max(self.maxHeld, self.held);
        try {
          return await cb();
        } finally {
          self.held--;
        }
      });
      queues.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
  return self;
}

/** A BroadcastChannel between tabs that delivers synchronously (the earliest a browser could). */
function channelHub() {
  const members: { listeners: ((e: { data: unknown }) => void)[] }[] = [];
  return () => {
    const me = { listeners: [] as ((e: { data: unknown }) => void)[] };
    members.push(me);
    const ch: ChannelLike = {
      postMessage: (data) => {
        for (const m of members) if (m !== me) for (const l of m.listeners) l({ data: structuredClone(data) });
      },
      addEventListener: (_t, l) => me.listeners.push(l),
      close: () => undefined,
    };
    return ch;
  };
}

function tab(server: FakeAuthServer, opts: { locks?: LockManagerLike; channel?: ChannelLike } = {}) {
  const changes: [string | null, string][] = [];
  const tokens = new TokenManager({ refresh: cookieRefresh(server.fetch), ...opts, onChange: (t, why) => changes.push([t, why]) });
  const api = createApiClient({ tokens, fetch: server.fetch });
  return { tokens, api, changes };
}

/** A tab that signed in: holds a valid access token. */
function signedIn(server: FakeAuthServer, opts: { locks?: LockManagerLike; channel?: ChannelLike } = {}) {
  const t = tab(server, opts);
  const access = server.newAccess();
  server.accepted.add(access);
  t.tokens.set(access, 'login');
  return t;
}

describe('silent token refresh (web app)', () => {
  it('a burst of 401s in one tab makes exactly one refresh, and every request succeeds with the new token', async () => {
    const server = new FakeAuthServer();
    const t = signedIn(server);
    server.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.api.get<{ ok: boolean; token: string }>('/things')));
    expect(server.refreshCalls).toBe(1);
    expect(t.tokens.refreshCount).toBe(1);
    const fresh = t.tokens.get();
    expect(fresh).not.toBeNull();
    expect(results.every((r) => r.ok && r.token === fresh)).toBe(true);
    expect(t.changes.map((c) => c[1])).toEqual(['login', 'refresh']);
  });

  it('two tabs refreshing at once take turns under the lock, and the waiting tab takes the broadcast token', async () => {
    const server = new FakeAuthServer();
    const locks = fakeLocks();
    const hub = channelHub();
    const b = tab(server, { locks, channel: hub() });
    const a = signedIn(server, { locks, channel: hub() });
    expect(b.tokens.get()).toBe(a.tokens.get()); // login reached the other tab
    server.expireAccessTokens();
    const burst = [...Array.from({ length: 10 }, () => a.api.get('/x')), ...Array.from({ length: 10 }, () => b.api.get('/y'))];
    await Promise.all(burst);
    expect(server.refreshCalls).toBe(1);
    expect(locks.maxHeld).toBe(1);
    expect(server.revoked).toBe(false);
    expect(a.tokens.get()).toBe(b.tokens.get());
    expect(b.changes.some(([t]) => t === null)).toBe(false);
  });

  it('with a channel that delivers late, the second tab refreshes with the rotated cookie: serialised, nobody logged out', async () => {
    const server = new FakeAuthServer();
    const locks = fakeLocks();
    // Real BroadcastChannels (asynchronous delivery, as in a browser).
    const chA = new BroadcastChannel('muscode-test-auth');
    const chB = new BroadcastChannel('muscode-test-auth');
    try {
      const a = signedIn(server, { locks, channel: chA as unknown as ChannelLike });
      const b = signedIn(server, { locks, channel: chB as unknown as ChannelLike });
      for (let round = 0; round < 3; round++) {
        server.expireAccessTokens();
        await Promise.all([...Array.from({ length: 5 }, () => a.api.get('/x')), ...Array.from({ length: 5 }, () => b.api.get('/y'))]);
      }
      expect(server.maxInFlight).toBe(1);
      expect(server.revoked).toBe(false);
      expect(a.tokens.get()).not.toBeNull();
      expect(b.tokens.get()).not.toBeNull();
      expect(server.refreshCalls).toBeGreaterThanOrEqual(3);
      // 30 requests, 3 expiries: a few refreshes (at most two per tab per expiry), never one per request.
      expect(server.refreshCalls).toBeLessThanOrEqual(12);
    } finally {
      chA.close();
      chB.close();
    }
  });

  it('a request refused with a token that was already replaced retries with the new one, without refreshing again', async () => {
    const server = new FakeAuthServer();
    const t = signedIn(server);
    const old = t.tokens.get()!;
    server.expireAccessTokens();
    await t.tokens.refresh(old);
    expect(server.refreshCalls).toBe(1);
    // A late caller that still holds `old` asks for a refresh: it gets the current token.
    await expect(t.tokens.refresh(old)).resolves.toBe(t.tokens.get());
    expect(server.refreshCalls).toBe(1);
  });

  it('when the session is over, the burst ends in one failed refresh, the tab and the other tabs are signed out', async () => {
    const server = new FakeAuthServer();
    const hub = channelHub();
    const locks = fakeLocks();
    const b = tab(server, { locks, channel: hub() });
    const a = signedIn(server, { locks, channel: hub() });
    expect(b.tokens.get()).not.toBeNull();
    server.revoked = true;
    server.expireAccessTokens();
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => a.api.get('/x')));
    expect(server.refreshCalls).toBe(1);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      const err = (o as PromiseRejectedResult).reason as ApiError;
      expect(err).toBeInstanceOf(ApiError);
      expect(err.status).toBe(401);
    }
    expect(a.tokens.get()).toBeNull();
    expect(a.changes.at(-1)).toEqual([null, 'expired']);
    expect(b.tokens.get()).toBeNull();
    expect(b.changes.at(-1)).toEqual([null, 'logout']);
  });

  it('a network failure during the refresh keeps the session and reports a network error; the next call refreshes', async () => {
    const server = new FakeAuthServer();
    const t = signedIn(server);
    server.expireAccessTokens();
    server.networkDown = true;
    const outcomes = await Promise.allSettled([t.api.get('/x'), t.api.get('/y')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(((outcomes[0] as PromiseRejectedResult).reason as ApiError).code).toBe('NETWORK');
    expect(t.tokens.get()).not.toBeNull();
    server.networkDown = false;
    await expect(t.api.get('/x')).resolves.toMatchObject({ ok: true });
    expect(server.refreshCalls).toBe(2);
  });

  it('a request without a token is not refreshed: UNAUTHORIZED comes back as is', async () => {
    const server = new FakeAuthServer();
    const t = tab(server);
    await expect(t.api.get('/x')).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(server.refreshCalls).toBe(0);
  });

  it('cookieRefresh: 401 means the session ended, other failures are thrown as they are', async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const answer = (res: Response): FetchLike => async (url, init) => {
      calls.push({ url, init });
      return res;
    };
    await expect(cookieRefresh(answer(fail(401, 'REFRESH_TOKEN_REUSED')))()).rejects.toBeInstanceOf(SessionEnded);
    await expect(cookieRefresh(answer(fail(429, 'RATE_LIMITED')))()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(cookieRefresh(answer(new Response('<html>bad gateway</html>', { status: 502 })))()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    expect(calls[0]!.url).toBe('/api/v1/auth/refresh');
    expect(calls[0]!.init?.method).toBe('POST');
    expect(calls[0]!.init?.credentials).toBe('same-origin');
    expect((calls[0]!.init?.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('secondsToExpiry reads the JWT exp claim', () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'HS256' })}.${b64({ sub: 'x', exp: 1000 })}.sig`;
    expect(secondsToExpiry(jwt, 400_000)).toBe(600);
    expect(secondsToExpiry('garbage')).toBeNull();
  });
});
