/**
 * The HTTP layer on its own (issue 15, item 4: "Fastify with response schemas is fast: find what
 * is slow"). The same request (`POST` of a python hello's JSON body, with `Authorization: Bearer
 * <access token>`) is sent to a ladder of servers in this process, each one adding one piece of
 * what our app installs, in the order `buildApp` installs it:
 *
 *   node:http → bare Fastify → zod body + response schemas → request ids and trustProxy →
 *   our error handlers and JSON parser → the metrics hook → helmet → CORS → cookies → swagger →
 *   the auth hook (JWT verify) → the rate limits → the request logger (info, to /dev/null)
 *
 * and then to the real app (`buildApp`, rate limits off, logger off) at a cheap real route
 * (`GET /api/v1/health/live`, with the token: the auth hook verifies it).
 *
 * The client is ANOTHER process (a fork of this file), so its own CPU (undici, JSON) is not on
 * the server's event loop: it sends batches of sequential keep-alive requests, interleaved over
 * the variants (round r: every variant once, in order), and reports round trips. The server's
 * CPU per request is measured here with `process.cpuUsage()` around each batch (the server
 * process does nothing else meanwhile), which is steadier under load than a round trip.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/http-layer.js [--rounds 20] [--batch 100] [--markdown]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authPlugin } from '../src/auth/plugin.js';
import { signAccessToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config/config.js';
import type { EngineClient } from '../src/engine/client.js';
import { DEFAULT_LIMITS } from '../src/engine/limits.js';
import { ErrorCodes, SystemError } from '../src/errors.js';
import { executeBodyFor } from '../src/executions/routes.js';
import { rateLimitGuard } from '../src/guards/rate-limit.js';
import { buildApp } from '../src/server/app.js';
import { installJsonParser } from '../src/server/body-limits.js';
import type { AppContext } from '../src/server/context.js';
import { envelope, ok } from '../src/server/envelope.js';
import { installErrorHandlers } from '../src/server/http-errors.js';
import { requestLogFields } from '../src/server/log-redact.js';
import { createPlatform, type Platform } from '../src/server/platform.js';
import { metricsPlugin } from '../src/system/metrics.js';
import { isMain } from './common.js';
import { markdownTable, median, textTable } from './stats.js';

const BODY = JSON.stringify({ language: 'python', code: 'print("hello")' });
const ROUTE = '/api/v1/echo';

/** The pieces of the ladder, cumulative: step k has every piece up to k. */
const STEPS = [
  'bare Fastify, one route',
  '+ zod body and response schemas',
  '+ request ids (randomUUID), trustProxy',
  '+ our error handlers and JSON parser',
  '+ the metrics onResponse hook',
  '+ helmet',
  '+ CORS',
  '+ cookies',
  '+ swagger and swagger-ui',
  '+ the auth hook (JWT verify)',
  '+ the rate limits (api and execute)',
  '+ the request logger (info, to /dev/null)',
] as const;

interface Variant {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  close(): Promise<void>;
}

/** node:http: read the body, parse it, answer a small JSON. */
async function bareNode(): Promise<Variant> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { language: string };
      const out = JSON.stringify({ success: true, data: { language: body.language } });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    name: 'node:http (read, JSON.parse, answer)',
    url: `http://127.0.0.1:${addr.port}${ROUTE}`,
    method: 'POST',
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Fastify with the first `k + 1` pieces of STEPS, one POST route. */
async function ladder(k: number, ctx: AppContext): Promise<Variant> {
  const has = (step: (typeof STEPS)[number]) => STEPS.indexOf(step) <= k;
  const devnull = fs.createWriteStream('/dev/null');
  const app: FastifyInstance = Fastify({
    logger: has('+ the request logger (info, to /dev/null)') ? { level: 'info', serializers: { req: requestLogFields }, stream: devnull } : false,
    ...(has('+ request ids (randomUUID), trustProxy') ? { genReqId: () => crypto.randomUUID(), trustProxy: false } : {}),
  });
  const schemas = has('+ zod body and response schemas');
  if (schemas) {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
  }
  if (has('+ our error handlers and JSON parser')) {
    installErrorHandlers(app);
    app.removeContentTypeParser('text/plain');
    installJsonParser(app);
  }
  if (has('+ the metrics onResponse hook')) await metricsPlugin(app, ctx);
  if (has('+ helmet')) await app.register(fastifyHelmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-site' } });
  if (has('+ CORS')) await app.register(fastifyCors, { origin: false, credentials: true });
  if (has('+ cookies')) await app.register(fastifyCookie);
  if (has('+ swagger and swagger-ui')) {
    await app.register(fastifySwagger, { openapi: { info: { title: 'bench', version: '1' } }, transform: jsonSchemaTransform });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  }
  const body = executeBodyFor(ctx.config.limits);
  const response = { 200: envelope(z.object({ language: z.string() })) };
  await app.register(
    async (api) => {
      if (has('+ the auth hook (JWT verify)')) await authPlugin(api, ctx);
      if (has('+ the rate limits (api and execute)')) {
        await rateLimitGuard(api, { ...ctx, config: { ...ctx.config, RATE_LIMIT_API: 1e9, RATE_LIMIT_EXECUTE: 1e9, RATE_LIMIT_AUTH: 0 } });
      }
      api.post(
        '/echo',
        { schema: schemas ? { body, response } : {}, config: { rateLimitGroup: 'execute' } },
        async (req) => ok({ language: (req.body as { language: string }).language }),
      );
    },
    { prefix: '/api/v1' },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  return {
    name: STEPS[k]!,
    url: `http://127.0.0.1:${addr.port}${ROUTE}`,
    method: 'POST',
    close: async () => {
      await app.close();
      devnull.close();
    },
  };
}

/** The real app (buildApp) at GET /api/v1/health/live. */
async function realApp(ctx: AppContext): Promise<Variant> {
  const app = await buildApp(ctx, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  return { name: 'the real app: GET /api/v1/health/live (with the token)', url: `http://127.0.0.1:${addr.port}/api/v1/health/live`, method: 'GET', close: () => app.close() };
}

// ---- the client process ----

interface BatchOrder {
  url: string;
  method: 'GET' | 'POST';
  token: string;
  n: number;
}

async function clientBatch(o: BatchOrder): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < o.n; i++) {
    const t = performance.now();
    const res = await fetch(o.url, {
      method: o.method,
      headers: { authorization: `Bearer ${o.token}`, ...(o.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(o.method === 'POST' ? { body: BODY } : {}),
    });
    await res.text();
    if (res.status !== 200) throw new Error(`${o.url}: HTTP ${res.status}`);
    out.push(performance.now() - t);
  }
  return out;
}

function runClient(): void {
  process.on('message', (o: BatchOrder) => {
    clientBatch(o).then(
      (rtt) => process.send!({ rtt }),
      (err: unknown) => process.send!({ error: String(err) }),
    );
  });
}

function ask(child: ChildProcess, o: BatchOrder): Promise<number[]> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: { rtt?: number[]; error?: string }) => (m.rtt ? resolve(m.rtt) : reject(new Error(m.error))));
    child.send(o);
  });
}

// ---- the bench ----

export interface LayerRow {
  name: string;
  /** Median round trip seen by the client, ms. */
  rtt: number;
  /** Server CPU per request (user + system), µs: median over the batches. */
  cpuUs: number;
}

export async function benchHttpLayer(opts: { rounds?: number; batch?: number } = {}): Promise<LayerRow[]> {
  const rounds = opts.rounds ?? 20;
  const batch = opts.batch ?? 100;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-http-'));
  const config = loadConfig(process.env, {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ARENA_IMPORT_SHIPPED: 'false',
    SANDBOX_SLOTS: '1',
    RATE_LIMIT_API: '0',
    RATE_LIMIT_EXECUTE: '0',
    RATE_LIMIT_AUTH: '0',
  });
  // No run is made: an engine that refuses (as src/server/openapi-document.ts), so that no
  // sandbox work shares the CPU with the server under test.
  const refuse = async (): Promise<never> => {
    throw new SystemError(ErrorCodes.engineClosed, 'bench: no engine');
  };
  const engine: EngineClient = { limits: DEFAULT_LIMITS, run: refuse, runInteractive: refuse, listLanguages: async () => [], status: refuse, close: async () => undefined };
  let platform: Platform | undefined;
  const variants: Variant[] = [];
  const child = fork(fileURLToPath(import.meta.url), ['--client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    platform = await createPlatform(config, { role: 'api', engine, pgliteDir: 'memory://', reconcile: false });
    const ctx = platform.ctx;
    const token = await signAccessToken({ id: randomUUID(), username: 'bench', role: 'user' }, ctx.secrets.jwt, 3_600_000);
    variants.push(await bareNode());
    for (let k = 0; k < STEPS.length; k++) variants.push(await ladder(k, ctx));
    variants.push(await realApp(ctx));
    const rtts: number[][] = variants.map(() => []);
    const cpus: number[][] = variants.map(() => []);
    for (const v of variants) await ask(child, { url: v.url, method: v.method, token, n: 200 }); // warm-up (JIT, connections)
    for (let r = 0; r < rounds; r++) {
      for (const [i, v] of variants.entries()) {
        const c0 = process.cpuUsage();
        const rtt = await ask(child, { url: v.url, method: v.method, token, n: batch });
        const c = process.cpuUsage(c0);
        rtts[i]!.push(...rtt);
        cpus[i]!.push((c.user + c.system) / batch);
      }
    }
    return variants.map((v, i) => ({ name: v.name, rtt: median(rtts[i]!), cpuUs: median(cpus[i]!) }));
  } finally {
    child.kill();
    for (const v of variants) await v.close().catch(() => undefined);
    await platform?.close({ abort: true }).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatHttpLayer(rows: LayerRow[], markdown = false): string {
  const header = ['server (each step adds to the one above)', 'round trip, median', 'server CPU per request', 'step CPU'];
  const out = rows.map((r, i) => {
    const step = i === 0 || i === rows.length - 1 ? '' : `${r.cpuUs - rows[i - 1]!.cpuUs >= 0 ? '+' : ''}${(r.cpuUs - rows[i - 1]!.cpuUs).toFixed(0)} µs`;
    return [r.name, `${r.rtt.toFixed(3)} ms`, `${r.cpuUs.toFixed(0)} µs`, step];
  });
  return (markdown ? markdownTable : textTable)(header, out);
}

if (isMain(import.meta.url)) {
  if (process.argv.includes('--client')) runClient();
  else {
    const arg = (name: string, d: number) => {
      const i = process.argv.indexOf(name);
      return i > 0 ? Number(process.argv[i + 1]) : d;
    };
    benchHttpLayer({ rounds: arg('--rounds', 20), batch: arg('--batch', 100) }).then(
      (rows) => {
        console.log(`load average: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
        console.log(formatHttpLayer(rows, process.argv.includes('--markdown')));
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  }
}
