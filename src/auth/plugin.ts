import type { FastifyInstance } from 'fastify';
import type { AppContext, AuthUser } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { CallerError } from '../errors.js';
import { authServiceFor } from './service.js';
import { verifyAccessJwt } from './tokens.js';
import { apiKeysFor, assertScope, isApiKeyShape } from './api-keys.js';
import { assertMayExecute } from './verified-guard.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route does not look at the Authorization header at all (login, register, refresh,
     * logout): a client that attaches its expired access token to every call must still be able
     * to refresh it.
     */
    ignoreAccessToken?: boolean;
  }
}

/** How often stale sealed successors and long-expired refresh tokens are cleaned up. */
const SWEEP_INTERVAL_MS = 60_000;

/** Verifies an access token (also used by the socket.io handshake). Throws 401 INVALID_TOKEN / TOKEN_EXPIRED. */
export function verifyAccessToken(token: string, ctx: Pick<AppContext, 'secrets'>): Promise<AuthUser> {
  return verifyAccessJwt(token, ctx.secrets.jwt);
}

/**
 * Sets `request.user` for every route below the instance it is called on: null without an
 * Authorization header, the token's user with a valid `Bearer` token, 401 otherwise (a bad
 * token is never silently treated as anonymous).
 */
export async function authPlugin(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    request.user = null;
    if (request.routeOptions.config?.ignoreAccessToken) return;
    // (API keys: see src/auth/api-keys.ts; the header is never logged.)
    const header = request.headers.authorization;
    if (header === undefined) return;
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m?.[1]) throw new CallerError(HttpCodes.invalidToken, 'the Authorization header must be "Bearer <access token>"');
    if (isApiKeyShape(m[1])) {
      // Issue 12: a personal access token acts as its owner, within its scopes.
      const user = await apiKeysFor(ctx.database.db).verify(m[1]);
      assertScope(user, request.method, request.url);
      request.user = user;
    } else {
      request.user = await verifyAccessToken(m[1], ctx);
    }
    await assertMayExecute(request, ctx.database.db, ctx.config);
  });

  const service = authServiceFor(ctx);
  const timer = setInterval(() => {
    service.sweep().catch((err: unknown) => app.log.warn({ err }, 'auth sweep failed'));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
