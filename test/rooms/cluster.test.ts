import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { RunningServer } from '../../src/server/serve.js';
import { api, startExtraApi, startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';
import { connect, createRoom, joinAsGuest, newUser, textOf } from './helpers.js';

// Cluster mode (PostgreSQL + Redis): two API replicas, one client on each, same room. Yjs
// updates and awareness are relayed between replicas over Redis (src/rooms/relay.ts); run
// output reaches the other replica through the executions bus.
let first: TestServer;
let second: RunningServer;

beforeAll(async () => {
  first = await startTestServer({ mode: 'cluster' });
  second = await startExtraApi(first);
});
afterAll(async () => {
  await second?.close({ abort: true });
  await first?.stop();
});

describe('rooms in cluster mode', () => {
  it('two replicas, one client on each: edits, cursors and run output cross, and they converge', async () => {
    const owner = await newUser(first, 'clu');
    const room = await createRoom(first, owner, { code: 'print("from", "both")\n' });
    const guest = await joinAsGuest(second, room, 'candidate', 'Other replica');
    const a = await connect(first, room.id, owner.token);
    const b = await connect(second, room.id, guest.roomToken);
    expect(first.app.rooms.collab.isLoaded(room.id) && second.app.rooms.collab.isLoaded(room.id)).toBe(true);
    for (let i = 0; i < 40; i++) {
      a.code.insert(0, 'a');
      b.code.insert(b.code.length, 'b');
    }
    await waitFor('convergence across replicas', () => textOf(a) === textOf(b) && textOf(a).length === 'print("from", "both")\n'.length + 80);
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
    b.provider.setAwarenessField('cursor', { anchor: 0, head: 0 });
    await waitFor('b cursor at a', () => [...a.provider.awareness!.getStates().values()].some((s) => (s.user as { name?: string } | undefined)?.name === 'Other replica'));
    // A run started on replica 1 is seen by the client on replica 2.
    a.code.delete(0, a.code.length);
    a.code.insert(0, 'print("from", "both")\n');
    await waitFor('b resynced', () => textOf(b) === 'print("from", "both")\n');
    const run = await api<{ data: { id: string } }>(first, 'POST', `/api/v1/rooms/${room.id}/runs`, { token: owner.token });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    await waitFor('run output on replica 2', () => b.stateless.some((s) => s.event === 'run-complete'), 30_000);
    expect(b.stateless.filter((s) => s.event === 'run-output').map((s) => s.data).join('')).toBe('from both\n');
    // Ending on replica 1 closes the connection on replica 2.
    await api(first, 'POST', `/api/v1/rooms/${room.id}/end`, { token: owner.token });
    await waitFor('4410 on both replicas', () => a.closeCodes.includes(4410) && b.closeCodes.includes(4410));
    a.destroy();
    b.destroy();
  });
});
