import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../server/context.js';
import { unauthorized } from '../server/http-errors.js';

/** The authenticated caller, or 401 UNAUTHORIZED when the request carried no access token. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized('authentication required: send Authorization: Bearer <access token>');
  return request.user;
}
