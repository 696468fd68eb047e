import { afterAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/**
 * A graceful shutdown (SIGTERM, a redeploy) must finish while browsers hold socket.io
 * connections: Fastify's close waits for the HTTP server, which waits for every upgraded
 * WebSocket, so the server has to drop them itself. Before the fix app.close() never resolved
 * here and the test ran into its timeout.
 */
describe('graceful close with connected sockets', () => {
  let server: TestServer | undefined;
  const sockets: Socket[] = [];

  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
  });

  for (const transport of ['websocket', 'polling'] as const) {
    it(`app.close() completes and the ${transport} client is told it was disconnected`, async () => {
      server = await startTestServer();
      const { token } = await registerUser(server);
      const socket = io(server.url, { path: '/ws', auth: { token }, transports: [transport], reconnection: false, forceNew: true });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      await server.app.close();
      expect(await disconnected).toMatch(/server|transport/);
      await server.stop();
      server = undefined;
    }, 30_000);
  }
});
