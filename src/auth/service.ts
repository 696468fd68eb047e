import crypto from 'node:crypto';
import { and, eq, isNotNull, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audit, AuditActions } from '../audit/audit.js';
import { durationMs, type Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { loginFailures, refreshTokens, users } from '../db/schema.js';
import { CallerError } from '../errors.js';
import type { AuthUser, Secrets } from '../server/context.js';
import { HttpCodes, unauthorized } from '../server/http-errors.js';
import { dummyVerify, hashPassword, verifyPassword } from './passwords.js';
import { generateRefreshToken, isRefreshTokenShape, RefreshTokenCrypto, signAccessToken } from './tokens.js';

/** Input rules, shared by the routes (request validation, OpenAPI) and the service itself. */
export const emailSchema = z.string().trim().max(255).pipe(z.email({ message: 'must be an email address' })).describe('Email address (case-insensitive)');
export const usernameSchema = z
  .string()
  .max(50, { message: 'must be 3-50 characters: letters, digits, _ or -' })
  .regex(/^[A-Za-z0-9_-]{3,50}$/, { message: 'must be 3-50 characters: letters, digits, _ or -' })
  .describe('3-50 characters from A-Z a-z 0-9 _ - (unique, case-insensitive)');
export const passwordSchema = z.string().min(8, { message: 'must be at least 8 characters' }).max(128, { message: 'must be at most 128 characters' }).describe('8-128 characters');

export const registerInput = z.object({
  email: emailSchema,
  username: usernameSchema,
  password: passwordSchema,
  fullName: z.string().trim().min(1).max(100).optional().describe('Display name (optional, up to 100 characters)'),
});
/** Login does not re-apply the password policy (it may have changed); the bound only caps hashing work. */
export const loginInput = z.object({
  email: emailSchema,
  password: z.string().min(1).max(1024).describe('The account password'),
});
export type RegisterInput = z.input<typeof registerInput>;
export type LoginInput = z.input<typeof loginInput>;

/** Where a request came from: recorded in audit rows and refresh tokens, and half of the lockout key. */
export interface RequestMeta {
  ip: string;
  userAgent?: string;
}

export interface PublicUser {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  role: string;
  avatarUrl: string | null;
  emailVerified: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface TokenPair {
  token: string;
  refreshToken: string;
}

export type AuthConfig = Pick<Config, 'JWT_EXPIRATION' | 'JWT_REFRESH_EXPIRATION' | 'REFRESH_GRACE_PERIOD' | 'LOCKOUT_ATTEMPTS' | 'LOCKOUT_DURATION'>;

type UserRow = typeof users.$inferSelect;

const invalidRefresh = (why: string) => new CallerError(HttpCodes.invalidRefreshToken, `invalid refresh token: ${why}`);
const invalidCredentials = () => new CallerError(HttpCodes.invalidCredentials, 'invalid email or password');

/** Database-clock arithmetic: every replica compares times on the same clock. */
const fromNow = (ms: number) => sql`(now() + make_interval(secs => ${ms / 1000}))`;
const agoMs = (ms: number) => sql`(now() - make_interval(secs => ${ms / 1000}))`;

type RefreshOutcome =
  | { kind: 'invalid'; why: string }
  | { kind: 'reused'; userId: string; familyId: string }
  | { kind: 'ok'; userId: string; familyId: string; refreshToken: string; viaGrace: boolean };

/**
 * Accounts and sessions. A session is a refresh-token family started by register or login;
 * every refresh rotates the token, and presenting a rotated token again (outside the grace
 * period) is treated as theft and revokes the whole family. Routes only translate HTTP to these
 * calls.
 */
export class AuthService {
  readonly #db: Db;
  readonly #secrets: Secrets;
  readonly #crypto: RefreshTokenCrypto;
  readonly accessTtlMs: number;
  readonly refreshTtlMs: number;
  readonly graceMs: number;
  readonly lockoutAttempts: number;
  readonly lockoutMs: number;

  constructor(opts: { db: Db; secrets: Secrets; config: AuthConfig }) {
    this.#db = opts.db;
    this.#secrets = opts.secrets;
    this.#crypto = new RefreshTokenCrypto(opts.secrets.jwtRefresh);
    this.accessTtlMs = durationMs(opts.config.JWT_EXPIRATION);
    this.refreshTtlMs = durationMs(opts.config.JWT_REFRESH_EXPIRATION);
    this.graceMs = durationMs(opts.config.REFRESH_GRACE_PERIOD);
    this.lockoutAttempts = opts.config.LOCKOUT_ATTEMPTS;
    this.lockoutMs = durationMs(opts.config.LOCKOUT_DURATION);
  }

  async register(input: RegisterInput, meta: RequestMeta): Promise<{ userId: string; token: string; refreshToken: string }> {
    const v = registerInput.parse(input);
    const email = v.email.toLowerCase();
    await this.#assertAvailable(email, v.username);
    const passwordHash = await hashPassword(v.password);
    try {
      return await this.#db.transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({ email, username: v.username, passwordHash, fullName: v.fullName ?? null })
          .returning();
        if (!user) throw new Error('insert returned no row');
        const { token: refreshToken, familyId } = await this.#startFamily(tx, user.id, meta);
        await audit(tx, { userId: user.id, action: AuditActions.register, resourceType: 'user', resourceId: user.id, ...this.#where(meta) });
        return { userId: user.id, token: await this.#access(user, familyId), refreshToken };
      });
    } catch (err) {
      // Two registrations racing past the pre-check: the unique indexes decide.
      const constraint = uniqueViolation(err);
      if (constraint === 'users_email_lower') throw emailTaken();
      if (constraint === 'users_username_lower') throw usernameTaken();
      throw err;
    }
  }

  async login(input: LoginInput, meta: RequestMeta): Promise<TokenPair & { user: PublicUser }> {
    const v = loginInput.parse(input);
    const email = v.email.toLowerCase();
    // Keyed by account AND client: failures from one address never lock the account elsewhere.
    const key = `${email}|${meta.ip}`;
    const [lock] = await this.#db
      .select({ retryMs: sql<number>`ceil(extract(epoch from (${loginFailures.lockedUntil} - now())) * 1000)::float8` })
      .from(loginFailures)
      .where(and(eq(loginFailures.key, key), sql`${loginFailures.lockedUntil} > now()`));
    if (lock) {
      await audit(this.#db, { userId: null, action: AuditActions.loginFailed, ...this.#where(meta), metadata: { email, reason: 'locked' } });
      const retryAfterSeconds = Math.max(1, Math.ceil(Number(lock.retryMs) / 1000));
      throw new CallerError(HttpCodes.accountLocked, `too many failed logins; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    const [user] = await this.#db.select().from(users).where(eq(sql`lower(${users.email})`, email));
    // An unknown email costs the same hashing time and gets the same answer as a wrong password.
    let good = false;
    if (user) good = await verifyPassword(user.passwordHash, v.password);
    else await dummyVerify(v.password);
    if (!user || !good) {
      await this.#recordFailure(key);
      await audit(this.#db, { userId: user?.id ?? null, action: AuditActions.loginFailed, ...this.#where(meta), metadata: { email, reason: user ? 'bad_password' : 'unknown_email' } });
      throw invalidCredentials();
    }
    await this.#db.delete(loginFailures).where(eq(loginFailures.key, key));
    if (!user.isActive) throw new CallerError(HttpCodes.forbidden, 'this account is disabled');
    return this.#db.transaction(async (tx) => {
      const [fresh] = await tx.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, user.id)).returning();
      const { token: refreshToken, familyId } = await this.#startFamily(tx, user.id, meta);
      await audit(tx, { userId: user.id, action: AuditActions.login, ...this.#where(meta) });
      return { token: await this.#access(user, familyId), refreshToken, user: toPublic(fresh ?? user) };
    });
  }

  /**
   * Rotates a refresh token. Atomic: the predecessor is marked rotated by a conditional UPDATE
   * (rotated_at IS NULL) in the same transaction that inserts the successor, so of two concurrent
   * calls exactly one rotates; the other re-reads the now-rotated row and, inside the grace
   * period, answers with the same successor (unsealed from successor_sealed).
   */
  async refresh(refreshToken: string | undefined, meta: RequestMeta): Promise<TokenPair> {
    if (!refreshToken) throw unauthorized('a refresh token is required (body or cookie)');
    if (!isRefreshTokenShape(refreshToken)) throw invalidRefresh('malformed');
    const tokenHash = this.#crypto.hash(refreshToken);
    const outcome = await this.#db.transaction(async (tx): Promise<RefreshOutcome> => {
      // Two rounds at most: a lost race turns the row into a rotated one, decided on the re-read.
      for (let round = 0; round < 2; round++) {
        const [row] = await tx
          .select({
            id: refreshTokens.id,
            userId: refreshTokens.userId,
            familyId: refreshTokens.familyId,
            revoked: refreshTokens.revoked,
            rotated: sql<boolean>`${refreshTokens.rotatedAt} is not null`,
            inGrace: sql<boolean>`coalesce(${refreshTokens.rotatedAt} > ${agoMs(this.graceMs)}, false)`,
            expired: sql<boolean>`${refreshTokens.expiresAt} <= now()`,
            successorSealed: refreshTokens.successorSealed,
          })
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, tokenHash));
        if (!row) return { kind: 'invalid', why: 'unknown' };
        if (row.revoked) return { kind: 'invalid', why: 'revoked' };
        if (row.expired) return { kind: 'invalid', why: 'expired' };
        if (row.rotated) {
          const successor = row.inGrace && row.successorSealed ? this.#crypto.unseal(row.successorSealed, row.id) : null;
          if (successor) return { kind: 'ok', userId: row.userId, familyId: row.familyId, refreshToken: successor, viaGrace: true };
          // Reuse of a rotated token: someone else holds a copy. End the whole session.
          await tx
            .update(refreshTokens)
            .set({ revoked: true, successorSealed: null })
            .where(eq(refreshTokens.familyId, row.familyId));
          await audit(tx, {
            userId: row.userId,
            action: AuditActions.refreshReuse,
            resourceType: 'refresh_token_family',
            resourceId: row.familyId,
            ...this.#where(meta),
          });
          return { kind: 'reused', userId: row.userId, familyId: row.familyId };
        }
        const next = generateRefreshToken();
        const nextId = crypto.randomUUID();
        const won = await tx
          .update(refreshTokens)
          .set({ rotatedAt: sql`now()`, replacedBy: nextId, successorSealed: this.#crypto.seal(next, row.id) })
          .where(and(eq(refreshTokens.id, row.id), sql`${refreshTokens.rotatedAt} is null`, eq(refreshTokens.revoked, false)))
          .returning({ id: refreshTokens.id });
        if (won.length === 0) continue;
        await tx.insert(refreshTokens).values({
          id: nextId,
          userId: row.userId,
          familyId: row.familyId,
          tokenHash: this.#crypto.hash(next),
          expiresAt: fromNow(this.refreshTtlMs),
          ipAddress: meta.ip.slice(0, 64),
          userAgent: meta.userAgent?.slice(0, 512) ?? null,
        });
        return { kind: 'ok', userId: row.userId, familyId: row.familyId, refreshToken: next, viaGrace: false };
      }
      return { kind: 'invalid', why: 'concurrently revoked' };
    });
    if (outcome.kind === 'reused') throw new CallerError(HttpCodes.refreshTokenReused, 'this refresh token was already used; the session has been ended, log in again');
    if (outcome.kind === 'invalid') throw invalidRefresh(outcome.why);
    // Sealed successors are only needed for the grace period: drop this user's stale ones now
    // (sweep() does it for everyone else).
    await this.#db
      .update(refreshTokens)
      .set({ successorSealed: null })
      .where(and(eq(refreshTokens.userId, outcome.userId), isNotNull(refreshTokens.successorSealed), lte(refreshTokens.rotatedAt, agoMs(this.graceMs))));
    const user = await this.#activeUser(outcome.userId);
    if (!user) throw invalidRefresh('the account no longer exists');
    return { token: await this.#access(user, outcome.familyId), refreshToken: outcome.refreshToken };
  }

  /** Ends the session (the token's whole family). Idempotent: an unknown token is not an error. */
  /**
   * Ends a session. With a refresh token: its family. Without one (issue 12: the first seed's
   * clients log out with only the Authorization header), `bearer` is the access token's user and
   * the session it names (`sid`) ends; an older token without `sid` ends every session of the user.
   */
  async logout(refreshToken: string | undefined, meta: RequestMeta, bearer: AuthUser | null = null): Promise<void> {
    if (!refreshToken && bearer) return this.#logoutBearer(bearer, meta);
    if (!refreshToken) throw unauthorized('a refresh token (body or cookie) or an access token (Authorization header) is required');
    if (!isRefreshTokenShape(refreshToken)) return;
    const [row] = await this.#db
      .select({ userId: refreshTokens.userId, familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, this.#crypto.hash(refreshToken)));
    if (!row) return;
    await this.#db.transaction(async (tx) => {
      const ended = await tx
        .update(refreshTokens)
        .set({ revoked: true, successorSealed: null })
        .where(and(eq(refreshTokens.familyId, row.familyId), eq(refreshTokens.revoked, false)))
        .returning({ id: refreshTokens.id });
      if (ended.length > 0) {
        await audit(tx, { userId: row.userId, action: AuditActions.logout, resourceType: 'refresh_token_family', resourceId: row.familyId, ...this.#where(meta) });
      }
    });
  }

  async me(userId: string): Promise<PublicUser> {
    const user = await this.#activeUser(userId);
    if (!user) throw unauthorized('the account no longer exists');
    return toPublic(user);
  }

  /**
   * Housekeeping, run periodically by the plugin: clears sealed successors whose grace period is
   * over and deletes refresh tokens that expired more than a day ago.
   */
  async sweep(): Promise<{ sealsCleared: number; tokensDeleted: number }> {
    const cleared = await this.#db
      .update(refreshTokens)
      .set({ successorSealed: null })
      .where(and(isNotNull(refreshTokens.successorSealed), lte(refreshTokens.rotatedAt, agoMs(this.graceMs))))
      .returning({ id: refreshTokens.id });
    const deleted = await this.#db
      .delete(refreshTokens)
      .where(lte(refreshTokens.expiresAt, agoMs(86_400_000)))
      .returning({ id: refreshTokens.id });
    await this.#db.delete(loginFailures).where(or(lte(loginFailures.lockedUntil, sql`now()`), and(sql`${loginFailures.lockedUntil} is null`, lte(loginFailures.firstAt, agoMs(this.lockoutMs)))));
    return { sealsCleared: cleared.length, tokensDeleted: deleted.length };
  }

  async #assertAvailable(email: string, username: string): Promise<void> {
    const clashes = await this.#db
      .select({ email: users.email, username: users.username })
      .from(users)
      .where(or(eq(sql`lower(${users.email})`, email), eq(sql`lower(${users.username})`, username.toLowerCase())));
    if (clashes.some((c) => c.email.toLowerCase() === email)) throw emailTaken();
    if (clashes.length > 0) throw usernameTaken();
  }

  /**
   * One more failure for this account+client. Failures older than the lockout duration (or
   * before an expired lock) start a new count; reaching LOCKOUT_ATTEMPTS sets locked_until.
   */
  async #recordFailure(key: string): Promise<void> {
    const stale = sql`(${loginFailures.lockedUntil} <= now() or ${loginFailures.firstAt} <= ${agoMs(this.lockoutMs)})`;
    const nextCount = sql`(case when ${stale} then 1 else ${loginFailures.count} + 1 end)`;
    await this.#db
      .insert(loginFailures)
      .values({ key, count: 1, lockedUntil: this.lockoutAttempts <= 1 ? fromNow(this.lockoutMs) : null })
      .onConflictDoUpdate({
        target: loginFailures.key,
        set: {
          count: nextCount,
          firstAt: sql`(case when ${stale} then now() else ${loginFailures.firstAt} end)`,
          lockedUntil: sql`(case when ${nextCount} >= ${this.lockoutAttempts} then ${fromNow(this.lockoutMs)} else null end)`,
        },
      });
  }

  async #startFamily(tx: Db, userId: string, meta: RequestMeta): Promise<{ token: string; familyId: string }> {
    const token = generateRefreshToken();
    const familyId = crypto.randomUUID();
    await tx.insert(refreshTokens).values({
      userId,
      familyId,
      tokenHash: this.#crypto.hash(token),
      expiresAt: fromNow(this.refreshTtlMs),
      ipAddress: meta.ip.slice(0, 64),
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
    });
    return { token, familyId };
  }

  async #logoutBearer(user: AuthUser, meta: RequestMeta): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const scope = user.sessionId ? eq(refreshTokens.familyId, user.sessionId) : undefined;
      const ended = await tx
        .update(refreshTokens)
        .set({ revoked: true, successorSealed: null })
        .where(and(eq(refreshTokens.userId, user.id), eq(refreshTokens.revoked, false), scope))
        .returning({ id: refreshTokens.id });
      if (ended.length > 0) {
        await audit(tx, { userId: user.id, action: AuditActions.logout, resourceType: 'refresh_token_family', ...(user.sessionId ? { resourceId: user.sessionId } : {}), ...this.#where(meta) });
      }
    });
  }

  async #activeUser(userId: string): Promise<UserRow | null> {
    const [user] = await this.#db.select().from(users).where(eq(users.id, userId));
    return user && user.isActive ? user : null;
  }

  #access(user: UserRow, familyId: string): Promise<string> {
    return signAccessToken({ id: user.id, username: user.username, role: user.role } satisfies AuthUser, this.#secrets.jwt, this.accessTtlMs, Date.now(), familyId);
  }

  #where(meta: RequestMeta): { ip: string; userAgent?: string } {
    return meta.userAgent === undefined ? { ip: meta.ip } : { ip: meta.ip, userAgent: meta.userAgent };
  }
}

function toPublic(u: UserRow): PublicUser {
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    fullName: u.fullName,
    role: u.role,
    avatarUrl: u.avatarUrl,
    emailVerified: u.emailVerified,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
  };
}

const emailTaken = () => new CallerError(HttpCodes.emailTaken, 'an account with this email already exists');
const usernameTaken = () => new CallerError(HttpCodes.usernameTaken, 'this username is taken');

/** The violated unique constraint's name, looking through driver wrappers (DrizzleQueryError.cause). */
function uniqueViolation(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505') return typeof constraint === 'string' ? constraint : 'unknown';
  }
  return null;
}

const services = new WeakMap<object, AuthService>();

/** The one AuthService of an app context (the plugin and the routes share it). */
export function authServiceFor(ctx: { database: { db: Db }; secrets: Secrets; config: AuthConfig }): AuthService {
  let s = services.get(ctx);
  if (!s) {
    s = new AuthService({ db: ctx.database.db, secrets: ctx.secrets, config: ctx.config });
    services.set(ctx, s);
  }
  return s;
}
