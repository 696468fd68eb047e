import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { api, type Mode, registerUser, startTestServer, startWorkerProcess, type TestServer } from '../helpers/app.js';
import { createProject } from '../projects/helpers.js';

/**
 * Interactive runs through the API: POST /execute {interactive: true}, input over socket.io
 * (execution:stdin / eof / signal / resize), owner only. Embedded mode runs the program in the API
 * process; cluster mode in a separate worker process (supervisor + service), so that the input
 * crosses the bus (Redis) and the supervisor channel to reach the sandbox.
 */
function connect(url: string, token?: string): Promise<Socket> {
  const socket = io(url, { path: '/ws', auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Follows an execution's output and final state on `socket`. */
async function follow(socket: Socket, executionId: string) {
  let out = '';
  let final: Record<string, unknown> | null = null;
  const waiters: (() => void)[] = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  socket.on('execution:output', (p: { executionId: string; data: string }) => {
    if (p.executionId !== executionId) return;
    out += p.data;
    poke();
  });
  socket.on('execution:complete', (p: { executionId: string; result: Record<string, unknown> }) => {
    if (p.executionId !== executionId) return;
    final = p.result;
    poke();
  });
  const ack = await socket.timeout(10_000).emitWithAck('subscribe:execution', { executionId });
  expect(ack).not.toHaveProperty('error');
  const until = async (check: () => boolean, what: string) => {
    const end = Date.now() + 30_000;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(out)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return {
    get out() {
      return out;
    },
    untilOutput: (text: string) => until(() => out.includes(text), JSON.stringify(text)),
    done: async () => {
      await until(() => final !== null, 'the end');
      return final!;
    },
  };
}

const send = (socket: Socket, event: string, payload: unknown) => socket.timeout(10_000).emitWithAck(event, payload) as Promise<{ ok?: true; error?: { code: string } }>;

const TWO_PROMPTS = 'a = input("name? ")\nb = input("name? ")\nprint(f"hello {a} and {b}")\n';

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`interactive runs (${mode})`, () => {
    let server: TestServer;
    let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    let token: string;
    let strangerToken: string;
    const sockets: Socket[] = [];
    const start = async (body: Record<string, unknown>, t = token) => {
      const res = await api<{ data: { executionId: string } }>(server, 'POST', '/api/v1/execute', { token: t, body: { language: 'python', ...body } });
      expect(res.status).toBe(200);
      return res.body.data.executionId;
    };
    const socketOf = async (t?: string) => {
      const s = await connect(server.url, t);
      sockets.push(s);
      return s;
    };

    beforeAll(async () => {
      server = await startTestServer({ mode, worker: mode === 'embedded' });
      if (mode === 'cluster') worker = await startWorkerProcess(server);
      token = (await registerUser(server)).token;
      strangerToken = (await registerUser(server)).token;
    }, 60_000);

    afterAll(async () => {
      for (const s of sockets) s.close();
      await worker?.stop();
      await server?.stop();
    });

    it('answers input() twice while the program runs, then refuses input to the ended run', async () => {
      const socket = await socketOf(token);
      // stdin given with the request comes first; the rest is typed while it runs.
      const id = await start({ code: TWO_PROMPTS, interactive: true, stdin: 'Ada\n' });
      const f = await follow(socket, id);
      await f.untilOutput('name? name? ');
      expect(await send(socket, 'execution:stdin', { executionId: id, data: 'Bob\n' })).toEqual({ ok: true });
      const result = await f.done();
      expect(result.status).toBe('completed');
      expect(result.output).toBe('name? name? hello Ada and Bob\n');
      expect((await send(socket, 'execution:stdin', { executionId: id, data: 'late\n' })).error?.code).toBe('EXECUTION_ENDED');
    });

    it('runs on a terminal (tty), takes a signal, and resizes', async () => {
      const socket = await socketOf(token);
      const code = 'import os, signal, sys\nsignal.signal(signal.SIGWINCH, lambda *a: print("size", os.get_terminal_size(), flush=True))\nprint("tty", os.isatty(0), flush=True)\nname = input("name? ")\nprint("hi", name, flush=True)\nwhile True:\n    signal.pause()\n';
      const id = await start({ code, interactive: true, tty: true, ttySize: { cols: 90, rows: 20 } });
      const f = await follow(socket, id);
      await f.untilOutput('name? ');
      expect(f.out).toContain('tty True');
      await send(socket, 'execution:stdin', { executionId: id, data: 'Q2FybA0=', encoding: 'base64' }); // "Carl\r"
      await f.untilOutput('hi Carl');
      expect(await send(socket, 'execution:resize', { executionId: id, cols: 120, rows: 40 })).toEqual({ ok: true });
      await f.untilOutput('columns=120, lines=40');
      expect(await send(socket, 'execution:signal', { executionId: id, signal: 'SIGTERM' })).toEqual({ ok: true });
      const result = await f.done();
      expect(result.signal).toBe('SIGTERM');
    });

    it('refuses bad input: a stranger, unknown ids, not interactive, oversized chunks, eof twice, bad signals', async () => {
      const socket = await socketOf(token);
      const id = await start({ code: 'import sys\nprint(len(sys.stdin.read()))', interactive: true });
      const f = await follow(socket, id);
      const stranger = await socketOf(strangerToken);
      const anonymous = await socketOf();
      expect((await send(stranger, 'execution:stdin', { executionId: id, data: 'x' })).error?.code).toBe('NOT_FOUND');
      expect((await send(anonymous, 'execution:eof', { executionId: id })).error?.code).toBe('NOT_FOUND');
      expect((await send(socket, 'execution:stdin', { executionId: '00000000-0000-4000-8000-000000000000', data: 'x' })).error?.code).toBe('NOT_FOUND');
      expect((await send(socket, 'execution:stdin', { executionId: 'nope', data: 'x' })).error?.code).toBe('VALIDATION_ERROR');
      expect((await send(socket, 'execution:stdin', { executionId: id })).error?.code).toBe('VALIDATION_ERROR');
      expect((await send(socket, 'execution:stdin', { executionId: id, data: 'x'.repeat(64 * 1024 + 1) })).error?.code).toBe('STDIN_TOO_LARGE');
      expect((await send(socket, 'execution:signal', { executionId: id, signal: 'SIGSEGV' })).error?.code).toBe('VALIDATION_ERROR');
      expect((await send(socket, 'execution:resize', { executionId: id, cols: 0, rows: 1e9 })).error?.code).toBe('VALIDATION_ERROR');
      expect(await send(socket, 'execution:stdin', { executionId: id, data: 'abc' })).toEqual({ ok: true });
      expect(await send(socket, 'execution:eof', { executionId: id })).toEqual({ ok: true });
      expect(await send(socket, 'execution:eof', { executionId: id }).then((a) => String(a.ok ?? a.error?.code))).toMatch(/^(true|EXECUTION_ENDED)$/);
      expect((await send(socket, 'execution:stdin', { executionId: id, data: 'more' })).error?.code).toMatch(/^(STDIN_CLOSED|EXECUTION_ENDED)$/);
      const result = await f.done();
      expect(result.output).toBe('3\n');

      const batch = await start({ code: 'print(1)' });
      expect((await send(socket, 'execution:stdin', { executionId: batch, data: 'x' })).error?.code).toBe('NOT_INTERACTIVE');
      const bad = await api(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code: 'print(1)', tty: true } });
      expect(bad.status).toBe(400);
    });

    // Embedded only (the same path as POST /execute once created); registered, not skipped, in cluster mode.
    if (mode === 'embedded') it('a project runs interactively too (POST /projects/{id}/run)', async () => {
      const socket = await socketOf(token);
      const p = await createProject(server, token, { name: 'asker', language: 'python' });
      await api(server, 'PUT', `/api/v1/projects/${p.id}/files/${p.files[0]!.id}`, { token, body: { name: p.files[0]!.name, path: p.files[0]!.path, content: TWO_PROMPTS } });
      const res = await api<{ data: { executionId: string } }>(server, 'POST', `/api/v1/projects/${p.id}/run`, { token, body: { interactive: true } });
      const id = res.body.data.executionId;
      const f = await follow(socket, id);
      await f.untilOutput('name? ');
      await send(socket, 'execution:stdin', { executionId: id, data: 'Ada\nBob\n' });
      expect((await f.done()).output).toBe('name? name? hello Ada and Bob\n');
    });

    // The same limit path in both modes: embedded only (registered, not skipped, in cluster mode).
    if (mode === 'embedded') it('the wall limit ends a program that waits for input nobody sends', async () => {
      const socket = await socketOf(token);
      const id = await start({ code: 'input()', interactive: true, timeout: 0.5 });
      const f = await follow(socket, id);
      const result = await f.done();
      expect(result.status).toBe('timeout');
    });
  });
}
