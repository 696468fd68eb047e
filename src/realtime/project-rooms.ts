import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { CallerError } from '../errors.js';
import { canRead, readableProject } from '../projects/access.js';
import type { ProjectRow } from '../projects/types.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { type WsLog, wsErrorAnswer } from './ws-errors.js';

type Ack = (answer: unknown) => void;

const projectId = z.uuid();
const update = z.object({
  projectId: z.uuid(),
  fileId: z.uuid().optional(),
  content: z.string().max(10 * 2 ** 20),
  cursorPosition: z.unknown().optional(),
});

export const roomOf = (id: string) => `project:${id}`;

/** Sent to a socket taken out of a project's room because it may no longer read the project. */
export const PROJECT_REMOVED_EVENT = 'project:removed';

/** What decides who may read a project (src/projects/access.ts canRead). */
export type ProjectAccess = Pick<ProjectRow, 'id' | 'userId' | 'visibility' | 'deletedAt'>;

function idOf(payload: unknown): string {
  const raw = typeof payload === 'string' ? payload : (payload as { projectId?: unknown } | null)?.projectId;
  const parsed = projectId.safeParse(raw);
  if (!parsed.success) throw new CallerError(HttpCodes.validation, 'projectId must be a UUID');
  return parsed.data;
}

/**
 * Takes out of the project's room every socket whose user may no longer read the project, and
 * tells it (`project:removed { projectId, reason }`). In cluster mode fetchSockets answers for
 * every instance and leave/emit travel through the socket.io Redis adapter, in order before
 * any later broadcast to the room. Returns how many sockets were removed.
 */
export async function recheckProjectRoom(io: Server, p: ProjectAccess): Promise<number> {
  // Public and unlisted projects are readable by everyone: nobody to remove.
  if (p.deletedAt === null && p.visibility !== 'private') return 0;
  const reason = p.deletedAt !== null ? 'deleted' : 'private';
  let removed = 0;
  for (const s of await io.in(roomOf(p.id)).fetchSockets()) {
    const user = (s.data as { user?: AuthUser | null }).user ?? null;
    if (canRead(p, user)) continue;
    s.leave(roomOf(p.id));
    s.emit(PROJECT_REMOVED_EVENT, { projectId: p.id, reason, message: reason === 'deleted' ? 'the project was deleted' : 'the project is now private' });
    removed++;
  }
  return removed;
}

/**
 * The first seed's collaboration signal: `join:project` / `leave:project`, and `code:update` from
 * the owner, relayed as `code:changed` to the others in the project's room (in cluster mode
 * through the socket.io Redis adapter, so across replicas). Only a caller who may read the
 * project joins (a private project is NOT_FOUND, as over HTTP); only the owner sends updates
 * (shared editing comes with the rooms). Nothing is stored: files change through the REST API.
 * Every event answers through its acknowledgement: `{ ok: true, ... }` or `{ error: { code } }`.
 *
 * Membership follows access (red-team M2): when the project is made private or deleted over
 * HTTP, the room is rechecked at once (recheckProjectRoom, called from the project routes), and
 * every update of a private project rechecks it again before relaying, which also catches a
 * viewer whose join raced the change.
 */
export function registerProjectRoomHandlers(io: Server, socket: Socket, ctx: AppContext, log?: WsLog): void {
  /** projectId -> whether this socket joined as the owner. */
  const joined = new Map<string, { owner: boolean }>();
  const user = (): AuthUser | null => (socket.data as { user?: AuthUser | null }).user ?? null;
  const answer = (maybeAck: unknown): Ack => (typeof maybeAck === 'function' ? (maybeAck as Ack) : () => undefined);
  const fail = (ack: Ack, err: unknown) => ack(wsErrorAnswer(err, log));

  socket.on('join:project', async (payload: unknown, maybeAck?: unknown) => {
    const ack = answer(maybeAck);
    try {
      const id = idOf(payload);
      const p = await readableProject(ctx.database.db, id, user());
      const owner = p.userId === user()?.id;
      await socket.join(roomOf(id));
      joined.set(id, { owner });
      ack({ ok: true, projectId: id, role: owner ? 'owner' : 'viewer' });
    } catch (err) {
      fail(ack, err);
    }
  });

  socket.on('leave:project', async (payload: unknown, maybeAck?: unknown) => {
    const ack = answer(maybeAck);
    try {
      const id = idOf(payload);
      joined.delete(id);
      await socket.leave(roomOf(id));
      ack({ ok: true, projectId: id });
    } catch (err) {
      fail(ack, err);
    }
  });

  socket.on('code:update', async (payload: unknown, maybeAck?: unknown) => {
    const ack = answer(maybeAck);
    try {
      const parsed = update.safeParse(payload);
      if (!parsed.success) throw new CallerError(HttpCodes.validation, 'code:update needs { projectId, content, fileId?, cursorPosition? }');
      const { projectId: id, fileId, content, cursorPosition } = parsed.data;
      const member = joined.get(id);
      if (!member) throw new CallerError(HttpCodes.forbidden, 'join the project first');
      if (!member.owner) throw new CallerError(HttpCodes.forbidden, 'only the owner may send updates');
      // Read again: the project may have been deleted, or made private, since the join.
      const p = await readableProject(ctx.database.db, id, user());
      // socket.rooms: a socket removed from the room (by a recheck, maybe from another instance) is no member.
      if (!socket.rooms.has(roomOf(id))) throw new CallerError(HttpCodes.forbidden, 'join the project first');
      // Every update of a private project rechecks the room first: nobody who may not read it hears it.
      if (p.visibility === 'private') await recheckProjectRoom(io, p);
      const u = user()!;
      socket.to(roomOf(id)).emit('code:changed', { projectId: id, fileId: fileId ?? null, content, cursorPosition: cursorPosition ?? null, userId: u.id, username: u.username });
      ack({ ok: true });
    } catch (err) {
      fail(ack, err);
    }
  });

  socket.on('disconnect', () => joined.clear());
}
