import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../server/context.js';
import type { ProblemServiceContract, SubmissionServiceContract } from '../service/contract.js';
import { contestRoutes } from './contest-routes.js';
import { duelRoutes } from './duel-routes.js';
import { problemRoutes } from './problem-routes.js';
import { submissionRoutes } from './submission-routes.js';

/** What the Arena's routes need: the app's context and the two services of the contract. */
export type ArenaContext = AppContext & { problems: ProblemServiceContract; submissions: SubmissionServiceContract };

/**
 * The Arena's HTTP API under /api/v1 (docs/api.md "Arena"). multipart/form-data is parsed only
 * in this scope (POST /problems/import); everywhere else a multipart body stays 415.
 */
/**
 * The largest package upload, bytes: ARENA_PACKAGE_MAX_MB, the same bound the package reader
 * applies to an archive (so nothing larger is ever buffered).
 */
export function uploadMaxBytes(ctx: ArenaContext): number {
  return ctx.config.ARENA_PACKAGE_MAX_MB * 2 ** 20;
}

export async function arenaRoutes(app: FastifyInstance, ctx: ArenaContext): Promise<void> {
  await app.register(fastifyMultipart, {
    // Bounds for any multipart request in this scope; the import route passes its own too.
    limits: { fileSize: uploadMaxBytes(ctx), files: 1, fields: 10, parts: 12, fieldSize: 1024, headerPairs: 100 },
  });
  await problemRoutes(app, ctx);
  await submissionRoutes(app, ctx);
  await contestRoutes(app, ctx);
  await duelRoutes(app, ctx);
}
