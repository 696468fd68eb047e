import { and, eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../src/auth/tokens.js';
import { auditLogs } from '../../src/db/schema.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

/**
 * The auth routes over real HTTP on 127.0.0.1, in the real app (embedded mode): envelopes,
 * status codes, the cookie, the bearer hook, the OpenAPI document. The business rules themselves
 * are covered on both databases in service.test.ts.
 */
const GRACE_MS = 1000;
let server: TestServer;
/** The secrets the server generated for itself (embedded mode, private DATA_DIR). */
let secret: string;
beforeAll(async () => {
  server = await startTestServer({ config: { REFRESH_GRACE_PERIOD: `${GRACE_MS}ms` } });
  secret = server.platform.ctx.secrets.jwt;
});
afterAll(async () => {
  await server?.stop();
});

const UA = 'muscode-auth-test/1.0';
interface Res {
  status: number;
  body: { success: boolean; data?: Record<string, any>; error?: { code: string; message: string; status: number; details?: any } };
  cookies: string[];
}

async function call(method: string, path: string, opts: { body?: unknown; token?: string; auth?: string; cookie?: string; raw?: string } = {}): Promise<Res> {
  const headers: Record<string, string> = { 'user-agent': UA };
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.auth) headers.authorization = opts.auth;
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(`${server.url}/api/v1${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  return { status: res.status, body: (await res.json()) as Res['body'], cookies: res.headers.getSetCookie() };
}

let seq = 0;
const account = () => {
  const n = `${Date.now().toString(36)}${(seq++).toString(36)}`;
  return { email: `h${n}@example.com`, username: `h_${n}`, password: 'a long enough password', fullName: 'HTTP User' };
};
/** The value of the muscode_refresh cookie a response sets. */
const cookieValue = (r: Res) => /^muscode_refresh=([^;]*)/.exec(r.cookies.find((c) => c.startsWith('muscode_refresh=')) ?? '')?.[1];
const auditOf = (userId: string, action: string) =>
  server.platform.ctx.database.db.select().from(auditLogs).where(and(eq(auditLogs.userId, userId), eq(auditLogs.action, action)));

describe('auth routes', () => {
  it('register (201), me, login: envelopes, cookie and audit rows', async () => {
    const acc = account();
    const reg = await call('POST', '/auth/register', { body: acc });
    expect(reg.status).toBe(201);
    expect(reg.body.success).toBe(true);
    expect(Object.keys(reg.body.data!).sort()).toEqual(['refreshToken', 'token', 'userId']);
    const cookie = reg.cookies.find((c) => c.startsWith('muscode_refresh='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/api\/v1\/auth(;|$)/);
    expect(cookie).toMatch(/; Max-Age=604800/);
    expect(cookie).not.toMatch(/Secure/); // plain http here; https responses get Secure
    expect(cookieValue(reg)).toBe(reg.body.data!.refreshToken);

    const me = await call('GET', '/auth/me', { token: reg.body.data!.token });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ id: reg.body.data!.userId, email: acc.email, username: acc.username, fullName: 'HTTP User', role: 'user' });
    expect(me.body.data).not.toHaveProperty('passwordHash');

    const login = await call('POST', '/auth/login', { body: { email: acc.email.toUpperCase(), password: acc.password } });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body.data!).sort()).toEqual(['refreshToken', 'token', 'user']);
    expect(login.body.data!.user.id).toBe(reg.body.data!.userId);
    expect(cookieValue(login)).toBe(login.body.data!.refreshToken);

    const [r] = await auditOf(reg.body.data!.userId, 'register');
    expect(r).toMatchObject({ ipAddress: '127.0.0.1', userAgent: UA });
    expect(await auditOf(reg.body.data!.userId, 'login')).toHaveLength(1);
  });

  it('validates the body: 400 VALIDATION_ERROR naming the field, MALFORMED_JSON for broken JSON', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...account(), email: 'nope' }, '/email'],
      [{ ...account(), username: 'ab' }, '/username'],
      [{ ...account(), username: 'a'.repeat(51) }, '/username'],
      [{ ...account(), username: 'bad name!' }, '/username'],
      [{ ...account(), password: 'short' }, '/password'],
      [{ ...account(), password: 'x'.repeat(129) }, '/password'],
      [{ email: 'x@example.com', password: 'long enough pw' }, '/username'],
    ];
    for (const [body, field] of cases) {
      const r = await call('POST', '/auth/register', { body });
      expect(r.status).toBe(400);
      expect(r.body.error!.code).toBe('VALIDATION_ERROR');
      // A human message, and the field's path in details.
      expect((r.body.error as { details?: { path: string }[] }).details?.map((d) => d.path)).toContain(field);
      expect(r.body.error!.message).toMatch(/^[A-Z]/);
    }
    expect((await call('POST', '/auth/register', { raw: '{"email":' })).body.error!.code).toBe('MALFORMED_JSON');
    expect((await call('POST', '/auth/login', { body: { email: 'a@b.c' } })).body.error!.code).toBe('VALIDATION_ERROR');
  });

  it('409 EMAIL_TAKEN / USERNAME_TAKEN, case-insensitively', async () => {
    const acc = account();
    expect((await call('POST', '/auth/register', { body: acc })).status).toBe(201);
    const e = await call('POST', '/auth/register', { body: { ...account(), email: acc.email.toUpperCase() } });
    expect([e.status, e.body.error!.code]).toEqual([409, 'EMAIL_TAKEN']);
    const u = await call('POST', '/auth/register', { body: { ...account(), username: acc.username.toUpperCase() } });
    expect([u.status, u.body.error!.code]).toEqual([409, 'USERNAME_TAKEN']);
  });

  it('refresh works from the cookie alone, rotates it, and logout by cookie ends the session', async () => {
    const reg = await call('POST', '/auth/register', { body: account() });
    const first = cookieValue(reg)!;
    const r1 = await call('POST', '/auth/refresh', { cookie: `muscode_refresh=${first}` });
    expect(r1.status).toBe(200);
    expect(r1.body.data!.refreshToken).not.toBe(first);
    expect(cookieValue(r1)).toBe(r1.body.data!.refreshToken);
    const me = await call('GET', '/auth/me', { token: r1.body.data!.token });
    expect(me.body.data!.id).toBe(reg.body.data!.userId);

    const out = await call('POST', '/auth/logout', { cookie: `muscode_refresh=${cookieValue(r1)}` });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ success: true, data: { loggedOut: true, message: 'Logged out successfully' }, message: 'Logged out successfully' });
    const cleared = out.cookies.find((c) => c.startsWith('muscode_refresh='))!;
    expect(cleared).toMatch(/^muscode_refresh=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expect(cleared).toMatch(/Path=\/api\/v1\/auth/);
    const after = await call('POST', '/auth/refresh', { cookie: `muscode_refresh=${cookieValue(r1)}` });
    expect([after.status, after.body.error!.code]).toEqual([401, 'INVALID_REFRESH_TOKEN']);
    // A dead cookie is cleared so the browser stops sending it.
    expect(after.cookies.find((c) => c.startsWith('muscode_refresh='))).toMatch(/^muscode_refresh=;/);
    expect(await auditOf(reg.body.data!.userId, 'logout')).toHaveLength(1);

    const none = await call('POST', '/auth/refresh');
    expect([none.status, none.body.error!.code]).toEqual([401, 'UNAUTHORIZED']);
  });

  it('two concurrent refreshes in the grace period get the same token; reuse after it is REFRESH_TOKEN_REUSED', async () => {
    const reg = await call('POST', '/auth/register', { body: account() });
    const rt = reg.body.data!.refreshToken as string;
    const [a, b] = await Promise.all([call('POST', '/auth/refresh', { body: { refreshToken: rt } }), call('POST', '/auth/refresh', { body: { refreshToken: rt } })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.data!.refreshToken).toBe(b.body.data!.refreshToken);
    expect(a.body.data!.refreshToken).not.toBe(rt);

    await new Promise((r) => setTimeout(r, GRACE_MS + 300));
    const reuse = await call('POST', '/auth/refresh', { body: { refreshToken: rt } });
    expect([reuse.status, reuse.body.error!.code]).toEqual([401, 'REFRESH_TOKEN_REUSED']);
    // The whole family is gone, including the successor both tabs hold.
    const successor = await call('POST', '/auth/refresh', { body: { refreshToken: a.body.data!.refreshToken } });
    expect([successor.status, successor.body.error!.code]).toEqual([401, 'INVALID_REFRESH_TOKEN']);
    const [row] = await auditOf(reg.body.data!.userId, 'refresh_reuse');
    expect(row).toMatchObject({ ipAddress: '127.0.0.1', userAgent: UA });
  });

  it('locks the account for this client after 5 failures (423 even with the right password)', async () => {
    const acc = account();
    await call('POST', '/auth/register', { body: acc });
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/auth/login', { body: { email: acc.email, password: 'wrong password' } });
      expect([r.status, r.body.error!.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    }
    const locked = await call('POST', '/auth/login', { body: { email: acc.email, password: acc.password } });
    expect([locked.status, locked.body.error!.code]).toEqual([423, 'ACCOUNT_LOCKED']);
    expect(locked.body.error!.details.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(locked.cookies).toHaveLength(0);
  });

  it('an unknown email gets exactly the response of a wrong password', async () => {
    const acc = account();
    await call('POST', '/auth/register', { body: acc });
    const wrong = await call('POST', '/auth/login', { body: { email: acc.email, password: 'wrong password' } });
    const unknown = await call('POST', '/auth/login', { body: { email: `x${acc.email}`, password: 'wrong password' } });
    expect(unknown).toEqual(wrong);
    expect(wrong.status).toBe(401);
  });

  it('the bearer hook: missing, expired, forged, alg none and malformed tokens', async () => {
    const reg = await call('POST', '/auth/register', { body: account() });
    const user = { id: reg.body.data!.userId as string, username: 'someone', role: 'user' };
    const [h, p, s] = (reg.body.data!.token as string).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const expect401 = async (opts: { token?: string; auth?: string }, code: string, path = '/auth/me') => {
      const r = await call('GET', path, opts);
      expect([r.status, r.body.success, r.body.error!.code]).toEqual([401, false, code]);
    };
    await expect401({}, 'UNAUTHORIZED');
    await expect401({ token: await signAccessToken(user, secret, 60_000, Date.now() - 3_600_000) }, 'TOKEN_EXPIRED');
    await expect401({ token: await signAccessToken(user, 'a-forged-secret-that-is-32-characters-long', 60_000) }, 'INVALID_TOKEN');
    await expect401({ token: `${h}.${b64({ ...claims, role: 'admin' })}.${s}` }, 'INVALID_TOKEN');
    await expect401({ token: `${b64({ alg: 'none', typ: 'JWT' })}.${p}.` }, 'INVALID_TOKEN');
    const hs384 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS384' }).sign(new TextEncoder().encode(secret));
    await expect401({ token: hs384 }, 'INVALID_TOKEN');
    await expect401({ auth: 'Basic dXNlcjpwYXNz' }, 'INVALID_TOKEN');
    await expect401({ auth: 'Bearer' }, 'INVALID_TOKEN');
    // A bad token is refused even where no login is needed: it is never treated as anonymous.
    await expect401({ token: 'x.y.z' }, 'INVALID_TOKEN', '/languages');
    expect((await call('GET', '/languages')).status).toBe(200);
  });

  it('auth routes ignore a stale Authorization header, so an expired access token does not block its own refresh', async () => {
    const reg = await call('POST', '/auth/register', { body: account() });
    const expired = await signAccessToken({ id: reg.body.data!.userId, username: 'x', role: 'user' }, secret, 60_000, Date.now() - 3_600_000);
    const r = await call('POST', '/auth/refresh', { body: { refreshToken: reg.body.data!.refreshToken }, token: expired });
    expect(r.status).toBe(200);
  });

  it('the OpenAPI document describes the auth routes', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
    for (const p of ['register', 'login', 'refresh', 'logout']) expect(doc.paths[`/api/v1/auth/${p}`]?.post, p).toBeDefined();
    const register = doc.paths['/api/v1/auth/register']!.post;
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(['201', '400', '409']));
    expect(JSON.stringify(register.requestBody)).toContain('3-50 characters');
    expect(doc.paths['/api/v1/auth/me']!.get.security).toEqual([{ bearer: [] }]);
  });
});
