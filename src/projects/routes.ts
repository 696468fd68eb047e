import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../auth/guard.js';
import { respondToRun, runFields, runQuery, runResponses } from '../executions/routes.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../server/body-limits.js';
import type { ProjectAccess } from '../realtime/project-rooms.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, errorResponse, ok, uuidParam } from '../server/envelope.js';
import { fileRoutes } from './file-routes.js';
import { paginationSchema, projectDetailSchema, projectSummarySchema } from './presenter.js';
import { SCOPES, SORTS } from './service.js';
import { projectServicesFor } from './services.js';
import { socialRoutes } from './social-routes.js';
import { type RequestMeta, VISIBILITIES } from './types.js';

// Bodies are strict: an unknown field (a typo, or `files` on PUT) is a 400, not silently ignored.
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\x00-\x1f\x7f]*$/, { message: 'must not contain control characters' })
  .describe('1-200 characters');
const description = z.string().max(10_000).nullable().describe('up to 10,000 characters');
const language = z.string().min(1).max(50).describe('a language id or alias of GET /languages');
const visibility = z.enum(VISIBILITIES).describe('private: the owner only; public: everyone, listed; unlisted: anyone with the id');

const createBody = z
  .object({
    name,
    description: description.optional(),
    language: language.optional().describe('required unless fromTemplate is given (then it defaults to the template’s)'),
    visibility: visibility.optional().describe('default private'),
    isTemplate: z.boolean().optional(),
    fromTemplate: z.uuid().optional().describe('copy the files of this template project'),
  })
  .strict();

const putBody = z
  .object({ name, description: description.optional(), language, visibility, isTemplate: z.boolean().optional() })
  .strict()
  .describe("Replaces the project's own fields (an omitted description becomes null, isTemplate false); files change only through the file endpoints");

const patchBody = z
  .object({ name: name.optional(), description: description.optional(), language: language.optional(), visibility: visibility.optional(), isTemplate: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field' });

const listQuery = z.object({
  scope: z.enum(SCOPES).optional().describe('mine (default when signed in), public (default otherwise), templates, deleted (yours, restorable)'),
  q: z.string().max(200).optional().describe('substring of the name or description, case-insensitive'),
  language: z.string().max(50).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  sort: z.enum(SORTS).default('updatedAt'),
  order: z.enum(['asc', 'desc']).optional().describe('default: asc for name, desc otherwise'),
});

const forkBody = z
  .object({ name: name.optional(), description: description.optional(), visibility: visibility.optional().describe('default private') })
  .strict();


/**
 * Red-team M2: once a change is committed, sockets in the project's room that may no longer read
 * it are removed before the answer is sent. A failure there is logged, not the caller's: the
 * change stands, and every later update of a private project rechecks the room anyway.
 */
async function roomsRechecked(req: FastifyRequest, p: ProjectAccess): Promise<void> {
  await req.server.projectRooms.accessChanged(p).catch((err: unknown) => req.log.error({ err, projectId: p.id }, 'project room recheck failed'));
}

async function afterAccessChange<T extends { id: string; visibility: ProjectAccess['visibility']; owner: { id: string } }>(req: FastifyRequest, detail: T): Promise<T> {
  await roomsRechecked(req, { id: detail.id, userId: detail.owner.id, visibility: detail.visibility, deletedAt: null });
  return detail;
}

export function requestMeta(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] };
}

const detail = { 200: envelope(projectDetailSchema), 403: errorResponse, 409: errorResponse, 413: errorResponse, ...commonErrors };

/** /projects: the routes only parse and answer; src/projects/*-service.ts decide. */
export async function projectRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { projects } = projectServicesFor(ctx);
  const tags = ['projects'];
  const runBody = z.object(runFields(ctx.config.limits)).strict();

  r.get(
    '/projects',
    {
      schema: {
        tags,
        summary: 'List projects: yours, public ones or templates; search, filter, sort, paginate',
        querystring: listQuery,
        response: { 200: envelope(z.object({ projects: z.array(projectSummarySchema), pagination: paginationSchema })), ...commonErrors },
      },
    },
    async (req) => ok(await projects.list(req.user, req.query)),
  );

  r.post(
    '/projects',
    {
      schema: {
        tags,
        summary: 'Create a project (it starts with a runnable main file, or a template’s files)',
        body: createBody,
        response: { 201: envelope(projectDetailSchema), ...detail },
      },
    },
    async (req, reply) => reply.status(201).send(ok(await projects.create(requireUser(req), req.body, requestMeta(req)))),
  );

  r.get(
    '/projects/:id',
    { schema: { tags, summary: 'A project with its files (a read by anyone but the owner counts as a view)', params: uuidParam, response: detail } },
    async (req) => ok(await projects.get(req.params.id, req.user)),
  );

  r.put(
    '/projects/:id',
    { schema: { tags, summary: "Replace the project's own fields", params: uuidParam, body: putBody, response: detail } },
    async (req) => ok(await afterAccessChange(req, await projects.update(req.params.id, requireUser(req), req.body, true, requestMeta(req)))),
  );

  r.patch(
    '/projects/:id',
    { schema: { tags, summary: "Change some of the project's own fields", params: uuidParam, body: patchBody, response: detail } },
    async (req) => ok(await afterAccessChange(req, await projects.update(req.params.id, requireUser(req), req.body, false, requestMeta(req)))),
  );

  r.delete(
    '/projects/:id',
    {
      schema: {
        tags,
        summary: 'Soft-delete a project (restorable by its owner for 30 days)',
        params: uuidParam,
        response: { 200: envelope(z.object({ id: z.uuid(), deletedAt: z.string(), restorableUntil: z.string() })), 403: errorResponse, ...commonErrors },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const out = await projects.remove(req.params.id, user, requestMeta(req));
      await roomsRechecked(req, { id: out.id, userId: user.id, visibility: 'private', deletedAt: new Date(out.deletedAt) });
      return ok(out);
    },
  );

  r.post(
    '/projects/:id/restore',
    { schema: { tags, summary: 'Restore a deleted project (owner, within 30 days)', params: uuidParam, response: detail } },
    async (req) => ok(await projects.restore(req.params.id, requireUser(req), requestMeta(req))),
  );

  r.post(
    '/projects/:id/fork',
    {
      schema: {
        tags,
        summary: 'Copy a readable project and its files into a new project of yours',
        params: uuidParam,
        body: forkBody.nullish().describe('optional'),
        response: { 201: envelope(projectDetailSchema), ...detail },
      },
    },
    async (req, reply) => reply.status(201).send(ok(await projects.fork(req.params.id, requireUser(req), req.body ?? {}, requestMeta(req)))),
  );

  r.post(
    '/projects/:id/run',
    {
      schema: {
        tags,
        summary: "Run the project's files as one program (result as POST /execute/batch)",
        params: uuidParam,
        body: runBody.nullish().describe('optional'),
        querystring: runQuery,
        response: { ...runResponses, 413: errorResponse },
      },
      config: { rateLimitGroup: 'execute', maxJsonValues: maxJsonValuesFor(ctx.config).run },
      bodyLimit: bodyLimitsFor(ctx.config).projectRun,
    },
    async (req) => {
      const row = await projects.run(req.params.id, req.user, req.body ?? {});
      return respondToRun(ctx.executions, ctx, row.id, req.query);
    },
  );

  await fileRoutes(app, ctx);
  await socialRoutes(app, ctx);
}
