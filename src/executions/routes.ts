import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTPUT_PATTERNS_MAX } from '../engine/types.js';
import { requireUser } from '../auth/guard.js';
import { rateLimitIdentity } from '../guards/rate-limit.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../server/body-limits.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, ok, uuidParam } from '../server/envelope.js';
import { executionSchema, presentExecution } from './presenter.js';
import type { ExecutionService } from './service.js';

/**
 * Request bodies. Every string and array has a bound (red-team H1): the exact limits (MAX_CODE_LENGTH,
 * stdin, arguments, file sizes) are checked by the service with their own codes (SOURCE_TOO_LARGE,
 * STDIN_TOO_LARGE...), so the bounds here are the coarse ones past which no request can be valid:
 * a string of more characters than the limit's bytes is over it. `files` is bounded exactly by
 * the job's file count (too_big on /files is answered as TOO_MANY_FILES).
 */
export function runFields(l: AppContext['config']['limits']) {
  return {
    stdin: z.string().max(l.jobBytes).optional().describe('passed to the program byte for byte (UTF-8)'),
    args: z.array(z.string().max(l.argsBytes)).max(1000).optional().describe('command-line arguments, passed literally'),
    timeout: z.number().positive().optional().describe('CPU time limit in seconds (float)'),
    memoryLimit: z.number().positive().optional().describe('memory limit in MB'),
    outputFiles: z
      .array(z.string().min(1).max(256))
      .max(OUTPUT_PATTERNS_MAX)
      .optional()
      .describe(`globs of files the run leaves that are returned ("*.png", "out/*.csv", "**/*.txt"), at most ${OUTPUT_PATTERNS_MAX}; see docs/api.md for the bounds`),
    timeline: z.boolean().optional().describe('sample the run stage\'s CPU and memory over time (returned as `timeline`)'),
    interactive: z
      .boolean()
      .optional()
      .describe('keep stdin open: send input with the socket events execution:stdin / execution:eof while it runs (stdin, if given, comes first); the wall time limit bounds a program that waits'),
    tty: z.boolean().optional().describe('with interactive: run the program on a pseudo-terminal (input() prompts, line editing, curses); stdout and stderr then arrive together as stdout'),
    ttySize: z
      .object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) })
      .strict()
      .optional()
      .describe('with tty: the terminal size (default 80x24; execution:resize changes it)'),
  };
}

const language = z.string().min(1).max(50).describe('language id or alias, see GET /languages');

export function executeBodyFor(l: AppContext['config']['limits']) {
  return z.object({ language, code: z.string().max(l.jobBytes).describe('the source of the main file'), ...runFields(l) }).strict();
}

export function batchBodyFor(l: AppContext['config']['limits']) {
  return z
    .object({
      language,
      files: z
        .array(
          z
            .object({
              name: z.string().min(1).max(1000).describe('path inside the job, e.g. "pkg/util.py"'),
              content: z.string().max(l.jobBytes),
            })
            .strict(),
        )
        .min(1)
        .max(l.jobFiles)
        .describe(`at most ${l.jobFiles} files`),
      mainFile: z.string().min(1).max(1000).optional().describe('defaults to the first file'),
      ...runFields(l),
    })
    .strict()
    .describe('In the first seed, "batch" means one multi-file program');
}

const runQuery = z.object({
  wait: z.enum(['true', 'false']).optional().describe('wait for the final result'),
  base64_encoded: z.enum(['true', 'false']).optional().describe('output fields base64-encoded (for non-UTF-8 output)'),
});

const queuedSchema = z.object({
  executionId: z.uuid(),
  status: z.literal('queued'),
  estimatedTime: z.number().describe('seconds, rough'),
  queuePosition: z.number().int().nullable(),
});

/** How long `?wait=true` waits before answering with the current state. */
export function waitBudgetMs(ctx: Pick<AppContext, 'config'>): number {
  const l = ctx.config.limits;
  return l.compile.max.wallMs + l.run.max.wallMs + 30_000;
}

/** Responds to a started run: the queued receipt, or with ?wait=true the final result. */
export async function respondToRun(
  svc: ExecutionService,
  ctx: AppContext,
  id: string,
  query: z.output<typeof runQuery>,
): Promise<{ success: true; data: z.output<typeof executionSchema> | z.output<typeof queuedSchema> }> {
  if (query.wait === 'true') {
    const row = await svc.waitForFinal(id, waitBudgetMs(ctx));
    return ok(presentExecution(row, query.base64_encoded === 'true'));
  }
  const position = await svc.queuePosition(id);
  const slots = ctx.config.SANDBOX_SLOTS;
  return ok({ executionId: id, status: 'queued' as const, estimatedTime: Math.max(1, Math.ceil(((position ?? 1) / slots) * 2)), queuePosition: position });
}

export const runResponses = { 200: envelope(z.union([executionSchema, queuedSchema])), ...commonErrors };
export { runQuery };

export async function executionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = ctx.executions;
  const tags = ['executions'];
  const limits = bodyLimitsFor(ctx.config);
  const values = maxJsonValuesFor(ctx.config);
  const executeBody = executeBodyFor(ctx.config.limits);
  const batchBody = batchBodyFor(ctx.config.limits);

  r.post(
    '/execute',
    {
      schema: { tags, summary: 'Run a single-file program', body: executeBody, querystring: runQuery, response: runResponses },
      config: { rateLimitGroup: 'execute', maxJsonValues: values.run },
      bodyLimit: limits.execute,
    },
    async (req) => {
      const row = await svc.create(req.user, req.body, { queueOwner: rateLimitIdentity(req) });
      return respondToRun(svc, ctx, row.id, req.query);
    },
  );

  r.post(
    '/execute/batch',
    {
      schema: { tags, summary: 'Run a multi-file program', body: batchBody, querystring: runQuery, response: runResponses },
      config: { rateLimitGroup: 'execute', maxJsonValues: values.batch },
      bodyLimit: limits.batch,
    },
    async (req) => {
      const row = await svc.create(req.user, req.body, { queueOwner: rateLimitIdentity(req) });
      return respondToRun(svc, ctx, row.id, req.query);
    },
  );

  r.get(
    '/execute/:id',
    {
      schema: {
        tags,
        summary: 'An execution and its result',
        params: uuidParam,
        querystring: z.object({ base64_encoded: z.enum(['true', 'false']).optional() }),
        response: { 200: envelope(executionSchema), ...commonErrors },
      },
    },
    async (req) => ok(presentExecution(await svc.get(req.params.id, req.user), req.query.base64_encoded === 'true')),
  );

  r.delete(
    '/execute/:id',
    {
      schema: { tags, summary: 'Cancel a queued or running execution', params: uuidParam, response: { 200: envelope(executionSchema), 409: commonErrors[400], ...commonErrors } },
    },
    async (req) => ok(presentExecution(await svc.cancel(req.params.id, req.user))),
  );

  r.get(
    '/execute',
    {
      schema: {
        tags,
        summary: "The caller's executions, newest first",
        querystring: z.object({ page: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: {
          200: envelope(
            z.object({
              executions: z.array(executionSchema),
              pagination: z.object({ total: z.number().int(), page: z.number().int(), limit: z.number().int(), pages: z.number().int() }),
            }),
          ),
          ...commonErrors,
        },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { rows, pagination } = await svc.list(user, req.query.page, req.query.limit);
      return ok({ executions: rows.map((row) => presentExecution(row)), pagination });
    },
  );
}
