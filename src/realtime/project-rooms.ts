import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { CallerError } from '../errors.js';
import { readableProject } from '../projects/access.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { HttpCodes } from '../server/http-errors.js';
import { wsErrorCode } from './ws-errors.js';

type Ack = (answer: unknown) => void;

interface Membership {
  owner: boolean;
  /** Set once non-owners were removed from the room while the project is private. */
  evicted: boolean;
}

const projectId = z.uuid();
const update = z.object({
  projectId: z.uuid(),
  fileId: z.uuid().optional(),
  content: z.string(),
  cursorPosition: z.unknown().optional(),
});

export const roomOf = (id: string) => `project:${id}`;

function idOf(payload: unknown): string {
  const raw = typeof payload === 'string' ? payload : (payload as { projectId?: unknown } | null)?.projectId;
  const parsed = projectId.safeParse(raw);
  if (!parsed.success) throw new CallerError(HttpCodes.validation, 'projectId must be a UUID');
  return parsed.data;
}

/**
 * The first seed's collaboration signal: `join:project` / `leave:project`, and `code:update` from
 * the owner, relayed as `code:changed` to the others in the project's room (in cluster mode
 * through the socket.io Redis adapter, so across replicas). Only a caller who may read the
 * project joins (a private project is NOT_FOUND, as over HTTP); only the owner sends updates
 * (shared editing comes with the rooms). Nothing is stored: files change through the REST API.
 * Every event answers through its acknowledgement: `{ ok: true, ... }` or `{ error: { code } }`.
 */
export function registerProjectRoomHandlers(io: Server, socket: Socket, ctx: AppContext): void {
  const joined = new Map<string, Membership>();
  const user = (): AuthUser | null => (socket.data as { user?: AuthUser | null }).user ?? null;
  const answer = (maybeAck: unknown): Ack => (typeof maybeAck === 'function' ? (maybeAck as Ack) : () => undefined);
  const fail = (ack: Ack, err: unknown) => ack({ error: { code: wsErrorCode(err), message: err instanceof Error ? err.message : 'error' } });

  socket.on('join:project', async (payload: unknown, maybeAck?: unknown) => {
    const ack = answer(maybeAck);
    try {
      const id = idOf(payload);
      const p = await readableProject(ctx.database.db, id, user());
      const owner = p.userId === user()?.id;
      await socket.join(roomOf(id));
      joined.set(id, { owner, evicted: false });
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
      if (p.visibility === 'private' && !member.evicted) {
        // Viewers who joined while it was readable must not see what follows.
        for (const s of await io.in(roomOf(id)).fetchSockets()) {
          if ((s.data as { user?: AuthUser | null }).user?.id !== p.userId) s.leave(roomOf(id));
        }
        member.evicted = true;
      } else if (p.visibility !== 'private') {
        member.evicted = false;
      }
      const u = user()!;
      socket.to(roomOf(id)).emit('code:changed', { projectId: id, fileId: fileId ?? null, content, cursorPosition: cursorPosition ?? null, userId: u.id, username: u.username });
      ack({ ok: true });
    } catch (err) {
      fail(ack, err);
    }
  });

  socket.on('disconnect', () => joined.clear());
}
