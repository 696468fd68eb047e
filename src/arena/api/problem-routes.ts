import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../auth/guard.js';
import { respondToRun, runResponses } from '../../executions/routes.js';
import { LanguageRegistry } from '../../engine/languages/registry.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import { rateLimitIdentity } from '../../guards/rate-limit.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../../server/body-limits.js';
import { commonErrors, envelope, errorResponse, ok } from '../../server/envelope.js';
import { type ArenaContext, uploadMaxBytes } from './index.js';
import { requireRole } from './roles.js';
import {
  importQuery,
  importResultSchema,
  nativeProblemBodyFor,
  paginationSchema,
  problemDetailSchema,
  problemGetQuery,
  problemListQuery,
  problemPatchBody,
  problemSummarySchema,
  runBodyFor,
  slugParam,
  submissionViewSchema,
  verifyRowSchema,
  waitQuery,
} from './schemas.js';
import { respondToSubmission } from './submission-routes.js';
import { readPackageUpload } from './upload.js';

const languages = new LanguageRegistry();

const languageNotAllowed = (language: string, allowed: string[]) =>
  new CallerError(ErrorCodes.languageNotAllowed, `this problem does not accept ${language} (it accepts ${allowed.join(', ')})`, { language, allowed });

/** Routes that need a role answer 403 as well as the common errors. */
const managerErrors = { ...commonErrors, 403: errorResponse, 409: errorResponse } as const;

/**
 * /problems: the catalogue, the authors' management routes and Run. Every decision (who sees a
 * draft, who owns a problem, what a view holds) is the problem service's; the routes check the
 * caller's role, parse, and answer the view.
 */
export async function problemRoutes(app: FastifyInstance, ctx: ArenaContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const problems = ctx.problems;
  const tags = ['arena'];
  const limits = bodyLimitsFor(ctx.config);
  const values = maxJsonValuesFor(ctx.config);
  const uploadMax = uploadMaxBytes(ctx);

  r.get(
    '/problems',
    {
      schema: {
        tags,
        summary: 'Problems, paged (with the caller’s solved/attempted marks when signed in)',
        querystring: problemListQuery,
        response: { 200: envelope(z.object({ problems: z.array(problemSummarySchema), pagination: paginationSchema })), ...commonErrors },
      },
    },
    async (req) => {
      const { drafts, ...q } = req.query;
      return ok(await problems.list(req.user, { ...q, includeDrafts: drafts === 'true' }));
    },
  );

  r.get(
    '/problems/:slug',
    {
      schema: {
        tags,
        summary: 'A problem: statement, limits, samples and public tests',
        params: slugParam,
        querystring: problemGetQuery,
        response: { 200: envelope(problemDetailSchema), ...commonErrors },
      },
    },
    async (req) => ok(await problems.get(req.user, req.params.slug, req.query.lang === undefined ? {} : { lang: req.query.lang })),
  );

  r.post(
    '/problems/import',
    {
      schema: {
        tags,
        summary: 'Import a problem package (multipart/form-data, the .zip or .kpp in the `file` field); author or admin',
        description: 'Kattis/ICPC problem packages (legacy, 2023-07-draft, 2025-09) and DMOJ `init.yml`. One transaction: a package with any error stores nothing.',
        consumes: ['multipart/form-data'],
        querystring: importQuery,
        response: { 200: envelope(importResultSchema), 201: envelope(importResultSchema), 413: errorResponse, 415: errorResponse, ...managerErrors },
      },
      // The multipart reader bounds the upload (ARENA_PACKAGE_MAX_MB); the body limit is for other content types.
      bodyLimit: uploadMax,
    },
    async (req, reply) => {
      const user = requireRole(req); // before reading a byte of the upload
      const upload = await readPackageUpload(req, uploadMax);
      const q = req.query;
      const result = await problems.importPackage(user, upload, {
        ...(q.publish === undefined ? {} : { publish: q.publish === 'true' }),
        ...(q.replace === undefined ? {} : { replace: q.replace === 'true' }),
        ...(q.slug === undefined ? {} : { slug: q.slug }),
      });
      void reply.status(result.created ? 201 : 200);
      return ok(result);
    },
  );

  r.post(
    '/problems',
    {
      schema: { tags, summary: 'Create a native problem (tests inline); author or admin', body: nativeProblemBodyFor(ctx.config.limits), response: { 201: envelope(problemDetailSchema), ...managerErrors } },
      bodyLimit: limits.problemCreate,
      config: { maxJsonValues: values.problem },
    },
    async (req, reply) => {
      const user = requireRole(req);
      const detail = await problems.create(user, req.body);
      void reply.status(201);
      return ok(detail);
    },
  );

  r.patch(
    '/problems/:slug',
    { schema: { tags, summary: 'Change a problem’s title, statement, tags or limits; its author or an admin', params: slugParam, body: problemPatchBody, response: { 200: envelope(problemDetailSchema), ...managerErrors } } },
    async (req) => ok(await problems.update(requireRole(req), req.params.slug, req.body)),
  );

  for (const [action, published] of [['publish', true], ['unpublish', false]] as const) {
    r.post(
      `/problems/:slug/${action}`,
      { schema: { tags, summary: `${published ? 'Publish' : 'Unpublish'} a problem; its author or an admin`, params: slugParam, response: { 200: envelope(problemDetailSchema), ...managerErrors } } },
      async (req) => ok(await problems.setPublished(requireRole(req), req.params.slug, published)),
    );
  }

  r.delete(
    '/problems/:slug',
    { schema: { tags, summary: 'Delete a problem and its submissions; its author or an admin', params: slugParam, response: { 200: envelope(z.object({ deleted: z.literal(true) })), ...managerErrors } } },
    async (req) => {
      await problems.remove(requireRole(req), req.params.slug);
      return ok({ deleted: true as const });
    },
  );

  const verifyResponse = { 200: envelope(z.object({ rows: z.array(verifyRowSchema) })), ...managerErrors };
  r.post(
    '/problems/:slug/verify',
    { schema: { tags, summary: 'Judge the package’s own submissions (the verify table fills in as they finish); its author or an admin', params: slugParam, response: verifyResponse } },
    async (req) => ok({ rows: await problems.startVerify(requireRole(req), req.params.slug) }),
  );
  r.get(
    '/problems/:slug/verify',
    { schema: { tags, summary: 'The verify table: each package submission, its expected and actual verdict', params: slugParam, response: verifyResponse } },
    async (req) => ok({ rows: await problems.verifyTable(requireRole(req), req.params.slug) }),
  );

  r.post(
    '/problems/:slug/rejudge',
    { schema: { tags, summary: 'Rejudge every submission of a problem; its author or an admin', params: slugParam, response: { 200: envelope(z.object({ count: z.number().int() })), ...managerErrors } } },
    async (req) => ok(await ctx.submissions.rejudgeProblem(requireRole(req), req.params.slug)),
  );

  r.post(
    '/problems/:slug/run',
    {
      schema: {
        tags,
        summary: 'Run code on the samples (judged, never counted), or with `stdin` once on that input (an execution, as POST /execute answers)',
        params: slugParam,
        body: runBodyFor(ctx.config.limits),
        querystring: waitQuery,
        response: { 200: runResponses[200], 201: envelope(submissionViewSchema), 403: errorResponse, ...commonErrors },
      },
      config: { rateLimitGroup: 'execute', maxJsonValues: values.batch },
      bodyLimit: limits.submission,
    },
    async (req, reply) => {
      const user = requireUser(req);
      const { stdin, ...program } = req.body;
      const queueOwner = rateLimitIdentity(req);
      if (stdin !== undefined) {
        // Custom input: a plain execution, after checking the problem is visible to the caller
        // (a draft stays 404) and taking its languages' rule into account.
        const problem = await problems.get(user, req.params.slug);
        const language = languages.get(program.language).id;
        if (problem.languages.length > 0 && !problem.languages.includes(language)) throw languageNotAllowed(language, problem.languages);
        // The problem's limits, within what a run may ask for (a run never exceeds the API's maximums).
        const max = ctx.config.limits.run.max;
        const timeMs = problem.limits.timeMsByLanguage[language] ?? problem.limits.timeMs;
        const row = await ctx.executions.create(
          user,
          { ...program, stdin, timeout: Math.min(timeMs, max.cpuMs) / 1000, memoryLimit: Math.min(problem.limits.memoryMb, Math.floor(max.memoryBytes / 2 ** 20)) },
          { queueOwner },
        );
        return respondToRun(ctx.executions, ctx, row.id, req.query);
      }
      const view = await ctx.submissions.create(user, { ...program, problemSlug: req.params.slug }, { queueOwner, kind: 'run' });
      void reply.status(201);
      return ok(await respondToSubmission(ctx, user, view, req.query.wait === 'true'));
    },
  );
}
