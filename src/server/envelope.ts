import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Success is always `{ success: true, data }`. */
export function envelope<T extends z.ZodTypeAny>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export const errorResponse = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string(),
      message: z.string(),
      status: z.number().int(),
      details: z.unknown().optional(),
      retryAfter: z.number().int().optional().describe('429 only: seconds to wait, as in the Retry-After header'),
    }),
  })
  .describe('Error envelope; the codes are listed in docs/errors.md');

export function ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}

/** Standard error responses to list in a route's schema (for the OpenAPI document). */
export const commonErrors = {
  400: errorResponse,
  401: errorResponse,
  404: errorResponse,
  429: errorResponse,
  500: errorResponse,
} as const;

export const uuidParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

/**
 * A route's serializer compiler for responses built by a typed presenter (issue 15): a 200 is
 * written with JSON.stringify, without zod re-checking it on the way out, which for an execution
 * with megabytes of output nearly doubled the serialisation (measured: 8 MiB, 26 ms against 14 ms).
 * The schema still documents the response (OpenAPI); TypeScript holds the presenter to it. Other
 * statuses go through the usual zod serializer.
 */
export function presentedSerializer<T>(route: FastifyRouteSchemaDef<T>): (data: unknown) => string {
  if (route.httpStatus === '200') return (data) => JSON.stringify(data);
  return serializerCompiler(route as unknown as Parameters<typeof serializerCompiler>[0]);
}
