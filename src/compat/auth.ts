import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiKeysFor, assertScope, isApiKeyShape } from '../auth/api-keys.js';
import { verifyAccessToken } from '../auth/plugin.js';
import { assertMayExecute } from '../auth/verified-guard.js';
import type { AppContext, AuthUser } from '../server/context.js';

/**
 * Who is calling a compatibility API. A MUSCode API key (`mck_…`, issue 12 item 3) or access
 * token is accepted as `Authorization: Bearer <token>` and, on the Judge0 API, as
 * `X-Auth-Token: <token>` (Judge0's authentication header); without one the call is anonymous
 * and may run code only when ANONYMOUS_EXECUTE is on. A token that is present but invalid is a
 * 401 in the API's own shape (never silently anonymous). Other headers (X-RapidAPI-Key, ...)
 * are ignored. Piston clients send `Authorization: <key>` without "Bearer" to public
 * instances; such a header is ignored rather than refused.
 */
export class CompatUnauthorized extends Error {}
/** An API key without the scope the call needs (GET: `read`; anything else: `execute`). */
export class CompatForbidden extends Error {}

export function compatAuth(app: FastifyInstance, ctx: AppContext, opts: { tokenHeader?: string }): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    request.user = await callerOf(request, ctx, opts.tokenHeader);
    try {
      await assertMayExecute(request, ctx.database.db, ctx.config);
    } catch (err) {
      throw new CompatForbidden(err instanceof Error ? err.message : 'forbidden');
    }
  });
}

/** The caller of a compat request, or of a compat WebSocket's upgrade request (Piston's /connect: `method` GET, scope `execute`). */
export async function callerOf(
  request: Pick<FastifyRequest, 'headers' | 'method' | 'url'>,
  ctx: AppContext,
  tokenHeader: string | undefined,
  need?: 'read' | 'execute',
): Promise<AuthUser | null> {
  const auth = request.headers.authorization;
  const bearer = auth === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(auth)?.[1];
  const headerValue = tokenHeader ? request.headers[tokenHeader] : undefined;
  const token = bearer ?? (typeof headerValue === 'string' && headerValue.trim() ? headerValue.trim() : undefined);
  if (token === undefined) return null;
  let user: AuthUser;
  try {
    user = isApiKeyShape(token) ? await apiKeysFor(ctx.database.db).verify(token) : await verifyAccessToken(token, ctx);
  } catch {
    throw new CompatUnauthorized('invalid or expired token');
  }
  try {
    // The compat APIs only run code and read results: GET needs `read`, anything else (a
    // submission, a DELETE, Judge0's POST /authenticate) `execute`.
    assertScope(user, request.method, request.url, need ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'execute'));
  } catch (err) {
    throw new CompatForbidden(err instanceof Error ? err.message : 'forbidden');
  }
  return user;
}
