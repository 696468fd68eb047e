import { and, asc, desc, eq, gt, lte, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../db/client.js';
import { roomCheckpoints, rooms, roomUpdates } from '../db/schema.js';

/** A checkpoint is written once this many log rows follow the previous one. */
export const CHECKPOINT_EVERY = 200;
/**
 * Log rows younger than this are left out of checkpoints: with several API replicas writing,
 * a row with a smaller id may still commit after a larger one, and a checkpoint must equal
 * "every row with id <= logId".
 */
const CHECKPOINT_SETTLE_MS = 5000;


export interface LogRow {
  id: number;
  participantId: string | null;
  origin: string;
  data: Buffer;
  createdAt: Date;
}

/**
 * The room's persistence: an append-only update log (every Yjs update with its time and
 * author, the playback source), a compacted state for fast loads, and checkpoints rebuilt from
 * the log for seeking. Yjs updates are idempotent and commutative, so loading may apply an
 * update twice (state + a tail that overlaps it) without harm, but must never miss one.
 */
export class RoomStore {
  constructor(
    private readonly db: Db,
    private readonly settleMs = CHECKPOINT_SETTLE_MS,
  ) {}

  async append(roomId: string, participantId: string | null, origin: string, data: Uint8Array): Promise<number> {
    const [row] = await this.db.insert(roomUpdates).values({ roomId, participantId, origin, data: Buffer.from(data) }).returning({ id: roomUpdates.id });
    return row!.id;
  }

  /** The compacted state (written by onStoreDocument); `logId` = the newest log row known to be in it. */
  async saveState(roomId: string, state: Uint8Array, logId: number): Promise<void> {
    await this.db
      .update(rooms)
      .set({ state: Buffer.from(state), stateLogId: sql`greatest(${rooms.stateLogId}, ${logId})` })
      .where(eq(rooms.id, roomId));
  }

  /**
   * The room's current document from the database: the compacted state, then every log row
   * after it (and, to cover rows that committed late on another replica, the last minute's).
   */
  async loadInto(doc: Y.Doc, roomId: string, origin: unknown = 'load'): Promise<number> {
    const [room] = await this.db.select({ state: rooms.state, stateLogId: rooms.stateLogId }).from(rooms).where(eq(rooms.id, roomId));
    if (!room) return 0;
    if (room.state) Y.applyUpdate(doc, room.state, origin);
    const rows = await this.db
      .select({ id: roomUpdates.id, data: roomUpdates.data })
      .from(roomUpdates)
      .where(and(eq(roomUpdates.roomId, roomId), sql`(${roomUpdates.id} > ${room.stateLogId} or ${roomUpdates.createdAt} > now() - interval '60 seconds')`))
      .orderBy(asc(roomUpdates.id));
    let last = room.stateLogId;
    if (rows.length) {
      Y.applyUpdate(doc, Y.mergeUpdates(rows.map((r) => r.data)), origin);
      last = Math.max(last, rows[rows.length - 1]!.id);
    }
    return last;
  }

  async log(roomId: string, afterId = 0, limit = 100_000): Promise<LogRow[]> {
    return this.db
      .select({ id: roomUpdates.id, participantId: roomUpdates.participantId, origin: roomUpdates.origin, data: roomUpdates.data, createdAt: roomUpdates.createdAt })
      .from(roomUpdates)
      .where(and(eq(roomUpdates.roomId, roomId), gt(roomUpdates.id, afterId)))
      .orderBy(asc(roomUpdates.id))
      .limit(limit);
  }

  async checkpoints(roomId: string): Promise<{ logId: number; state: Buffer }[]> {
    return this.db.select({ logId: roomCheckpoints.logId, state: roomCheckpoints.state }).from(roomCheckpoints).where(eq(roomCheckpoints.roomId, roomId)).orderBy(asc(roomCheckpoints.logId));
  }

  /** The document as it was after log row `uptoId` (everything when omitted): nearest checkpoint, then the rows after it. */
  async replay(roomId: string, uptoId?: number): Promise<Y.Doc> {
    const doc = new Y.Doc();
    const cond = uptoId === undefined ? eq(roomCheckpoints.roomId, roomId) : and(eq(roomCheckpoints.roomId, roomId), lte(roomCheckpoints.logId, uptoId));
    const [cp] = await this.db.select().from(roomCheckpoints).where(cond).orderBy(desc(roomCheckpoints.logId)).limit(1);
    if (cp) Y.applyUpdate(doc, cp.state);
    const rows = await this.db
      .select({ data: roomUpdates.data })
      .from(roomUpdates)
      .where(and(eq(roomUpdates.roomId, roomId), gt(roomUpdates.id, cp?.logId ?? 0), uptoId === undefined ? undefined : lte(roomUpdates.id, uptoId)))
      .orderBy(asc(roomUpdates.id));
    if (rows.length) Y.applyUpdate(doc, Y.mergeUpdates(rows.map((r) => r.data)));
    return doc;
  }

  /**
   * Writes the checkpoints that are due (one per CHECKPOINT_EVERY settled rows), each rebuilt
   * from the previous checkpoint and the log, never from a live document. Idempotent across
   * replicas (unique (room, logId)).
   */
  async checkpoint(roomId: string): Promise<number> {
    let written = 0;
    for (;;) {
      const [cp] = await this.db.select().from(roomCheckpoints).where(eq(roomCheckpoints.roomId, roomId)).orderBy(desc(roomCheckpoints.logId)).limit(1);
      const from = cp?.logId ?? 0;
      const rows = await this.db
        .select({ id: roomUpdates.id, data: roomUpdates.data })
        .from(roomUpdates)
        .where(and(eq(roomUpdates.roomId, roomId), gt(roomUpdates.id, from), sql`${roomUpdates.createdAt} < now() - make_interval(secs => ${this.settleMs / 1000})`))
        .orderBy(asc(roomUpdates.id))
        .limit(CHECKPOINT_EVERY);
      if (rows.length < CHECKPOINT_EVERY) return written;
      const updates = rows.map((r) => r.data as Uint8Array);
      if (cp) updates.unshift(cp.state);
      const state = Y.mergeUpdates(updates);
      await this.db
        .insert(roomCheckpoints)
        .values({ roomId, logId: rows[rows.length - 1]!.id, state: Buffer.from(state) })
        .onConflictDoNothing();
      written++;
    }
  }
}

/** The text fields of a document. */
export function textOf(doc: Y.Doc, field: string): string {
  return doc.getText(field).toString();
}

/**
 * Replaces a Y.Text's content with `next` as one small edit (common prefix and suffix kept),
 * so that a restore is a normal edit: cursors elsewhere survive, and it plays back as one step.
 */
export function replaceText(text: Y.Text, next: string): void {
  const cur = text.toString();
  if (cur === next) return;
  let start = 0;
  const max = Math.min(cur.length, next.length);
  while (start < max && cur.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && cur.charCodeAt(cur.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++;
  const del = cur.length - start - end;
  if (del > 0) text.delete(start, del);
  const ins = next.slice(start, next.length - end);
  if (ins) text.insert(start, ins);
}
