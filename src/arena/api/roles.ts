import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import type { AuthUser } from '../../server/context.js';
import type { Role } from '../service/contract.js';

/** Roles that may create and manage problems (which problems, the services decide: its author's, or any for an admin). */
export const PROBLEM_MANAGERS: readonly Role[] = ['author', 'admin'];

/**
 * The caller, when its access token carries one of `roles`: 401 without a token, 403
 * FORBIDDEN_ROLE otherwise. The role is read from the token, so a role set with
 * `muscode user role` applies from the caller's next token (at most JWT_EXPIRATION later).
 */
export function requireRole(request: FastifyRequest, roles: readonly Role[] = PROBLEM_MANAGERS): AuthUser {
  const user = requireUser(request);
  if (!(roles as readonly string[]).includes(user.role)) {
    throw new CallerError(ErrorCodes.forbiddenRole, `this needs the ${roles.join(' or ')} role; you have the ${user.role} role`, { required: roles, role: user.role });
  }
  return user;
}
