/**
 * Rooms (issue 10) from the browser: REST with either the account's access token or a room
 * token (guests; kept in sessionStorage per room), and the Hocuspocus provider on
 * /api/v1/rooms/collab.
 */
import { HocuspocusProvider } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { API_PREFIX } from '../../api/http';
import { ApiError } from '../../api/errors';
import { tokens } from '../../api/session';
import { secondsToExpiry } from '../../api/token-manager';
import type { ApiResponse } from '../../api/generated';

/** The room as GET /rooms/{id} answers it (generated from the route schemas: `npm run gen:types`). */
export type RoomView = ApiResponse<'/api/v1/rooms/{id}', 'get'>;
export type RoomRole = RoomView['role'];

export interface Snapshot {
  id: string;
  name: string | null;
  auto: boolean;
  code: string;
  createdAt: string;
}

export interface RunResult {
  status: string;
  output: string | null;
  error: string | null;
  exitCode: number | null;
  verdict: string | null;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  compilationError: string | null;
}

export interface RoomRun {
  id: string;
  executionId: string | null;
  by: string | null;
  code: string;
  createdAt: string;
  result: RunResult | null;
}

const key = (roomId: string) => `muscode-room-token:${roomId}`;
export const roomTokens = {
  get: (roomId: string) => sessionStorage.getItem(key(roomId)),
  set: (roomId: string, token: string) => sessionStorage.setItem(key(roomId), token),
};

/** A REST call for a room: the room token when the tab holds one, else the account's token. */
export async function roomApi<T>(roomId: string | null, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const roomToken = roomId ? roomTokens.get(roomId) : null;
  if (roomToken) headers['x-room-token'] = roomToken;
  else {
    const t = tokens.get();
    if (t) headers.authorization = `Bearer ${t}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res = await fetch(`${API_PREFIX}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && !roomToken && tokens.get()) {
    const fresh = await tokens.refresh(tokens.get());
    if (fresh) res = await fetch(`${API_PREFIX}${path}`, { method, headers: { ...headers, authorization: `Bearer ${fresh}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const json = (await res.json().catch(() => null)) as { success: boolean; data: T; error?: { code: string; message: string } } | null;
  if (!res.ok || !json?.success) throw new ApiError(res.status, json?.error?.code ?? 'HTTP_ERROR', json?.error?.message ?? res.statusText);
  return json.data;
}

export function collabUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API_PREFIX}/rooms/collab`;
}

/** Opens the room's shared document; the token is asked for at every (re)connection. */
export function openRoom(roomId: string, handlers: { onStateless(p: Record<string, unknown>): void; onClose(code: number): void; onDenied(reason: string): void }) {
  const doc = new Y.Doc();
  const provider = new HocuspocusProvider({
    url: collabUrl(),
    name: `room:${roomId}`,
    document: doc,
    // Asked at every (re)connection: a room token, else a fresh access token (refreshed when
    // about to expire, so that a reconnect an hour into the interview is not refused).
    token: async () => {
      const room = roomTokens.get(roomId);
      if (room) return room;
      const t = tokens.get();
      if (t && (secondsToExpiry(t) ?? 0) > 20) return t;
      return (await tokens.refresh(t)) ?? '';
    },
    onStateless: ({ payload }) => {
      try {
        handlers.onStateless(JSON.parse(payload) as Record<string, unknown>);
      } catch {
        /* not ours */
      }
    },
    onClose: ({ event }) => handlers.onClose(event.code),
    onAuthenticationFailed: ({ reason }) => handlers.onDenied(reason),
  });
  return { doc, provider };
}

/** Replaces a Y.Text's content by one small edit (common prefix and suffix kept). */
export function replaceText(text: Y.Text, next: string): void {
  const cur = text.toString();
  if (cur === next) return;
  let start = 0;
  const max = Math.min(cur.length, next.length);
  while (start < max && cur[start] === next[start]) start++;
  let end = 0;
  while (end < max - start && cur[cur.length - 1 - end] === next[next.length - 1 - end]) end++;
  const del = cur.length - start - end;
  if (del > 0) text.delete(start, del);
  const ins = next.slice(start, next.length - end);
  if (ins) text.insert(start, ins);
}
