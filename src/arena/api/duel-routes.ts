import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../auth/guard.js';
import { rateLimitIdentity } from '../../guards/rate-limit.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../../server/body-limits.js';
import { commonErrors, envelope, errorResponse, ok, uuidParam } from '../../server/envelope.js';
import type { ArenaContext } from './index.js';
import { duelSubmissionBodyFor, publicSubmissionView, submissionViewSchema } from './schemas.js';

const tags = ['duels'];

const ratingSchema = z.object({ rating: z.number(), rd: z.number(), volatility: z.number() });
const playerSchema = z.object({
  userId: z.string(),
  username: z.string(),
  rating: z.number(),
  provisional: z.boolean(),
  attempts: z.number().int(),
  bestTestsPassed: z.number().int(),
  testsTotal: z.number().int(),
});
const matchSchema = z.object({
  id: z.string(),
  mode: z.string(),
  status: z.enum(['active', 'finished']),
  problem: z.object({ id: z.string(), slug: z.string(), title: z.string(), difficulty: z.string() }).nullable(),
  languages: z.array(z.string()),
  players: z.array(playerSchema),
  winnerUserId: z.string().nullable(),
  outcome: z.enum(['ac', 'timeout', 'forfeit', 'problem_deleted']).nullable(),
  result: z.object({ ratings: z.record(z.string(), z.object({ before: ratingSchema, after: ratingSchema, delta: z.number() })) }).nullable(),
  startedAt: z.string(),
  endsAt: z.string(),
  finishedAt: z.string().nullable(),
  now: z.string().describe("the database's time when the view was made"),
});
const entrySchema = z.object({
  rank: z.number().int(),
  id: z.string(),
  username: z.string(),
  rating: z.number(),
  rd: z.number(),
  provisional: z.boolean(),
  games: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  draws: z.number().int(),
});
const snapshotSchema = z.object({ date: z.string(), takenAt: z.string(), entries: z.array(entrySchema) });
const enqueueBody = z
  .object({
    mode: z.string().min(1).max(30).regex(/^[a-z0-9-]+$/).default('duel'),
    languages: z.array(z.string().min(1).max(50)).max(20).optional(),
  })
  .strict();

/** Duels, ratings and leaderboards (docs/api.md "Duels"). The duel service decides everything. */
export async function duelRoutes(app: FastifyInstance, ctx: ArenaContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = ctx.duels;
  const limits = bodyLimitsFor(ctx.config);
  const values = maxJsonValuesFor(ctx.config);

  r.post(
    '/match/enqueue',
    {
      schema: { tags, summary: 'Wait for an opponent (a mode, optionally the languages you accept)', body: enqueueBody, response: { 200: envelope(z.object({ status: z.literal('queued'), window: z.number() })), 409: errorResponse, ...commonErrors } },
    },
    async (req) => ok(await svc.enqueue(requireUser(req), { mode: req.body.mode, ...(req.body.languages ? { languages: req.body.languages } : {}) })),
  );

  r.post(
    '/match/dequeue',
    {
      schema: {
        tags,
        summary: 'Poll the queue: 200 with the duel once matched, 202 while waiting (with the wait and the current rating window)',
        response: {
          200: envelope(z.object({ matchId: z.string(), problemId: z.string().nullable() })),
          202: envelope(z.object({ status: z.literal('waiting'), waitedMs: z.number(), window: z.number() })),
          409: errorResponse,
          ...commonErrors,
        },
      },
    },
    async (req, reply) => {
      const a = await svc.dequeue(requireUser(req));
      if (a.matched) return ok({ matchId: a.matchId, problemId: a.problemId });
      void reply.status(202);
      return ok({ status: 'waiting' as const, waitedMs: a.waitedMs, window: a.window });
    },
  );

  r.post(
    '/match/leave',
    { schema: { tags, summary: 'Stop waiting for an opponent', response: { 200: envelope(z.object({ left: z.boolean() })), ...commonErrors } } },
    async (req) => ok(await svc.leave(requireUser(req))),
  );

  r.get(
    '/matches/:id',
    { schema: { tags, summary: 'A duel: problem, players and their progress (never code), result', params: uuidParam, response: { 200: envelope(matchSchema), ...commonErrors } } },
    async (req) => ok(await svc.get(req.params.id)),
  );

  r.post(
    '/matches/:id/forfeit',
    { schema: { tags, summary: 'Give up a duel (it counts as a loss)', params: uuidParam, response: { 200: envelope(matchSchema), 409: errorResponse, ...commonErrors } } },
    async (req) => ok(await svc.forfeit(requireUser(req), req.params.id)),
  );

  r.post(
    '/matches/:id/submissions',
    {
      schema: {
        tags,
        summary: "Submit a solution to the duel's problem (a normal Arena submission, linked to the duel)",
        params: uuidParam,
        body: duelSubmissionBodyFor(ctx.config.limits),
        response: { 201: envelope(submissionViewSchema), 409: errorResponse, 413: errorResponse, ...commonErrors },
      },
      config: { rateLimitGroup: 'execute', maxJsonValues: values.batch },
      bodyLimit: limits.submission,
    },
    async (req, reply) => {
      const user = requireUser(req);
      const language = ctx.submissions.languages.get(req.body.language).id;
      const { problemSlug } = await svc.submissionTarget(user, req.params.id, language);
      const view = await ctx.submissions.create(user, { ...req.body, problemSlug }, { queueOwner: rateLimitIdentity(req), kind: 'submission' });
      await svc.link(req.params.id, view.id, user.id);
      void reply.status(201);
      return ok(publicSubmissionView(view));
    },
  );

  r.get(
    '/users/:username/rating',
    {
      schema: {
        tags,
        summary: "A user's duel rating and its history (for the profile chart)",
        params: z.object({ username: z.string().min(1).max(50) }),
        response: {
          200: envelope(
            z.object({
              userId: z.string(),
              provisional: z.boolean(),
              rating: z.number(),
              rd: z.number(),
              volatility: z.number(),
              games: z.number().int(),
              history: z.array(z.object({ matchId: z.string().nullable(), contestId: z.string().nullable().describe('the rated contest of this entry (null for a duel)'), rating: z.number(), rd: z.number(), delta: z.number(), at: z.string() })),
            }),
          ),
          ...commonErrors,
        },
      },
    },
    async (req) => ok(await svc.profile(req.params.username)),
  );

  r.get('/leaderboard/top', { schema: { tags, summary: 'The top players by duel rating (cached until a rating changes)', response: { 200: envelope(z.array(entrySchema)), ...commonErrors } } }, async () =>
    ok(await ctx.leaderboard.top()),
  );

  r.get(
    '/leaderboard/snapshot/today',
    { schema: { tags, summary: "Today's leaderboard snapshot (the database's UTC date); 404 before the daily job ran", response: { 200: envelope(snapshotSchema), ...commonErrors } } },
    async () => ok(await ctx.leaderboard.snapshot('today')),
  );

  r.get(
    '/leaderboard/snapshot/:date',
    {
      schema: {
        tags,
        summary: 'The leaderboard snapshot of a UTC date (YYYY-MM-DD); 404 when none was taken',
        params: z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD') }),
        response: { 200: envelope(snapshotSchema), ...commonErrors },
      },
    },
    async (req) => ok(await ctx.leaderboard.snapshot(req.params.date)),
  );
}
