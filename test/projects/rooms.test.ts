import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { RunningServer } from '../../src/server/serve.js';
import { api, type Mode, registerUser, startExtraApi, startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';
import { createProject } from './helpers.js';

/**
 * The collaboration signal over socket.io: join:project / leave:project, code:update from the
 * owner relayed as code:changed to the others in the room. In cluster mode the viewers sit on a
 * second API instance, so the relay crosses replicas (socket.io Redis adapter).
 *
 * "Did not receive" is never a timed wait: socket.io keeps the order of one connection, so a
 * socket that later receives a marker update would have received the earlier one first. An
 * owner's second socket on the viewers' instance witnesses that an update has been handled
 * there before the test moves on.
 */

interface Changed {
  projectId: string;
  fileId: string | null;
  content: string;
  cursorPosition: unknown;
  userId: string;
  username: string;
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`project rooms over socket.io (${mode})`, () => {
    let server: TestServer;
    let second: RunningServer | undefined;
    let owner: Awaited<ReturnType<typeof registerUser>>;
    let other: Awaited<ReturnType<typeof registerUser>>;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      server = await startTestServer({ mode });
      if (mode === 'cluster') second = await startExtraApi(server);
      owner = await registerUser(server);
      other = await registerUser(server);
    });
    afterAll(async () => {
      for (const s of sockets) s.disconnect();
      await second?.close();
      await server?.stop();
    });

    const viewersUrl = () => (second ?? server).url;

    async function connect(url: string, token?: string): Promise<{ socket: Socket; got: Changed[] }> {
      const socket = io(url, { path: '/ws', auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      const got: Changed[] = [];
      socket.on('code:changed', (e: Changed) => got.push(e));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return { socket, got };
    }
    const emit = (s: Socket, event: string, payload: unknown) => s.timeout(10_000).emitWithAck(event, payload) as Promise<Record<string, unknown>>;

    it('lets readers join, relays the owner’s updates to the others, refuses the rest', async () => {
      const pub = await createProject(server, owner.token, { visibility: 'public' });
      const priv = await createProject(server, owner.token, { visibility: 'private' });
      const o = await connect(server.url, owner.token);
      const witness = await connect(viewersUrl(), owner.token);
      const v = await connect(viewersUrl(), other.token);
      const anon = await connect(viewersUrl());

      expect(await emit(o.socket, 'join:project', pub.id)).toEqual({ ok: true, projectId: pub.id, role: 'owner' });
      expect(await emit(witness.socket, 'join:project', { projectId: pub.id })).toMatchObject({ ok: true, role: 'owner' });
      expect(await emit(v.socket, 'join:project', { projectId: pub.id })).toEqual({ ok: true, projectId: pub.id, role: 'viewer' });
      expect(await emit(anon.socket, 'join:project', pub.id)).toMatchObject({ ok: true, role: 'viewer' });
      expect(await emit(v.socket, 'join:project', priv.id)).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(await emit(anon.socket, 'join:project', priv.id)).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(await emit(v.socket, 'join:project', crypto.randomUUID())).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(await emit(v.socket, 'join:project', 'not-a-uuid')).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });

      const fileId = pub.files[0]!.id;
      expect(await emit(o.socket, 'code:update', { projectId: pub.id, fileId, content: 'print(1)\n', cursorPosition: { line: 1, column: 9 } })).toEqual({ ok: true });
      await waitFor('the relay', () => v.got.length === 1 && anon.got.length === 1 && witness.got.length === 1);
      expect(v.got[0]).toEqual({ projectId: pub.id, fileId, content: 'print(1)\n', cursorPosition: { line: 1, column: 9 }, userId: owner.userId, username: owner.username });
      expect(o.got).toEqual([]);

      // Only the owner sends; joining first is required; a malformed update is refused.
      expect(await emit(v.socket, 'code:update', { projectId: pub.id, content: 'hack' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(await emit(anon.socket, 'code:update', { projectId: pub.id, content: 'hack' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(await emit(o.socket, 'code:update', { projectId: priv.id, content: 'x' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(await emit(o.socket, 'code:update', { projectId: pub.id })).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });

      // leave:project: the next update does not reach the socket that left.
      expect(await emit(anon.socket, 'leave:project', pub.id)).toEqual({ ok: true, projectId: pub.id });
      await emit(o.socket, 'code:update', { projectId: pub.id, content: 'after leave' });
      await waitFor('the witness', () => witness.got.length === 2);
      await emit(anon.socket, 'join:project', pub.id);
      await emit(o.socket, 'code:update', { projectId: pub.id, content: 'marker' });
      await waitFor('the marker', () => anon.got.length === 2);
      expect(anon.got.map((e) => e.content)).toEqual(['print(1)\n', 'marker']);
      expect(v.got.map((e) => e.content)).toEqual(['print(1)\n', 'after leave', 'marker']);
    });

    it('stops relaying to viewers once the project is private, and to everyone once it is deleted', async () => {
      const p = await createProject(server, owner.token, { visibility: 'unlisted' });
      const o = await connect(server.url, owner.token);
      const witness = await connect(viewersUrl(), owner.token);
      const v = await connect(viewersUrl(), other.token);
      for (const s of [o, witness, v]) expect(await emit(s.socket, 'join:project', p.id)).toMatchObject({ ok: true });

      await api(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: owner.token, body: { visibility: 'private' } });
      await emit(o.socket, 'code:update', { projectId: p.id, content: 'secret' });
      await waitFor('the witness', () => witness.got.length === 1);
      expect(await emit(v.socket, 'join:project', p.id)).toMatchObject({ error: { code: 'NOT_FOUND' } });
      await api(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: owner.token, body: { visibility: 'public' } });
      expect(await emit(v.socket, 'join:project', p.id)).toMatchObject({ ok: true });
      await emit(o.socket, 'code:update', { projectId: p.id, content: 'public again' });
      await waitFor('the marker', () => v.got.length === 1);
      expect(v.got.map((e) => e.content)).toEqual(['public again']);

      await api(server, 'DELETE', `/api/v1/projects/${p.id}`, { token: owner.token });
      expect(await emit(o.socket, 'code:update', { projectId: p.id, content: 'gone' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });
  });
}
