import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../auth/guard.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, ok } from '../server/envelope.js';
import { statsSchema, userStats } from './stats.js';

const stageLimits = z.object({
  cpuMs: z.number(),
  wallMs: z.number(),
  memoryMb: z.number(),
  processes: z.number(),
  outputBytes: z.number(),
});

const languageSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string().nullable(),
  aliases: z.array(z.string()),
  extensions: z.array(z.string()),
  compiled: z.boolean(),
  available: z.boolean(),
  group: z.enum(['core', 'more']).describe("'core': installed by `make run`; 'more': by `make languages`"),
  reason: z.string().optional().describe('why it is unavailable'),
  install: z.string().optional().describe('when unavailable: how to install it'),
});

const limitsSchema = z.object({
  run: z.object({ defaults: stageLimits, max: stageLimits }),
  compile: z.object({ defaults: stageLimits, max: stageLimits }),
  stdinBytes: z.number(),
  codeChars: z.number(),
  fileBytes: z.number(),
  jobBytes: z.number(),
  jobFiles: z.number(),
});

type StageLimitsIn = { cpuMs: number; wallMs: number; memoryBytes: number; processes: number; outputBytes: number };
const shown = (l: StageLimitsIn) => ({ cpuMs: l.cpuMs, wallMs: l.wallMs, memoryMb: l.memoryBytes / 2 ** 20, processes: l.processes, outputBytes: l.outputBytes });

export function publicLimits(ctx: AppContext): z.output<typeof limitsSchema> {
  const l = ctx.config.limits;
  return {
    run: { defaults: shown(l.run.defaults), max: shown(l.run.max) },
    compile: { defaults: shown(l.compile.defaults), max: shown(l.compile.max) },
    stdinBytes: l.stdinBytes.default,
    codeChars: l.codeChars.default,
    fileBytes: l.fileBytes.default,
    jobBytes: l.jobBytes,
    jobFiles: l.jobFiles,
  };
}

export async function systemRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['system'];

  // Issue 12 (seed contract): `data` is the array of languages, as the first seed's clients
  // expect (`data.map`, `data.find`); the limits have their own endpoint.
  r.get(
    '/languages',
    {
      schema: {
        tags,
        summary: 'Languages, their versions and availability (data is an array, as in the first seed)',
        response: { 200: envelope(z.array(languageSchema)), ...commonErrors },
      },
    },
    async () => ok(await ctx.engine.listLanguages()),
  );

  r.get(
    '/limits',
    {
      schema: {
        tags,
        summary: 'Default and maximum limits of a run and a compilation, and the size limits',
        response: { 200: envelope(limitsSchema), ...commonErrors },
      },
    },
    async () => ok(publicLimits(ctx)),
  );

  r.get(
    '/stats',
    {
      schema: {
        tags,
        summary: "The caller's own usage: executions, languages, quotas",
        security: [{ bearer: [] }],
        response: { 200: envelope(statsSchema), ...commonErrors },
      },
    },
    async (req) => ok(await userStats(ctx.database.db, ctx.quotas, requireUser(req).id)),
  );

  // Liveness for orchestrators: answers while the event loop does, whatever the database or Redis
  // say (restarting an API replica because PostgreSQL is down would only add to the outage;
  // readiness, GET /health, takes it out of the load balancer instead).
  r.get(
    '/health/live',
    {
      schema: { tags, summary: 'Liveness (no dependency checked): 200 while the process answers', response: { 200: z.object({ status: z.literal('alive') }), ...commonErrors } },
    },
    async () => ({ status: 'alive' as const }),
  );

  const service = z.enum(['up', 'down', 'disabled']);
  r.get(
    '/health',
    {
      schema: {
        tags,
        summary: 'Health for load balancers (no envelope); 503 when a required service is down',
        response: {
          200: z.object({ status: z.enum(['healthy', 'unhealthy']), timestamp: z.string(), services: z.object({ database: service, redis: service, sandbox: service }) }),
          503: z.object({ status: z.enum(['healthy', 'unhealthy']), timestamp: z.string(), services: z.object({ database: service, redis: service, sandbox: service }) }),
        },
      },
    },
    async (_req, reply) => {
      const [database, redis, sandbox] = await Promise.all([
        ctx.database.ping().then((up): 'up' | 'down' => (up ? 'up' : 'down')),
        ctx.bus.kind === 'redis' ? ctx.bus.ping().then((up): 'up' | 'down' => (up ? 'up' : 'down')) : Promise.resolve('disabled' as const),
        // In cluster mode the sandbox lives in the workers; the API's view is the queue's.
        ctx.engine.status().then(
          () => 'up' as const,
          () => 'down' as const,
        ),
      ]);
      const healthy = database === 'up' && redis !== 'down' && sandbox === 'up';
      return reply.status(healthy ? 200 : 503).send({ status: healthy ? 'healthy' : 'unhealthy', timestamp: new Date().toISOString(), services: { database, redis, sandbox } });
    },
  );
}
