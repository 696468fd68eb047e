import crypto from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audit, AuditActions } from '../audit/audit.js';
import { durationMs, type Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { emailTokens, loginFailures, refreshTokens, users } from '../db/schema.js';
import { CallerError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';
import type { Mailer } from './mailer.js';
import { hashPassword } from './passwords.js';
import { emailSchema, passwordSchema, type RequestMeta } from './service.js';

/**
 * Address verification and password reset by mail (issue 12 item 5).
 *
 * A token is `mce_` + 32 random bytes (base64url), sent in a link and stored only as its SHA-256
 * (256 random bits: a plain hash cannot be reversed, as for API keys). It is single use (a
 * conditional UPDATE sets used_at, so two clicks racing consume it once) and expires
 * (EMAIL_VERIFY_TTL, PASSWORD_RESET_TTL, on the database clock). A new token of a purpose
 * retires the user's older unused ones, so only the latest mail works.
 *
 * No account enumeration: "forgot password" answers the same whether the address has an account
 * or not, and the mail is sent in the background, so the timing does not tell either. At most
 * EMAIL_MAX_PER_HOUR mails go to one account per hour (counted from the token rows); requests
 * beyond it get the same answer and send nothing, so nobody can mail-bomb an address through us.
 */
export type EmailPurpose = 'verify' | 'reset';

const TOKEN_PREFIX = 'mce_';
const TOKEN_RE = /^mce_[A-Za-z0-9_-]{43}$/;
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export const emailTokenSchema = z.string().max(100).describe('The token from the link in the mail');
export const forgotPasswordInput = z.object({ email: emailSchema });
export const resetPasswordInput = z.object({ token: emailTokenSchema, password: passwordSchema });
export const verifyEmailInput = z.object({ token: emailTokenSchema });

export type AccountMailConfig = Pick<Config, 'EMAIL_VERIFY_TTL' | 'PASSWORD_RESET_TTL' | 'EMAIL_MAX_PER_HOUR'>;

const invalidLink = () =>
  new CallerError(HttpCodes.invalidEmailToken, 'this link is invalid, already used or expired; ask for a new one');

export class AccountMail {
  readonly #db: Db;
  readonly #mailer: Mailer;
  readonly #baseUrl: () => string;
  readonly #ttl: Record<EmailPurpose, number>;
  readonly #maxPerHour: number;

  constructor(opts: { db: Db; mailer: Mailer; baseUrl: () => string; config: AccountMailConfig }) {
    this.#db = opts.db;
    this.#mailer = opts.mailer;
    this.#baseUrl = opts.baseUrl;
    this.#ttl = { verify: durationMs(opts.config.EMAIL_VERIFY_TTL), reset: durationMs(opts.config.PASSWORD_RESET_TTL) };
    this.#maxPerHour = opts.config.EMAIL_MAX_PER_HOUR;
  }

  /** Sends a verification link to the user's address (at sign-up, and on request). False: nothing sent (already verified, or the hourly limit). */
  async sendVerification(userId: string): Promise<boolean> {
    const [user] = await this.#db.select().from(users).where(eq(users.id, userId));
    if (!user || !user.isActive || user.emailVerified) return false;
    const token = await this.#issue(user.id, user.email, 'verify');
    if (!token) return false;
    const link = `${this.#baseUrl()}/verify-email?token=${token}`;
    this.#mailer.sendInBackground({
      to: user.email,
      subject: 'Confirm your email address for MUSCode',
      link,
      text: `Hello ${user.username},\n\nPlease confirm that ${user.email} is your address by opening this link:\n\n${link}\n\nIt is valid for ${humanTtl(this.#ttl.verify)} and works once. If you did not create a MUSCode account, ignore this mail.\n`,
    });
    return true;
  }

  /** "Forgot password": the same (void) outcome whatever the address. */
  async requestPasswordReset(rawEmail: string): Promise<void> {
    const email = forgotPasswordInput.parse({ email: rawEmail }).email.toLowerCase();
    const [user] = await this.#db.select().from(users).where(eq(sql`lower(${users.email})`, email));
    if (!user || !user.isActive) return;
    const token = await this.#issue(user.id, user.email, 'reset');
    if (!token) return;
    const link = `${this.#baseUrl()}/reset-password?token=${token}`;
    this.#mailer.sendInBackground({
      to: user.email,
      subject: 'Reset your MUSCode password',
      link,
      text: `Hello ${user.username},\n\nSomeone (hopefully you) asked to reset the password of your MUSCode account. Choose a new password here:\n\n${link}\n\nThe link is valid for ${humanTtl(this.#ttl.reset)} and works once; using it signs out every session of the account. If you did not ask for this, ignore this mail: your password stays as it is.\n`,
    });
  }

  /** Marks the address verified. The token must be a live verify token for the user's current address. */
  async verifyEmail(token: string, meta: RequestMeta): Promise<{ userId: string }> {
    return this.#db.transaction(async (tx) => {
      const row = await consume(tx, token, 'verify');
      const changed = await tx
        .update(users)
        .set({ emailVerified: true, updatedAt: sql`now()` })
        .where(and(eq(users.id, row.userId), eq(sql`lower(${users.email})`, row.email.toLowerCase())))
        .returning({ id: users.id });
      // The address changed since the mail was sent: the link proves nothing about the new one.
      if (changed.length === 0) throw invalidLink();
      await audit(tx, { userId: row.userId, action: AuditActions.emailVerified, resourceType: 'user', resourceId: row.userId, ...where(meta) });
      return { userId: row.userId };
    });
  }

  /**
   * Sets a new password and ends every session of the account (all refresh-token families;
   * access tokens already issued run out within JWT_EXPIRATION). The mail reached the address,
   * so it counts as verified too. Login lockouts of the account are lifted.
   */
  async resetPassword(token: string, password: string, meta: RequestMeta): Promise<{ userId: string }> {
    const v = resetPasswordInput.parse({ token, password });
    const passwordHash = await hashPassword(v.password);
    return this.#db.transaction(async (tx) => {
      const row = await consume(tx, v.token, 'reset');
      const [user] = await tx
        .update(users)
        .set({ passwordHash, updatedAt: sql`now()`, emailVerified: sql`(${users.emailVerified} or lower(${users.email}) = ${row.email.toLowerCase()})` })
        .where(and(eq(users.id, row.userId), eq(users.isActive, true)))
        .returning({ id: users.id, email: users.email });
      if (!user) throw invalidLink();
      await tx.update(refreshTokens).set({ revoked: true, successorSealed: null }).where(and(eq(refreshTokens.userId, user.id), eq(refreshTokens.revoked, false)));
      // Other reset links of the account die with this one.
      await tx.update(emailTokens).set({ usedAt: sql`now()` }).where(and(eq(emailTokens.userId, user.id), eq(emailTokens.purpose, 'reset'), isNull(emailTokens.usedAt)));
      await tx.delete(loginFailures).where(sql`${loginFailures.key} like ${user.email.toLowerCase().replace(/[\\%_]/g, '\\$&') + '|%'}`);
      await audit(tx, { userId: user.id, action: AuditActions.passwordReset, resourceType: 'user', resourceId: user.id, ...where(meta) });
      return { userId: user.id };
    });
  }

  /** A new token, or null when the account had EMAIL_MAX_PER_HOUR mails in the last hour. */
  async #issue(userId: string, email: string, purpose: EmailPurpose): Promise<string | null> {
    return this.#db.transaction(async (tx) => {
      // Serialises issuing per user, so concurrent requests cannot all pass the count.
      await tx.execute(sql`select id from users where id = ${userId} for update`);
      const [count] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(emailTokens)
        .where(and(eq(emailTokens.userId, userId), gt(emailTokens.createdAt, sql`now() - interval '1 hour'`)));
      if (Number(count?.n ?? 0) >= this.#maxPerHour) return null;
      await tx
        .update(emailTokens)
        .set({ usedAt: sql`now()` })
        .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
      const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
      await tx.insert(emailTokens).values({
        userId,
        purpose,
        email,
        tokenHash: hashToken(token),
        expiresAt: sql`(now() + make_interval(secs => ${this.#ttl[purpose] / 1000}))`,
      });
      return token;
    });
  }
}

/** Spends a live token of `purpose` (single use even under concurrent clicks), or throws INVALID_EMAIL_TOKEN. */
async function consume(tx: Db, token: string, purpose: EmailPurpose): Promise<{ userId: string; email: string }> {
  if (!TOKEN_RE.test(token)) throw invalidLink();
  const [row] = await tx
    .update(emailTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(emailTokens.tokenHash, hashToken(token)), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), sql`${emailTokens.expiresAt} > now()`))
    .returning({ userId: emailTokens.userId, email: emailTokens.email });
  if (!row) throw invalidLink();
  return row;
}

const where = (meta: RequestMeta) => (meta.userAgent === undefined ? { ip: meta.ip } : { ip: meta.ip, userAgent: meta.userAgent });

function humanTtl(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} minutes`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} hours` : `${Math.round(h / 24)} days`;
}
