/**
 * Our embedded API server for the API benches (compat.ts, peer.ts): anonymous runs on, rate
 * limits and per-user queue caps off, PGlite in memory, on 127.0.0.1 and a free port. Its own
 * file, not common.ts: importing the server into every bench would grow the processes whose
 * spawns the sandbox benches time.
 */
import type { Config } from '../src/config/config.js';
import { Engine } from '../src/engine/runner/engine.js';
import { startApiServer } from '../src/server/serve.js';
import { benchConfig, requireRoot } from './common.js';

export interface OpenServer {
  url: string;
  config: Config;
  engine: Engine;
  /** The server itself (its platform's context, for benches that call services in process). */
  server: Awaited<ReturnType<typeof startApiServer>>;
  close(): Promise<void>;
}

export async function startOpenServer(): Promise<OpenServer> {
  requireRoot();
  const { config, dispose } = benchConfig({
    ANONYMOUS_EXECUTE: '1',
    RATE_LIMIT_API: '0',
    RATE_LIMIT_EXECUTE: '0',
    QUEUE_USER_WAITING_MAX: '0',
    QUEUE_USER_RUNNING_MAX: '0',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const engine = Engine.create(config);
  const server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
  return {
    url: server.url,
    config,
    engine,
    server,
    close: async () => {
      await server.close({ abort: true });
      await engine.close();
      dispose();
    },
  };
}
