import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../auth/guard.js';
import { waitBudgetMs } from '../../executions/routes.js';
import { rateLimitIdentity } from '../../guards/rate-limit.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../../server/body-limits.js';
import type { AuthUser } from '../../server/context.js';
import { commonErrors, envelope, errorResponse, ok, uuidParam } from '../../server/envelope.js';
import type { SubmissionView } from '../service/contract.js';
import type { ArenaContext } from './index.js';
import { requireRole } from './roles.js';
import { paginationSchema, publicSubmissionView, submissionBodyFor, submissionListQuery, submissionSummarySchema, submissionViewSchema, waitQuery } from './schemas.js';

/**
 * With `?wait=true`, the final view, or the current one once the wait budget (as for
 * executions: the longest compile and run plus 30 s) has passed; a problem with many tests may
 * take longer, and the client then follows the socket events or polls GET /submissions/{id}.
 */
export async function respondToSubmission(ctx: ArenaContext, user: AuthUser, view: SubmissionView, wait: boolean): Promise<SubmissionView> {
  return publicSubmissionView(wait ? await ctx.submissions.waitForFinal(user, view.id, waitBudgetMs(ctx)) : view);
}

/** /submissions: submit, follow, list, cancel, rejudge. The submission service decides who sees what. */
export async function submissionRoutes(app: FastifyInstance, ctx: ArenaContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = ctx.submissions;
  const tags = ['arena'];
  const limits = bodyLimitsFor(ctx.config);
  const values = maxJsonValuesFor(ctx.config);

  r.post(
    '/submissions',
    {
      schema: {
        tags,
        summary: 'Submit a solution to a problem (judged on every test); `?wait=true` answers with the verdict',
        body: submissionBodyFor(ctx.config.limits),
        querystring: waitQuery,
        response: { 201: envelope(submissionViewSchema), 413: errorResponse, ...commonErrors },
      },
      // Submissions count against the same limits as runs: they cost the same sandboxes.
      config: { rateLimitGroup: 'execute', maxJsonValues: values.batch },
      bodyLimit: limits.submission,
    },
    async (req, reply) => {
      const user = requireUser(req);
      const view = await svc.create(user, req.body, { queueOwner: rateLimitIdentity(req), kind: 'submission' });
      void reply.status(201);
      return ok(await respondToSubmission(ctx, user, view, req.query.wait === 'true'));
    },
  );

  r.get(
    '/submissions/:id',
    {
      schema: {
        tags,
        summary: 'A submission and its per-test table (its owner, the problem’s author, admins)',
        params: uuidParam,
        response: { 200: envelope(submissionViewSchema), ...commonErrors },
      },
    },
    async (req) => ok(publicSubmissionView(await svc.get(req.user, req.params.id))),
  );

  r.get(
    '/submissions',
    {
      schema: {
        tags,
        summary: 'Submissions, newest first; filter by problem, user (`me`), verdict and kind',
        querystring: submissionListQuery,
        response: { 200: envelope(z.object({ submissions: z.array(submissionSummarySchema), pagination: paginationSchema })), ...commonErrors },
      },
    },
    async (req) => ok(await svc.list(req.user, req.query)),
  );

  r.delete(
    '/submissions/:id',
    {
      schema: { tags, summary: 'Cancel a queued or running submission (its owner)', params: uuidParam, response: { 200: envelope(submissionViewSchema), 409: errorResponse, ...commonErrors } },
    },
    async (req) => ok(publicSubmissionView(await svc.cancel(requireUser(req), req.params.id))),
  );

  r.post(
    '/submissions/:id/rejudge',
    {
      schema: {
        tags,
        summary: 'Judge a submission again (the problem’s author or an admin)',
        params: uuidParam,
        response: { 200: envelope(submissionViewSchema), 403: errorResponse, 409: errorResponse, ...commonErrors },
      },
    },
    async (req) => ok(publicSubmissionView(await svc.rejudge(requireRole(req), req.params.id))),
  );
}
