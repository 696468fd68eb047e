import { loadConfig } from '../config/config.js';
import { DataErrorCodes } from '../db/data-dir-lock.js';
import { MuscodeError } from '../errors.js';
import { startApiServer, startWorker } from '../server/serve.js';
import { adminSocketPath, startAdminSocket } from '../system/admin-socket.js';
import { RemoteEngine } from '../supervisor/remote-engine.js';
import { installMemoryReport } from './memory-report.js';

/**
 * How long a new service process waits for the embedded database's lock: its predecessor may
 * still be closing PGlite (a supervisor killed with SIGKILL leaves its service to shut down alone).
 */
const DB_LOCK_WAIT_MS = 60_000;

/**
 * The unprivileged service process, started by the supervisor (never directly): `api` serves
 * HTTP and WebSockets, `worker` consumes the queue. Sandboxes are run by the supervisor.
 */
async function main(role: string): Promise<void> {
  const config = loadConfig();
  const engine = new RemoteEngine(config);
  let stop: (opts?: { abort?: boolean }) => Promise<void>;
  if (role === 'api') {
    const server = await startApiServer(config, engine, { dbLockWaitMs: DB_LOCK_WAIT_MS });
    // Embedded mode: `muscode backup` asks this process for a snapshot (see src/system/admin-socket.ts).
    const admin =
      config.mode === 'embedded'
        ? await startAdminSocket(server.platform.ctx.database, adminSocketPath(config.DATA_DIR)).catch((err: unknown) => {
            process.stderr.write(`muscode: online backups are unavailable: ${(err as Error).message}\n`);
            return null;
          })
        : null;
    installMemoryReport('api', () => server.platform.ctx.database.heapBytes());
    process.stdout.write(`MUSCode API listening on ${server.url} (${config.mode} mode; docs at ${server.url}/docs)\n`);
    stop = async (o) => {
      await admin?.close();
      await server.close(o);
    };
  } else if (role === 'worker') {
    const worker = await startWorker(config, engine);
    installMemoryReport('worker', () => worker.ctx.database.heapBytes());
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
  const code = err instanceof MuscodeError ? `${err.code}: ` : '';
  process.stderr.write(`muscode ${process.argv[2]}: ${code}${err instanceof Error ? err.message : String(err)}\n`);
  // sysexits(3), as the CLI: a damaged database is bad data (65), a directory in use is temporary (75).
  if (err instanceof MuscodeError && err.code === DataErrorCodes.databaseDamaged) process.exit(65);
  if (err instanceof MuscodeError && err.code === DataErrorCodes.dataDirLocked) process.exit(75);
  process.exit(1);
});
