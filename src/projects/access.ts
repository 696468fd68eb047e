import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import { files, projects } from '../db/schema.js';
import { CallerError, ErrorCodes } from '../errors.js';
import type { AuthUser } from '../server/context.js';
import { HttpCodes, notFound } from '../server/http-errors.js';
import type { ProjectRow, Queryable } from './types.js';

/**
 * Who may do what with a project. Read: the owner always; anyone (signed in or not) when it is
 * public or unlisted. A private project is 404 to everyone else, exactly like a project that
 * does not exist, so its existence never leaks. A soft-deleted project is 404 to everyone
 * (restore has its own lookup). Writes: the owner only; another caller who may read gets 403.
 */
export function canRead(p: Pick<ProjectRow, 'userId' | 'visibility' | 'deletedAt'>, user: AuthUser | null): boolean {
  if (p.deletedAt !== null) return false;
  return p.visibility !== 'private' || p.userId === user?.id;
}

/** The project if `user` may read it, else 404. `lock` takes the row lock (FOR UPDATE). */
export async function readableProject(q: Queryable, id: string, user: AuthUser | null, lock = false): Promise<ProjectRow> {
  const base = q.select().from(projects).where(and(eq(projects.id, id), isNull(projects.deletedAt)));
  const [row] = lock ? await base.for('update') : await base;
  if (!row || !canRead(row, user)) throw notFound('project');
  return row;
}

/** The project if `user` owns it; 404 when they may not even read it, 403 when they only may read it. */
export async function ownedProject(q: Queryable, id: string, user: AuthUser, lock = false): Promise<ProjectRow> {
  const row = await readableProject(q, id, user, lock);
  if (row.userId !== user.id) throw new CallerError(HttpCodes.forbidden, 'only the owner may change this project');
  return row;
}

/** Size facts of a set of files, for the job limits. */
export interface FileFacts {
  count: number;
  totalBytes: number;
  largestBytes: number;
}

export async function fileFacts(q: Queryable, projectId: string): Promise<FileFacts> {
  const [r] = await q
    .select({
      count: sql<number>`count(*)`.mapWith(Number),
      total: sql<number>`coalesce(sum(${files.sizeBytes}), 0)`.mapWith(Number),
      largest: sql<number>`coalesce(max(${files.sizeBytes}), 0)`.mapWith(Number),
    })
    .from(files)
    .where(eq(files.projectId, projectId));
  return { count: r?.count ?? 0, totalBytes: r?.total ?? 0, largestBytes: r?.largest ?? 0 };
}

/**
 * The design's limits for a project, which are the engine's job limits (a project that is stored
 * can always be run): MAX_FILE_SIZE a file (5 MB), 16 MiB and 256 files in all.
 */
export function checkProjectLimits(facts: FileFacts, limits: Config['limits']): void {
  if (facts.largestBytes > limits.fileBytes.default) {
    throw new CallerError(HttpCodes.fileTooLarge, `a file is ${facts.largestBytes} bytes, over the limit of ${limits.fileBytes.default}`, {
      max: limits.fileBytes.default,
      size: facts.largestBytes,
    });
  }
  if (facts.count > limits.jobFiles) {
    throw new CallerError(ErrorCodes.tooManyFiles, `${facts.count} files is more than a project may hold (${limits.jobFiles})`, {
      max: limits.jobFiles,
      count: facts.count,
    });
  }
  if (facts.totalBytes > limits.jobBytes) {
    throw new CallerError(HttpCodes.projectTooLarge, `the files total ${facts.totalBytes} bytes, over the project limit of ${limits.jobBytes}`, {
      max: limits.jobBytes,
      size: facts.totalBytes,
    });
  }
}
