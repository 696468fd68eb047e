import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../auth/guard.js';
import { bodyLimitsFor, maxJsonValuesFor } from '../server/body-limits.js';
import type { AppContext } from '../server/context.js';
import { commonErrors, envelope, errorResponse, ok, uuidParam } from '../server/envelope.js';
import { fileMetaSchema, fileSchema } from './presenter.js';
import { projectServicesFor } from './services.js';

const fileParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), fileId: z.uuid({ message: 'must be a UUID' }) });

// Names and paths are plain strings here: their rules live in src/projects/paths.ts, which answers
// with the specific codes (INVALID_PATH, INVALID_FILE_NAME) rather than a generic VALIDATION_ERROR.
const fileName = z.string().max(1000).describe('one component, e.g. "Helper.java"');
const filePath = z.string().max(1000).describe('the directory, "/" (default) or "/src"; normalised');
// The exact size rule (MAX_FILE_SIZE bytes, FILE_TOO_LARGE) is the service's; this is the coarse bound.
const contentFor = (l: AppContext['config']['limits']) =>
  z.string().max(Math.max(l.fileBytes.default, l.fileBytes.max)).describe('UTF-8 text; at most MAX_FILE_SIZE bytes (5 MB)');

function bodiesFor(l: AppContext['config']['limits']) {
  const content = contentFor(l);
  const createBody = z
    .object({ name: fileName, path: filePath.optional(), content: content.optional(), isMain: z.boolean().optional().describe('make it the main file') })
    .strict();
  const updateBody = z
    .object({
      name: fileName.optional().describe('rename'),
      path: filePath.optional().describe('move'),
      content: content.optional(),
      isMain: z.boolean().optional().describe('true: make it the main file (the previous one stops being it); false on the main file is refused'),
    })
    .strict()
    .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field' });
  return { createBody, updateBody };
}

const errors = { 403: errorResponse, 409: errorResponse, 413: errorResponse, ...commonErrors };

/** /projects/{id}/files: create, read, rename, move, rewrite and delete a project's files. */
export async function fileRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { files } = projectServicesFor(ctx);
  const tags = ['files'];
  const { createBody, updateBody } = bodiesFor(ctx.config.limits);
  // Red-team H1: one file's content (MAX_FILE_SIZE, JSON-escaped), not the old global 193 MiB.
  const bodyLimit = bodyLimitsFor(ctx.config).projectFile;
  const config = { maxJsonValues: maxJsonValuesFor(ctx.config).file };

  r.get(
    '/projects/:id/files',
    { schema: { tags, summary: "The project's files, without their content", params: uuidParam, response: { 200: envelope(z.object({ files: z.array(fileMetaSchema) })), ...errors } } },
    async (req) => ok({ files: await files.list(req.params.id, req.user) }),
  );

  r.post(
    '/projects/:id/files',
    { schema: { tags, summary: 'Add a file (owner only)', params: uuidParam, body: createBody, response: { 201: envelope(fileSchema), ...errors } }, bodyLimit, config },
    async (req, reply) => reply.status(201).send(ok(await files.create(req.params.id, requireUser(req), req.body))),
  );

  r.get(
    '/projects/:id/files/:fileId',
    { schema: { tags, summary: 'A file with its content', params: fileParams, response: { 200: envelope(fileSchema), ...errors } } },
    async (req) => ok(await files.get(req.params.id, req.params.fileId, req.user)),
  );

  for (const method of ['put', 'patch'] as const) {
    r[method](
      '/projects/:id/files/:fileId',
      {
        schema: {
          tags,
          summary: 'Rename, move, rewrite a file or make it the main file (owner only)',
          params: fileParams,
          body: updateBody,
          response: { 200: envelope(fileSchema), ...errors },
        },
        bodyLimit,
        config,
      },
      async (req) => ok(await files.update(req.params.id, req.params.fileId, requireUser(req), req.body)),
    );
  }

  r.delete(
    '/projects/:id/files/:fileId',
    {
      schema: { tags, summary: 'Delete a file (owner only; not the main file)', params: fileParams, response: { 200: envelope(z.object({ id: z.uuid(), deleted: z.literal(true) })), ...errors } },
    },
    async (req) => ok(await files.remove(req.params.id, req.params.fileId, requireUser(req))),
  );
}
