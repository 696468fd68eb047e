import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bodyLimitsFor } from '../server/body-limits.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, errorResponse, ok } from '../server/envelope.js';
import { AccountMail, forgotPasswordInput, resetPasswordInput, verifyEmailInput } from './account-mail.js';
import { requireUser } from './guard.js';
import { Mailer } from './mailer.js';
import type { RequestMeta } from './service.js';

/**
 * /api/v1/auth: address verification and password reset (issue 12 item 5; logic in
 * account-mail.ts). The web pages the mails link to are /verify-email and /reset-password.
 */
const mails = new WeakMap<object, AccountMail>();

/** The one AccountMail of an app context (register and these routes share it). */
export function accountMailFor(ctx: AppContext, app: FastifyInstance): AccountMail {
  let m = mails.get(ctx);
  if (!m) {
    const mailer = new Mailer(ctx.config, app.log as FastifyBaseLogger);
    app.addHook('onClose', async () => mailer.close());
    m = new AccountMail({ db: ctx.database.db, mailer, config: ctx.config, baseUrl: () => publicUrl(ctx, app) });
    mails.set(ctx, m);
  }
  return m;
}

/** PUBLIC_URL, else this server's own address (never the request's Host header: a caller sets it). */
function publicUrl(ctx: AppContext, app: FastifyInstance): string {
  if (ctx.config.PUBLIC_URL) return ctx.config.PUBLIC_URL.replace(/\/+$/, '');
  const addr = app.server.address() as AddressInfo | null;
  const port = addr?.port ?? ctx.config.PORT;
  const host = ['0.0.0.0', '::', ''].includes(ctx.config.HOST) ? 'localhost' : ctx.config.HOST.includes(':') ? `[${ctx.config.HOST}]` : ctx.config.HOST;
  return `http://${host}:${port}`;
}

const SAME_ANSWER = 'If an account with this address exists, a mail with a link to reset its password is on its way.';
const message = z.object({ message: z.string() });

export async function emailRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const mail = accountMailFor(ctx, app);
  const bodyLimit = bodyLimitsFor(ctx.config).auth;
  const tags = ['auth'];
  const meta = (request: FastifyRequest): RequestMeta => {
    const ua = request.headers['user-agent'];
    return ua === undefined ? { ip: request.ip } : { ip: request.ip, userAgent: ua };
  };

  r.post(
    '/verify-email',
    {
      config: { ignoreAccessToken: true },
      bodyLimit,
      schema: {
        tags,
        summary: 'Verify the email address',
        description: 'Spends the token of the link in the verification mail (single use, EMAIL_VERIFY_TTL). 400 INVALID_EMAIL_TOKEN when it is unknown, used or expired.',
        body: verifyEmailInput,
        response: { 200: envelope(z.object({ verified: z.literal(true) })), ...commonErrors },
      },
    },
    async (request) => {
      await mail.verifyEmail(request.body.token, meta(request));
      return ok({ verified: true as const });
    },
  );

  r.post(
    '/verify-email/resend',
    {
      config: { rateLimitGroup: 'auth' },
      bodyLimit,
      schema: {
        tags,
        security: [{ bearer: [] }],
        summary: 'Send the verification mail again',
        description: 'To the signed-in account\'s address; a new link retires the older ones. `sent` is false when the address is already verified or EMAIL_MAX_PER_HOUR mails went out in the last hour.',
        body: z.object({}).nullish(),
        response: { 202: envelope(z.object({ sent: z.boolean() })), ...commonErrors },
      },
    },
    async (request, reply) => reply.code(202).send(ok({ sent: await mail.sendVerification(requireUser(request).id) })),
  );

  r.post(
    '/password/forgot',
    {
      config: { ignoreAccessToken: true, rateLimitGroup: 'auth' },
      bodyLimit,
      schema: {
        tags,
        summary: 'Ask for a password-reset mail',
        description: 'Always the same 202 answer, whether the address has an account or not (no account enumeration); the mail is sent in the background. Counts against RATE_LIMIT_AUTH, and at most EMAIL_MAX_PER_HOUR mails go to one account per hour.',
        body: forgotPasswordInput,
        response: { 202: envelope(message), ...commonErrors },
      },
    },
    async (request, reply) => {
      await mail.requestPasswordReset(request.body.email);
      return reply.code(202).send(ok({ message: SAME_ANSWER }));
    },
  );

  r.post(
    '/password/reset',
    {
      config: { ignoreAccessToken: true, rateLimitGroup: 'auth' },
      bodyLimit,
      schema: {
        tags,
        summary: 'Set a new password with the token of a reset mail',
        description: 'Single use, PASSWORD_RESET_TTL. Ends every session of the account (log in again with the new password). 400 INVALID_EMAIL_TOKEN when the token is unknown, used or expired.',
        body: resetPasswordInput,
        response: { 200: envelope(message), ...commonErrors, 400: errorResponse.describe('VALIDATION_ERROR or INVALID_EMAIL_TOKEN') },
      },
    },
    async (request) => {
      await mail.resetPassword(request.body.token, request.body.password, meta(request));
      return ok({ message: 'Your password has been changed; every session was signed out. Log in with the new password.' });
    },
  );
}
