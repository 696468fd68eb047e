/** Who may do what in the Arena (docs/arena.md, "Roles"). */
import { CallerError, ErrorCodes } from '../../errors.js';
import type { AuthUser } from '../../server/context.js';

export const isAdmin = (u: AuthUser | null): boolean => u?.role === 'admin';
export const isAuthor = (u: AuthUser | null): boolean => u?.role === 'admin' || u?.role === 'author';

/** Creating or importing problems: the author or admin role. */
export function requireAuthor(u: AuthUser | null): void {
  if (!isAuthor(u)) throw new CallerError(ErrorCodes.forbiddenRole, 'this needs the author or admin role');
}

/** Its author (with the author role) or an admin; a problem without author (shipped) is the admins'. */
export function canManage(u: AuthUser | null, row: { authorId: string | null }): boolean {
  if (!u) return false;
  return isAdmin(u) || (u.role === 'author' && row.authorId !== null && row.authorId === u.id);
}

export function requireManage(u: AuthUser | null, row: { authorId: string | null; slug: string }): void {
  if (!canManage(u, row)) throw new CallerError(ErrorCodes.forbiddenRole, `problem ${row.slug} belongs to another author`, { slug: row.slug });
}

export function canSee(u: AuthUser | null, row: { published: boolean; authorId: string | null }): boolean {
  return row.published || canManage(u, row);
}

export const problemNotFound = (slug: string) => new CallerError(ErrorCodes.problemNotFound, `problem ${slug} not found`, { slug });
export const submissionNotFound = (id: string) => new CallerError(ErrorCodes.submissionNotFound, `submission ${id} not found`, { id });
