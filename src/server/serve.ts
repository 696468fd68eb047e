import type { Config } from '../config/config.js';
import type { EngineClient } from '../engine/client.js';
import { attachRealtime } from '../realtime/socket.js';
import { serveWorkerMetrics } from '../system/worker-metrics.js';
import { type App, buildApp } from './app.js';
import { createPlatform, type Platform, type PlatformOptions } from './platform.js';

export interface RunningServer {
  app: App;
  platform: Platform;
  url: string;
  close(opts?: { abort?: boolean }): Promise<void>;
}

/** Starts the HTTP API (and, in embedded mode, the job runner) on HOST:PORT. */
export async function startApiServer(
  config: Config,
  engine: EngineClient | undefined,
  opts: Omit<PlatformOptions, 'role' | 'engine'> & { logger?: boolean } = {},
): Promise<RunningServer> {
  const platform = await createPlatform(config, { ...opts, role: 'api', engine });
  let app: App | undefined;
  try {
    app = await buildApp(platform.ctx, { logger: opts.logger });
    await attachRealtime(app, platform.ctx);
    for (const p of platform.shippedProblems) if (p.outcome === 'failed') app.log.warn({ slug: p.slug, error: p.error }, 'shipped problem not imported');
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    await app?.close().catch(() => undefined);
    await platform.close({ abort: true });
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  let closed = false;
  return {
    app,
    platform,
    url,
    async close(closeOpts) {
      if (closed) return;
      closed = true;
      // Stop taking requests, then finish (or abort) what runs, then close connections.
      await app.close();
      await platform.close(closeOpts);
    },
  };
}

/** A queue worker (cluster mode): runs jobs; serves only /metrics, when WORKER_METRICS_PORT is set. */
export async function startWorker(
  config: Config,
  engine: EngineClient,
  opts: Omit<PlatformOptions, 'role' | 'engine'> = {},
): Promise<Platform & { metricsUrl: string | null }> {
  if (config.mode !== 'cluster') throw new Error('`muscode worker` needs DATABASE_URL and REDIS_URL (cluster mode)');
  const platform = await createPlatform(config, { ...opts, role: 'worker', engine });
  if (!config.WORKER_METRICS_PORT) return { ...platform, metricsUrl: null };
  const metrics = await serveWorkerMetrics(platform.ctx).catch(async (err: unknown) => {
    await platform.close({ abort: true });
    throw err;
  });
  return {
    ...platform,
    metricsUrl: metrics.url,
    async close(o) {
      await metrics.close();
      await platform.close(o);
    },
  };
}
