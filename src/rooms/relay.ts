import { Redis } from 'ioredis';

/**
 * Cluster mode: Yjs updates, awareness and room signals travel between API replicas over Redis
 * pub/sub, one channel per room. Yjs updates are idempotent and commutative, so it does not
 * matter in which order, or how often, a replica receives one. Redis pub/sub may drop a
 * message (a reconnect); the collaboration layer also re-reads the recent log periodically.
 */
export type RelayMessage =
  | { kind: 'update'; data: Uint8Array; logId: number }
  | { kind: 'awareness'; data: Uint8Array }
  /** A stateless payload for every connection of the room (run events, notices). */
  | { kind: 'stateless'; payload: string }
  /** The room expired or was ended: close its connections. */
  | { kind: 'close' };

export interface RoomRelay {
  subscribe(roomId: string, handler: (m: RelayMessage) => void): Promise<() => Promise<void>>;
  publish(roomId: string, m: RelayMessage): Promise<void>;
  close(): Promise<void>;
}

const KINDS = ['update', 'awareness', 'stateless', 'close'] as const;

function encode(origin: string, m: RelayMessage): Buffer {
  const head = { o: origin, k: KINDS.indexOf(m.kind), l: m.kind === 'update' ? m.logId : 0, p: m.kind === 'stateless' ? m.payload : undefined };
  const json = Buffer.from(JSON.stringify(head));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  const body = m.kind === 'update' || m.kind === 'awareness' ? Buffer.from(m.data) : Buffer.alloc(0);
  return Buffer.concat([len, json, body]);
}

function decode(buf: Buffer): { origin: string; m: RelayMessage } | null {
  try {
    const n = buf.readUInt32BE(0);
    const head = JSON.parse(buf.subarray(4, 4 + n).toString('utf8')) as { o: string; k: number; l: number; p?: string };
    const data = new Uint8Array(buf.subarray(4 + n));
    const kind = KINDS[head.k];
    const m: RelayMessage | null =
      kind === 'update' ? { kind, data, logId: head.l } : kind === 'awareness' ? { kind, data } : kind === 'stateless' ? { kind, payload: head.p ?? '' } : kind === 'close' ? { kind } : null;
    return m ? { origin: head.o, m } : null;
  } catch {
    return null;
  }
}

export class RedisRoomRelay implements RoomRelay {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, Set<(m: RelayMessage) => void>>();

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly instanceId: string,
  ) {
    this.pub = new Redis(url, { maxRetriesPerRequest: 3 });
    this.sub = new Redis(url);
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const set = this.handlers.get(channel.toString());
      if (!set) return;
      const d = decode(message);
      if (!d || d.origin === this.instanceId) return;
      for (const h of set) h(d.m);
    });
  }

  private channel(roomId: string): string {
    return `${this.prefix}:rooms:${roomId}`;
  }

  async subscribe(roomId: string, handler: (m: RelayMessage) => void): Promise<() => Promise<void>> {
    const ch = this.channel(roomId);
    let set = this.handlers.get(ch);
    if (!set) {
      set = new Set();
      this.handlers.set(ch, set);
      await this.sub.subscribe(ch);
    }
    set.add(handler);
    return async () => {
      const s = this.handlers.get(ch);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) {
        this.handlers.delete(ch);
        await this.sub.unsubscribe(ch).catch(() => undefined);
      }
    };
  }

  async publish(roomId: string, m: RelayMessage): Promise<void> {
    await this.pub.publish(this.channel(roomId), encode(this.instanceId, m));
  }

  async close(): Promise<void> {
    await this.sub.quit().catch(() => undefined);
    await this.pub.quit().catch(() => undefined);
  }
}
