import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../auth/guard.js';
import { executionSchema } from '../executions/presenter.js';
import { commonErrors, envelope, errorResponse, ok, uuidParam } from '../server/envelope.js';
import type { RoomCaller, RoomService } from './service.js';
import { ROOM_ROLES } from './types.js';

/** Guests (and anyone who joined by link) send their room token in this header. */
export const ROOM_TOKEN_HEADER = 'x-room-token';

const role = z.enum(ROOM_ROLES);
const title = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\x00-\x1f\x7f]*$/, { message: 'must not contain control characters' });
const language = z.string().min(1).max(50).describe('a language id or alias of GET /languages');
const expiresIn = z.number().positive().describe('hours from now until the room closes (read-only); at most ROOM_MAX_EXPIRY');

const participant = z.object({ id: z.uuid(), displayName: z.string(), role, color: z.string(), guest: z.boolean() });
const invite = z.object({ role, token: z.string().describe('the invite token (JWT)'), path: z.string().describe('the web page that joins with it') });
const roomSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  language: z.string(),
  fileName: z.string(),
  ownerId: z.uuid(),
  createdAt: z.string(),
  expiresAt: z.string(),
  endedAt: z.string().nullable(),
  closed: z.boolean().describe('expired or ended: read-only'),
  role: role.describe("the caller's role"),
  participantId: z.uuid().nullable().describe("the caller's participant id"),
  participants: z.array(participant),
  invites: z.array(invite).nullable().describe('one link per role; interviewers only, while the room is open'),
});
const snapshotSchema = z.object({ id: z.uuid(), name: z.string().nullable(), auto: z.boolean(), code: z.string(), participantId: z.uuid().nullable(), createdAt: z.string() });
const runSchema = z.object({
  id: z.uuid(),
  executionId: z.uuid().nullable(),
  participantId: z.uuid().nullable(),
  by: z.string().nullable(),
  code: z.string(),
  createdAt: z.string(),
  result: executionSchema.nullable(),
});
const codeSchema = z.object({ code: z.string(), stdin: z.string(), args: z.array(z.string()), language: z.string(), fileName: z.string() });
const idAndSnapshot = z.object({ id: z.uuid({ message: 'must be a UUID' }), snapshotId: z.uuid({ message: 'must be a UUID' }) });
const errors = { ...commonErrors, 403: errorResponse, 410: errorResponse.describe('ROOM_CLOSED') };
const security = [{ bearer: [] }];
const tags = ['rooms'];

function caller(req: FastifyRequest): RoomCaller {
  const t = req.headers[ROOM_TOKEN_HEADER];
  return { user: req.user, roomToken: typeof t === 'string' && t !== '' ? t : undefined };
}

/**
 * /api/v1/rooms: the seed's session operations (create, get, patch, delete, getCode, saveCode)
 * plus invites, joining, snapshots, notes, runs, End and playback. A room route accepts either
 * an access token (Authorization) or a room token (X-Room-Token, from POST /rooms/join).
 */
export async function roomRoutes(app: FastifyInstance, svc: RoomService): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/rooms', {
    schema: {
      tags, security, summary: 'Create a room',
      description: 'The caller becomes its interviewer. Returns the room with one invite link per role.',
      body: z.object({ title, language, expiresIn: expiresIn.optional().describe('default 24 hours'), code: z.string().max(1_000_000).optional().describe('initial code') }).strict(),
      response: { 201: envelope(roomSchema), ...errors },
    },
  }, async (req, reply) => reply.code(201).send(ok(await svc.create(requireUser(req), req.body))));

  r.get('/rooms', {
    schema: { tags, security, summary: 'List my rooms', description: 'Rooms the caller owns or joined with an account, newest first.', response: { 200: envelope(z.array(roomSchema)), ...errors } },
  }, async (req) => ok(await svc.list(requireUser(req))));

  r.post('/rooms/join', {
    schema: {
      tags, summary: 'Join a room with an invite link',
      description: 'With an access token the account joins (displayName ignored); without one, a guest joins under displayName. Returns a room token (X-Room-Token and WebSocket token) that expires with the room.',
      body: z.object({ invite: z.string().min(1).max(4096), displayName: z.string().trim().min(1).max(50).regex(/^[^\x00-\x1f\x7f]*$/).optional() }).strict(),
      response: { 200: envelope(z.object({ room: roomSchema, roomToken: z.string() })), ...errors, 409: errorResponse },
    },
  }, async (req) => ok(await svc.join(req.body.invite, req.user, req.body.displayName)));

  r.get('/rooms/:id', { schema: { tags, security, summary: 'Get a room', params: uuidParam, response: { 200: envelope(roomSchema), ...errors } } }, async (req) => ok(await svc.get(req.params.id, caller(req))));

  r.patch('/rooms/:id', {
    schema: {
      tags, security, summary: 'Change a room', description: 'Interviewer only. `revokeInvites` invalidates every invite link issued so far.',
      params: uuidParam,
      body: z.object({ title: title.optional(), language: language.optional(), expiresIn: expiresIn.optional(), revokeInvites: z.boolean().optional() }).strict()
        .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field' }),
      response: { 200: envelope(roomSchema), ...errors },
    },
  }, async (req) => ok(await svc.patch(req.params.id, caller(req), req.body)));

  r.delete('/rooms/:id', {
    schema: { tags, security, summary: 'Delete a room', description: 'The owner only: the room, its log, snapshots and runs.', params: uuidParam, response: { 200: envelope(z.object({ deleted: z.literal(true) })), ...errors } },
  }, async (req) => {
    await svc.remove(req.params.id, caller(req));
    return ok({ deleted: true as const });
  });

  r.post('/rooms/:id/end', {
    schema: { tags, security, summary: 'End the interview', description: 'Interviewer only: the room becomes read-only, its connections close (4410), the playback opens.', params: uuidParam, response: { 200: envelope(roomSchema), ...errors } },
  }, async (req) => ok(await svc.end(req.params.id, caller(req))));

  r.get('/rooms/:id/code', {
    schema: { tags, security, summary: 'The current code', description: 'The live text, the shared stdin and arguments.', params: uuidParam, response: { 200: envelope(codeSchema), ...errors } },
  }, async (req) => ok(await svc.getCode(req.params.id, caller(req))));

  r.post('/rooms/:id/code', {
    schema: {
      tags, security, summary: 'Save a named snapshot', description: 'The seed’s saveCode: snapshots the current code; with `code`, replaces the live code first (a normal edit everyone sees).',
      params: uuidParam,
      body: z.object({ name: z.string().trim().min(1).max(200).optional(), code: z.string().max(10_000_000).optional() }).strict(),
      response: { 201: envelope(snapshotSchema), ...errors, 413: errorResponse },
    },
  }, async (req, reply) => reply.code(201).send(ok(await svc.saveCode(req.params.id, caller(req), req.body))));

  r.get('/rooms/:id/snapshots', {
    schema: { tags, security, summary: 'List snapshots', description: 'Named and automatic (every 30 s while the code changes), newest first.', params: uuidParam, response: { 200: envelope(z.array(snapshotSchema)), ...errors } },
  }, async (req) => ok(await svc.snapshots(req.params.id, caller(req))));

  r.post('/rooms/:id/snapshots/:snapshotId/restore', {
    schema: { tags, security, summary: 'Restore a snapshot', description: 'Into the live document, as one normal edit every participant sees.', params: idAndSnapshot, response: { 200: envelope(snapshotSchema), ...errors } },
  }, async (req) => ok(await svc.restore(req.params.id, req.params.snapshotId, caller(req))));

  r.get('/rooms/:id/notes', {
    schema: { tags, security, summary: 'Interviewer notes', description: 'Interviewer only; never part of the shared document.', params: uuidParam, response: { 200: envelope(z.object({ notes: z.string() })), ...errors } },
  }, async (req) => ok({ notes: await svc.notes(req.params.id, caller(req)) }));

  r.put('/rooms/:id/notes', {
    schema: { tags, security, summary: 'Save interviewer notes', params: uuidParam, body: z.object({ notes: z.string().max(100_000) }).strict(), response: { 200: envelope(z.object({ notes: z.string() })), ...errors } },
  }, async (req) => ok({ notes: await svc.setNotes(req.params.id, caller(req), req.body.notes) }));

  r.post('/rooms/:id/runs', {
    // Counted like POST /execute (per account, or per address for guests).
    config: { rateLimitGroup: 'execute' },
    schema: {
      tags, security, summary: 'Run the room’s code',
      description: 'Interviewers and candidates. Runs the live code with the shared stdin and arguments (as the room owner’s execution); every participant receives the output on the room socket (stateless run, run-output, run-complete).',
      params: uuidParam,
      response: { 201: envelope(z.object({ id: z.uuid(), executionId: z.uuid(), by: z.string(), participantId: z.uuid(), createdAt: z.string(), status: z.string() })), ...errors, 422: errorResponse },
    },
  }, async (req, reply) => reply.code(201).send(ok(await svc.run(req.params.id, caller(req)))));

  r.get('/rooms/:id/runs', { schema: { tags, security, summary: 'The room’s runs', params: uuidParam, response: { 200: envelope(z.array(runSchema)), ...errors } } }, async (req) => ok(await svc.runs(req.params.id, caller(req))));

  r.get('/rooms/:id/playback', {
    schema: {
      tags, security, summary: 'Playback data', description: 'Interviewer only: every Yjs update (base64, time, author), the checkpoints, the runs and the final code.',
      params: uuidParam,
      response: {
        200: envelope(z.object({
          updates: z.array(z.object({ id: z.number().int(), at: z.string(), participantId: z.uuid().nullable(), origin: z.string(), data: z.string() })),
          checkpoints: z.array(z.object({ logId: z.number().int(), state: z.string() })),
          runs: z.array(runSchema),
          participants: z.array(z.object({ id: z.uuid(), displayName: z.string(), role, color: z.string() })),
          finalCode: z.string(),
        })),
        ...errors,
      },
    },
  }, async (req) => ok(await svc.playback(req.params.id, caller(req))));
}
