import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

interface Exec {
  executionId: string;
  status: string;
  verdict: string | null;
  output: string | null;
  outputFiles?: { name: string; size: number; type: string; content: string }[];
  refusedOutputFiles?: { name: string; reason: string }[];
  timeline?: [number, number, number][];
}

/** PNG signature then arbitrary bytes (not UTF-8): the content must come back byte for byte. */
const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256))]);

const WRITER = [
  'import os',
  `open("plot.png", "wb").write(bytes.fromhex("${PNG_BYTES.toString('hex')}"))`,
  'open("data.csv", "w").write("x,y\\n1,2\\n")',
  'os.symlink("/etc/passwd", "secret.csv")',
  // Enough work for the timeline to hold a few samples.
  'total = sum(i * i for i in range(3_000_000))',
  'print("done")',
].join('\n');

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`output files and timeline through the API (${mode})`, () => {
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      token = (await registerUser(server)).token;
    });
    afterAll(async () => server?.stop());

    it('returns matched files (base64, typed), refuses the symlink by name, and the timeline when asked', async () => {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', {
        token,
        body: { language: 'python', code: WRITER, outputFiles: ['*.png', '*.csv'], timeline: true },
      });
      expect(res.status).toBe(200);
      const data = res.body.data;
      expect(data).toMatchObject({ status: 'completed', verdict: 'ok', output: 'done\n' });
      const byName = Object.fromEntries((data.outputFiles ?? []).map((f) => [f.name, f]));
      expect(Object.keys(byName).sort()).toEqual(['data.csv', 'plot.png']);
      expect(byName['plot.png']).toMatchObject({ type: 'image/png', size: PNG_BYTES.length });
      expect(Buffer.from(byName['plot.png']!.content, 'base64').equals(PNG_BYTES)).toBe(true);
      expect(byName['data.csv']!.type).toBe('text/csv');
      expect(Buffer.from(byName['data.csv']!.content, 'base64').toString()).toBe('x,y\n1,2\n');
      expect(data.refusedOutputFiles).toEqual([{ name: 'secret.csv', reason: 'symlink' }]);
      expect(data.timeline!.length).toBeGreaterThan(0);
      for (const [ms, cpu, mem] of data.timeline!) {
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(cpu).toBeGreaterThanOrEqual(0);
        expect(mem).toBeGreaterThanOrEqual(0);
      }
      // The first sample may come before the program has mapped anything; later ones hold its memory.
      expect(Math.max(...data.timeline!.map((s) => s[2]))).toBeGreaterThan(0);

      // Stored with the execution: the same through GET.
      const again = await api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${data.executionId}`, { token });
      expect(again.body.data.outputFiles).toEqual(data.outputFiles);
      expect(again.body.data.refusedOutputFiles).toEqual(data.refusedOutputFiles);
      expect(again.body.data.timeline).toEqual(data.timeline);

      // The list leaves artifacts out (a page of them could weigh most of a gigabyte).
      const list = await api<{ data: { executions: Exec[] } }>(server, 'GET', '/api/v1/execute?limit=100', { token });
      const listed = list.body.data.executions.find((e) => e.executionId === data.executionId)!;
      expect(listed.status).toBe('completed');
      expect(listed).not.toHaveProperty('outputFiles');
      expect(listed).not.toHaveProperty('timeline');
    });

    it('leaves the fields out when not asked, and works for a batch with execution:complete on the socket', async () => {
      const plain = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', { token, body: { language: 'python', code: WRITER } });
      expect(plain.body.data.status).toBe('completed');
      expect(plain.body.data).not.toHaveProperty('outputFiles');
      expect(plain.body.data).not.toHaveProperty('refusedOutputFiles');
      expect(plain.body.data).not.toHaveProperty('timeline');

      const socket: Socket = io(server.url, { path: '/ws', auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        const complete = new Promise<{ result: Exec }>((resolve) => socket.on('execution:complete', resolve));
        const queued = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute/batch', {
          token,
          body: { language: 'python', files: [{ name: 'main.py', content: 'open("out/r.txt","w").write("hi")' }, { name: 'out/keep', content: '' }], outputFiles: ['out/*.txt'] },
        });
        expect(queued.status).toBe(200);
        await socket.timeout(10_000).emitWithAck('subscribe:execution', { executionId: queued.body.data.executionId });
        const { result } = await complete;
        expect(result.outputFiles).toEqual([{ name: 'out/r.txt', size: 2, type: 'text/plain', content: Buffer.from('hi').toString('base64') }]);
        expect(result.refusedOutputFiles).toEqual([]);
        expect(result).not.toHaveProperty('timeline');
      } finally {
        socket.disconnect();
      }
    });

    it('a project run takes the same fields', async () => {
      const created = await api<{ data: { id: string } }>(server, 'POST', '/api/v1/projects', { token, body: { name: 'artifacts', language: 'python' } });
      expect(created.status).toBe(201);
      const res = await api<{ data: Exec }>(server, 'POST', `/api/v1/projects/${created.body.data.id}/run?wait=true`, {
        token,
        body: { outputFiles: ['*.none'], timeline: true },
      });
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('completed');
      expect(res.body.data.outputFiles).toEqual([]);
      expect(res.body.data.refusedOutputFiles).toEqual([]);
      expect(Array.isArray(res.body.data.timeline)).toBe(true);
    });

    it('refuses bad globs before queueing', async () => {
      const bad = await api<{ error: { code: string } }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code: 'pass', outputFiles: ['../x'] } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('INVALID_PATH');
      const many = await api<{ error: { code: string } }>(server, 'POST', '/api/v1/execute', {
        token,
        body: { language: 'python', code: 'pass', outputFiles: Array.from({ length: 17 }, (_, i) => `f${i}.txt`) },
      });
      expect(many.status).toBe(400);
    });
  });
}
