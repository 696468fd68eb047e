import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { RunningServer } from '../../src/server/serve.js';
import { api, type Mode, registerUser, startExtraApi, startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';
import { sql } from 'drizzle-orm';
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

interface Removed {
  projectId: string;
  reason: 'private' | 'deleted';
  message: string;
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

    async function connect(url: string, token?: string): Promise<{ socket: Socket; got: Changed[]; removed: Removed[] }> {
      const socket = io(url, { path: '/ws', auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      const got: Changed[] = [];
      const removed: Removed[] = [];
      socket.on('code:changed', (e: Changed) => got.push(e));
      socket.on('project:removed', (e: Removed) => removed.push(e));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return { socket, got, removed };
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

    /**
     * "Received nothing" without a timed wait: after the owner's update was acknowledged (the
     * relay was handed to the adapter), the viewer makes a round trip on its own connection;
     * anything relayed to it earlier would have arrived before that answer.
     */
    const roundTrip = async (s: Socket) => expect(await emit(s, 'leave:project', crypto.randomUUID())).toMatchObject({ ok: true });

    it('removes a viewer who joined in an unlisted window as soon as the project is private again (red-team M2)', async () => {
      // The report's sequence: private, owner update; unlisted, Bob joins; private, update SECRET.
      const p = await createProject(server, owner.token, { visibility: 'private' });
      const alice = await connect(server.url, owner.token);
      const witness = await connect(viewersUrl(), owner.token);
      expect(await emit(alice.socket, 'join:project', p.id)).toMatchObject({ ok: true, role: 'owner' });
      expect(await emit(witness.socket, 'join:project', p.id)).toMatchObject({ ok: true, role: 'owner' });
      expect(await emit(alice.socket, 'code:update', { projectId: p.id, content: 'first, private' })).toEqual({ ok: true });

      expect((await api(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: owner.token, body: { visibility: 'unlisted' } })).status).toBe(200);
      const bob = await connect(viewersUrl(), other.token);
      expect(await emit(bob.socket, 'join:project', p.id)).toMatchObject({ ok: true, role: 'viewer' });

      // Back to private, with no update in between: Bob is out before the PATCH answers.
      expect((await api(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: owner.token, body: { visibility: 'private' } })).status).toBe(200);
      await waitFor('the removal notice', () => bob.removed.length === 1);
      expect(bob.removed).toEqual([{ projectId: p.id, reason: 'private', message: 'the project is now private' }]);
      expect(await emit(alice.socket, 'code:update', { projectId: p.id, content: 'SECRET after private' })).toEqual({ ok: true });
      await waitFor('the witness', () => witness.got.some((e) => e.content === 'SECRET after private'));
      await roundTrip(bob.socket);
      expect(bob.got.map((e) => e.content)).toEqual([]);
      // He cannot come back, and the owner's sockets were never removed.
      expect(await emit(bob.socket, 'join:project', p.id)).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(alice.removed).toEqual([]);
      expect(witness.removed).toEqual([]);
    });

    it('rechecks the room on every private update: a viewer whose join raced the change is removed before the relay', async () => {
      const p = await createProject(server, owner.token, { visibility: 'public' });
      const alice = await connect(server.url, owner.token);
      const bob = await connect(viewersUrl(), other.token);
      expect(await emit(alice.socket, 'join:project', p.id)).toMatchObject({ ok: true });
      // Visibility changed in the database directly, past the HTTP route and its recheck (as when
      // a join read the project just before the change): only the update's own recheck stands in the way.
      await server.platform.ctx.database.db.execute(sql`update projects set visibility = 'private' where id = ${p.id}`);
      expect(await emit(bob.socket, 'join:project', p.id)).toMatchObject({ error: { code: 'NOT_FOUND' } });
      await server.platform.ctx.database.db.execute(sql`update projects set visibility = 'unlisted' where id = ${p.id}`);
      expect(await emit(bob.socket, 'join:project', p.id)).toMatchObject({ ok: true });
      await server.platform.ctx.database.db.execute(sql`update projects set visibility = 'private' where id = ${p.id}`);
      expect(await emit(alice.socket, 'code:update', { projectId: p.id, content: 'SECRET' })).toEqual({ ok: true });
      await waitFor('the removal notice', () => bob.removed.length === 1);
      await roundTrip(bob.socket);
      expect(bob.got).toEqual([]);
      expect(await emit(bob.socket, 'code:update', { projectId: p.id, content: 'x' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    });

    it('empties the room of every non-owner when the project is deleted, with reason "deleted"', async () => {
      const p = await createProject(server, owner.token, { visibility: 'public' });
      const bob = await connect(viewersUrl(), other.token);
      const anon = await connect(viewersUrl());
      for (const s of [bob, anon]) expect(await emit(s.socket, 'join:project', p.id)).toMatchObject({ ok: true });
      expect((await api(server, 'DELETE', `/api/v1/projects/${p.id}`, { token: owner.token })).status).toBe(200);
      await waitFor('the removal notices', () => bob.removed.length === 1 && anon.removed.length === 1);
      expect(bob.removed[0]).toMatchObject({ projectId: p.id, reason: 'deleted' });
    });
  });
}
