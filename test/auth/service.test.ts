import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/service.js';
import { verifyAccessJwt } from '../../src/auth/tokens.js';
import type { Database } from '../../src/db/client.js';
import { auditLogs, loginFailures, refreshTokens, users } from '../../src/db/schema.js';
import { CallerError } from '../../src/errors.js';
import { CI, type DbKind, freshDatabase, pgReachable, TEST_SECRETS, testConfig } from './helpers.js';

/**
 * The service against both databases it runs on: PGlite (embedded mode, one connection, so
 * transactions are serialised) and PostgreSQL (cluster mode, a pool, so concurrent refreshes
 * really race). Each PostgreSQL run gets its own database, dropped afterwards.
 */
const pgUp = await pgReachable();
if (!pgUp && CI) console.error('PostgreSQL is not reachable at 127.0.0.1:5432: the postgres suite will fail (CI=true)');

const A = { ip: '10.0.0.1', userAgent: 'vitest-a' };
const B = { ip: '10.0.0.2', userAgent: 'vitest-b' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const newAccount = () => {
  const n = `${Date.now().toString(36)}${(seq++).toString(36)}`;
  return { email: `User${n}@Example.com`, username: `user_${n}`, password: 'correct horse battery', fullName: 'Test User' };
};

/** The CallerError code a promise rejects with. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CallerError) return err.code;
    throw err;
  }
  throw new Error('expected a CallerError, the call succeeded');
}

for (const kind of ['pglite', 'postgres'] as DbKind[]) {
  // Outside CI a machine without PostgreSQL skips that half; under CI it must be there.
  describe.skipIf(kind === 'postgres' && !pgUp && !CI)(`AuthService on ${kind}`, () => {
    let database: Database;
    let drop: () => Promise<void>;
    let svc: AuthService;
    /** A second service over the same database with a short grace period. */
    let shortGrace: AuthService;

    beforeAll(async () => {
      ({ database, drop } = await freshDatabase(kind));
      svc = new AuthService({ db: database.db, secrets: TEST_SECRETS, config: testConfig() });
      shortGrace = new AuthService({ db: database.db, secrets: TEST_SECRETS, config: testConfig({ REFRESH_GRACE_PERIOD: '300ms' }) });
    });
    afterAll(async () => {
      await drop?.();
    });

    const auditRows = (userId: string | null, action: string) =>
      database.db
        .select()
        .from(auditLogs)
        .where(and(userId === null ? sql`${auditLogs.userId} is null` : eq(auditLogs.userId, userId), eq(auditLogs.action, action)));

    it('registers (argon2id, email stored lower-case), logs in and answers me', async () => {
      const acc = newAccount();
      const reg = await svc.register(acc, A);
      expect(reg.refreshToken).toMatch(/^mcr_[A-Za-z0-9_-]{43}$/);
      expect(await verifyAccessJwt(reg.token, TEST_SECRETS.jwt)).toEqual({ id: reg.userId, username: acc.username, role: 'user', sessionId: expect.any(String) });

      const [row] = await database.db.select().from(users).where(eq(users.id, reg.userId));
      expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(row!.email).toBe(acc.email.toLowerCase());

      // The stored refresh token is an HMAC, never the token itself.
      const stored = await database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, reg.userId));
      expect(stored).toHaveLength(1);
      expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(reg.refreshToken.slice(4));

      const login = await svc.login({ email: acc.email.toUpperCase(), password: acc.password }, A);
      expect(login.user).toMatchObject({ id: reg.userId, username: acc.username, email: acc.email.toLowerCase(), fullName: 'Test User', role: 'user' });
      expect(login.user.lastLoginAt).not.toBeNull();
      // Each login is a new family (session).
      const families = await database.db.selectDistinct({ f: refreshTokens.familyId }).from(refreshTokens).where(eq(refreshTokens.userId, reg.userId));
      expect(families).toHaveLength(2);

      expect((await svc.me(reg.userId)).username).toBe(acc.username);
      expect(await auditRows(reg.userId, 'register')).toHaveLength(1);
      const [loginRow] = await auditRows(reg.userId, 'login');
      expect(loginRow).toMatchObject({ ipAddress: A.ip, userAgent: A.userAgent });
    });

    it('refuses a taken email or username, case-insensitively, even when registrations race', async () => {
      const acc = newAccount();
      await svc.register(acc, A);
      expect(await codeOf(svc.register({ ...newAccount(), email: acc.email.toUpperCase() }, A))).toBe('EMAIL_TAKEN');
      expect(await codeOf(svc.register({ ...newAccount(), username: acc.username.toUpperCase() }, A))).toBe('USERNAME_TAKEN');

      // Both pass the pre-check; the unique index decides and the loser still gets EMAIL_TAKEN.
      const racer = newAccount();
      const results = await Promise.allSettled([svc.register(racer, A), svc.register({ ...newAccount(), email: racer.email }, A)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(CallerError);
      expect((lost.reason as CallerError).code).toBe('EMAIL_TAKEN');
    });

    it('rotates on refresh; a rotated token reused after the grace period ends the whole family', async () => {
      const reg = await shortGrace.register(newAccount(), A);
      const r1 = await shortGrace.refresh(reg.refreshToken, A);
      expect(r1.refreshToken).not.toBe(reg.refreshToken);
      const r2 = await shortGrace.refresh(r1.refreshToken, A);
      await sleep(450);

      expect(await codeOf(shortGrace.refresh(reg.refreshToken, B))).toBe('REFRESH_TOKEN_REUSED');
      const rows = await database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, reg.userId));
      expect(rows).toHaveLength(3);
      expect(rows.every((r) => r.revoked && r.successorSealed === null)).toBe(true);
      // The legitimate holder's newest token is dead too: log in again.
      expect(await codeOf(shortGrace.refresh(r2.refreshToken, A))).toBe('INVALID_REFRESH_TOKEN');
      const [reuse] = await auditRows(reg.userId, 'refresh_reuse');
      expect(reuse).toMatchObject({ ipAddress: B.ip, userAgent: B.userAgent, resourceType: 'refresh_token_family', resourceId: rows[0]!.familyId });
    });

    it('within the grace period, concurrent refreshes with one token all get the same successor', async () => {
      const reg = await svc.register(newAccount(), A);
      const results = await Promise.all(Array.from({ length: 6 }, () => svc.refresh(reg.refreshToken, A)));
      const successors = new Set(results.map((r) => r.refreshToken));
      expect(successors.size).toBe(1);
      expect(successors.has(reg.refreshToken)).toBe(false);
      for (const r of results) expect((await verifyAccessJwt(r.token, TEST_SECRETS.jwt)).id).toBe(reg.userId);
      // Exactly one rotation happened: the original and one successor, which still works.
      const rows = await database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, reg.userId));
      expect(rows).toHaveLength(2);
      const next = await svc.refresh(results[0]!.refreshToken, A);
      expect(next.refreshToken).not.toBe(results[0]!.refreshToken);
      expect(await auditRows(reg.userId, 'refresh_reuse')).toHaveLength(0);
    });

    it('clears sealed successors once the grace period is over', async () => {
      const reg = await shortGrace.register(newAccount(), A);
      await shortGrace.refresh(reg.refreshToken, A);
      const sealed = async () =>
        (await database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, reg.userId))).filter((r) => r.successorSealed !== null).length;
      expect(await sealed()).toBe(1);
      await sleep(450);
      const { sealsCleared } = await shortGrace.sweep();
      expect(sealsCleared).toBeGreaterThanOrEqual(1);
      expect(await sealed()).toBe(0);
    });

    it('logout revokes the session and is idempotent', async () => {
      const reg = await svc.register(newAccount(), A);
      const r1 = await svc.refresh(reg.refreshToken, A);
      await svc.logout(r1.refreshToken, A);
      expect(await codeOf(svc.refresh(r1.refreshToken, A))).toBe('INVALID_REFRESH_TOKEN');
      // Even inside the grace period, the predecessor gives nothing back after logout.
      expect(await codeOf(svc.refresh(reg.refreshToken, A))).toBe('INVALID_REFRESH_TOKEN');
      await svc.logout(r1.refreshToken, A);
      await svc.logout('mcr_' + 'x'.repeat(43), A);
      expect(await auditRows(reg.userId, 'logout')).toHaveLength(1);
      expect(await codeOf(svc.logout(undefined, A))).toBe('UNAUTHORIZED');
      expect(await codeOf(svc.refresh(undefined, A))).toBe('UNAUTHORIZED');
      expect(await codeOf(svc.refresh('not-a-token', A))).toBe('INVALID_REFRESH_TOKEN');
    });

    it('locks one account for one client after LOCKOUT_ATTEMPTS failures; other clients still log in', async () => {
      const acc = newAccount();
      const reg = await svc.register(acc, A);
      for (let i = 0; i < 5; i++) expect(await codeOf(svc.login({ email: acc.email, password: 'wrong password' }, A))).toBe('INVALID_CREDENTIALS');
      // Locked for A, even with the right password.
      expect(await codeOf(svc.login({ email: acc.email, password: acc.password }, A))).toBe('ACCOUNT_LOCKED');
      // B (another IP) is not affected: nobody can lock someone else out from elsewhere.
      const fromB = await svc.login({ email: acc.email, password: acc.password }, B);
      expect(fromB.user.id).toBe(reg.userId);
      const [failure] = await database.db.select().from(loginFailures).where(eq(loginFailures.key, `${acc.email.toLowerCase()}|${A.ip}`));
      expect(failure!.count).toBe(5);
      expect(failure!.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);

      const failed = await auditRows(reg.userId, 'login_failed');
      expect(failed.map((r) => (r.metadata as { reason: string }).reason).sort()).toEqual(['bad_password', 'bad_password', 'bad_password', 'bad_password', 'bad_password']);
      const locked = await database.db.select().from(auditLogs).where(and(eq(auditLogs.action, 'login_failed'), sql`${auditLogs.metadata}->>'reason' = 'locked'`));
      expect(locked.some((r) => (r.metadata as { email: string }).email === acc.email.toLowerCase())).toBe(true);
    });

    it('a success resets the count; an expired lock starts a new count', async () => {
      const acc = newAccount();
      await svc.register(acc, A);
      for (let i = 0; i < 4; i++) await codeOf(svc.login({ email: acc.email, password: 'nope nope' }, A));
      await svc.login({ email: acc.email, password: acc.password }, A);
      const key = `${acc.email.toLowerCase()}|${A.ip}`;
      expect(await database.db.select().from(loginFailures).where(eq(loginFailures.key, key))).toHaveLength(0);
      for (let i = 0; i < 4; i++) await codeOf(svc.login({ email: acc.email, password: 'nope nope' }, A));
      expect((await svc.login({ email: acc.email, password: acc.password }, A)).user.email).toBe(acc.email.toLowerCase());

      // A lock whose time is over no longer applies, and the next failure counts from 1.
      const brief = new AuthService({ db: database.db, secrets: TEST_SECRETS, config: testConfig({ LOCKOUT_ATTEMPTS: '2', LOCKOUT_DURATION: '300ms' }) });
      for (let i = 0; i < 2; i++) await codeOf(brief.login({ email: acc.email, password: 'nope nope' }, B));
      expect(await codeOf(brief.login({ email: acc.email, password: acc.password }, B))).toBe('ACCOUNT_LOCKED');
      await sleep(400);
      expect(await codeOf(brief.login({ email: acc.email, password: 'nope nope' }, B))).toBe('INVALID_CREDENTIALS');
      const [f] = await database.db.select().from(loginFailures).where(eq(loginFailures.key, `${acc.email.toLowerCase()}|${B.ip}`));
      expect(f).toMatchObject({ count: 1, lockedUntil: null });
      expect((await brief.login({ email: acc.email, password: acc.password }, B)).user.email).toBe(acc.email.toLowerCase());
    });

    it('an unknown email is answered exactly like a wrong password, and counts towards the lockout', async () => {
      const acc = newAccount();
      await svc.register(acc, A);
      const errorOf = async (p: Promise<unknown>) => {
        try {
          await p;
        } catch (err) {
          const e = err as CallerError;
          return { name: e.name, code: e.code, message: e.message, details: e.details };
        }
        throw new Error('succeeded');
      };
      const wrong = await errorOf(svc.login({ email: acc.email, password: 'wrong password' }, B));
      const unknown = await errorOf(svc.login({ email: `nobody-${acc.username}@example.com`, password: 'wrong password' }, B));
      expect(unknown).toEqual(wrong);
      expect(wrong.code).toBe('INVALID_CREDENTIALS');
      const ghost = `ghost-${acc.username}@example.com`;
      for (let i = 0; i < 5; i++) await errorOf(svc.login({ email: ghost, password: 'whatever1' }, B));
      expect(await codeOf(svc.login({ email: ghost, password: 'whatever1' }, B))).toBe('ACCOUNT_LOCKED');
      const rows = await database.db.select().from(auditLogs).where(and(eq(auditLogs.action, 'login_failed'), sql`${auditLogs.metadata}->>'email' = ${ghost}`));
      expect(rows.length).toBe(6);
      expect(rows.every((r) => r.userId === null)).toBe(true);
    });

    it('a refresh token of a deleted or disabled account is refused; me says 401', async () => {
      const reg = await svc.register(newAccount(), A);
      await database.db.update(users).set({ isActive: false }).where(eq(users.id, reg.userId));
      expect(await codeOf(svc.refresh(reg.refreshToken, A))).toBe('INVALID_REFRESH_TOKEN');
      expect(await codeOf(svc.me(reg.userId))).toBe('UNAUTHORIZED');
    });

    it('validates input in the service too', async () => {
      await expect(svc.register({ ...newAccount(), username: 'a b' }, A)).rejects.toThrow(/3-50/);
      await expect(svc.register({ ...newAccount(), password: 'short' }, A)).rejects.toThrow(/at least 8/);
      await expect(svc.register({ ...newAccount(), email: 'not-an-email' }, A)).rejects.toThrow(/email/);
    });
  });
}
