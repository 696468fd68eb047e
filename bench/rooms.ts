/**
 * Rooms benchmark (issue 10): keystroke-to-peer latency through the server (one writer types,
 * the time until another participant's document has the keystroke), with 2, 10 and 50
 * participants in one room; and the memory of an open room with 3 participants. The baseline,
 * measured in the same run on the same server, is a plain WebSocket echo through the same
 * upgrade router (the transport floor: one round trip).
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/rooms.js [--samples 200]
 *
 * Every client runs in this process, next to the server: with 50 participants the server's
 * fan-out and 50 clients' decoding share the same core, so the figure is pessimistic.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { WebSocket, WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { loadConfig } from '../src/config/config.js';
import { Engine } from '../src/engine/runner/engine.js';
import { startApiServer } from '../src/server/serve.js';
import { isMain, progress } from './common.js';
import { median, ms, quantile, textTable } from './stats.js';

export const ROOMS_TARGET_MS = 20;

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

async function json<T>(url: string, method: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const j = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(j)}`);
  return j.data;
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

function connect(base: string, roomId: string, token: string): Promise<{ doc: Y.Doc; provider: HocuspocusProvider }> {
  const doc = new Y.Doc();
  return new Promise((resolve, reject) => {
    const provider = new HocuspocusProvider({
      url: `${base.replace('http', 'ws')}/api/v1/rooms/collab`,
      name: `room:${roomId}`,
      document: doc,
      token,
      // Node 20 has no global WebSocket (the provider's option exists at runtime, not in its 3.4 types).
      ...({ WebSocketPolyfill: WebSocket } as object),
      onSynced: () => resolve({ doc, provider }),
      onAuthenticationFailed: ({ reason }) => reject(new Error(reason)),
    });
  });
}

export interface RoomsBench {
  echo: { median: number; p99: number };
  latency: { participants: number; median: number; p99: number; samples: number }[];
  memoryPerRoomKb: number;
  clientOnlyPerRoomKb: number;
}

export async function runRoomsBench(samples = 200): Promise<RoomsBench> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-rooms-'));
  const config = loadConfig(process.env, {
    DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', RATE_LIMIT_API: '0', RATE_LIMIT_AUTH: '0',
    ROOM_RATE_MESSAGES: '100000', ROOM_RATE_BURST: '100000', ARENA_IMPORT_SHIPPED: 'false',
  });
  const engine = Engine.create(config);
  const server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
  try {
    // Baseline: a WebSocket echo on the same router.
    const wss = new WebSocketServer({ noServer: true });
    server.app.upgrades.add('bench-echo', '/bench/echo', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(m))));
    const echo = new WebSocket(`${server.url.replace('http', 'ws')}/bench/echo`);
    await new Promise((r) => echo.once('open', r));
    const rtts: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await new Promise<void>((r) => {
        echo.once('message', () => r());
        echo.send('x');
      });
      rtts.push(performance.now() - t0);
    }
    echo.close();

    const user = await json<{ token: string }>(`${server.url}/api/v1/auth/register`, 'POST', { email: 'bench@example.com', username: 'benchrooms', password: 'correct horse battery' });
    const latency: RoomsBench['latency'] = [];
    for (const n of [2, 10, 50]) {
      progress(`rooms: ${n} participants`);
      const room = await json<{ id: string; invites: { role: string; token: string }[] }>(`${server.url}/api/v1/rooms`, 'POST', { title: `bench ${n}`, language: 'python', code: 'print(1)\n' }, user.token);
      const invite = room.invites.find((i) => i.role === 'candidate')!.token;
      const clients = [await connect(server.url, room.id, user.token)];
      for (let i = 1; i < n; i++) {
        const g = await json<{ roomToken: string }>(`${server.url}/api/v1/rooms/join`, 'POST', { invite, displayName: `guest ${i}` });
        clients.push(await connect(server.url, room.id, g.roomToken));
      }
      const times: number[] = [];
      for (let s = 0; s < samples; s++) {
        const writer = clients[s % n]!;
        const peer = clients[(s + 1) % n]!;
        const text = writer.doc.getText('code');
        const t0 = performance.now();
        await new Promise<void>((resolve) => {
          const onUpdate = () => {
            peer.doc.off('update', onUpdate);
            resolve();
          };
          peer.doc.on('update', onUpdate);
          text.insert(text.length, 'k');
        });
        times.push(performance.now() - t0);
        await sleep(2);
      }
      latency.push({ participants: n, median: median(times), p99: quantile(times, 0.99), samples });
      for (const c of clients) c.provider.destroy();
      await sleep(200);
    }

    // Memory of open rooms with 3 participants (server and the 3 in-process clients), and of
    // the clients alone (3 synced docs with the same text), so that the server's share shows.
    const gc = (globalThis as { gc?: () => void }).gc;
    const heap = async () => {
      for (let i = 0; i < 3; i++) {
        gc?.();
        await sleep(50);
      }
      return process.memoryUsage().heapUsed;
    };
    const R = 30;
    const code = 'def solve(xs):\n    return sorted(xs)\n'.repeat(40);
    const rooms: string[] = [];
    for (let r = 0; r < R; r++) rooms.push((await json<{ id: string }>(`${server.url}/api/v1/rooms`, 'POST', { title: `m${r}`, language: 'python', code }, user.token)).id);
    const before = await heap();
    const open: { doc: Y.Doc; provider: HocuspocusProvider }[] = [];
    for (const id of rooms) for (let k = 0; k < 3; k++) open.push(await connect(server.url, id, user.token));
    const after = await heap();
    const docs: Y.Doc[] = [];
    const b2 = await heap();
    for (let i = 0; i < R * 3; i++) {
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(open[i]!.doc));
      docs.push(d);
    }
    const a2 = await heap();
    for (const c of open) c.provider.destroy();
    return {
      echo: { median: median(rtts), p99: quantile(rtts, 0.99) },
      latency,
      memoryPerRoomKb: (after - before) / R / 1024,
      clientOnlyPerRoomKb: (a2 - b2) / R / 1024,
    };
  } finally {
    await server.close({ abort: true });
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatRoomsBench(b: RoomsBench): string {
  const rows = b.latency.map((l) => [`${l.participants}`, ms(l.median), ms(l.p99), `${(l.median / b.echo.median).toFixed(1)}x`, `${l.samples}`]);
  return [
    textTable(['participants', 'median', 'p99', 'median / echo RTT', 'samples'], rows),
    `baseline: WebSocket echo round trip on the same server: median ${b.echo.median.toFixed(3)} ms, p99 ${ms(b.echo.p99)}`,
    `target: median under ${ROOMS_TARGET_MS} ms with 10 participants: ${b.latency.find((l) => l.participants === 10)!.median <= ROOMS_TARGET_MS ? 'met' : 'MISSED'}`,
    `memory per open room with 3 participants (server + 3 in-process clients, 1.4 KB of code): ${b.memoryPerRoomKb.toFixed(0)} KB; of which the 3 client docs alone ~${(b.clientOnlyPerRoomKb).toFixed(0)} KB`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const b = await runRoomsBench(arg('--samples', 200));
  console.log(formatRoomsBench(b));
  process.exit(0);
}
