import http from 'node:http';
import { desc, eq } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, trustProxySetting } from '../../src/config/config.js';
import { auditLogs } from '../../src/db/schema.js';
import { api, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/**
 * Issue 12, item 4: the first seed's contract, called exactly as the seed's examples call it
 * (seed-conformance.md), and the client address behind a proxy (TRUST_PROXY).
 */

type Envelope<T> = { success: boolean; data: T; message?: string; error?: { code: string } };

/** A request that arrives through a proxy on 127.0.0.1 which says the client is `forwardedFor`. */
function viaProxy(server: { url: string }, method: string, path: string, forwardedFor: string, body?: unknown): Promise<{ status: number; body: Envelope<Record<string, unknown>> }> {
  const url = new URL(path, server.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { 'x-forwarded-for': forwardedFor };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function connect(server: TestServer, opts: { auth?: Record<string, string>; extraHeaders?: Record<string, string> }): Promise<Socket> {
  const socket = io(server.url, { path: '/ws', transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('the first seed contract (embedded)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ mode: 'embedded' });
  });
  afterAll(async () => server?.stop());

  it('GET /languages answers data as an array; the limits have their own endpoint', async () => {
    const r = await api<Envelope<{ id: string; name: string; version: string | null; extensions: string[]; available: boolean }[]>>(server, 'GET', '/api/v1/languages');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.data)).toBe(true);
    const py = r.body.data.find((l) => l.id === 'python');
    expect(py).toMatchObject({ name: expect.any(String), extensions: expect.arrayContaining(['.py']), available: expect.any(Boolean) });
    // Issue 13: forty and more, in two install groups; an unavailable one says why and how to install it.
    const all = r.body.data as unknown as { id: string; available: boolean; group: string; reason?: string; install?: string }[];
    expect(all.length).toBeGreaterThanOrEqual(40);
    for (const l of all) {
      expect(['core', 'more'], l.id).toContain(l.group);
      if (!l.available) expect(l, l.id).toMatchObject({ reason: expect.any(String), install: expect.stringMatching(/make /) });
    }
    const limits = await api<Envelope<{ run: { max: { cpuMs: number; wallMs: number } }; fileBytes: number }>>(server, 'GET', '/api/v1/limits');
    expect(limits.status).toBe(200);
    expect(limits.body.data.run.max).toMatchObject({ cpuMs: 30_000, wallMs: 30_000 });
    expect(limits.body.data.fileBytes).toBe(5_242_880);
  });

  it('MAX_FILE_SIZE defaults to 5 MiB, as the seed says', () => {
    expect(loadConfig({}).MAX_FILE_SIZE).toBe(5_242_880);
    expect(loadConfig({}).limits.fileBytes.default).toBe(5_242_880);
  });

  it('logout with only the Authorization header ends that session and answers a message', async () => {
    const u = await registerUser(server);
    const other = await api<Envelope<{ token: string; refreshToken: string }>>(server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(other.status).toBe(200);
    const out = await api<Envelope<{ loggedOut: boolean; message: string }>>(server, 'POST', '/api/v1/auth/logout', { token: u.token });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body).toMatchObject({ success: true, message: 'Logged out successfully', data: { loggedOut: true } });
    // That session's refresh token no longer works; the other session's still does.
    const dead = await api<Envelope<unknown>>(server, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: u.refreshToken } });
    expect(dead.status).toBe(401);
    const alive = await api<Envelope<{ token: string }>>(server, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: other.body.data.refreshToken } });
    expect(alive.status).toBe(200);
    // A forged bearer token is refused, and nothing at all is still 401.
    expect((await api(server, 'POST', '/api/v1/auth/logout', { token: `${u.token}x` })).status).toBe(401);
    expect((await api(server, 'POST', '/api/v1/auth/logout')).status).toBe(401);
  });

  it('timeout accepts up to 30 s (CPU) and refuses more; a timed-out run reports exitCode 124', async () => {
    const u = await registerUser(server);
    const ok30 = await api<Envelope<{ executionId: string }>>(server, 'POST', '/api/v1/execute', { token: u.token, body: { language: 'python', code: 'print(1)', timeout: 30 } });
    expect(ok30.status, JSON.stringify(ok30.body)).toBeLessThan(300);
    const tooMuch = await api<Envelope<unknown>>(server, 'POST', '/api/v1/execute', { token: u.token, body: { language: 'python', code: 'print(1)', timeout: 31 } });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error?.code).toBe('LIMIT_TOO_HIGH');
    const spin = await api<Envelope<{ executionId: string; status: string; exitCode: number | null; run: { exitCode: number | null } | null }>>(server, 'POST', '/api/v1/execute?wait=true', {
      token: u.token,
      body: { language: 'python', code: 'while True:\n    pass\n', timeout: 0.5 },
    });
    expect(spin.status, JSON.stringify(spin.body)).toBeLessThan(300);
    expect(spin.body.data.status).toBe('timeout');
    expect(spin.body.data.exitCode).toBe(124);
    const got = await api<Envelope<{ exitCode: number | null }>>(server, 'GET', `/api/v1/execute/${spin.body.data.executionId}`, { token: u.token });
    expect(got.body.data.exitCode).toBe(124);
  });

  it('socket.io takes the token from the Authorization header; events carry timestamp', async () => {
    const u = await registerUser(server);
    const socket = await connect(server, { extraHeaders: { Authorization: `Bearer ${u.token}` } });
    try {
      const run = await api<Envelope<{ executionId: string }>>(server, 'POST', '/api/v1/execute', { token: u.token, body: { language: 'python', code: 'print("hi")' } });
      const events: { name: string; payload: { timestamp?: string } }[] = [];
      const complete = new Promise<void>((resolve) => {
        socket.onAny((name: string, payload: { timestamp?: string }) => {
          events.push({ name, payload });
          if (name === 'execution:complete') resolve();
        });
      });
      const ack = await socket.emitWithAck('subscribe:execution', run.body.data.executionId);
      expect(ack).not.toHaveProperty('error');
      await complete;
      expect(events.map((e) => e.name)).toContain('execution:output');
      for (const e of events) expect(Number.isNaN(Date.parse(e.payload.timestamp ?? ''))).toBe(false);
    } finally {
      socket.disconnect();
    }
  });

  it('a bad token in the Authorization header refuses the socket', async () => {
    await expect(connect(server, { extraHeaders: { Authorization: 'Bearer nope.nope.nope' } })).rejects.toThrow(/INVALID_TOKEN/);
  });

  it('a run that fails for a system reason sends execution:error, then execution:complete', async () => {
    const u = await registerUser(server);
    const socket = await connect(server, { auth: { token: u.token } });
    try {
      const run = await api<Envelope<{ executionId: string }>>(server, 'POST', '/api/v1/execute', { token: u.token, body: { language: 'python', code: 'import time\ntime.sleep(20)' } });
      const id = run.body.data.executionId;
      const names: string[] = [];
      let error: unknown;
      const complete = new Promise<void>((resolve) => {
        socket.onAny((name: string, payload: { error?: unknown }) => {
          names.push(name);
          if (name === 'execution:error') error = payload.error;
          if (name === 'execution:complete') resolve();
        });
      });
      await socket.emitWithAck('subscribe:execution', id);
      // The worker is declared lost (what the reconciler does when a worker dies).
      await server.platform.ctx.executions.failLost([id], 'worker_lost');
      await complete;
      expect(error).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('worker_lost') });
      expect(names.indexOf('execution:error')).toBeLessThan(names.indexOf('execution:complete'));
    } finally {
      socket.disconnect();
    }
  });
});

describe('behind a proxy (TRUST_PROXY)', () => {
  let server: TestServer;
  let untrusting: TestServer;
  beforeAll(async () => {
    // The default TRUST_PROXY (loopback) believes a proxy on this host, like deploy/nginx.conf.
    server = await startTestServer({ mode: 'embedded', config: { RATE_LIMIT_AUTH: '3', LOCKOUT_ATTEMPTS: '2' } });
    untrusting = await startTestServer({ mode: 'embedded', config: { RATE_LIMIT_AUTH: '3', TRUST_PROXY: 'false' } });
  });
  afterAll(async () => {
    await server?.stop();
    await untrusting?.stop();
  });

  it('TRUST_PROXY takes false, a hop count, or addresses and CIDRs; anything else stops startup', () => {
    expect(trustProxySetting(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY)).toBe(false);
    expect(trustProxySetting(loadConfig({}).TRUST_PROXY)).toEqual(['loopback']);
    expect(trustProxySetting(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 172.16.0.0/12' }).TRUST_PROXY)).toEqual(['10.0.0.0/8', '172.16.0.0/12']);
    const hops = trustProxySetting(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY) as (a: string, hop: number) => boolean;
    expect([0, 1, 2].map((h) => hops('203.0.113.1', h))).toEqual([true, true, false]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  const login = (s: TestServer, client: string, email: string, password: string) => viaProxy(s, 'POST', '/api/v1/auth/login', client, { email, password });

  it('each client behind the proxy has its own auth rate-limit bucket', async () => {
    // A different address each time, so that the lockout (2 attempts here) does not answer first.
    for (let i = 0; i < 3; i++) expect((await login(server, '203.0.113.10', `nobody${i}@example.com`, 'wrong password x')).status).toBe(401);
    expect((await login(server, '203.0.113.10', 'nobody9@example.com', 'wrong password x')).status).toBe(429);
    // Another visitor through the same proxy is not limited by the first one.
    expect((await login(server, '203.0.113.11', 'nobody@example.com', 'wrong password x')).status).toBe(401);
  });

  it('without trusting the proxy, X-Forwarded-For is ignored (a client cannot pick its own bucket)', async () => {
    for (let i = 0; i < 3; i++) expect((await login(untrusting, `198.51.100.${i}`, 'nobody@example.com', 'wrong password x')).status).toBe(401);
    expect((await login(untrusting, '198.51.100.99', 'nobody@example.com', 'wrong password x')).status).toBe(429);
  });

  it('one client cannot lock an account for everyone, and the audit log has the client address', async () => {
    // Registering counts against 127.0.0.1's auth bucket (it came without X-Forwarded-For).
    const u = await registerUser(server);
    for (let i = 0; i < 2; i++) expect((await login(server, '203.0.113.20', u.email, 'wrong password x')).status).toBe(401);
    const locked = await login(server, '203.0.113.21', u.email, 'wrong password x');
    // A different client is not locked out (its own wrong password is just wrong)...
    expect(locked.status).toBe(401);
    const attacker = await login(server, '203.0.113.20', u.email, u.password);
    expect(attacker.status).toBe(423);
    // ...and the owner logs in from elsewhere.
    expect((await login(server, '203.0.113.22', u.email, u.password)).status).toBe(200);
    const db = server.platform.ctx.database.db;
    const [last] = await db.select().from(auditLogs).where(eq(auditLogs.userId, u.userId)).orderBy(desc(auditLogs.createdAt)).limit(1);
    expect(last?.ipAddress).toBe('203.0.113.22');
  });
});
