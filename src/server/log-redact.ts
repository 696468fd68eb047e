import type { FastifyRequest } from 'fastify';

/**
 * The request log line without secrets in the URL: the account mails' links carry a live token
 * in `?token=` (/verify-email, /reset-password), and an unused reset link in an access log would
 * let whoever reads the log set the password. Query values named like a token are replaced.
 */
const SECRET_PARAMS = /([?&](?:token|access_token|refresh_token|key)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** Fastify's default `req` serializer, with the URL redacted. */
export function requestLogFields(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}
