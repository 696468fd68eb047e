import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { RunningServer } from '../../src/server/serve.js';
import { api, type Mode, registerUser, startExtraApi, startTestServer, startWorkerProcess, type TestServer } from '../helpers/app.js';
import { connectSocket } from '../helpers/socket.js';
import { waitFor } from '../helpers/async.js';

interface Ev {
  name: string;
  seq: number;
  data: Record<string, unknown>;
}

const connect = (url: string, token?: string) => connectSocket(url, token);

/** Collects every execution event of a socket, in arrival order. */
function record(socket: Socket): Ev[] {
  const events: Ev[] = [];
  for (const name of ['execution:status', 'execution:output', 'execution:complete', 'execution:error']) {
    socket.on(name, (data: Record<string, unknown>) => events.push({ name, seq: data.seq as number, data }));
  }
  return events;
}

function subscribe(socket: Socket, executionId: string): Promise<Record<string, unknown>> {
  return socket.timeout(10_000).emitWithAck('subscribe:execution', { executionId });
}

const until = (check: () => boolean | Promise<boolean>, ms = 30_000) => waitFor('the condition', check, ms);

const PRINT_SLEEP_PRINT = 'import sys, time\nprint("first", flush=True)\ntime.sleep(1.0)\nprint("second", flush=True)\n';

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`realtime over socket.io (${mode})`, () => {
    let server: TestServer;
    let other: RunningServer | undefined;
    let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    let token: string;
    let stranger: string;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      // Cluster: the program runs in a separate worker process, the client's socket is on a
      // second API instance, and the run is started through the first.
      server = await startTestServer({ mode, worker: mode === 'embedded' });
      if (mode === 'cluster') {
        other = await startExtraApi(server);
        worker = await startWorkerProcess(server);
      }
      token = (await registerUser(server)).token;
      stranger = (await registerUser(server)).token;
    });
    afterAll(async () => {
      for (const s of sockets) s.disconnect();
      await worker?.stop();
      await other?.close();
      await server?.stop();
    });

    const socketUrl = () => (other ?? server).url;

    it('streams output while the program runs: a chunk arrives before execution:complete', async () => {
      const socket = await connect(socketUrl(), token);
      sockets.push(socket);
      const events = record(socket);
      const started = await api<{ data: { executionId: string } }>(server, 'POST', '/api/v1/execute', {
        token,
        body: { language: 'python', code: PRINT_SLEEP_PRINT },
      });
      const id = started.body.data.executionId;
      const ack = await subscribe(socket, id);
      expect(ack.error).toBeUndefined();
      expect(typeof ack.seq).toBe('number');
      await until(() => events.some((e) => e.name === 'execution:complete'));
      const outputs = events.filter((e) => e.name === 'execution:output');
      const text = outputs.map((e) => e.data.data).join('');
      expect(text).toBe('first\nsecond\n');
      const firstChunk = events.findIndex((e) => e.name === 'execution:output' && String(e.data.data).includes('first'));
      const complete = events.findIndex((e) => e.name === 'execution:complete');
      expect(firstChunk).toBeGreaterThanOrEqual(0);
      expect(firstChunk).toBeLessThan(complete);
      // "first" was printed a second before "second": they were two chunks, not one at the end.
      expect(outputs.length).toBeGreaterThanOrEqual(2);
      const result = events[complete]!.data.result as Record<string, unknown>;
      expect(result).toMatchObject({ executionId: id, status: 'completed', output: 'first\nsecond\n' });
      // seq strictly increasing, no duplicates
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    });

    it('a character split across two chunks arrives whole in the live stream', async () => {
      // The first byte of "é" (0xC3), a pause long enough for the engine to flush it as its own
      // chunk, then the second byte (0xA9): decoding each chunk alone would give two U+FFFD.
      const code = 'import sys, time\nsys.stdout.buffer.write(b"\\xc3"); sys.stdout.flush()\ntime.sleep(0.3)\nsys.stdout.buffer.write(b"\\xa9!\\n"); sys.stdout.flush()\n';
      const socket = await connect(socketUrl(), token);
      sockets.push(socket);
      const events = record(socket);
      const started = await api<{ data: { executionId: string } }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code } });
      await subscribe(socket, started.body.data.executionId);
      await until(() => events.some((e) => e.name === 'execution:complete'));
      const text = events.filter((e) => e.name === 'execution:output').map((e) => e.data.data).join('');
      expect(text).toBe('\u00e9!\n');
    });

    it('a late subscriber gets the whole replay', async () => {
      const res = await api<{ data: { executionId: string; output: string } }>(server, 'POST', '/api/v1/execute?wait=true', {
        token,
        body: { language: 'python', code: 'import sys\nprint("a", flush=True)\nprint("b", file=sys.stderr, flush=True)\n' },
      });
      const id = res.body.data.executionId;
      const socket = await connect(socketUrl(), token);
      sockets.push(socket);
      const events = record(socket);
      const ack = await subscribe(socket, id);
      expect(ack).toMatchObject({ status: 'completed' });
      await until(() => events.some((e) => e.name === 'execution:complete'));
      expect(events.filter((e) => e.name === 'execution:output').map((e) => [e.data.type, e.data.data])).toEqual([
        ['stdout', 'a\n'],
        ['stderr', 'b\n'],
      ]);
      expect(events.filter((e) => e.name === 'execution:status').map((e) => e.data.status)).toEqual(['queued', 'running', 'completed']);
      expect(ack.seq).toBe(Math.max(...events.map((e) => e.seq)));
    });

    it("refuses to subscribe to another user's execution, and to unknown ids", async () => {
      const res = await api<{ data: { executionId: string } }>(server, 'POST', '/api/v1/execute?wait=true', {
        token,
        body: { language: 'python', code: 'print(1)' },
      });
      const socket = await connect(socketUrl(), stranger);
      sockets.push(socket);
      const events = record(socket);
      const ack = await subscribe(socket, res.body.data.executionId);
      expect(ack).toMatchObject({ error: { code: 'NOT_FOUND' } });
      const unknown = await subscribe(socket, '00000000-0000-4000-8000-000000000000');
      expect(unknown).toMatchObject({ error: { code: 'NOT_FOUND' } });
      await new Promise((r) => setTimeout(r, 200));
      expect(events).toEqual([]);
    });

    it('answers an id that is not a UUID with VALIDATION_ERROR, and never with SQL (red-team L2)', async () => {
      const socket = await connect(socketUrl(), token);
      sockets.push(socket);
      for (const bad of ["x' or 1=1", 'x', 42, null, { executionId: "x' or 1=1" }]) {
        const ack = await socket.timeout(10_000).emitWithAck('subscribe:execution', bad);
        expect(ack).toEqual({ error: { code: 'VALIDATION_ERROR', message: 'executionId must be a UUID' } });
        expect(JSON.stringify(ack)).not.toMatch(/select|executions|params/i);
      }
    });

    it('20 concurrent subscribes give one subscription, and none is left after disconnect (red-team L4)', async () => {
      const res = await api<{ data: { executionId: string } }>(server, 'POST', '/api/v1/execute?wait=true', {
        token,
        body: { language: 'python', code: 'print(1)' },
      });
      const id = res.body.data.executionId;
      const bus = (other ?? server).platform.ctx.bus;
      expect(bus.kind).toBe(mode === 'cluster' ? 'redis' : 'memory');
      const socket = await connect(socketUrl(), token);
      const events = record(socket);
      const acks = await Promise.all(Array.from({ length: 20 }, () => subscribe(socket, id)));
      expect(acks.filter((a) => a.error !== undefined)).toEqual([]);
      expect(acks.filter((a) => a.alreadySubscribed !== true)).toHaveLength(1);
      expect(acks.filter((a) => a.alreadySubscribed === true)).toHaveLength(19);
      expect(bus.listenerCount(id)).toBe(1);
      // The replay arrived once, not once per subscribe.
      await until(() => events.some((e) => e.name === 'execution:complete'));
      expect(events.filter((e) => e.name === 'execution:complete')).toHaveLength(1);
      socket.disconnect();
      await until(() => bus.listenerCount(id) === 0);
      // Subscribing and unsubscribing at once leaves nothing either.
      const again = await connect(socketUrl(), token);
      sockets.push(again);
      const pending = subscribe(again, id);
      await again.timeout(10_000).emitWithAck('unsubscribe:execution', { executionId: id });
      await pending;
      await again.timeout(10_000).emitWithAck('unsubscribe:execution', { executionId: id });
      await until(() => bus.listenerCount(id) === 0);
    });

    it('rejects a forged token at the handshake', async () => {
      await expect(connect(socketUrl(), `${token.slice(0, -4)}AAAA`)).rejects.toThrow();
    });
  });
}
