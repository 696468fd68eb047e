import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit, AuditActions } from '../audit/audit.js';
import { bodyLimitsFor } from '../server/body-limits.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, ok } from '../server/envelope.js';
import { apiKeySchema, apiKeysFor, createApiKeyInput } from './api-keys.js';
import { requireUser } from './guard.js';

/** /api/v1/auth/api-keys: the caller's personal access tokens (issue 12). Logic in api-keys.ts. */
export async function apiKeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const keys = apiKeysFor(ctx.database.db);
  const tags = ['auth'];
  const security = [{ bearer: [] }];
  const where = (ip: string, ua: string | undefined) => (ua === undefined ? { ip } : { ip, userAgent: ua.slice(0, 512) });

  r.post(
    '/api-keys',
    {
      bodyLimit: bodyLimitsFor(ctx.config).auth,
      schema: {
        tags,
        security,
        summary: 'Create an API key (the key is in this answer only)',
        description: 'Send it as `Authorization: Bearer mck_…` (main and Piston APIs) or `X-Auth-Token: mck_…` (Judge0 API). Needs a session or a key with the `admin` scope.',
        body: createApiKeyInput,
        response: { 201: envelope(apiKeySchema.extend({ key: z.string().describe('The key; store it now, it is never shown again') })), ...commonErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const created = await keys.create(user.id, request.body);
      await audit(ctx.database.db, { userId: user.id, action: AuditActions.apiKeyCreate, resourceType: 'api_key', resourceId: created.id, ...where(request.ip, request.headers['user-agent']), metadata: { name: created.name, scopes: created.scopes } });
      return reply.status(201).send(ok(created));
    },
  );

  r.get(
    '/api-keys',
    { schema: { tags, security, summary: 'Your API keys (never the keys themselves)', response: { 200: envelope(z.array(apiKeySchema)), ...commonErrors } } },
    async (request) => ok(await keys.list(requireUser(request).id)),
  );

  r.delete(
    '/api-keys/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke an API key (at once; idempotent)',
        params: z.object({ id: z.uuid() }),
        response: { 200: envelope(apiKeySchema), ...commonErrors },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const revoked = await keys.revoke(user.id, request.params.id);
      await audit(ctx.database.db, { userId: user.id, action: AuditActions.apiKeyRevoke, resourceType: 'api_key', resourceId: revoked.id, ...where(request.ip, request.headers['user-agent']) });
      return ok(revoked);
    },
  );
}
