import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../server/context.js';
import { SandboxSelfTest, workerReadiness } from './readiness.js';

/**
 * In cluster mode runs finish in workers, which serve no HTTP: this tiny server exposes a
 * worker's own registry (executions by verdict, latencies, queue depth) for Prometheus.
 * Same rules as the API's /metrics (METRICS_TOKEN when set). It also answers the orchestrator's
 * probes: GET /health/live and GET /health/ready.
 */
export async function serveWorkerMetrics(ctx: AppContext): Promise<{ url: string; close(): Promise<void> }> {
  const token = ctx.config.METRICS_TOKEN;
  const selfTest = new SandboxSelfTest(ctx.engine);
  const server = http.createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0];
    // Probes for orchestrators (no token: they carry no data). Liveness: the event loop answers.
    // Readiness: database, Redis and a real run through the sandbox (readiness.ts).
    if (req.method === 'GET' && route === '/health/live') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"alive"}\n');
      return;
    }
    if (req.method === 'GET' && route === '/health/ready') {
      workerReadiness(ctx, selfTest).then(
        (r) => res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(r)}\n`),
        () => res.writeHead(503).end(),
      );
      return;
    }
    if (req.method !== 'GET' || route !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (token) {
      const given = Buffer.from(req.headers.authorization ?? '');
      const want = Buffer.from(`Bearer ${token}`);
      if (given.length !== want.length || !timingSafeEqual(given, want)) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized\n');
        return;
      }
    }
    ctx.metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': ctx.metrics.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.config.WORKER_METRICS_PORT, ctx.config.HOST, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : ctx.config.WORKER_METRICS_PORT;
  return {
    url: `http://${ctx.config.HOST}:${port}/metrics`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
