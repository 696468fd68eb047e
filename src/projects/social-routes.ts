import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../auth/guard.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, errorResponse, ok, uuidParam } from '../server/envelope.js';
import { commentSchema, paginationSchema, threadSchema } from './presenter.js';
import { projectServicesFor } from './services.js';
import { profileSchema, userProfile } from './stats.js';

const commentParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), commentId: z.uuid({ message: 'must be a UUID' }) });
const content = z
  .string()
  .trim()
  .min(1)
  .max(10_000)
  .refine((s) => !s.includes('\0'), { message: 'must not contain a NUL byte' })
  .describe('1-10,000 characters');
const starSchema = z.object({ starred: z.boolean(), starCount: z.number().int() });
const errors = { 403: errorResponse, ...commonErrors };

/** Stars, comments and public profiles. */
export async function socialRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { social } = projectServicesFor(ctx);
  const tags = ['projects'];

  r.post(
    '/projects/:id/star',
    { schema: { tags, summary: 'Star a project (idempotent)', params: uuidParam, response: { 200: envelope(starSchema), ...errors } } },
    async (req) => ok(await social.star(req.params.id, requireUser(req))),
  );

  r.delete(
    '/projects/:id/star',
    {
      schema: {
        tags,
        summary: 'Remove your star (idempotent)',
        description: 'Works on a project you starred even after it became private (its count is then no longer shown to anyone but its owner).',
        params: uuidParam,
        response: { 200: envelope(starSchema), ...errors },
      },
    },
    async (req) => ok(await social.unstar(req.params.id, requireUser(req))),
  );

  r.get(
    '/projects/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comment threads, oldest first: top-level comments paginated, each with its replies',
        params: uuidParam,
        querystring: z.object({ page: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: { 200: envelope(z.object({ comments: z.array(threadSchema), pagination: paginationSchema })), ...errors },
      },
    },
    async (req) => ok(await social.listComments(req.params.id, req.user, req.query.page, req.query.limit)),
  );

  r.post(
    '/projects/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comment on a project, or reply to a comment (parentId)',
        params: uuidParam,
        body: z.object({ content, parentId: z.uuid().nullable().optional() }).strict(),
        response: { 201: envelope(commentSchema), ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(ok(await social.addComment(req.params.id, requireUser(req), req.body))),
  );

  for (const method of ['put', 'patch'] as const) {
    r[method](
      '/projects/:id/comments/:commentId',
      {
        schema: {
          tags,
          summary: 'Edit your comment',
          params: commentParams,
          body: z.object({ content }).strict(),
          response: { 200: envelope(commentSchema), ...errors },
        },
      },
      async (req) => ok(await social.editComment(req.params.id, req.params.commentId, requireUser(req), req.body.content)),
    );
  }

  r.delete(
    '/projects/:id/comments/:commentId',
    {
      schema: {
        tags,
        summary: "Delete a comment (its author, or the project's owner)",
        params: commentParams,
        response: { 200: envelope(z.object({ id: z.uuid(), deleted: z.literal(true) })), ...errors },
      },
    },
    async (req) => ok(await social.deleteComment(req.params.id, req.params.commentId, requireUser(req))),
  );

  r.get(
    '/users/:username',
    {
      schema: {
        tags: ['users'],
        summary: "A user's public profile and statistics",
        description: 'To anyone but the user, only public things count (public projects, stars on them), and executions and storage are null.',
        params: z.object({ username: z.string().min(1).max(50) }),
        response: { 200: envelope(profileSchema), ...commonErrors },
      },
    },
    async (req) => ok(await userProfile(ctx.database.db, req.params.username, req.user)),
  );
}
