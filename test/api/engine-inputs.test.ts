/**
 * Red-team findings of 2026-11-29 that reach the engine through the API: M1 (a "@" file name
 * read by gcc as a response file), L1 (a tiny memoryLimit recorded as our failure), and m4 of
 * the UX review (a cancelled run showing no CPU, wall time or memory). Both modes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { M1_PAYLOAD } from '../hostile/m1-payload.js';

interface Exec {
  executionId: string;
  status: string;
  output: string | null;
  verdict: string | null;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  executionTime: number | null;
  memoryUsed: number | null;
  failureReason: string | null;
}
interface ErrorBody {
  success: false;
  error: { code: string; message: string; status: number; details?: Record<string, unknown> };
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`engine inputs through the API (${mode})`, () => {
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      token = (await registerUser(server)).token;
    });
    afterAll(async () => server?.stop());

    const count = async () => {
      const res = await api<{ data: { pagination: { total: number } } }>(server, 'GET', '/api/v1/execute?limit=1', { token });
      expect(res.status).toBe(200);
      return res.body.data.pagination.total;
    };

    it('M1: the red-team "@opts.c" batch is a 400 INVALID_PATH, and nothing is queued', async () => {
      const before = await count();
      const res = await api<ErrorBody>(server, 'POST', '/api/v1/execute/batch?wait=true', { token, body: M1_PAYLOAD });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('INVALID_PATH');
      expect(res.body.error.message).toMatch(/@opts\.c/);
      expect(await count()).toEqual(before);
    });

    it('L1: a memoryLimit below the minimum (0.001 MB, 1e-6 MB) is a 400 INVALID_LIMIT, and nothing is queued', async () => {
      const before = await count();
      for (const memoryLimit of [0.001, 1e-6, 7.99]) {
        const res = await api<ErrorBody>(server, 'POST', '/api/v1/execute?wait=true', { token, body: { language: 'python', code: 'print(1)', memoryLimit } });
        expect(res.status, `${memoryLimit}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.error.code).toBe('INVALID_LIMIT');
        expect(res.body.error.details).toMatchObject({ limit: 'memoryBytes', min: 8 * 2 ** 20 });
      }
      const tiny = await api<ErrorBody>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code: 'print(1)', timeout: 0.0004 } });
      expect(tiny.status).toBe(400);
      expect(tiny.body.error.code).toBe('INVALID_LIMIT');
      expect(await count()).toEqual(before);
      // The minimum itself runs.
      const ok = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', { token, body: { language: 'python', code: 'print(1)', memoryLimit: 8 } });
      expect(ok.body.data.status, JSON.stringify(ok.body)).not.toBe('failed');
    });

    it('m4: a cancelled run keeps the CPU, wall time and memory measured until the stop', async () => {
      const code = 'import time\nx = bytearray(24 * 2**20)\nprint("started", flush=True)\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass\nprint("busy", flush=True)\nwhile True:\n    pass\n';
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code, timeout: 10 } });
      const id = res.body.data.executionId;
      // Wait (on the output bus) until the program has used 0.3 s of CPU.
      const bus = server.platform.ctx.bus;
      for (let i = 0; i < 400; i++) {
        const history = await bus.history(id);
        if (history.some((e) => e.type === 'output' && String((e as { data?: unknown }).data).includes('busy'))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const del = await api<{ data: Exec }>(server, 'DELETE', `/api/v1/execute/${id}`, { token });
      expect(del.status).toBe(200);
      expect(del.body.data.status).toBe('cancelled');
      const got = await api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${id}`, { token });
      expect(got.body.data.status).toBe('cancelled');
      expect(got.body.data.cpuMs).toBeGreaterThanOrEqual(300);
      expect(got.body.data.wallMs).toBeGreaterThanOrEqual(300);
      expect(got.body.data.memoryKb).toBeGreaterThanOrEqual(24 * 1024);
      expect(got.body.data.executionTime).not.toBeNull();
      expect(got.body.data.memoryUsed).not.toBeNull();
    });
  });
}
