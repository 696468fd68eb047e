import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { users } from '../db/schema.js';
import { CallerError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';

/**
 * UNVERIFIED_MAY_EXECUTE=false (issue 12 item 5): an account whose address is not verified may
 * not run code. "Runs code" is the routes marked `rateLimitGroup: 'execute'` (executions, project
 * runs, Arena submissions, the Judge0 and Piston submissions), the same marking the execute rate
 * limit uses, so a new code-running route is covered the day it is marked. The flag is read from
 * the database on each such request (not from the access token), so verifying takes effect at once.
 * Anonymous runs (ANONYMOUS_EXECUTE) are not affected: there is no address to verify.
 */
export async function assertMayExecute(request: FastifyRequest, db: Db, config: Pick<Config, 'UNVERIFIED_MAY_EXECUTE'>): Promise<void> {
  if (config.UNVERIFIED_MAY_EXECUTE || !request.user) return;
  if (request.routeOptions.config?.rateLimitGroup !== 'execute') return;
  const [row] = await db.select({ verified: users.emailVerified }).from(users).where(eq(users.id, request.user.id));
  if (row && !row.verified) {
    throw new CallerError(HttpCodes.emailNotVerified, 'verify your email address before running code: open the link in the mail we sent, or ask for a new one');
  }
}
