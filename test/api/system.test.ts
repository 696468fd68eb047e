import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/** GET /api/v1/stats (the caller's own figures) and GET /metrics (Prometheus), in both modes. */

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function metrics(server: TestServer): Promise<{ text: string; type: string | null; status: number }> {
  const res = await fetch(`${server.url}/metrics`);
  return { text: await res.text(), type: res.headers.get('content-type'), status: res.status };
}

interface Exec {
  executionId: string;
  status: string;
  verdict: string | null;
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`stats and metrics (${mode})`, () => {
    let server: TestServer;
    let token: string;
    const run = async (language: string, code: string, extra: Record<string, unknown> = {}, wait = true) => {
      const res = await api<{ data: Exec }>(server, 'POST', `/api/v1/execute${wait ? '?wait=true' : ''}`, { token, body: { language, code, ...extra } });
      expect(res.status).toBe(200);
      return res.body.data;
    };

    beforeAll(async () => {
      server = await startTestServer({ mode });
      token = (await registerUser(server)).token;
      expect(await run('python', 'print(1)')).toMatchObject({ status: 'completed', verdict: 'ok' });
      expect(await run('python', 'raise SystemExit(3)')).toMatchObject({ status: 'completed', verdict: 'runtime_error' });
      expect(await run('javascript', 'console.log(1)')).toMatchObject({ status: 'completed', verdict: 'ok' });
    });
    afterAll(async () => server?.stop());

    it("GET /stats gives the caller's own figures", async () => {
      const res = await api<{ success: boolean; data: Record<string, unknown> & { averageExecutionTime: number; executionTimeToday: number } }>(
        server,
        'GET',
        '/api/v1/stats',
        { token },
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        totalExecutions: 3,
        totalProjects: 0,
        storageUsed: 0,
        executionsToday: 3,
        executionsThisMonth: 3,
        executionsByStatus: { completed: 3 },
        executionsByVerdict: { ok: 2, runtime_error: 1 },
        languages: { python: 2, javascript: 1 },
        // Quotas are off in the test defaults: counted, with no limit.
        quota: { daily: { used: 3, limit: null }, monthly: { used: 3, limit: null }, storage: { usedMb: 0, limitMb: null } },
      });
      const { averageExecutionTime: avg, executionTimeToday: today } = res.body.data;
      expect(avg).toBeGreaterThan(0);
      expect(today).toBeCloseTo(avg * 3, 1);

      const other = await registerUser(server);
      const theirs = await api<{ data: Record<string, unknown> }>(server, 'GET', '/api/v1/stats', { token: other.token });
      expect(theirs.body.data).toMatchObject({ totalExecutions: 0, executionsToday: 0, averageExecutionTime: 0, languages: {}, executionsByStatus: {} });
    });

    it('GET /metrics is Prometheus text, outside the envelope, with HTTP timings by route pattern', async () => {
      await api(server, 'GET', `/api/v1/execute/${crypto.randomUUID()}`, { token });
      await api(server, 'GET', `/api/v1/no-such-${crypto.randomUUID()}`);
      const m = await metrics(server);
      expect(m.status).toBe(200);
      expect(m.type).toMatch(/^text\/plain/);
      expect(m.text).not.toMatch(/"success"/);
      expect(sample(m.text, 'muscode_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/execute', status_code: '200' })).toBe(3);
      expect(sample(m.text, 'muscode_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/execute/:id', status_code: '404' })).toBe(1);
      // Unmatched URLs share one series: random paths cannot grow the series count.
      expect(sample(m.text, 'muscode_http_request_duration_seconds_count', { route: '(unmatched)', status_code: '404' })).toBe(1);
      expect(m.text).not.toContain('no-such-');
      // Process metrics.
      expect(sample(m.text, 'muscode_process_start_time_seconds')).toBeGreaterThan(1_600_000_000);
      expect(sample(m.text, 'muscode_process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(sample(m.text, 'muscode_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    });

    if (mode === 'embedded') {
      it('counts finished executions by status and verdict, with queue-wait and run histograms', async () => {
        // This server's registry alone: other servers of this process ran other programs.
        const { text } = await metrics(server);
        expect(sample(text, 'muscode_executions_total', { status: 'completed', verdict: 'ok', language: 'python' })).toBe(1);
        expect(sample(text, 'muscode_executions_total', { status: 'completed', verdict: 'runtime_error', language: 'python' })).toBe(1);
        expect(sample(text, 'muscode_executions_total', { status: 'completed', verdict: 'ok', language: 'javascript' })).toBe(1);
        expect(sample(text, 'muscode_execution_queue_wait_seconds_count', { language: 'python' })).toBe(2);
        expect(sample(text, 'muscode_execution_run_seconds_count', { language: 'python', status: 'completed' })).toBe(2);
        expect(sample(text, 'muscode_execution_run_seconds_sum', { language: 'python', status: 'completed' })).toBeGreaterThan(0);
      });
    }

    it('reports the queue depth (waiting and active)', async () => {
      const before = await metrics(server);
      expect(sample(before.text, 'muscode_queue_jobs', { state: 'waiting' })).toBe(0);
      expect(sample(before.text, 'muscode_queue_jobs', { state: 'active' })).toBe(0);
      // Two slots: three spinning programs are two active and one waiting.
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await run('python', 'while True: pass', { timeout: 10 }, false)).executionId);
      try {
        let seen = { waiting: -1, active: -1 };
        for (let i = 0; i < 200; i++) {
          const { text } = await metrics(server);
          seen = { waiting: sample(text, 'muscode_queue_jobs', { state: 'waiting' })!, active: sample(text, 'muscode_queue_jobs', { state: 'active' })! };
          if (seen.waiting === 1 && seen.active === 2) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(seen).toEqual({ waiting: 1, active: 2 });
      } finally {
        for (const id of ids.reverse()) await api(server, 'DELETE', `/api/v1/execute/${id}`, { token });
      }
    });
  });
}
