import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { RoomStore } from '../../src/rooms/store.js';
import { startApiServer } from '../../src/server/serve.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';
import { connect, createRoom, joinAsGuest, newUser, textOf } from './helpers.js';

// A room survives a restart exactly (same text, same Yjs state vector), on PGlite (a data
// directory on disk) and on PostgreSQL; the log replays to the stored state, from any checkpoint.
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function session(server: { url: string }, roomId: string, tokens: string[]) {
  const clients = await Promise.all(tokens.map((t) => connect(server, roomId, t)));
  // 250 small edits from two authors, so that checkpoints are due (every 200 log rows).
  for (let i = 0; i < 250; i++) {
    const c = clients[i % clients.length]!;
    c.code.insert(Math.floor(c.code.length / 2), i % 7 === 0 ? '\n' : String.fromCharCode(97 + (i % 26)));
    if (i % 11 === 0) c.code.delete(0, 1);
  }
  await waitFor('convergence', () => clients.every((c) => textOf(c) === textOf(clients[0]!)));
  await new Promise((r) => setTimeout(r, 200));
  const text = textOf(clients[0]!);
  const sv = Y.encodeStateVector(clients[0]!.doc);
  for (const c of clients) c.destroy();
  return { text, sv };
}

describe.each(['embedded', 'cluster'] as const)('rooms persistence (%s)', (mode) => {
  it('survives a restart exactly; replay and checkpoints agree with the stored state', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-rooms-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const first: TestServer = await startTestServer(mode === 'embedded' ? { pgliteDir: path.join(dataDir, 'db'), dataDir } : { mode: 'cluster', worker: false });
    cleanups.push(() => first.stop());
    const owner = await newUser(first, 'per');
    const room = await createRoom(first, owner, { code: 'start\n' });
    const guest = await joinAsGuest(first, room, 'candidate', 'Guest');
    const before = await session(first, room.id, [owner.token, guest.roomToken]);
    await first.close();

    const second = await startApiServer(first.config, mode === 'embedded' ? first.engine : undefined, { pgliteDir: mode === 'embedded' ? path.join(dataDir, 'db') : undefined, logger: false });
    cleanups.push(() => second.close({ abort: true }));
    const c = await connect(second, room.id, guest.roomToken);
    expect(textOf(c)).toBe(before.text);
    expect(Y.encodeStateVector(c.doc)).toEqual(before.sv);
    c.destroy();

    // Replay of the whole log equals the stored state; a checkpoint seek equals a replay from zero.
    const db = second.platform.ctx.database.db;
    const store = new RoomStore(db, 0);
    expect(await store.checkpoint(room.id)).toBeGreaterThanOrEqual(1);
    const replayed = await store.replay(room.id);
    expect(replayed.getText('code').toString()).toBe(before.text);
    expect(Y.encodeStateVector(replayed)).toEqual(before.sv);
    const log = await store.log(room.id);
    const [cp] = await store.checkpoints(room.id);
    for (const upto of [cp!.logId, cp!.logId + 3, log[log.length - 1]!.id - 1]) {
      const scratch = new Y.Doc();
      for (const row of log.filter((r) => r.id <= upto)) Y.applyUpdate(scratch, row.data);
      expect((await store.replay(room.id, upto)).getText('code').toString()).toBe(scratch.getText('code').toString());
    }
    // Authors are recorded per update.
    expect(new Set(log.map((r) => r.participantId)).size).toBe(3);
  });
});
