import { UpgradeRouter } from './upgrades.js';
import { workspaceRoutes } from '../workspaces/routes.js';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { arenaRoutes } from '../arena/api/index.js';
import { trustProxySetting } from '../config/config.js';
import { authPlugin } from '../auth/plugin.js';
import { authRoutes } from '../auth/routes.js';
import { apiKeyRoutes } from '../auth/api-key-routes.js';
import { judge0Routes } from '../compat/judge0/routes.js';
import { pistonRoutes } from '../compat/piston/routes.js';
import { executionRoutes, waitBudgetMs } from '../executions/routes.js';
import { rateLimitGuard } from '../guards/rate-limit.js';
import { projectRoutes } from '../projects/routes.js';
import { createRooms, registerRoomRoutes } from '../rooms/index.js';
import { ProjectRoomEvents } from '../realtime/room-events.js';
import { metricsPlugin } from '../system/metrics.js';
import { systemRoutes } from '../system/routes.js';
import type { AppContext } from './context.js';
import { bodyLimitsFor, installJsonParser } from './body-limits.js';
import { clientErrorHandler, installErrorHandlers } from './http-errors.js';
import { registerWebApp } from './web.js';
import { requestLogFields } from './log-redact.js';

/**
 * The server's own timeouts (red-team I6: a body trickled at a byte every 10 s was never cut).
 * requestTimeout covers receiving the whole request; Node checks it every
 * `connectionsCheckingInterval`, so that interval follows it (a quarter of it, at most 30 s).
 * The idle timeout must outlast the longest `?wait=true` answer, which sends nothing meanwhile.
 */
export function serverTimeouts(ctx: Pick<AppContext, 'config'>) {
  const c = ctx.config;
  const requestTimeout = c.HTTP_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    headersTimeout: Math.min(c.HTTP_HEADERS_TIMEOUT_MS, requestTimeout),
    keepAliveTimeout: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: Math.max(c.HTTP_CONNECTION_TIMEOUT_MS, waitBudgetMs(ctx) + 30_000),
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(requestTimeout / 4))),
  };
}

/** Adds "← Back to MUSCode" to the right of swagger-ui's top bar (which it renders after load). */
const BACK_TO_APP_JS = `(function () {
  function add() {
    var bar = document.querySelector('#swagger-ui .topbar-wrapper');
    if (!bar) return void setTimeout(add, 100);
    if (document.getElementById('muscode-back-to-app')) return;
    var a = document.createElement('a');
    a.id = 'muscode-back-to-app';
    a.href = '/';
    a.textContent = '\\u2190 Back to MUSCode';
    a.style.cssText = 'color:#fff;font:600 14px system-ui,sans-serif;text-decoration:none;margin-left:auto;padding:0 16px;white-space:nowrap';
    bar.appendChild(a);
  }
  add();
})();
`;

export type App = FastifyInstance;

export async function buildApp(ctx: AppContext, opts: { logger?: boolean } = {}): Promise<App> {
  const timeouts = serverTimeouts(ctx);
  const app = Fastify({
    logger: opts.logger === false || ctx.config.LOG_LEVEL === 'silent' ? false : { level: ctx.config.LOG_LEVEL, serializers: { req: requestLogFields } },
    // Every route not given its own limit (src/server/body-limits.ts) gets the small one.
    bodyLimit: bodyLimitsFor(ctx.config).small,
    // A workspace file's path is one URL-encoded segment (src/workspaces/routes.ts), up to 500 characters.
    routerOptions: { maxParamLength: 1600 },
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    connectionTimeout: timeouts.connectionTimeout,
    http: {
      requestTimeout: timeouts.requestTimeout,
      headersTimeout: timeouts.headersTimeout,
      connectionsCheckingInterval: timeouts.connectionsCheckingInterval,
    },
    clientErrorHandler,
    // Issue 12: the client's address behind a proxy (rate limits, lockout, audit); see TRUST_PROXY.
    trustProxy: trustProxySetting(ctx.config.TRUST_PROXY),
    genReqId: () => crypto.randomUUID(),
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  // Red-team M2: project routes tell the realtime layer when who may read a project changed.
  app.decorate('projectRooms', new ProjectRoomEvents());
  // Plain-WebSocket routes (rooms, terminals, Piston's connect) register here; see upgrades.ts.
  const upgrades = new UpgradeRouter();
  app.decorate('upgrades', upgrades);
  upgrades.attach(app);
  // Issue 10: rooms (service + collaboration WebSocket; routes below).
  const rooms = createRooms(app, ctx);
  // Issue 3: bodies are JSON only. Fastify's built-in text/plain parser would hand a string to
  // the JSON schemas (a misleading 400); without it a wrong content type is 415.
  app.removeContentTypeParser('text/plain');
  // Red-team H1: the JSON parser refuses a body with more values than the route can use, before parsing.
  installJsonParser(app);
  // Issue 3 (metrics): request timing for every route, and GET /metrics; before any route.
  await metricsPlugin(app, ctx);

  await app.register(fastifyHelmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-site' } });
  const origins = ctx.config.CORS_ORIGIN.split(',').map((s) => s.trim()).filter(Boolean);
  await app.register(fastifyCors, { origin: origins.includes('*') ? true : origins.length ? origins : false, credentials: true });
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'MUSCode API',
        description: 'Code execution, accounts and more. Generated from the route schemas. [← Back to MUSCode](/)',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // A proper title, and a way back to the app from the reference (UX review).
    theme: { title: 'MUSCode API', js: [{ filename: 'back-to-app.js', content: BACK_TO_APP_JS }] },
  });

  await app.register(async (api) => {
    await authPlugin(api, ctx);
    // Issue 3 (guards): rate limits; after the auth plugin, whose onRequest hook sets request.user.
    await rateLimitGuard(api, ctx);
    await api.register(async (r) => authRoutes(r, ctx), { prefix: '/auth' });
    await api.register(async (r) => apiKeyRoutes(r, ctx), { prefix: '/auth' });
    await api.register(async (r) => executionRoutes(r, ctx));
    await api.register(async (r) => systemRoutes(r, ctx));
    await api.register(async (r) => projectRoutes(r, ctx));
    // Issue 8: the Arena (problems and submissions); its services are in ctx (src/arena/service/).
    await api.register(async (r) => arenaRoutes(r, ctx));
    await api.register(async (r) => registerRoomRoutes(r, rooms));

    // Issue 11: workspaces (src/workspaces/, docs/workspaces.md) and their terminal sockets.
    await api.register(async (r) => workspaceRoutes(r, ctx));
  }, { prefix: '/api/v1' });

  // Issue 12: drop-in Judge0 CE and Piston v2 APIs (docs/compat.md), each in its own scope with
  // its own auth hook, rate limits, body parsing and error shapes.
  if (ctx.config.JUDGE0_ENABLED) await app.register(async (r) => judge0Routes(r, ctx), { prefix: ctx.config.JUDGE0_PREFIX });
  if (ctx.config.PISTON_ENABLED) await app.register(async (r) => pistonRoutes(r, ctx), { prefix: ctx.config.PISTON_PREFIX });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Issue 5 (web app): web/dist at / with the SPA fallback and its CSP; API-only when not built.
  await registerWebApp(app);
  return app;
}
