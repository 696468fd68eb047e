import type { IncomingMessage } from 'node:http';
import { Hocuspocus, type Document } from '@hocuspocus/server';
import { applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import type { Config } from '../config/config.js';
import { wsCloseCode, wsErrorCode } from '../realtime/ws-errors.js';
import type { RoomRelay, RelayMessage } from './relay.js';
import { FilteredSocket, statelessMessage, type DocAccess } from './socket-filter.js';
import { type RoomStore, replaceText } from './store.js';
import { DOC_FIELDS, docName, type RoomIdentity, roomIdOf } from './types.js';

export const COLLAB_PATH = '/api/v1/rooms/collab';

/** What the collaboration layer asks of the room service. */
export interface CollabHooks {
  /** Who the token is in this room (throws a CallerError to refuse), and whether read-only. */
  authenticate(token: string, roomId: string): Promise<{ access: DocAccess; closesAt: Date | null }>;
  /** Called every ROOM_AUTO_SNAPSHOT_MS for a room whose code changed here since the last call. */
  autoSnapshot(roomId: string, code: string): Promise<void>;
  /** A run event for the room arrived (from this replica or another): follow its output here. */
  onRunAnnounced(roomId: string, payload: string): void;
  /** The room was loaded on this replica (arm its closing). */
  loaded(roomId: string): Promise<void>;
}

interface LoadedRoom {
  roomId: string;
  /** Newest log id known to be in the document (load, local appends, relayed updates). */
  logId: number;
  /** Local appends, in order. */
  chain: Promise<unknown>;
  dirty: boolean;
  lastSnapshot: string;
  timer: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
  unsubscribe?: () => Promise<void>;
}

/** Origins of server-side changes (not appended to the log as a participant's). */
const RELAY = 'relay';
const LOAD = 'load';

/**
 * Hocuspocus 3.4 on our own HTTP server (never its Server class, which binds every interface):
 * the upgrade router hands /api/v1/rooms/collab to a `ws` server in noServer mode, and each
 * socket goes to `hocuspocus.handleConnection` behind a FilteredSocket (socket-filter.ts).
 *
 * Refusals happen in onAuthenticate only, before a document exists: Hocuspocus leaks the
 * document when onLoadDocument throws (hocuspocus#1156), so onLoadDocument cleans up itself.
 */
export class RoomCollab {
  readonly hocuspocus: Hocuspocus;
  private readonly wss: WebSocketServer;
  private readonly loaded = new Map<string, LoadedRoom>();
  private readonly sockets = new Set<FilteredSocket>();

  constructor(
    private readonly config: Config,
    private readonly store: RoomStore,
    private readonly hooks: CollabHooks,
    private readonly relay: RoomRelay | null,
    private readonly log: { error(o: object, m?: string): void },
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.ROOM_MAX_MESSAGE_BYTES * 2 });
    const self = this;
    this.hocuspocus = new Hocuspocus({
      name: 'muscode-rooms',
      quiet: true,
      // The compacted state is written 2 s after a change (10 s at most); the log has every update at once.
      debounce: 2000,
      maxDebounce: 10_000,
      async onAuthenticate(data) {
        return self.authenticate(data.token, data.documentName, data.context as { socket: FilteredSocket }, data.connectionConfig);
      },
      async onLoadDocument(data) {
        await self.loadDocument(data.document, data.documentName);
      },
      async onChange(data) {
        self.changed(data.document, data.update, data.transactionOrigin, data.context as { access?: DocAccess });
      },
      async onStoreDocument(data) {
        const room = self.loaded.get(data.documentName);
        if (room) await self.store.saveState(room.roomId, Y.encodeStateAsUpdate(data.document), room.logId);
      },
      async afterUnloadDocument(data) {
        await self.unloaded(data.documentName);
      },
    });
  }

  /** Registers the WebSocket route on the app's upgrade router. */
  upgradeHandler() {
    return (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const filtered = new FilteredSocket(ws, {
          maxMessageBytes: this.config.ROOM_MAX_MESSAGE_BYTES,
          ratePerSecond: this.config.ROOM_RATE_MESSAGES,
          burst: this.config.ROOM_RATE_BURST,
          authTimeoutMs: this.config.ROOM_AUTH_TIMEOUT_MS,
        });
        this.sockets.add(filtered);
        ws.once('close', () => this.sockets.delete(filtered));
        this.hocuspocus.handleConnection(filtered as unknown as import('ws').WebSocket, req, { socket: filtered });
      });
    };
  }

  private async authenticate(token: string, documentName: string, context: { socket: FilteredSocket }, config: { readOnly: boolean }) {
    const socket = context.socket;
    try {
      const roomId = roomIdOf(documentName);
      if (!roomId) throw Object.assign(new Error('not a room'), { code: 'NOT_FOUND' });
      const { access } = await this.hooks.authenticate(token, roomId);
      config.readOnly = access.readOnly;
      socket.authenticated(documentName, access);
      return { access };
    } catch (err) {
      const code = (err as { code?: string }).code === 'NOT_FOUND' ? 'NOT_FOUND' : wsErrorCode(err);
      const close = code === 'NOT_FOUND' ? 4404 : wsCloseCode(err);
      socket.refusal = { code: close, reason: code };
      // After Hocuspocus's permission-denied message (sent once this rejects), close the socket.
      setTimeout(() => socket.close(close, code), 20);
      // An error without a message: Hocuspocus then does not print it.
      throw { reason: code };
    }
  }

  private async loadDocument(document: Document, documentName: string): Promise<void> {
    const roomId = roomIdOf(documentName)!;
    const pending: RelayMessage[] = [];
    let unsubscribe: (() => Promise<void>) | undefined;
    try {
      // Subscribe first, load second: an update relayed meanwhile is buffered, none is lost.
      let room: LoadedRoom | undefined;
      if (this.relay) unsubscribe = await this.relay.subscribe(roomId, (m) => (room ? this.relayed(document, room, m) : pending.push(m)));
      const logId = await this.store.loadInto(document, roomId, LOAD);
      room = {
        roomId,
        logId,
        chain: Promise.resolve(),
        dirty: false,
        lastSnapshot: document.getText(DOC_FIELDS.code).toString(),
        timer: setInterval(() => void this.tick(document, room!), this.config.ROOM_AUTO_SNAPSHOT_MS),
        unsubscribe,
      };
      room.timer.unref();
      this.loaded.set(documentName, room);
      for (const m of pending) this.relayed(document, room, m);
      this.watchAwareness(document);
      await this.hooks.loaded(roomId);
    } catch (err) {
      // Hocuspocus would keep this document forever (hocuspocus#1156): destroy it here.
      await unsubscribe?.().catch(() => undefined);
      this.loaded.delete(documentName);
      document.destroy();
      throw err;
    }
  }

  /**
   * Arms the room's closing at `at` (its expiry) on this replica. A room already closed is not
   * closed again: connecting afterwards is allowed, read-only (the archive).
   */
  scheduleClose(roomId: string, at: Date | null): void {
    const room = this.loaded.get(docName(roomId));
    if (!room) return;
    clearTimeout(room.expiry);
    if (!at || at.getTime() <= Date.now()) return;
    const fire = () => {
      const ms = at.getTime() - Date.now();
      if (ms > 0) {
        room.expiry = setTimeout(fire, Math.min(ms, 2 ** 30));
        room.expiry.unref();
      } else {
        this.closeLocal(roomId);
      }
    };
    fire();
  }

  /** Closes every connection of the room, here and on the other replicas (4410). */
  async closeRoom(roomId: string): Promise<void> {
    this.closeLocal(roomId);
    await this.relay?.publish(roomId, { kind: 'close' }).catch((err: unknown) => this.log.error({ err }, 'room relay failed'));
  }

  private closeLocal(roomId: string): void {
    const name = docName(roomId);
    for (const s of this.sockets) if (s.access.has(name)) s.close(4410, 'ROOM_CLOSED');
  }

  private changed(document: Document, update: Uint8Array, origin: unknown, context: { access?: DocAccess }): void {
    const room = this.loaded.get(document.name);
    if (!room || origin === RELAY || origin === LOAD) return;
    room.dirty = true;
    const identity: RoomIdentity | undefined = context?.access?.identity;
    const kind = (context as { origin?: string })?.origin ?? (identity ? 'edit' : 'server');
    room.chain = room.chain
      .then(async () => {
        const logId = await this.store.append(room.roomId, identity?.participantId ?? null, kind, update);
        room.logId = Math.max(room.logId, logId);
        await this.relay?.publish(room.roomId, { kind: 'update', data: update, logId });
      })
      .catch((err: unknown) => this.log.error({ err, roomId: room.roomId }, 'room update not stored'));
    this.enforceSize(document, origin);
  }

  /** The document limit: past it, the code is cut back and the connection that grew it is closed (4413). */
  private enforceSize(document: Document, origin: unknown): void {
    const code = document.getText(DOC_FIELDS.code);
    const other = document.getText(DOC_FIELDS.stdin).length + document.getText(DOC_FIELDS.args).length;
    const over = code.length + other - this.config.ROOM_MAX_DOCUMENT_CHARS;
    if (over <= 0) return;
    setImmediate(() => {
      if (this.hocuspocus.documents.get(document.name) !== document) return;
      document.transact(() => {
        const c = document.getText(DOC_FIELDS.code);
        const cut = Math.min(c.length, c.length + other - this.config.ROOM_MAX_DOCUMENT_CHARS);
        if (cut > 0) c.delete(c.length - cut, cut);
        if (document.getText(DOC_FIELDS.code).length + other > this.config.ROOM_MAX_DOCUMENT_CHARS) {
          replaceText(document.getText(DOC_FIELDS.stdin), '');
          replaceText(document.getText(DOC_FIELDS.args), '');
        }
      }, 'limit');
    });
    const ws = (origin as { webSocket?: FilteredSocket } | null)?.webSocket;
    if (ws instanceof FilteredSocket) ws.close(4413, 'DOCUMENT_TOO_LARGE');
  }

  private relayed(document: Document, room: LoadedRoom, m: RelayMessage): void {
    switch (m.kind) {
      case 'update':
        Y.applyUpdate(document, m.data, RELAY);
        room.logId = Math.max(room.logId, m.logId);
        break;
      case 'awareness':
        applyAwarenessUpdate(document.awareness, m.data, RELAY);
        break;
      case 'stateless':
        this.broadcastLocal(room.roomId, m.payload);
        this.hooks.onRunAnnounced(room.roomId, m.payload);
        break;
      case 'close':
        this.closeLocal(room.roomId);
        break;
    }
  }

  /** Every 30 s: an automatic snapshot if the code changed here; due checkpoints; in cluster mode, re-read the recent log. */
  private async tick(document: Document, room: LoadedRoom): Promise<void> {
    try {
      const code = document.getText(DOC_FIELDS.code).toString();
      if (room.dirty && code !== room.lastSnapshot) {
        room.lastSnapshot = code;
        await this.hooks.autoSnapshot(room.roomId, code);
      }
      room.dirty = false;
      await this.store.checkpoint(room.roomId);
      if (this.relay) await this.store.loadInto(document, room.roomId, RELAY);
    } catch (err) {
      this.log.error({ err, roomId: room.roomId }, 'room tick failed');
    }
  }

  /** Sends a stateless payload to this replica's connections of the room. */
  broadcastLocal(roomId: string, payload: string): void {
    const doc = this.hocuspocus.documents.get(docName(roomId));
    doc?.getConnections().forEach((c) => c.send(statelessMessage(doc.name, payload)));
  }

  /** To every connection of the room on every replica. */
  async broadcast(roomId: string, payload: string): Promise<void> {
    this.broadcastLocal(roomId, payload);
    await this.relay?.publish(roomId, { kind: 'stateless', payload });
  }

  /** Awareness changes made by this replica's clients go to the other replicas. */
  watchAwareness(document: Document): void {
    if (!this.relay) return;
    const room = this.loaded.get(document.name);
    if (!room) return;
    document.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === RELAY) return;
      const data = encodeAwarenessUpdate(document.awareness, [...added, ...updated, ...removed]);
      void this.relay!.publish(room.roomId, { kind: 'awareness', data }).catch(() => undefined);
    });
  }

  /** Whether this replica has the room loaded (tests, diagnostics). */
  isLoaded(roomId: string): boolean {
    return this.hocuspocus.documents.has(docName(roomId));
  }

  /** A server-side edit of the live document (restore, saveCode), as a normal change every participant sees. */
  async edit(roomId: string, identity: RoomIdentity, origin: string, fn: (doc: Y.Doc) => void): Promise<void> {
    const conn = await this.hocuspocus.openDirectConnection(docName(roomId), { access: { identity, readOnly: false }, origin });
    try {
      // One transaction whose origin is the direct connection: onChange then sees its context (author, origin).
      await conn.transact((doc) => doc.transact(() => fn(doc), conn));
    } finally {
      await conn.disconnect();
    }
  }

  /** The live text of a field if the room is loaded here, else null. */
  liveText(roomId: string, field: string): string | null {
    const doc = this.hocuspocus.documents.get(docName(roomId));
    return doc ? doc.getText(field).toString() : null;
  }

  /** Waits for this replica's pending log appends of a room (tests, End, shutdown). */
  async flush(roomId?: string): Promise<void> {
    for (const [, room] of this.loaded) if (!roomId || room.roomId === roomId) await room.chain;
  }

  private async unloaded(documentName: string): Promise<void> {
    const room = this.loaded.get(documentName);
    if (!room) return;
    this.loaded.delete(documentName);
    clearInterval(room.timer);
    clearTimeout(room.expiry);
    await room.chain;
    await room.unsubscribe?.().catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.raw.terminate();
    for (const name of [...this.loaded.keys()]) {
      const room = this.loaded.get(name)!;
      await room.chain;
      const doc = this.hocuspocus.documents.get(name);
      if (doc) await this.store.saveState(room.roomId, Y.encodeStateAsUpdate(doc), room.logId).catch(() => undefined);
      await this.unloaded(name);
    }
    this.wss.close();
  }
}
