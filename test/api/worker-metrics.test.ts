import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { Engine } from '../../src/engine/runner/engine.js';
import { startWorker } from '../../src/server/serve.js';
import { SandboxSelfTest, workerReadiness } from '../../src/system/readiness.js';
import { api, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

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

/** Cluster mode: runs finish in workers, so a worker serves its own /metrics. */
describe('worker metrics (cluster)', () => {
  let server: TestServer;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  beforeAll(async () => {
    server = await startTestServer({ mode: 'cluster', worker: false });
    const config = { ...server.config, WORKER_METRICS_PORT: await freePort() };
    worker = await startWorker(config, server.engine);
  });
  afterAll(async () => {
    await worker?.close({ abort: true });
    await server?.stop();
  });

  it('counts the runs this worker finished, by verdict', async () => {
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const { token } = await registerUser(server);
    const res = await api<{ data: { status: string } }>(server, 'POST', '/api/v1/execute?wait=true', {
      token,
      body: { language: 'python', code: 'raise SystemExit(2)' },
    });
    expect(res.body.data.status).toBe('completed');
    const text = await (await fetch(worker.metricsUrl!)).text();
    const line = text.split('\n').find((l) => l.startsWith('muscode_executions_total{') && l.includes('verdict="runtime_error"'));
    expect(line).toBeDefined();
    expect(Number(line!.split(' ').pop())).toBe(1);
    expect((await fetch(worker.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('answers the orchestrator probes: live, and ready only after a real run through the sandbox', async () => {
    const base = worker.metricsUrl!.replace('/metrics', '');
    expect(await (await fetch(`${base}/health/live`)).json()).toEqual({ status: 'alive' });
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, services: { database: 'up', redis: 'up', sandbox: 'up' } });
  });

  it('is not ready when the sandbox cannot run or the database is unreachable', async () => {
    // A real engine, closed: its runs are refused, as when the sandbox is broken.
    const engine = Engine.create({ ...server.config, SANDBOX_SLOTS: 1 });
    await engine.close();
    const broken = await workerReadiness(worker.ctx, new SandboxSelfTest(engine));
    expect(broken.ready).toBe(false);
    expect(broken.services.sandbox).toBe('down');
    expect(broken.detail).toMatch(/self-test/);
    // A database connection that is closed answers no ping.
    const database = await openDatabase({ url: server.config.DATABASE_URL! });
    await database.close();
    const noDb = await workerReadiness({ database, bus: worker.ctx.bus }, new SandboxSelfTest(server.engine));
    expect(noDb).toMatchObject({ ready: false, services: { database: 'down', redis: 'up', sandbox: 'up' } });
  });
});
