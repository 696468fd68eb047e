import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

interface Exec {
  executionId: string;
  status: string;
  output: string | null;
  error: string | null;
  verdict: string | null;
  exitCode: number | null;
  executionTime: number | null;
  memoryUsed: number | null;
  compilationError: string | null;
  cpuMs: number | null;
  queuePosition?: number | null;
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`executions (${mode})`, () => {
    let server: TestServer;
    let token: string;
    let other: string;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      token = (await registerUser(server)).token;
      other = (await registerUser(server)).token;
    });
    afterAll(async () => server?.stop());

    it('runs python with stdin synchronously (?wait=true)', async () => {
      const res = await api<{ success: boolean; data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', {
        token,
        body: { language: 'python', code: 'print(input()[::-1])', stdin: 'olleh\n' },
      });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(res.body.data).toMatchObject({ status: 'completed', output: 'hello\n', verdict: 'ok', exitCode: 0 });
      expect(res.body.data.memoryUsed).toBeGreaterThan(0);
    });

    it('?wait=true answers with exactly the stored row (in cluster mode it travels in the complete event)', async () => {
      // Bytes that are not UTF-8 on stdout, text on stderr, a stdin and an exit code: every
      // column the answer shows, compared with what GET (a database read) shows.
      const code = 'import sys\nsys.stdout.buffer.write(bytes([0xff, 0, 0xc3]) + sys.stdin.read().encode())\nprint("é", file=sys.stderr)\nsys.exit(4)';
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true&base64_encoded=true', { token, body: { language: 'python', code, stdin: 'ünï\n' } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'completed', verdict: 'runtime_error', exitCode: 4 });
      const id = res.body.data.executionId;
      const stored = await api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${id}?base64_encoded=true`, { token });
      expect(res.body.data).toEqual(stored.body.data);
      expect(Buffer.from(res.body.data.output!, 'base64')).toEqual(Buffer.concat([Buffer.from([0xff, 0, 0xc3]), Buffer.from('ünï\n')]));
      const complete = (await server.platform.ctx.bus.history(id)).find((e) => e.type === 'complete');
      expect(complete && 'row' in complete && typeof complete.row === 'string').toBe(mode === 'cluster');
    });

    it('queues asynchronously, then the result can be polled by its owner only', async () => {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'c', code: 'int main(){return 3;}' } });
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('queued');
      const id = res.body.data.executionId;
      let final: Exec | undefined;
      for (let i = 0; i < 200; i++) {
        const got = await api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${id}`, { token });
        if (!['queued', 'running'].includes(got.body.data.status)) {
          final = got.body.data;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(final).toMatchObject({ status: 'completed', verdict: 'runtime_error', exitCode: 3 });
      const foreign = await api<{ error: { code: string } }>(server, 'GET', `/api/v1/execute/${id}`, { token: other });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('NOT_FOUND');
    });

    it('reports a time limit as status timeout', async () => {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', {
        token,
        body: { language: 'python', code: 'while True: pass', timeout: 0.5 },
      });
      expect(res.body.data).toMatchObject({ status: 'timeout', verdict: 'time_limit' });
      expect(res.body.data.cpuMs).toBeGreaterThanOrEqual(500);
    });

    it('runs a multi-file batch and reports compile errors', async () => {
      const ok = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute/batch?wait=true', {
        token,
        body: {
          language: 'java',
          mainFile: 'Main.java',
          files: [
            { name: 'Main.java', content: 'public class Main { public static void main(String[] a) { System.out.println(Helper.greet()); } }' },
            { name: 'Helper.java', content: 'public class Helper { static String greet() { return "hi from helper"; } }' },
          ],
        },
      });
      expect(ok.body.data).toMatchObject({ status: 'completed', output: 'hi from helper\n' });
      const bad = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', { token, body: { language: 'c', code: 'int main( {' } });
      expect(bad.body.data).toMatchObject({ status: 'completed', verdict: 'compile_error' });
      expect(bad.body.data.compilationError).toMatch(/error/);
    });

    it('cancels a running execution', async () => {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code: 'while True: pass', timeout: 10 } });
      const id = res.body.data.executionId;
      for (let i = 0; i < 100; i++) {
        const got = await api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${id}`, { token });
        if (got.body.data.status === 'running') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const del = await api<{ data: Exec }>(server, 'DELETE', `/api/v1/execute/${id}`, { token });
      expect(del.status).toBe(200);
      expect(del.body.data.status).toBe('cancelled');
      if (mode === 'embedded' && 'leftovers' in server.engine) {
        expect((server.engine as unknown as { leftovers(): { pids: number[] } }).leftovers().pids).toEqual([]);
      }
    });
  });
}
