import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { verifyAccessJwt } from '../auth/tokens.js';
import { durationMs } from '../config/config.js';
import { executions, roomParticipants, roomRuns, rooms, roomSnapshots, users } from '../db/schema.js';
import { CallerError, ErrorCodes } from '../errors.js';
import { presentExecution } from '../executions/presenter.js';
import { followExecution } from '../realtime/bus.js';
import type { AppContext, AuthUser } from '../server/context.js';
import { HttpCodes, notFound } from '../server/http-errors.js';
import { RoomCollab } from './collab.js';
import { RedisRoomRelay } from './relay.js';
import type { DocAccess } from './socket-filter.js';
import { RoomStore, replaceText } from './store.js';
import { signInvite, signRoomToken, tokenTyp, verifyInvite, verifyRoomToken } from './tokens.js';
import { canEdit, canRun, COLORS, DOC_FIELDS, isInterviewer, ROOM_ROLES, type RoomIdentity, type RoomRole } from './types.js';

export type RoomRow = typeof rooms.$inferSelect;

/** Who calls a room route: an account (access token) or the holder of a room token. */
export interface RoomCaller {
  user: AuthUser | null;
  roomToken?: string;
}

export interface RoomAccess {
  room: RoomRow;
  identity: RoomIdentity;
  /** Expired or ended. */
  closed: boolean;
}

const forbidden = (why: string) => new CallerError(HttpCodes.forbidden, why);
const roomClosed = () => new CallerError(ErrorCodes.roomClosed, 'the room is closed (expired or ended): it is read-only');

export function isClosed(room: Pick<RoomRow, 'expiresAt' | 'endedAt'>, now = Date.now()): boolean {
  return room.endedAt !== null || room.expiresAt.getTime() <= now;
}

/**
 * Rooms: the seed's interview sessions with roles, invite links, guests, live editing
 * (collab.ts), persistence and playback (store.ts), snapshots and shared runs. Routes hold no
 * logic; everything a role may or may not do is decided here.
 */
export class RoomService {
  readonly store: RoomStore;
  readonly collab: RoomCollab;
  private readonly following = new Set<string>();
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly ctx: AppContext,
    log: { error(o: object, m?: string): void },
    opts: { checkpointSettleMs?: number } = {},
  ) {
    this.store = new RoomStore(ctx.database.db, opts.checkpointSettleMs);
    const relay = ctx.config.mode === 'cluster' && ctx.config.REDIS_URL ? new RedisRoomRelay(ctx.config.REDIS_URL, ctx.config.REDIS_KEY_PREFIX, ctx.instanceId) : null;
    this.collab = new RoomCollab(
      ctx.config,
      this.store,
      {
        authenticate: (token, roomId) => this.authenticateSocket(token, roomId),
        autoSnapshot: async (roomId, code) => void (await this.db.insert(roomSnapshots).values({ roomId, auto: true, code, name: null })),
        onRunAnnounced: (roomId, payload) => this.runAnnounced(roomId, payload),
        loaded: async (roomId) => {
          const [r] = await this.db.select({ expiresAt: rooms.expiresAt, endedAt: rooms.endedAt }).from(rooms).where(eq(rooms.id, roomId));
          if (r) this.collab.scheduleClose(roomId, r.endedAt ?? r.expiresAt);
        },
      },
      relay,
      log,
    );
    this.closers.push(async () => relay?.close());
  }

  private readonly closers: (() => Promise<unknown>)[] = [];

  private get db() {
    return this.ctx.database.db;
  }

  start(): void {
    const run = () => void this.purge().catch(() => undefined);
    run();
    this.purgeTimer = setInterval(run, 10 * 60_000);
    this.purgeTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.collab.close();
    for (const c of this.closers) await c().catch(() => undefined);
  }

  // ---------------------------------------------------------------- identities and access

  /** Resolves a caller to its participant row in the room (404 unknown room, 403 not a participant). */
  async access(roomId: string, caller: RoomCaller): Promise<RoomAccess> {
    let participantId: string | null = null;
    if (caller.roomToken) {
      const t = await verifyRoomToken(this.ctx.secrets.jwt, caller.roomToken);
      if (t.roomId !== roomId) throw forbidden('this room token is for another room');
      participantId = t.participantId;
    } else if (!caller.user) {
      throw new CallerError(HttpCodes.unauthorized, 'sign in, or join the room with an invite link');
    }
    const [room] = await this.db.select().from(rooms).where(eq(rooms.id, roomId));
    if (!room) throw notFound('room');
    const where = participantId
      ? and(eq(roomParticipants.id, participantId), eq(roomParticipants.roomId, roomId))
      : and(eq(roomParticipants.roomId, roomId), eq(roomParticipants.userId, caller.user!.id));
    const [p] = await this.db.select().from(roomParticipants).where(where);
    if (!p) {
      if (participantId) throw new CallerError(HttpCodes.invalidToken, 'this room token is no longer valid');
      throw forbidden('you are not a participant of this room: join it with an invite link');
    }
    const identity: RoomIdentity = { roomId, participantId: p.id, userId: p.userId, displayName: p.displayName, role: p.role as RoomRole, color: p.color };
    return { room, identity, closed: isClosed(room) };
  }

  private async authenticateSocket(token: string, roomId: string): Promise<{ access: DocAccess; closesAt: Date | null }> {
    if (!token) throw new CallerError(HttpCodes.unauthorized, 'a token is required');
    const typ = tokenTyp(token);
    const caller: RoomCaller = typ === 'room' ? { user: null, roomToken: token } : { user: await verifyAccessJwt(token, this.ctx.secrets.jwt) };
    const a = await this.access(roomId, caller);
    return { access: { identity: a.identity, readOnly: a.closed || !canEdit(a.identity.role) }, closesAt: a.room.endedAt ?? a.room.expiresAt };
  }

  private requireInterviewer(a: RoomAccess): void {
    if (!isInterviewer(a.identity.role)) throw forbidden('only the interviewer may do this');
  }
  private requireOpen(a: RoomAccess): void {
    if (a.closed) throw roomClosed();
  }

  // ---------------------------------------------------------------- rooms

  private expiry(hours: number): Date {
    const max = durationMs(this.ctx.config.ROOM_MAX_EXPIRY);
    const ms = hours * 3_600_000;
    if (!(ms > 0) || ms > max) throw new CallerError(HttpCodes.validation, `expiresIn must be between 0 and ${max / 3_600_000} hours`, { max: max / 3_600_000 });
    return new Date(Date.now() + ms);
  }

  async create(user: AuthUser, input: { title: string; language: string; expiresIn?: number; code?: string }) {
    const lang = this.ctx.executions.languages.get(input.language);
    const expiresAt = this.expiry(input.expiresIn ?? 24);
    const row = await this.db.transaction(async (tx) => {
      const [room] = await tx.insert(rooms).values({ ownerId: user.id, title: input.title, language: lang.id, fileName: lang.sourceFile, expiresAt }).returning();
      await tx.insert(roomParticipants).values({ roomId: room!.id, userId: user.id, displayName: user.username, role: 'interviewer', color: COLORS[0]! });
      return room!;
    });
    if (input.code) {
      const doc = new Y.Doc();
      doc.getText(DOC_FIELDS.code).insert(0, input.code);
      await this.store.append(row.id, null, 'server', Y.encodeStateAsUpdate(doc));
    }
    return this.view(row, 'interviewer');
  }

  async view(room: RoomRow, role: RoomRole, participantId?: string) {
    const participants = await this.db.select().from(roomParticipants).where(eq(roomParticipants.roomId, room.id)).orderBy(asc(roomParticipants.createdAt));
    return {
      id: room.id,
      title: room.title,
      language: room.language,
      fileName: room.fileName,
      ownerId: room.ownerId,
      createdAt: room.createdAt.toISOString(),
      expiresAt: room.expiresAt.toISOString(),
      endedAt: room.endedAt?.toISOString() ?? null,
      closed: isClosed(room),
      role,
      participantId: participantId ?? participants.find((p) => p.userId === room.ownerId)?.id ?? null,
      participants: participants.map((p) => ({ id: p.id, displayName: p.displayName, role: p.role as RoomRole, color: p.color, guest: p.userId === null })),
      invites: isInterviewer(role) && !isClosed(room) ? await this.invites(room) : null,
    };
  }

  private async invites(room: RoomRow) {
    const out: { role: RoomRole; token: string; path: string }[] = [];
    for (const role of ROOM_ROLES) {
      const token = await signInvite(this.ctx.secrets.jwt, { roomId: room.id, role, version: room.inviteVersion }, room.expiresAt);
      out.push({ role, token, path: `/rooms/join/${token}` });
    }
    return out;
  }

  async get(roomId: string, caller: RoomCaller) {
    const a = await this.access(roomId, caller);
    return this.view(a.room, a.identity.role, a.identity.participantId);
  }

  async list(user: AuthUser) {
    const mine = await this.db
      .select({ room: rooms, role: roomParticipants.role, participantId: roomParticipants.id })
      .from(roomParticipants)
      .innerJoin(rooms, eq(rooms.id, roomParticipants.roomId))
      .where(eq(roomParticipants.userId, user.id))
      .orderBy(desc(rooms.createdAt))
      .limit(200);
    return Promise.all(mine.map((m) => this.view(m.room, m.role as RoomRole, m.participantId)));
  }

  async patch(roomId: string, caller: RoomCaller, input: { title?: string; language?: string; expiresIn?: number; revokeInvites?: boolean }) {
    const a = await this.access(roomId, caller);
    this.requireInterviewer(a);
    if (a.room.endedAt) throw roomClosed();
    const set: Partial<typeof rooms.$inferInsert> = { updatedAt: new Date() };
    if (input.title !== undefined) set.title = input.title;
    if (input.language !== undefined) {
      const lang = this.ctx.executions.languages.get(input.language);
      set.language = lang.id;
      set.fileName = lang.sourceFile;
    }
    if (input.expiresIn !== undefined) set.expiresAt = this.expiry(input.expiresIn);
    if (input.revokeInvites) set.inviteVersion = a.room.inviteVersion + 1;
    const [room] = await this.db.update(rooms).set(set).where(eq(rooms.id, roomId)).returning();
    if (set.expiresAt) this.collab.scheduleClose(roomId, set.expiresAt);
    return this.view(room!, a.identity.role, a.identity.participantId);
  }

  async remove(roomId: string, caller: RoomCaller): Promise<void> {
    const a = await this.access(roomId, caller);
    if (a.identity.userId !== a.room.ownerId) throw forbidden('only the owner may delete the room');
    await this.collab.closeRoom(roomId);
    await this.collab.flush(roomId);
    await this.db.delete(rooms).where(eq(rooms.id, roomId));
  }

  /** End of the interview: read-only at once, connections closed, playback open. */
  async end(roomId: string, caller: RoomCaller) {
    const a = await this.access(roomId, caller);
    this.requireInterviewer(a);
    const now = new Date();
    const [room] = await this.db
      .update(rooms)
      .set({ endedAt: a.room.endedAt ?? now, expiresAt: a.room.expiresAt < now ? a.room.expiresAt : now, updatedAt: now })
      .where(eq(rooms.id, roomId))
      .returning();
    await this.collab.flush(roomId);
    await this.collab.closeRoom(roomId);
    return this.view(room!, a.identity.role, a.identity.participantId);
  }

  /** Deletes rooms closed for longer than ROOM_RETENTION (with their log, snapshots, runs). */
  async purge(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - durationMs(this.ctx.config.ROOM_RETENTION));
    const gone = await this.db
      .delete(rooms)
      .where(sql`coalesce(${rooms.endedAt}, ${rooms.expiresAt}) < ${cutoff.toISOString()}::timestamptz`)
      .returning({ id: rooms.id });
    return gone.length;
  }

  // ---------------------------------------------------------------- joining

  async join(invite: string, user: AuthUser | null, displayName?: string) {
    const claims = await verifyInvite(this.ctx.secrets.jwt, invite);
    const [room] = await this.db.select().from(rooms).where(eq(rooms.id, claims.roomId));
    if (!room || room.inviteVersion !== claims.version) throw new CallerError(ErrorCodes.invalidInvite, 'this invite link was revoked');
    if (isClosed(room)) throw roomClosed();
    let participant = user
      ? (await this.db.select().from(roomParticipants).where(and(eq(roomParticipants.roomId, room.id), eq(roomParticipants.userId, user.id))))[0]
      : undefined;
    if (!participant) {
      const name = user ? user.username : displayName?.trim();
      if (!name) throw new CallerError(HttpCodes.validation, 'displayName is required to join without an account');
      const [{ n }] = (await this.db.select({ n: count() }).from(roomParticipants).where(eq(roomParticipants.roomId, room.id))) as [{ n: number }];
      if (n >= this.ctx.config.ROOM_MAX_PARTICIPANTS) throw new CallerError(ErrorCodes.roomFull, 'the room is full', { max: this.ctx.config.ROOM_MAX_PARTICIPANTS });
      // Two concurrent joins of one account: the unique (room, user) index keeps one row.
      [participant] = await this.db
        .insert(roomParticipants)
        .values({ roomId: room.id, userId: user?.id ?? null, displayName: name, role: claims.role, color: COLORS[n % COLORS.length]! })
        .onConflictDoNothing()
        .returning();
      participant ??= (await this.db.select().from(roomParticipants).where(and(eq(roomParticipants.roomId, room.id), eq(roomParticipants.userId, user!.id))))[0];
    }
    const token = await signRoomToken(this.ctx.secrets.jwt, room.id, participant!.id, room.expiresAt);
    return { room: await this.view(room, participant!.role as RoomRole, participant!.id), roomToken: token };
  }

  // ---------------------------------------------------------------- code, snapshots, notes

  /** The room's current document: live here if loaded, else from the database. */
  async currentFields(roomId: string): Promise<{ code: string; stdin: string; args: string }> {
    const live = this.collab.liveText(roomId, DOC_FIELDS.code);
    if (live !== null) {
      return { code: live, stdin: this.collab.liveText(roomId, DOC_FIELDS.stdin) ?? '', args: this.collab.liveText(roomId, DOC_FIELDS.args) ?? '' };
    }
    const doc = new Y.Doc();
    await this.store.loadInto(doc, roomId);
    return { code: doc.getText(DOC_FIELDS.code).toString(), stdin: doc.getText(DOC_FIELDS.stdin).toString(), args: doc.getText(DOC_FIELDS.args).toString() };
  }

  async getCode(roomId: string, caller: RoomCaller) {
    const a = await this.access(roomId, caller);
    const f = await this.currentFields(roomId);
    return { code: f.code, stdin: f.stdin, args: argsOf(f.args), language: a.room.language, fileName: a.room.fileName };
  }

  /** The seed's saveCode: a named snapshot of the current code (after replacing it, when `code` is given). */
  async saveCode(roomId: string, caller: RoomCaller, input: { name?: string; code?: string }) {
    const a = await this.access(roomId, caller);
    if (!canEdit(a.identity.role)) throw forbidden('viewers cannot save snapshots');
    this.requireOpen(a);
    if (input.code !== undefined) {
      if (input.code.length > this.ctx.config.ROOM_MAX_DOCUMENT_CHARS) throw new CallerError(ErrorCodes.documentTooLarge, 'the code is larger than ROOM_MAX_DOCUMENT_CHARS');
      await this.collab.edit(roomId, a.identity, 'edit', (doc) => replaceText(doc.getText(DOC_FIELDS.code), input.code!));
    }
    const { code } = await this.currentFields(roomId);
    const [s] = await this.db.insert(roomSnapshots).values({ roomId, name: input.name ?? null, auto: false, code, participantId: a.identity.participantId }).returning();
    return presentSnapshot(s!);
  }

  async snapshots(roomId: string, caller: RoomCaller) {
    await this.access(roomId, caller);
    const rows = await this.db.select().from(roomSnapshots).where(eq(roomSnapshots.roomId, roomId)).orderBy(desc(roomSnapshots.createdAt)).limit(500);
    return rows.map(presentSnapshot);
  }

  /** Restores a snapshot into the live document as a normal edit every participant sees. */
  async restore(roomId: string, snapshotId: string, caller: RoomCaller) {
    const a = await this.access(roomId, caller);
    if (!canEdit(a.identity.role)) throw forbidden('viewers cannot restore snapshots');
    this.requireOpen(a);
    const [s] = await this.db.select().from(roomSnapshots).where(and(eq(roomSnapshots.id, snapshotId), eq(roomSnapshots.roomId, roomId)));
    if (!s) throw notFound('snapshot');
    await this.collab.edit(roomId, a.identity, 'restore', (doc) => replaceText(doc.getText(DOC_FIELDS.code), s.code));
    await this.collab.flush(roomId);
    return presentSnapshot(s);
  }

  async notes(roomId: string, caller: RoomCaller): Promise<string> {
    const a = await this.access(roomId, caller);
    this.requireInterviewer(a);
    return a.room.notes;
  }

  async setNotes(roomId: string, caller: RoomCaller, notes: string): Promise<string> {
    const a = await this.access(roomId, caller);
    this.requireInterviewer(a);
    await this.db.update(rooms).set({ notes, updatedAt: new Date() }).where(eq(rooms.id, roomId));
    return notes;
  }

  // ---------------------------------------------------------------- runs

  async run(roomId: string, caller: RoomCaller) {
    const a = await this.access(roomId, caller);
    if (!canRun(a.identity.role)) throw forbidden('viewers cannot run the code');
    this.requireOpen(a);
    const f = await this.currentFields(roomId);
    // Runs are the room owner's: a guest candidate has no account, and the owner's quota applies.
    const [owner] = await this.db.select({ id: users.id, username: users.username, role: users.role }).from(users).where(eq(users.id, a.room.ownerId));
    const exec = await this.ctx.executions.create(owner!, {
      language: a.room.language,
      files: [{ name: a.room.fileName, content: f.code }],
      mainFile: a.room.fileName,
      stdin: f.stdin,
      args: argsOf(f.args),
    });
    const [run] = await this.db.insert(roomRuns).values({ roomId, executionId: exec.id, participantId: a.identity.participantId, code: f.code }).returning();
    const view = { id: run!.id, executionId: exec.id, by: a.identity.displayName, participantId: a.identity.participantId, createdAt: run!.createdAt.toISOString(), status: exec.status };
    const payload = JSON.stringify({ event: 'run', run: view });
    this.runAnnounced(roomId, payload);
    await this.collab.broadcast(roomId, payload);
    return view;
  }

  /** Follows a run's output on the bus (this replica) and hands it to the room's connections here. */
  private runAnnounced(roomId: string, payload: string): void {
    let msg: { event?: string; run?: { id: string; executionId: string } };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    if (msg.event !== 'run' || !msg.run || this.following.has(msg.run.executionId)) return;
    const { id: runId, executionId } = msg.run;
    this.following.add(executionId);
    let unsubscribe: (() => Promise<void>) | undefined;
    let done = false;
    const finish = () => {
      done = true;
      this.following.delete(executionId);
      void unsubscribe?.();
    };
    void followExecution(this.ctx.bus, executionId, (e) => {
      if (done) return;
      if (e.type === 'output') this.collab.broadcastLocal(roomId, JSON.stringify({ event: 'run-output', runId, executionId, seq: e.seq, stream: e.stream, data: e.data }));
      else if (e.type === 'status') this.collab.broadcastLocal(roomId, JSON.stringify({ event: 'run-status', runId, executionId, status: e.status }));
      else if (e.type === 'complete' || e.type === 'error') {
        finish();
        void this.db
          .select()
          .from(executions)
          .where(eq(executions.id, executionId))
          .then(([row]) => this.collab.broadcastLocal(roomId, JSON.stringify({ event: 'run-complete', runId, executionId, result: row ? presentExecution(row) : null })));
      }
    })
      .then((u) => {
        unsubscribe = u;
        if (done) void u();
      })
      .catch(() => this.following.delete(executionId));
  }

  async runs(roomId: string, caller: RoomCaller) {
    await this.access(roomId, caller);
    return this.runList(roomId);
  }

  private async runList(roomId: string) {
    const rows = await this.db
      .select({ run: roomRuns, exec: executions, by: roomParticipants.displayName })
      .from(roomRuns)
      .leftJoin(executions, eq(executions.id, roomRuns.executionId))
      .leftJoin(roomParticipants, eq(roomParticipants.id, roomRuns.participantId))
      .where(eq(roomRuns.roomId, roomId))
      .orderBy(asc(roomRuns.createdAt))
      .limit(1000);
    return rows.map((r) => ({
      id: r.run.id,
      executionId: r.run.executionId,
      participantId: r.run.participantId,
      by: r.by,
      code: r.run.code,
      createdAt: r.run.createdAt.toISOString(),
      result: r.exec ? presentExecution(r.exec) : null,
    }));
  }

  // ---------------------------------------------------------------- playback

  /** Everything the playback view needs: the update log (per author), checkpoints, runs. Interviewer only. */
  async playback(roomId: string, caller: RoomCaller) {
    const a = await this.access(roomId, caller);
    this.requireInterviewer(a);
    await this.collab.flush(roomId);
    const log = await this.store.log(roomId);
    const checkpoints = await this.store.checkpoints(roomId);
    const participants = await this.db.select().from(roomParticipants).where(eq(roomParticipants.roomId, roomId));
    const finalDoc = await this.store.replay(roomId);
    return {
      updates: log.map((u) => ({ id: u.id, at: u.createdAt.toISOString(), participantId: u.participantId, origin: u.origin, data: u.data.toString('base64') })),
      checkpoints: checkpoints.map((c) => ({ logId: c.logId, state: c.state.toString('base64') })),
      runs: await this.runList(roomId),
      participants: participants.map((p) => ({ id: p.id, displayName: p.displayName, role: p.role as RoomRole, color: p.color })),
      finalCode: finalDoc.getText(DOC_FIELDS.code).toString(),
    };
  }
}

/** The shared arguments field: one argument per line. */
export function argsOf(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter((s) => s !== '').slice(0, 100);
}

function presentSnapshot(s: typeof roomSnapshots.$inferSelect) {
  return { id: s.id, name: s.name, auto: s.auto, code: s.code, participantId: s.participantId, createdAt: s.createdAt.toISOString() };
}

