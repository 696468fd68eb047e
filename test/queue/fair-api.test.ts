import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';

/**
 * Red-team finding M3 through the API, with the real engine: one account floods the queue with
 * long runs, another account's hello must not wait behind them. Assertions are about the order
 * in which runs started (the rows' startedAt), never about how long anything took.
 */

interface Exec {
  executionId: string;
  status: string;
  output: string | null;
  startedAt: string | null;
  completedAt: string | null;
}
type Res<T = unknown> = { status: number; headers: http.IncomingHttpHeaders; body: { success: boolean; data: T; error: { code: string; details?: unknown } } };

const LONG = { language: 'python', code: 'import time\ntime.sleep(1)\n' };
// Alice's second slot-holder runs longer, so that her two slots free a second apart: bob's hello
// takes the first slot that frees (fair), and the second cannot end in the few milliseconds
// between that slot freeing and bob's claim (with equal lengths both ended together: a flake).
const LONGER = { language: 'python', code: 'import time\ntime.sleep(2)\n' };
const HELLO = { language: 'python', code: 'print("bob hello")' };

/** A request from a chosen loopback address (anonymous callers are keyed by it). */
function from<T>(addr: string, server: { url: string }, method: string, path: string, body?: unknown, token?: string): Promise<Res<T>> {
  const url = new URL(path, server.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: addr, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text || '{}') as Res<T>['body'] }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`fair queueing through the API (${mode})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      // Default QUEUE_USER_RUNNING_MAX (2) on 2 slots, as in the red team's run; a small waiting limit.
      server = await startTestServer({ mode, config: { SANDBOX_SLOTS: '2', QUEUE_USER_WAITING_MAX: '3', ANONYMOUS_EXECUTE: 'true' } });
    });
    afterAll(async () => server?.stop());

    const get = (id: string, token?: string) => api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${id}`, { token }).then((r) => r.body.data);
    const post = async (body: unknown, token?: string) => {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute', { token, body });
      expect(res.status).toBe(200);
      return res.body.data.executionId;
    };
    const settled = async (ids: string[], token?: string) => {
      await waitFor('the runs to end', async () => (await Promise.all(ids.map((id) => get(id, token)))).every((e) => !['queued', 'running'].includes(e.status)), 60_000);
      return Promise.all(ids.map((id) => get(id, token)));
    };

    it("M3: a flooding user's runs do not delay another user's hello by more than one run; beyond the waiting limit: 429 QUEUE_FULL", async () => {
      const alice = await registerUser(server);
      const bob = await registerUser(server);
      const first = [await post(LONG, alice.token), await post(LONGER, alice.token)];
      await waitFor('alice holds both slots', async () => (await Promise.all(first.map((id) => get(id, alice.token)))).every((e) => e.status === 'running'), 30_000);
      const waiting = [await post(LONG, alice.token), await post(LONG, alice.token), await post(LONG, alice.token)];
      // A fourth waiting run is refused, stores nothing, and says why.
      const refused = await api<Res['body']>(server, 'POST', '/api/v1/execute', { token: alice.token, body: LONG });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('QUEUE_FULL');
      expect(refused.body.error.details).toEqual({ waiting: 3, max: 3 });
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      const listed = await api<{ data: { pagination: { total: number } } }>(server, 'GET', '/api/v1/execute', { token: alice.token });
      expect(listed.body.data.pagination.total).toBe(5);

      const hello = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute?wait=true', { token: bob.token, body: HELLO });
      expect(hello.body.data).toMatchObject({ status: 'completed', output: 'bob hello\n' });
      const bobStart = hello.body.data.startedAt!;
      const runs = await settled([...first, ...waiting], alice.token);
      expect(runs.every((r) => r.status === 'completed')).toBe(true);
      // FIFO would start all five of alice's runs first; fair queueing starts bob's in the first
      // slot that frees, so only the two that held the slots started before it...
      expect(runs.filter((r) => r.startedAt! < bobStart).map((r) => r.executionId).sort()).toEqual([...first].sort());
      // ...and at most one of alice's runs ended before bob's started.
      expect(runs.filter((r) => r.completedAt! <= bobStart).length).toBeLessThanOrEqual(1);
    });

    it('anonymous callers are keyed by address: one address filling its lane does not refuse another', async () => {
      const a = '127.0.0.31';
      const b = '127.0.0.32';
      const ids: string[] = [];
      for (let i = 0; i < 2; i += 1) ids.push((await from<Exec>(a, server, 'POST', '/api/v1/execute', LONG)).body.data.executionId);
      await waitFor('both running', async () => (await Promise.all(ids.map((id) => get(id)))).every((e) => e.status === 'running'), 30_000);
      for (let i = 0; i < 3; i += 1) {
        const res = await from<Exec>(a, server, 'POST', '/api/v1/execute', LONG);
        expect(res.status).toBe(200);
        ids.push(res.body.data.executionId);
      }
      const full = await from(a, server, 'POST', '/api/v1/execute', LONG);
      expect(full.status).toBe(429);
      expect(full.body.error.code).toBe('QUEUE_FULL');
      const other = await from<Exec>(b, server, 'POST', '/api/v1/execute?wait=true', HELLO);
      expect(other.status).toBe(200);
      expect(other.body.data).toMatchObject({ status: 'completed', output: 'bob hello\n' });
      // Cancelling a waiting run frees its place in the lane.
      const cancelled = await api<{ data: Exec }>(server, 'DELETE', `/api/v1/execute/${ids[4]}`);
      expect(cancelled.body.data.status).toBe('cancelled');
      const again = await from<Exec>(a, server, 'POST', '/api/v1/execute', LONG);
      expect(again.status).toBe(200);
      ids.push(again.body.data.executionId);
      const ended = await settled(ids);
      expect(ended.map((e) => e.status).sort()).toEqual(['cancelled', 'completed', 'completed', 'completed', 'completed', 'completed']);
    });
  });
}
