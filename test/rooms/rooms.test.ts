import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { api, startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';
import { connect, createRoom, inviteFor, joinAsGuest, newUser, textOf, type User } from './helpers.js';

// Rooms over one embedded server (PGlite in memory, the real sandbox for runs).
let server: TestServer;
let owner: User;
const collabUrl = () => `${server.url.replace('http', 'ws')}/api/v1/rooms/collab`;
const docsLoaded = () => server.app.rooms.collab.hocuspocus.getDocumentsCount();

beforeAll(async () => {
  server = await startTestServer({ config: { ROOM_MAX_DOCUMENT_CHARS: '5000', ROOM_RATE_MESSAGES: '50', ROOM_RATE_BURST: '200', ROOM_AUTO_SNAPSHOT_MS: '1000', ROOM_AUTH_TIMEOUT_MS: '3000' } });
  owner = await newUser(server, 'own');
});
afterAll(async () => {
  await server?.stop();
});

describe('rooms: live editing', () => {
  it('listens on no socket of its own: the collaboration route is on the API server (HOST), never Hocuspocus\'s Server', () => {
    // Hocuspocus's Server class binds every interface whatever it is given (hocuspocus#1120).
    const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
    const mine = out.split('\n').filter((l) => l.includes(`pid=${process.pid},`));
    expect(mine.length).toBeGreaterThan(0);
    for (const l of mine) expect(l.split(/\s+/)[3], l).toMatch(/^127\.0\.0\.1:/);
    expect(mine.some((l) => l.includes(`:${new URL(server.url).port} `))).toBe(true);
  });

  it('an interviewer and a guest candidate type at once and converge, with server-stamped names', async () => {
    const room = await createRoom(server, owner, { code: 'print(1)\n' });
    expect(room.invites!.map((i) => i.role).sort()).toEqual(['candidate', 'interviewer', 'viewer']);
    const guest = await joinAsGuest(server, room, 'candidate', 'Casey');
    expect(guest.room.role).toBe('candidate');
    const a = await connect(server, room.id, owner.token);
    const b = await connect(server, room.id, guest.roomToken);
    expect(textOf(a)).toBe('print(1)\n');
    await waitFor('b has the initial code', () => textOf(b) === 'print(1)\n');
    // Concurrent edits at the same place, before either sees the other.
    a.code.insert(0, '# interviewer\n');
    b.code.insert(0, '# candidate\n');
    for (let i = 0; i < 20; i++) (i % 2 ? a : b).code.insert((i % 2 ? a : b).code.length, String(i));
    await waitFor('convergence', () => textOf(a) === textOf(b) && textOf(a).length === 'print(1)\n'.length + 14 + 12 + 30);
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
    // The guest claims to be someone else; its peer sees the server's name and colour.
    b.provider.setAwarenessField('user', { name: 'Mallory the Admin', color: '#000000' });
    b.provider.setAwarenessField('cursor', { anchor: 1, head: 1 });
    await waitFor('b awareness at a', () => [...a.provider.awareness!.getStates().values()].some((s) => s.cursor));
    const seen = [...a.provider.awareness!.getStates().values()].find((s) => s.cursor) as { user: { name: string; role: string } };
    expect(seen.user.name).toBe('Casey');
    expect(seen.user.role).toBe('candidate');
    a.destroy();
    b.destroy();
  });

  it("a viewer's edit never reaches a peer, and the viewer is told", async () => {
    const room = await createRoom(server, owner, { code: 'x = 1\n' });
    const viewer = await joinAsGuest(server, room, 'viewer', 'Val');
    const a = await connect(server, room.id, owner.token);
    const v = await connect(server, room.id, viewer.roomToken);
    v.code.insert(0, 'HACKED ');
    await waitFor('the read-only notice', () => v.stateless.some((s) => s.event === 'read-only'));
    a.code.insert(a.code.length, 'y = 2\n');
    await waitFor('the viewer sees the interviewer', () => textOf(v).includes('y = 2'));
    expect(textOf(a)).toBe('x = 1\ny = 2\n');
    const code = await api<{ data: { code: string } }>(server, 'GET', `/api/v1/rooms/${room.id}/code`, { token: owner.token });
    expect(code.body.data.code).toBe('x = 1\ny = 2\n');
    a.destroy();
    v.destroy();
  });

  it('refuses unknown rooms, names that are not rooms, forged and foreign tokens, and leaves no document loaded', async () => {
    const room = await createRoom(server, owner);
    const other = await createRoom(server, owner);
    const guest = await joinAsGuest(server, room, 'candidate', 'G');
    const before = docsLoaded();
    const cases: [string, string, number][] = [
      [`room:${randomUUID()}`, owner.token, 4404],
      ['not-a-room', owner.token, 4404],
      [`room:${room.id}`, `${owner.token.slice(0, -4)}AAAA`, 4401],
      [`room:${room.id}`, 'garbage', 4401],
      [`room:${other.id}`, guest.roomToken, 4403],
    ];
    for (const [name, token, code] of cases) {
      const c = await connect(server, '', token, { name });
      expect(c.denied, name).not.toBeNull();
      expect(c.closeCodes[0], name).toBe(code);
    }
    // A user with an account who never joined: 4403.
    const stranger = await newUser(server, 'str');
    const s = await connect(server, room.id, stranger.token);
    expect(s.closeCodes[0]).toBe(4403);
    expect(docsLoaded()).toBe(before);
  });

  it('closes a connection that floods (4429) or sends an oversized document (4413), and no other room is affected', async () => {
    const room = await createRoom(server, owner, { code: 'ok\n' });
    const a = await connect(server, room.id, owner.token);
    // A raw socket authenticates like a provider, then floods (valid) awareness queries.
    const ws = new WebSocket(collabUrl());
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const frame = (type: number, body?: (e: encoding.Encoder) => void) => {
      const enc = encoding.createEncoder();
      encoding.writeVarString(enc, `room:${room.id}`);
      encoding.writeVarUint(enc, type);
      body?.(enc);
      return encoding.toUint8Array(enc);
    };
    const authed = new Promise((r) => ws.once('message', r));
    ws.send(frame(2, (e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarString(e, owner.token);
    }));
    await authed;
    const query = frame(3);
    for (let i = 0; i < 500; i++) ws.send(query);
    expect(await closed).toBe(4429);
    // One message over ROOM_MAX_MESSAGE_BYTES (1 MiB by default): 4413.
    const huge = new WebSocket(collabUrl());
    await new Promise((r) => huge.once('open', r));
    const hugeClosed = new Promise<number>((r) => huge.once('close', (code) => r(code)));
    huge.send(Buffer.alloc(2 ** 20 + 10));
    expect(await hugeClosed).toBe(4413);
    // A socket that never authenticates is closed (ROOM_AUTH_TIMEOUT_MS, 3 s here).
    const silent = new WebSocket(collabUrl());
    const silentClosed = new Promise<number>((r) => silent.once('close', (code) => r(code)));
    expect(await silentClosed).toBe(4401);
    // Too large: the edit is undone and its connection closed.
    const big = await connect(server, room.id, owner.token);
    big.code.insert(0, 'z'.repeat(6000));
    await waitFor('4413', () => big.closeCodes.includes(4413));
    big.destroy();
    await waitFor('the room is cut back', () => textOf(a).length <= 5000);
    a.code.insert(0, 'still ');
    const b = await connect(server, room.id, owner.token);
    await waitFor('b sees the edit', () => textOf(b).startsWith('still '));
    a.destroy();
    b.destroy();
  });
});

describe('rooms: notes, snapshots, runs, end, playback', () => {
  it('keeps interviewer notes from candidates and viewers', async () => {
    const room = await createRoom(server, owner);
    const cand = await joinAsGuest(server, room, 'candidate', 'Cand');
    const secret = `weak on recursion ${randomUUID()}`;
    const put = await api(server, 'PUT', `/api/v1/rooms/${room.id}/notes`, { token: owner.token, body: { notes: secret } });
    expect(put.status).toBe(200);
    const got = await api<{ data: { notes: string } }>(server, 'GET', `/api/v1/rooms/${room.id}/notes`, { token: owner.token });
    expect(got.body.data.notes).toBe(secret);
    const denied = await api(server, 'GET', `/api/v1/rooms/${room.id}/notes`, { headers: { 'x-room-token': cand.roomToken } });
    expect(denied.status).toBe(403);
    const write = await api(server, 'PUT', `/api/v1/rooms/${room.id}/notes`, { headers: { 'x-room-token': cand.roomToken }, body: { notes: 'x' } });
    expect(write.status).toBe(403);
    // Nothing the candidate can read carries them: the room view, the code, the shared document.
    const c = await connect(server, room.id, cand.roomToken);
    for (const path of ['', '/code', '/snapshots', '/runs']) {
      const r = await api(server, 'GET', `/api/v1/rooms/${room.id}${path}`, { headers: { 'x-room-token': cand.roomToken } });
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toContain(secret);
    }
    expect(Buffer.from(Y.encodeStateAsUpdate(c.doc)).toString('latin1')).not.toContain(secret);
    expect(JSON.stringify(c.stateless)).not.toContain(secret);
    c.destroy();
  });

  it('saves a named snapshot and restores it as a live edit everyone sees', async () => {
    const room = await createRoom(server, owner, { code: 'v1\n' });
    const cand = await joinAsGuest(server, room, 'candidate', 'Cand');
    const a = await connect(server, room.id, owner.token);
    const b = await connect(server, room.id, cand.roomToken);
    const snap = await api<{ data: { id: string; code: string } }>(server, 'POST', `/api/v1/rooms/${room.id}/code`, { headers: { 'x-room-token': cand.roomToken }, body: { name: 'first' } });
    expect(snap.status).toBe(201);
    expect(snap.body.data.code).toBe('v1\n');
    b.code.insert(0, 'changed ');
    await waitFor('a sees the change', () => textOf(a) === 'changed v1\n');
    const restored = await api(server, 'POST', `/api/v1/rooms/${room.id}/snapshots/${snap.body.data.id}/restore`, { token: owner.token });
    expect(restored.status).toBe(200);
    await waitFor('both restored', () => textOf(a) === 'v1\n' && textOf(b) === 'v1\n');
    // Automatic snapshots (every ROOM_AUTO_SNAPSHOT_MS = 1 s here) while the text changes.
    a.code.insert(0, '# auto\n');
    await waitFor('an automatic snapshot', async () => {
      const list = await api<{ data: { auto: boolean; code: string }[] }>(server, 'GET', `/api/v1/rooms/${room.id}/snapshots`, { token: owner.token });
      return list.body.data.some((s) => s.auto && s.code === '# auto\nv1\n');
    });
    const viewer = await joinAsGuest(server, room, 'viewer', 'V');
    const refused = await api(server, 'POST', `/api/v1/rooms/${room.id}/snapshots/${snap.body.data.id}/restore`, { headers: { 'x-room-token': viewer.roomToken } });
    expect(refused.status).toBe(403);
    a.destroy();
    b.destroy();
  });

  it('a candidate runs the code with the shared stdin; everyone sees the output; End closes and opens the playback', async () => {
    const room = await createRoom(server, owner, { code: 'import sys\nprint("hello", sys.stdin.read().strip())\n' });
    const cand = await joinAsGuest(server, room, 'candidate', 'Cand');
    const a = await connect(server, room.id, owner.token);
    const b = await connect(server, room.id, cand.roomToken);
    b.doc.getText('stdin').insert(0, 'world');
    await waitFor('a sees stdin', () => a.doc.getText('stdin').toString() === 'world');
    const run = await api<{ data: { id: string; executionId: string } }>(server, 'POST', `/api/v1/rooms/${room.id}/runs`, { headers: { 'x-room-token': cand.roomToken } });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    for (const c of [a, b]) {
      await waitFor('run-complete', () => c.stateless.some((s) => s.event === 'run-complete' && s.runId === run.body.data.id), 30_000);
      const out = c.stateless.filter((s) => s.event === 'run-output' && s.runId === run.body.data.id).map((s) => s.data).join('');
      expect(out).toBe('hello world\n');
      const done = c.stateless.find((s) => s.event === 'run-complete') as { result: { status: string; stdout: string } };
      expect(done.result.status).toBe('completed');
    }
    const runs = await api<{ data: { id: string; result: { output: string } }[] }>(server, 'GET', `/api/v1/rooms/${room.id}/runs`, { token: owner.token });
    expect(runs.body.data.map((r) => r.id)).toEqual([run.body.data.id]);
    expect(runs.body.data[0]!.result.output).toBe('hello world\n');
    a.code.insert(a.code.length, '# end\n');
    const final = 'import sys\nprint("hello", sys.stdin.read().strip())\n# end\n';
    await waitFor('b sees the last edit', () => textOf(b) === final);
    // Candidates cannot end; the interviewer can, and every connection closes with 4410.
    expect((await api(server, 'POST', `/api/v1/rooms/${room.id}/end`, { headers: { 'x-room-token': cand.roomToken } })).status).toBe(403);
    const end = await api<{ data: { closed: boolean } }>(server, 'POST', `/api/v1/rooms/${room.id}/end`, { token: owner.token });
    expect(end.body.data.closed).toBe(true);
    await waitFor('4410 for both', () => a.closeCodes.includes(4410) && b.closeCodes.includes(4410));
    a.destroy();
    b.destroy();
    expect((await api(server, 'POST', `/api/v1/rooms/${room.id}/runs`, { headers: { 'x-room-token': cand.roomToken } })).status).toBe(410);
    expect((await api(server, 'POST', `/api/v1/rooms/${room.id}/code`, { token: owner.token, body: { name: 'late' } })).status).toBe(410);
    // Reconnecting after the end is read-only.
    const late = await connect(server, room.id, owner.token);
    late.code.insert(0, 'nope');
    await waitFor('notice', () => late.stateless.some((s) => s.event === 'read-only'));
    late.destroy();
    // Playback: only the interviewer; replaying the log ends on the final text.
    expect((await api(server, 'GET', `/api/v1/rooms/${room.id}/playback`, { headers: { 'x-room-token': cand.roomToken } })).status).toBe(403);
    const pb = await api<{ data: { updates: { data: string; participantId: string | null }[]; runs: unknown[]; finalCode: string } }>(server, 'GET', `/api/v1/rooms/${room.id}/playback`, { token: owner.token });
    expect(pb.status).toBe(200);
    const doc = new Y.Doc();
    for (const u of pb.body.data.updates) Y.applyUpdate(doc, Buffer.from(u.data, 'base64'));
    expect(doc.getText('code').toString()).toBe(final);
    expect(pb.body.data.finalCode).toBe(final);
    expect(pb.body.data.runs).toHaveLength(1);
    expect(new Set(pb.body.data.updates.map((u) => u.participantId)).size).toBeGreaterThanOrEqual(3); // server seed, interviewer, candidate
  });
});

describe('rooms: API bad input and lifecycle', () => {
  it('answers bad input with clear 4xx', async () => {
    const room = await createRoom(server, owner);
    const guest = await joinAsGuest(server, room, 'candidate', 'G');
    const other = await createRoom(server, owner);
    const cases: [string, string, { token?: string; headers?: Record<string, string>; body?: unknown }, number, string][] = [
      ['GET', `/api/v1/rooms/${randomUUID()}`, { token: owner.token }, 404, 'NOT_FOUND'],
      ['GET', '/api/v1/rooms/not-a-uuid', { token: owner.token }, 400, 'VALIDATION_ERROR'],
      ['GET', `/api/v1/rooms/${room.id}`, {}, 401, 'UNAUTHORIZED'],
      ['GET', `/api/v1/rooms/${room.id}`, { headers: { 'x-room-token': 'forged.token.here' } }, 401, 'INVALID_TOKEN'],
      ['GET', `/api/v1/rooms/${other.id}`, { headers: { 'x-room-token': guest.roomToken } }, 403, 'FORBIDDEN'],
      ['POST', '/api/v1/rooms', { token: owner.token, body: { title: 'x', language: 'python', expiresIn: 100000 } }, 400, 'VALIDATION_ERROR'],
      ['POST', '/api/v1/rooms', { token: owner.token, body: { title: 'x', language: 'cobol' } }, 400, 'UNKNOWN_LANGUAGE'],
      ['POST', '/api/v1/rooms', { body: { title: 'x', language: 'python' } }, 401, 'UNAUTHORIZED'],
      ['POST', '/api/v1/rooms/join', { body: { invite: 'nope' } }, 401, 'INVALID_INVITE'],
      ['POST', '/api/v1/rooms/join', { body: { invite: inviteFor(room, 'candidate') } }, 400, 'VALIDATION_ERROR'],
      ['PATCH', `/api/v1/rooms/${room.id}`, { headers: { 'x-room-token': guest.roomToken }, body: { title: 'mine' } }, 403, 'FORBIDDEN'],
      ['DELETE', `/api/v1/rooms/${room.id}`, { headers: { 'x-room-token': guest.roomToken } }, 403, 'FORBIDDEN'],
    ];
    for (const [method, url, opts, status, code] of cases) {
      const r = await api<{ error?: { code: string } }>(server, method, url, opts);
      expect([method, url, r.status, r.body.error?.code]).toEqual([method, url, status, code]);
    }
    // An account joins by link (twice at once: one participant), then lists the room as its own.
    const member = await newUser(server, 'mem');
    const joins = await Promise.all([0, 1].map(() => api<{ data: { room: { role: string; participantId: string } } }>(server, 'POST', '/api/v1/rooms/join', { token: member.token, body: { invite: inviteFor(room, 'viewer') } })));
    expect(joins.map((j) => j.status)).toEqual([200, 200]);
    expect(joins[0]!.body.data.room.participantId).toBe(joins[1]!.body.data.room.participantId);
    const mine = await api<{ data: { id: string; role: string }[] }>(server, 'GET', '/api/v1/rooms', { token: member.token });
    expect(mine.body.data.map((r) => [r.id, r.role])).toEqual([[room.id, 'viewer']]);
  });

  it('revokes invite links, expires rooms (connections closed with 4410) and purges them after the retention', async () => {
    const room = await createRoom(server, owner);
    const invite = inviteFor(room, 'candidate');
    const patched = await api<{ data: { invites: { token: string }[] } }>(server, 'PATCH', `/api/v1/rooms/${room.id}`, { token: owner.token, body: { revokeInvites: true } });
    expect(patched.status).toBe(200);
    expect((await api<{ error: { code: string } }>(server, 'POST', '/api/v1/rooms/join', { body: { invite, displayName: 'Late' } })).body.error.code).toBe('INVALID_INVITE');
    // A room that expires in about a second.
    const short = await createRoom(server, owner, { expiresIn: 1.5 / 3600 });
    const guest = await joinAsGuest(server, short, 'candidate', 'G');
    const c = await connect(server, short.id, guest.roomToken);
    await waitFor('closed at expiry', () => c.closeCodes.includes(4410), 10_000);
    c.destroy();
    expect((await api<{ error: { code: string } }>(server, 'GET', `/api/v1/rooms/${short.id}`, { headers: { 'x-room-token': guest.roomToken } })).body.error.code).toBe('TOKEN_EXPIRED');
    // Over the WebSocket too: the guest's token expired with the room (4401); the owner may still look, read-only.
    const again = await connect(server, short.id, guest.roomToken);
    expect(again.closeCodes[0]).toBe(4401);
    const ownerLook = await connect(server, short.id, owner.token);
    expect(ownerLook.denied).toBeNull();
    expect(ownerLook.provider.authorizedScope).toBe('readonly');
    ownerLook.destroy();
    const view = await api<{ data: { closed: boolean } }>(server, 'GET', `/api/v1/rooms/${short.id}`, { token: owner.token });
    expect(view.body.data.closed).toBe(true);
    // Kept through the retention (30 days by default), deleted after it; open rooms are untouched.
    expect(await server.app.rooms.purge(new Date())).toBe(0);
    expect(await server.app.rooms.purge(new Date(Date.now() + 29 * 86_400_000))).toBe(0);
    const purged = await server.app.rooms.purge(new Date(Date.now() + 30 * 86_400_000 + 60_000));
    expect(purged).toBeGreaterThanOrEqual(1);
    expect((await api(server, 'GET', `/api/v1/rooms/${short.id}`, { token: owner.token })).status).toBe(404);
    expect((await api(server, 'GET', `/api/v1/rooms/${room.id}`, { token: owner.token })).status).toBe(200);
  });
});
