import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { io as ioClient } from 'socket.io-client';
import { startTestServer, type TestServer } from '../helpers/app.js';

// The plain-WebSocket router (src/server/upgrades.ts) next to socket.io's /ws.
let server: TestServer;
const wss = new WebSocketServer({ noServer: true });

beforeAll(async () => {
  server = await startTestServer();
  server.app.upgrades.add('echo', /^\/test\/echo\/[a-z]+$/, (req, socket, head, url) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(`hello ${url.pathname.split('/').pop()} ${url.searchParams.get('q') ?? ''}`);
      ws.on('message', (m) => ws.send(`echo ${String(m)}`));
    });
  });
});
afterAll(async () => {
  wss.close();
  await server?.stop();
});

function open(path: string): Promise<{ ws: WebSocket; first: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`);
    ws.once('message', (m) => resolve({ ws, first: String(m) }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('upgrade router', () => {
  it('hands a matching path to its route, with the query string', async () => {
    const { ws, first } = await open('/test/echo/abc?q=1');
    expect(first).toBe('hello abc 1');
    const echoed = new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
    ws.send('x');
    expect(await echoed).toBe('echo x');
    ws.close();
  });

  it('answers 404 at once for a path no route claims', async () => {
    await expect(open('/test/nothing-here')).rejects.toThrow('HTTP 404');
  });

  it('leaves socket.io on /ws working', async () => {
    const socket = ioClient(server.url, { path: '/ws', transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.close();
  });
});
