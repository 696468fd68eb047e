import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../auth/guard.js';
import { rateLimitIdentity } from '../../guards/rate-limit.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../../server/body-limits.js';
import { commonErrors, envelope, errorResponse, ok } from '../../server/envelope.js';
import { contestCreateBody, contestDetailSchema, contestPatchBody, contestProblemParam, contestSlugParam, contestStatsSchema, contestSubmissionBodyFor, contestSummarySchema, scoreboardSchema } from './contest-schemas.js';
import type { ArenaContext } from './index.js';
import { requireRole } from './roles.js';
import { problemDetailSchema, problemGetQuery, submissionViewSchema, waitQuery } from './schemas.js';
import { respondToSubmission } from './submission-routes.js';

const errors = { ...commonErrors, 403: errorResponse, 409: errorResponse } as const;

/** /contests: the catalogue, management (authors, admins), join, submit, the scoreboard. The contest service decides. */
export async function contestRoutes(app: FastifyInstance, ctx: ArenaContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = ctx.contests;
  const tags = ['contests'];
  const limits = bodyLimitsFor(ctx.config);
  const values = maxJsonValuesFor(ctx.config);

  r.get(
    '/contests',
    { schema: { tags, summary: 'Contests the caller may see, by start time', response: { 200: envelope(z.object({ contests: z.array(contestSummarySchema) })), ...commonErrors } } },
    async (req) => ok({ contests: await svc.list(req.user) }),
  );

  r.post(
    '/contests',
    { schema: { tags, summary: 'Create a contest (author or admin)', body: contestCreateBody, response: { 201: envelope(contestDetailSchema), ...errors } } },
    async (req, reply) => {
      const view = await svc.create(requireRole(req), req.body);
      void reply.status(201);
      return ok(view);
    },
  );

  r.get(
    '/contests/:slug',
    { schema: { tags, summary: 'A contest: its window, the caller’s participation, its problems (from the start)', params: contestSlugParam, response: { 200: envelope(contestDetailSchema), ...commonErrors } } },
    async (req) => ok(await svc.get(req.user, req.params.slug)),
  );

  r.patch(
    '/contests/:slug',
    { schema: { tags, summary: 'Update a contest (its owner or an admin)', params: contestSlugParam, body: contestPatchBody, response: { 200: envelope(contestDetailSchema), ...errors } } },
    async (req) => ok(await svc.update(requireRole(req), req.params.slug, req.body)),
  );

  r.post(
    '/contests/:slug/join',
    { schema: { tags, summary: 'Join (live before the end, virtual after it)', params: contestSlugParam, response: { 200: envelope(contestDetailSchema), ...errors } } },
    async (req) => ok(await svc.join(requireUser(req), req.params.slug)),
  );

  r.get(
    '/contests/:slug/problems/:label',
    { schema: { tags, summary: 'A contest problem’s statement (participants see drafts during the contest)', params: contestProblemParam, querystring: problemGetQuery, response: { 200: envelope(problemDetailSchema), ...commonErrors } } },
    async (req) => ok(await svc.problem(req.user, req.params.slug, req.params.label, req.query.lang)),
  );

  r.post(
    '/contests/:slug/submissions',
    {
      schema: {
        tags,
        summary: 'Submit within the contest (participants, inside their window); `?wait=true` answers with the verdict',
        params: contestSlugParam,
        body: contestSubmissionBodyFor(ctx.config.limits),
        querystring: waitQuery,
        response: { 201: envelope(submissionViewSchema), 413: errorResponse, ...errors },
      },
      config: { rateLimitGroup: 'execute', maxJsonValues: values.batch },
      bodyLimit: limits.submission,
    },
    async (req, reply) => {
      const user = requireUser(req);
      const view = await svc.submit(user, req.params.slug, req.body, rateLimitIdentity(req));
      void reply.status(201);
      return ok(await respondToSubmission(ctx, user, view, req.query.wait === 'true'));
    },
  );

  r.get(
    '/contests/:slug/scoreboard',
    { schema: { tags, summary: 'The scoreboard, computed from the log (frozen for others during the freeze)', params: contestSlugParam, response: { 200: envelope(scoreboardSchema), ...commonErrors } } },
    async (req) => ok(await svc.scoreboard(req.user, req.params.slug)),
  );

  r.get(
    '/contests/:slug/stats',
    { schema: { tags, summary: 'Per-problem statistics: solved count, fastest AC, acceptance', params: contestSlugParam, response: { 200: envelope(z.object({ problems: contestStatsSchema })), ...commonErrors } } },
    async (req) => ok({ problems: await svc.stats(req.user, req.params.slug) }),
  );
}
