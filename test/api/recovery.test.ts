import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, registerUser, startTestServer, startWorkerProcess, type TestServer } from '../helpers/app.js';

/**
 * A job is never lost: a worker killed -9 mid-run, a Redis that restarts empty, an embedded-mode
 * restart, a graceful SIGTERM. The executions row is the source of truth and the reconciler
 * makes the queue agree with it. Intervals are shortened by settings, never by waiting 30 s.
 */
const FAST = {
  QUEUE_LOCK_DURATION_MS: '1000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  EXECUTION_LEASE_MS: '5000',
  RECONCILE_INTERVAL_MS: '1000',
};

interface Exec {
  executionId: string;
  status: string;
  output: string | null;
  failureReason: string | null;
}

async function finalState(server: { url: string }, token: string, id: string, ms = 60_000): Promise<Exec> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${id}`, { token });
    if (!['queued', 'running'].includes(got.body.data.status)) return got.body.data;
    if (Date.now() > end) throw new Error(`execution ${id} still ${got.body.data.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForStatus(server: { url: string }, token: string, id: string, status: string): Promise<void> {
  const end = Date.now() + 30_000;
  while ((await api<{ data: Exec }>(server, 'GET', `/api/v1/execute/${id}`, { token })).body.data.status !== status) {
    if (Date.now() > end) throw new Error(`never reached ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SLOW = 'import time\nprint("start", flush=True)\ntime.sleep(2)\nprint("done")\n';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('crash recovery', () => {
  it('a worker killed -9 mid-run: the execution still ends (re-run elsewhere or worker_lost), never stuck', async () => {
    const server = await startTestServer({ mode: 'cluster', worker: false, config: FAST });
    cleanups.push(() => server.stop());
    const { token } = await registerUser(server);
    const w1 = await startWorkerProcess(server);
    cleanups.push(() => w1.stop('SIGKILL'));
    const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code: SLOW } });
    const id = res.body.data.executionId;
    await waitForStatus(server, token, id, 'running');
    await w1.stop('SIGKILL');
    const w2 = await startWorkerProcess(server);
    cleanups.push(() => w2.stop());
    const final = await finalState(server, token, id);
    if (final.status === 'completed') expect(final.output).toBe('start\ndone\n');
    else expect(final).toMatchObject({ status: 'failed', failureReason: 'worker_lost' });
  });

  it('Redis restarted empty: queued executions are queued again and run', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-redis-'));
    let redis = await startRedis(port, dir);
    cleanups.push(async () => {
      redis.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const server = await startTestServer({ mode: 'cluster', worker: false, config: { ...FAST, REDIS_URL: `redis://127.0.0.1:${port}` } });
    cleanups.push(() => server.stop());
    const { token } = await registerUser(server);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code: `print(${i})` } });
      ids.push(res.body.data.executionId);
    }
    // No worker yet: the jobs sit in Redis. Now Redis loses everything.
    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    redis = await startRedis(port, dir);
    const worker = await startWorkerProcess(server);
    cleanups.push(() => worker.stop());
    for (const [i, id] of ids.entries()) {
      expect(await finalState(server, token, id)).toMatchObject({ status: 'completed', output: `${i}\n` });
    }
  });

  it('embedded mode: a restart loses nothing (running work is handed back, queued work resumes)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-restart-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const pgliteDir = path.join(dataDir, 'db');
    const config = { ...FAST, SANDBOX_SLOTS: '1' };
    const first = await startTestServer({ mode: 'embedded', config, dataDir, pgliteDir });
    const { token } = await registerUser(first);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api<{ data: Exec }>(first, 'POST', '/api/v1/execute', {
        token,
        body: { language: 'python', code: `import time\ntime.sleep(0.5)\nprint(${i})` },
      });
      ids.push(res.body.data.executionId);
    }
    await waitForStatus(first, token, ids[0]!, 'running');
    await first.stop(); // abrupt: aborts the running one, the others are still queued
    const second = await startTestServer({ mode: 'embedded', config, dataDir, pgliteDir });
    cleanups.push(() => second.stop());
    for (const [i, id] of ids.entries()) {
      expect(await finalState(second, token, id)).toMatchObject({ status: 'completed', output: `${i}\n` });
    }
  });

  it('SIGTERM: a worker finishes what it runs, then exits', async () => {
    const server = await startTestServer({ mode: 'cluster', worker: false, config: FAST });
    cleanups.push(() => server.stop());
    const { token } = await registerUser(server);
    const w = await startWorkerProcess(server);
    const res = await api<{ data: Exec }>(server, 'POST', '/api/v1/execute', { token, body: { language: 'python', code: SLOW } });
    const id = res.body.data.executionId;
    await waitForStatus(server, token, id, 'running');
    const exited = new Promise<number | null>((r) => w.child.once('exit', (code) => r(code)));
    w.child.kill('SIGTERM');
    expect(await finalState(server, token, id)).toMatchObject({ status: 'completed', output: 'start\ndone\n' });
    expect(await exited).toBe(0);
    await w.stop();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', () => reject(new Error(`redis-server exited: ${out}`)));
  });
  return child;
}
