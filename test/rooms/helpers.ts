import { HocuspocusProvider } from '@hocuspocus/provider';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { api } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';

export interface User {
  userId: string;
  token: string;
  username: string;
}

export async function newUser(server: { url: string }, tag = 'r'): Promise<User> {
  const username = `${tag}${process.pid}x${Math.random().toString(36).slice(2, 9)}`;
  const r = await api<{ data: { userId: string; token: string } }>(server, 'POST', '/api/v1/auth/register', {
    body: { email: `${username}@example.com`, username, password: 'correct horse battery' },
  });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...r.body.data, username };
}

export interface RoomView {
  id: string;
  role: string;
  participantId: string;
  closed: boolean;
  invites: { role: string; token: string; path: string }[] | null;
  participants: { id: string; displayName: string; role: string }[];
}

export async function createRoom(server: { url: string }, user: User, body: Record<string, unknown> = {}): Promise<RoomView> {
  const r = await api<{ data: RoomView }>(server, 'POST', '/api/v1/rooms', { token: user.token, body: { title: 'Interview', language: 'python', ...body } });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

export function inviteFor(room: RoomView, role: string): string {
  return room.invites!.find((i) => i.role === role)!.token;
}

export async function joinAsGuest(server: { url: string }, room: RoomView, role: string, displayName: string): Promise<{ roomToken: string; room: RoomView }> {
  const r = await api<{ data: { roomToken: string; room: RoomView } }>(server, 'POST', '/api/v1/rooms/join', { body: { invite: inviteFor(room, role), displayName } });
  if (r.status !== 200) throw new Error(`join: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

export interface Client {
  provider: HocuspocusProvider;
  doc: Y.Doc;
  code: Y.Text;
  stateless: Record<string, unknown>[];
  closeCodes: number[];
  denied: string | null;
  destroy(): void;
}

/** A Node client (HocuspocusProvider over `ws`), resolved once synced or refused. */
export async function connect(server: { url: string }, roomId: string | string, token: string, opts: { name?: string; wait?: boolean } = {}): Promise<Client> {
  const doc = new Y.Doc();
  const c: Client = {
    doc,
    code: doc.getText('code'),
    stateless: [],
    closeCodes: [],
    denied: null,
    provider: undefined as unknown as HocuspocusProvider,
    destroy: () => c.provider.destroy(),
  };
  let synced = false;
  c.provider = new HocuspocusProvider({
    url: `${server.url.replace('http', 'ws')}/api/v1/rooms/collab`,
    name: opts.name ?? `room:${roomId}`,
    document: doc,
    token,
    WebSocketPolyfill: WebSocket,
    onSynced: () => {
      synced = true;
    },
    onAuthenticationFailed: ({ reason }) => {
      c.denied = reason;
    },
    onStateless: ({ payload }) => {
      c.stateless.push(JSON.parse(payload) as Record<string, unknown>);
    },
    onClose: ({ event }) => {
      c.closeCodes.push(event.code);
    },
  });
  if (opts.wait !== false) await waitFor('synced or refused', () => synced || c.denied !== null);
  if (c.denied !== null) {
    await waitFor('the refused socket to close', () => c.closeCodes.length > 0);
    c.provider.destroy();
  }
  return c;
}

export const textOf = (c: Client) => c.code.toString();
