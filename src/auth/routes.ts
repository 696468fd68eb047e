import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bodyLimitsFor } from '../server/body-limits.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { CallerError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';
import { verifyAccessJwt } from './tokens.js';
import { commonErrors, envelope, errorResponse, ok } from '../server/envelope.js';
import { requireUser } from './guard.js';
import { authServiceFor, loginInput, registerInput, type RequestMeta } from './service.js';
import { accountMailFor, emailRoutes } from './email-routes.js';

/** The refresh token's cookie: httpOnly, SameSite=Strict, only sent to the auth routes. */
export const REFRESH_COOKIE = 'muscode_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

const accessToken = z.string().describe('Access token (JWT, HS256): send as `Authorization: Bearer <token>`; lives JWT_EXPIRATION (15 min)');
const refreshToken = z
  .string()
  .describe('Opaque refresh token (single use, rotated on every refresh; lives JWT_REFRESH_EXPIRATION, 7 days). Also set as the httpOnly cookie muscode_refresh');

const publicUser = z
  .object({
    id: z.string().describe('User id (UUID)'),
    email: z.string(),
    username: z.string(),
    fullName: z.string().nullable(),
    role: z.string().describe('"user", "author" (creates problems) or "admin"'),
    avatarUrl: z.string().nullable(),
    emailVerified: z.boolean(),
    createdAt: z.string().describe('ISO 8601'),
    lastLoginAt: z.string().nullable().describe('ISO 8601, null before the first login'),
  })
  .describe('The account, without secrets');

/**
 * refresh/logout: the token comes from the body or, for browsers, from the cookie. The body may be
 * absent (Fastify then hands the validator null).
 */
const tokenBody = z
  .object({ refreshToken: z.string().max(512).optional().describe('The refresh token; may be omitted when the muscode_refresh cookie is sent') })
  .nullish();

export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const service = authServiceFor(ctx);
  const mail = accountMailFor(ctx, app);
  await emailRoutes(app, ctx);
  const refreshMaxAge = Math.floor(service.refreshTtlMs / 1000);
  // Red-team H1: a few KiB, not the 193 MiB every route used to accept.
  const bodyLimit = bodyLimitsFor(ctx.config).auth;

  const meta = (request: FastifyRequest): RequestMeta => {
    const ua = request.headers['user-agent'];
    return ua === undefined ? { ip: request.ip } : { ip: request.ip, userAgent: ua };
  };
  const setCookie = (request: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(REFRESH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: REFRESH_COOKIE_PATH,
      maxAge: refreshMaxAge,
    });
  const clearCookie = (request: FastifyRequest, reply: FastifyReply) =>
    reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: REFRESH_COOKIE_PATH });
  const presented = (request: FastifyRequest, body: { refreshToken?: string | undefined } | null | undefined) =>
    body?.refreshToken || request.cookies[REFRESH_COOKIE] || undefined;

  r.post(
    '/register',
    {
      config: { ignoreAccessToken: true },
      bodyLimit,
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        description: 'Creates the account and logs it in (a new session). Email and username are unique, case-insensitively.',
        body: registerInput,
        response: {
          201: envelope(z.object({ userId: z.string().describe('The new user id (UUID)'), token: accessToken, refreshToken })),
          ...commonErrors,
          409: errorResponse.describe('EMAIL_TAKEN or USERNAME_TAKEN'),
        },
      },
    },
    async (request, reply) => {
      const out = await service.register(request.body, meta(request));
      // Issue 12 item 5: the verification mail; a mail failure never fails the sign-up.
      mail.sendVerification(out.userId).catch((err: unknown) => request.log.warn({ err }, 'verification mail not sent'));
      setCookie(request, reply, out.refreshToken);
      return reply.code(201).send(ok(out));
    },
  );

  r.post(
    '/login',
    {
      config: { ignoreAccessToken: true },
      bodyLimit,
      schema: {
        tags: ['auth'],
        summary: 'Log in',
        description:
          'Starts a new session. A wrong password and an unknown email get the same 401 INVALID_CREDENTIALS. ' +
          'After LOCKOUT_ATTEMPTS failures from one client for one account, that client gets 423 ACCOUNT_LOCKED for LOCKOUT_DURATION.',
        body: loginInput,
        response: {
          200: envelope(z.object({ token: accessToken, refreshToken, user: publicUser })),
          ...commonErrors,
          403: errorResponse.describe('FORBIDDEN: the account is disabled'),
          423: errorResponse.describe('ACCOUNT_LOCKED (details.retryAfterSeconds)'),
        },
      },
    },
    async (request, reply) => {
      const out = await service.login(request.body, meta(request));
      setCookie(request, reply, out.refreshToken);
      return ok(out);
    },
  );

  r.post(
    '/refresh',
    {
      config: { ignoreAccessToken: true },
      bodyLimit,
      schema: {
        tags: ['auth'],
        summary: 'Rotate the refresh token',
        description:
          'Exchanges a refresh token (body or muscode_refresh cookie) for a new access token and a new refresh token; the old one is spent. ' +
          'Presenting a spent token again within REFRESH_GRACE_PERIOD returns the same successor (two tabs refreshing at once); ' +
          'later, it ends the whole session (401 REFRESH_TOKEN_REUSED).',
        body: tokenBody,
        response: { 200: envelope(z.object({ token: accessToken, refreshToken })), ...commonErrors },
      },
    },
    async (request, reply) => {
      try {
        const out = await service.refresh(presented(request, request.body), meta(request));
        setCookie(request, reply, out.refreshToken);
        return ok(out);
      } catch (err) {
        // A dead token in the cookie is useless: do not let the browser keep sending it.
        clearCookie(request, reply);
        throw err;
      }
    },
  );

  r.post(
    '/logout',
    {
      config: { ignoreAccessToken: true },
      bodyLimit,
      schema: {
        tags: ['auth'],
        summary: 'Log out',
        description:
          'Ends the session the refresh token (body or cookie) belongs to, and clears the cookie. Idempotent. Without a refresh token, the `Authorization: Bearer` access token names the session to end (as the first seed\'s clients log out); an expired but genuine access token is accepted for this.',
        body: tokenBody,
        response: { 200: envelope(z.object({ loggedOut: z.literal(true), message: z.string() })).extend({ message: z.string() }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const token = presented(request, request.body);
      let bearer: AuthUser | null = null;
      const header = request.headers.authorization;
      if (!token && header !== undefined) {
        const m = /^Bearer +(\S+) *$/i.exec(header);
        if (!m?.[1]) throw new CallerError(HttpCodes.invalidToken, 'the Authorization header must be "Bearer <access token>"');
        // Ending a session with an expired token is harmless; its refresh family outlives it.
        bearer = await verifyAccessJwt(m[1], ctx.secrets.jwt, { expiredToleranceS: Math.ceil(service.refreshTtlMs / 1000) });
      }
      clearCookie(request, reply);
      await service.logout(token, meta(request), bearer);
      const message = 'Logged out successfully';
      // `message` at the top as well: the first seed answers `{success, message}`.
      return { ...ok({ loggedOut: true as const, message }), message };
    },
  );

  r.get(
    '/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The current user',
        security: [{ bearer: [] }],
        response: { 200: envelope(publicUser), ...commonErrors },
      },
    },
    async (request) => ok(await service.me(requireUser(request).id)),
  );
}
