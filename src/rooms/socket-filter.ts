import { EventEmitter } from 'node:events';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import type { RoomIdentity } from './types.js';

/** Hocuspocus message types (its `MessageType`), and y-protocols' sync subtypes. */
export const MSG = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3, syncReply: 4, stateless: 5, broadcastStateless: 6, close: 7 } as const;
const SYNC_UPDATE = 2;

export interface FilterLimits {
  maxMessageBytes: number;
  ratePerSecond: number;
  burst: number;
  /** Close a socket that authenticated no document within this time (4401). */
  authTimeoutMs: number;
}

/** What a room connection is, per document it opened (a socket may multiplex several). */
export interface DocAccess {
  identity: RoomIdentity;
  readOnly: boolean;
  /** The awareness client id this connection speaks for (the first one it used). */
  clientId?: number;
}

/** Messages held per socket before a document's authentication finished. */
const MAX_HELD = 64;

/**
 * What Hocuspocus sees instead of the raw `ws` socket. Every incoming message passes here
 * first, so that the server, not the client, decides:
 * - size and rate per connection (token bucket): past them the socket closes (4413, 4429);
 * - awareness: `user` (name, colour, role) is replaced by the server-side identity, and a
 *   connection may speak for one awareness client only (no spoofed cursors);
 * - a client's BroadcastStateless is dropped (stateless messages are the server's channel:
 *   run output, notices);
 * - a viewer's edit is passed on (Hocuspocus refuses it and answers syncStatus false) and the
 *   viewer is also told why, in a stateless `read-only` notice;
 * - until a document's onAuthenticate succeeded, everything but the auth message is held here
 *   (Hocuspocus would queue it and later replay it without passing this filter).
 */
export class FilteredSocket extends EventEmitter {
  readonly access = new Map<string, DocAccess>();
  /** Set by the auth hook before it throws: the close code to use after permission-denied. */
  refusal: { code: number; reason: string } | null = null;
  binaryType = 'nodebuffer';
  private tokens: number;
  private last = Date.now();
  private held = new Map<string, Buffer[]>();
  private lastNotice = 0;

  constructor(
    readonly raw: WebSocket,
    private readonly limits: FilterLimits,
  ) {
    super();
    this.tokens = limits.burst;
    raw.on('message', (data: Buffer, isBinary: boolean) => this.incoming(isBinary ? data : Buffer.from(data)));
    const authTimer = setTimeout(() => {
      if (this.access.size === 0) this.closeWith(4401, 'UNAUTHORIZED');
    }, limits.authTimeoutMs);
    authTimer.unref();
    raw.on('close', (code: number, reason: Buffer) => {
      clearTimeout(authTimer);
      this.emit('close', code, reason);
    });
    raw.on('pong', () => this.emit('pong'));
    raw.on('error', () => undefined);
  }

  get readyState(): number {
    return this.raw.readyState;
  }
  send(data: Uint8Array, cb?: (err?: Error) => void): void {
    this.raw.send(data, cb);
  }
  close(code?: number, reason?: string): void {
    this.raw.close(code, reason);
  }
  ping(): void {
    this.raw.ping();
  }

  /** Releases what was held for a document once its authentication succeeded. */
  authenticated(documentName: string, access: DocAccess): void {
    this.access.set(documentName, access);
    const held = this.held.get(documentName) ?? [];
    this.held.delete(documentName);
    for (const m of held) this.incoming(m, true);
  }

  private closeWith(code: number, reason: string): void {
    if (this.raw.readyState <= 1) this.raw.close(code, reason);
  }

  private incoming(data: Buffer, replay = false): void {
    if (!replay) {
      if (data.length > this.limits.maxMessageBytes) return this.closeWith(4413, 'PAYLOAD_TOO_LARGE');
      const now = Date.now();
      this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.last) / 1000) * this.limits.ratePerSecond);
      this.last = now;
      if (this.tokens < 1) return this.closeWith(4429, 'RATE_LIMITED');
      this.tokens -= 1;
    }
    let name: string;
    let type: number;
    const dec = decoding.createDecoder(data);
    try {
      name = decoding.readVarString(dec);
      type = decoding.readVarUint(dec);
    } catch {
      return this.closeWith(4400, 'VALIDATION_ERROR');
    }
    const access = this.access.get(name);
    if (!access) {
      if (type === MSG.auth) return void this.emit('message', data);
      const held = this.held.get(name) ?? [];
      if (held.length >= MAX_HELD || this.held.size > 16) return this.closeWith(4429, 'RATE_LIMITED');
      held.push(data);
      this.held.set(name, held);
      return;
    }
    if (type === MSG.broadcastStateless) return;
    if (type === MSG.awareness) {
      const stamped = stampAwareness(name, dec, access);
      if (stamped) this.emit('message', stamped);
      return;
    }
    if (access.readOnly && (type === MSG.sync || type === MSG.syncReply)) {
      try {
        if (decoding.readVarUint(dec) === SYNC_UPDATE) this.notice(name, 'read-only', 'this room is read-only for you: your edit was not applied');
      } catch {
        return this.closeWith(4400, 'VALIDATION_ERROR');
      }
    }
    this.emit('message', data);
  }

  /** A server notice on the stateless channel (at most one a second). */
  private notice(documentName: string, event: string, message: string): void {
    const now = Date.now();
    if (now - this.lastNotice < 1000) return;
    this.lastNotice = now;
    this.raw.send(statelessMessage(documentName, JSON.stringify({ event, message })));
  }
}

/** A Hocuspocus stateless message (type 5) carrying `payload`. */
export function statelessMessage(documentName: string, payload: string): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarString(enc, documentName);
  encoding.writeVarUint(enc, MSG.stateless);
  encoding.writeVarString(enc, payload);
  return encoding.toUint8Array(enc);
}

/**
 * Rewrites an awareness message: each entry's `user` becomes the server's identity; entries for
 * another client id than the connection's first are dropped. Null when nothing is left.
 */
function stampAwareness(documentName: string, dec: decoding.Decoder, access: DocAccess): Uint8Array | null {
  let entries: { clientId: number; clock: number; state: string }[];
  try {
    const update = decoding.createDecoder(decoding.readVarUint8Array(dec));
    const n = decoding.readVarUint(update);
    if (n > 16) return null;
    entries = [];
    for (let i = 0; i < n; i++) {
      entries.push({ clientId: decoding.readVarUint(update), clock: decoding.readVarUint(update), state: decoding.readVarString(update) });
    }
  } catch {
    return null;
  }
  const out: typeof entries = [];
  for (const e of entries) {
    access.clientId ??= e.clientId;
    if (e.clientId !== access.clientId) continue;
    let state: unknown;
    try {
      state = JSON.parse(e.state);
    } catch {
      continue;
    }
    if (state === null) {
      out.push(e);
      continue;
    }
    if (typeof state !== 'object' || Array.isArray(state)) continue;
    const { identity } = access;
    const stamped = {
      ...(state as Record<string, unknown>),
      user: { name: identity.displayName, color: identity.color, colorLight: `${identity.color}33`, role: identity.role, participantId: identity.participantId },
    };
    out.push({ ...e, state: JSON.stringify(stamped) });
  }
  if (!out.length) return null;
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, out.length);
  for (const e of out) {
    encoding.writeVarUint(inner, e.clientId);
    encoding.writeVarUint(inner, e.clock);
    encoding.writeVarString(inner, e.state);
  }
  const enc = encoding.createEncoder();
  encoding.writeVarString(enc, documentName);
  encoding.writeVarUint(enc, MSG.awareness);
  encoding.writeVarUint8Array(enc, encoding.toUint8Array(inner));
  return encoding.toUint8Array(enc);
}
