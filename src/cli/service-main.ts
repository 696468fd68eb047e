import { loadConfig } from '../config/config.js';
import { startApiServer, startWorker } from '../server/serve.js';
import { RemoteEngine } from '../supervisor/remote-engine.js';

/**
 * The unprivileged service process, started by the supervisor (never directly): `api` serves
 * HTTP and WebSockets, `worker` consumes the queue. Sandboxes are run by the supervisor.
 */
async function main(role: string): Promise<void> {
  const config = loadConfig();
  const engine = new RemoteEngine(config);
  let stop: (opts?: { abort?: boolean }) => Promise<void>;
  if (role === 'api') {
    const server = await startApiServer(config, engine, {});
    process.stdout.write(`MUSCode API listening on ${server.url} (${config.mode} mode; docs at ${server.url}/docs)\n`);
    stop = (o) => server.close(o);
  } else if (role === 'worker') {
    const worker = await startWorker(config, engine);
    process.stdout.write(`MUSCode worker ${worker.ctx.instanceId} running (${config.SANDBOX_SLOTS} slots${worker.metricsUrl ? `, metrics at ${worker.metricsUrl}` : ""})\n`);
    stop = (o) => worker.close(o);
  } else {
    throw new Error(`unknown role ${role}`);
  }
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // Graceful: stop taking work, let running jobs finish (bounded), then exit.
    const force = setTimeout(() => void stop({ abort: true }).finally(() => process.exit(0)), 30_000);
    force.unref();
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown); // the supervisor is gone
}

main(process.argv[2] ?? '').catch((err: unknown) => {
  process.stderr.write(`muscode ${process.argv[2]}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
