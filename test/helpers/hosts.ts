import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '../../src/config/config.js';
import { TEST_SECRETS } from './app.js';
import { type HostNetwork as Network, HostNetwork, type HostProcess } from './netns.js';

/**
 * The multi-host harness: the cluster of docs/deployment.md on simulated machines (network
 * namespaces, test/helpers/netns.ts), each running its real processes:
 *
 *   edge  .2    nginx (test/fixtures/multihost-nginx.conf's shape: upstreams, WebSocket upgrade,
 *               ip_hash affinity for socket.io's polling, X-Forwarded-For)
 *   api1  .11   bin/muscode serve        api2  .12
 *   w1    .21   bin/muscode worker       w2    .22
 *   db    .5    PostgreSQL (its own initdb) and Redis (its own server), restartable
 *
 * Clients (the test) talk to the edge only: `cluster.url`. The test may read the database
 * directly to count rows (`cluster.sql`). Everything is removed by `close()`, which also fails
 * (throws) when something was left behind.
 */

export const PG_BIN = (() => {
  const base = '/usr/lib/postgresql';
  const v = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  return v ? path.join(base, v, 'bin') : '';
})();

export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p)) ?? '';

/** Short leases and intervals so that failures are seen in seconds (all are real settings). */
export const FAST_FAILOVER: Record<string, string> = {
  QUEUE_LOCK_DURATION_MS: '3000',
  QUEUE_STALLED_INTERVAL_MS: '2000',
  RECONCILE_INTERVAL_MS: '2000',
  EXECUTION_LEASE_MS: '6000',
};

const PLATFORM_ENV: Record<string, string> = {
  ...TEST_SECRETS,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_API: '0',
  RATE_LIMIT_EXECUTE: '0',
  RATE_LIMIT_AUTH: '0',
  QUOTA_EXECUTIONS_DAILY: '0',
  QUOTA_EXECUTIONS_MONTHLY: '0',
  QUOTA_STORAGE_MB: '0',
  QUEUE_USER_RUNNING_MAX: '0',
  QUEUE_USER_WAITING_MAX: '0',
  SANDBOX_SLOTS: '2',
  ARENA_IMPORT_SHIPPED: 'false',
  ...FAST_FAILOVER,
};

export type ApiName = 'api1' | 'api2';
export type WorkerName = 'w1' | 'w2';

export interface ClusterOptions {
  /** Extra settings for every API and worker process. */
  env?: Record<string, string>;
}

export class MultiHostCluster {
  readonly net: Network;
  readonly url: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly procs = new Map<string, HostProcess>();
  private readonly env: Record<string, string>;
  private readonly uidBase = 30000 + Math.floor(Math.random() * 700) * 40;
  /** Sandbox uids no process of the cluster uses (for a test's own engine). */
  get spareUidBase(): number {
    return this.uidBase + 32;
  }
  private pool: pg.Pool | null = null;

  private constructor(network: Network, opts: ClusterOptions) {
    this.net = network;
    this.url = `http://${network.host('edge').ip}`;
    const db = network.host('db').ip;
    this.databaseUrl = `postgres://postgres@${db}:5432/postgres`;
    this.redisUrl = `redis://${db}:6379`;
    this.env = { ...PLATFORM_ENV, ...opts.env, DATABASE_URL: this.databaseUrl, REDIS_URL: this.redisUrl };
  }

  /** Builds the network and starts every host; on a failure removes what it made and throws. */
  static async start(opts: ClusterOptions = {}): Promise<MultiHostCluster> {
    if (!PG_BIN) throw new Error('PostgreSQL binaries are missing (/usr/lib/postgresql/*/bin): `make test` installs them');
    if (!NGINX) throw new Error('nginx is missing: `make test` installs Debian\'s nginx-light');
    const network = new HostNetwork();
    let cluster: MultiHostCluster | undefined;
    try {
      fs.chmodSync(network.dir, 0o755);
      network.addHost('edge', 2);
      network.addHost('db', 5);
      network.addHost('api1', 11);
      network.addHost('api2', 12);
      network.addHost('w1', 21);
      network.addHost('w2', 22);
      cluster = new MultiHostCluster(network, opts);
      await cluster.initPostgres();
      await Promise.all([cluster.startPostgres(), cluster.startRedis()]);
      // The first API applies the migrations (under an advisory lock); then the rest in parallel.
      await cluster.startApi('api1');
      await Promise.all([cluster.startApi('api2'), cluster.startWorker('w1'), cluster.startWorker('w2')]);
      await cluster.startEdge();
      return cluster;
    } catch (err) {
      if (cluster) await cluster.close().catch(() => undefined);
      else await network.close();
      throw err;
    }
  }

  /** Queries the database host directly (the test's oracle, not a client path). */
  async sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionString: this.databaseUrl, max: 2 });
      this.pool.on('error', () => undefined);
    }
    return (await this.pool.query<T>(text, params)).rows;
  }

  /** A Redis connection to the database host (the caller disconnects it). */
  redis(): Redis {
    const r = new Redis(this.redisUrl, { maxRetriesPerRequest: 1 });
    r.on('error', () => undefined);
    return r;
  }

  private dir(...parts: string[]): string {
    const d = path.join(this.net.dir, ...parts);
    fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    fs.chmodSync(d, 0o755);
    return d;
  }

  private async initPostgres(): Promise<void> {
    const data = path.join(this.dir('db'), 'pg');
    fs.mkdirSync(data, { mode: 0o700 });
    execFileSync('chown', ['postgres:postgres', data]);
    execAs('postgres', path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    fs.appendFileSync(path.join(data, 'pg_hba.conf'), `host all all 10.231.${this.net.subnet}.0/24 trust\n`);
  }

  /** PostgreSQL on db:5432 (again after restartPostgres). */
  async startPostgres(): Promise<void> {
    const data = path.join(this.net.dir, 'db', 'pg');
    const db = this.net.host('db').ip;
    const p = await this.net.spawn(
      'db',
      'postgres',
      'runuser',
      ['-u', 'postgres', '--', path.join(PG_BIN, 'postgres'), '-D', data, '-c', `listen_addresses=${db}`, '-c', `unix_socket_directories=${data}`,
        // fsync off is safe here: the tests crash PostgreSQL, not the kernel (its page cache keeps
        // every write). synchronous_commit stays on: off, a crash loses commits already answered.
        '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300', '-c', 'logging_collector=off'],
      { ready: /ready to accept connections/ },
    );
    this.procs.set('postgres', p);
  }

  /** Crash and restart: SIGQUIT (immediate shutdown, recovery at the next start), then start. */
  async restartPostgres(downMs = 0): Promise<void> {
    const p = this.procs.get('postgres')!;
    // The postmaster (runuser, which started it, waits for it).
    const pid = Number(fs.readFileSync(path.join(this.net.dir, 'db', 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGQUIT');
    await p.exited;
    if (downMs) await sleep(downMs);
    await this.startPostgres();
  }

  /** Redis on db:6379, no persistence: a restart comes back empty. */
  async startRedis(): Promise<void> {
    const db = this.net.host('db').ip;
    const p = await this.net.spawn('db', 'redis', 'redis-server', ['--bind', db, '--port', '6379', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', this.dir('db', 'redis')], {
      ready: /Ready to accept connections/,
    });
    this.procs.set('redis', p);
  }

  async restartRedis(downMs = 0): Promise<void> {
    await this.net.kill(this.procs.get('redis')!);
    if (downMs) await sleep(downMs);
    await this.startRedis();
  }

  private platformEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
    const index = [...this.net.hosts.keys()].indexOf(name);
    return {
      ...this.env,
      DATA_DIR: this.dir(name, `data-${Date.now()}`),
      SANDBOX_UID_BASE: String(this.uidBase + index * 4),
      ...extra,
    };
  }

  async startApi(name: ApiName, extra: Record<string, string> = {}): Promise<HostProcess> {
    const host = this.net.host(name);
    const p = await this.net.spawn(name, 'muscode serve', path.join(REPO_ROOT, 'bin/muscode'), ['serve'], {
      // The edge's X-Forwarded-For is believed, nobody else's.
      env: this.platformEnv(name, { HOST: host.ip, PORT: '3000', TRUST_PROXY: this.net.host('edge').ip, ...extra }),
      ready: /API listening on/,
    });
    this.procs.set(name, p);
    return p;
  }

  async startWorker(name: WorkerName, extra: Record<string, string> = {}): Promise<HostProcess> {
    const p = await this.net.spawn(name, 'muscode worker', path.join(REPO_ROOT, 'bin/muscode'), ['worker'], {
      env: this.platformEnv(name, extra),
      ready: /worker \S+ running/,
    });
    this.procs.set(name, p);
    return p;
  }

  async startEdge(): Promise<void> {
    const dir = this.dir('edge', 'nginx');
    for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.chmodSync(this.dir('edge', 'nginx', t), 0o777);
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, nginxConfig(dir, this.net.host('edge').ip, [this.net.host('api1').ip, this.net.host('api2').ip]));
    const p = await this.net.spawn('edge', 'nginx', NGINX, ['-e', 'stderr', '-p', `${dir}/`, '-c', conf, '-g', 'daemon off;']);
    this.procs.set('edge', p);
    await waitForPort(this.net.host('edge').ip, 80, p);
  }

  /** The instance id prefix of a host's processes (the hostname: every host has its own). */
  hostOfWorker(workerId: string | null): string | null {
    return workerId ? (workerId.split('-')[0] ?? null) : null;
  }

  /** Stops everything and removes the network; throws when anything was left behind. */
  async close(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
    this.pool = null;
    await this.net.close();
    const leaks = this.net.leaks();
    if (leaks.length) throw new Error(`the multi-host harness left behind: ${leaks.join('; ')}`);
  }
}

/**
 * The edge's nginx: deploy/nginx.conf adapted to two API hosts. REST is balanced (least_conn);
 * socket.io at /ws/ is pinned by client address (ip_hash), which its polling transport needs
 * (a session's requests must reach the instance that holds it); WebSockets are upgraded on the
 * same route. `X-Muscode-Upstream` says which API answered (the tests use it to aim a failure).
 */
export function nginxConfig(prefix: string, listen: string, apis: string[]): string {
  const servers = apis.map((a) => `    server ${a}:3000 max_fails=1 fail_timeout=5s;`).join('\n');
  const proxy = `
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 120s;
      proxy_connect_timeout 2s;
      add_header X-Muscode-Upstream $upstream_addr always;`;
  return `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  # Upgrade only what asks for it, so that plain requests keep their upstream connection alive.
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' '';
  }
  upstream muscode_api {
    least_conn;
${servers}
    keepalive 64;
  }
  upstream muscode_socketio {
    ip_hash;
${servers}
  }
  server {
    listen ${listen}:80;
    client_max_body_size 128m;
    location /ws/ {
      proxy_pass http://muscode_socketio;${proxy}
    }
    location / {
      proxy_pass http://muscode_api;${proxy}
      # A request that never reached an API (refused, reset) goes to the other one.
      proxy_next_upstream error timeout http_502;
    }
  }
}
`;
}

function execAs(user: string, cmd: string, args: string[]): void {
  execFileSync('runuser', ['-u', user, '--', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitForPort(host: string, port: number, proc: HostProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.label} exited: ${proc.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${host}:${port} does not answer: ${proc.output()}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
