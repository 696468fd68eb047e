import fastifyRateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor, normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { CallerError } from '../errors.js';
import type { AppContext } from '../server/context.js';
import { HttpCodes, humanDuration } from '../server/http-errors.js';

/**
 * Rate limits (first seed: API 100 per 15 min, execute 10 per minute, auth 5 per 15 min).
 *
 * - `api` counts every request under /api/v1 except /health (load balancers poll it);
 * - `execute` counts the routes marked `config: { rateLimitGroup: 'execute' }`, on top of `api`;
 * - `auth` counts register and login, on top of `api`. refresh and me are outside it: a client
 *   refreshes every 15 minutes and must never be locked out of its own session by that. It is
 *   checked after validation, so a 400 (a typo in a form) does not count.
 *
 * The key is the user id when the request carries a valid access token, the client IP (an IPv6
 * client by its /64) otherwise; the check runs in an onRequest hook added after the auth
 * plugin's, so `request.user` is already set, and before the body is parsed, so a flood of large
 * bodies is refused cheaply. In cluster mode the counters live in Redis (one Lua INCR+PEXPIRE per
 * limit), so every replica sees the same counts. A setting of 0 turns that limit off.
 */

export type RateLimitGroup = 'api' | 'execute' | 'auth';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which stricter rate limit the route also counts against (see src/guards/rate-limit.ts). */
    rateLimitGroup?: 'execute' | 'auth';
  }
}

/** Routes that count against the auth limit; src/auth marks nothing, so they are named here. */
export const AUTH_LIMITED_ROUTES: readonly string[] = ['/api/v1/auth/register', '/api/v1/auth/login'];
/** Routes outside every limit. */
export const UNLIMITED_ROUTES: readonly string[] = ['/api/v1/health'];

export interface RateLimitSpec {
  group: RateLimitGroup;
  max: number;
  windowMs: number;
}

export function rateLimitSpecs(config: AppContext['config']): RateLimitSpec[] {
  const specs: RateLimitSpec[] = [
    { group: 'api', max: config.RATE_LIMIT_API, windowMs: 15 * 60_000 },
    { group: 'execute', max: config.RATE_LIMIT_EXECUTE, windowMs: 60_000 },
    { group: 'auth', max: config.RATE_LIMIT_AUTH, windowMs: 15 * 60_000 },
  ];
  return specs.filter((s) => s.max > 0);
}

/** Who a request counts for: `u:<user id>` or `ip:<address>`. */
export function rateLimitIdentity(request: FastifyRequest): string {
  return request.user ? `u:${request.user.id}` : `ip:${normalizeIP(request.ip)}`;
}

function groupsOf(request: FastifyRequest): RateLimitGroup[] {
  const url = request.routeOptions.url;
  if (url === undefined || UNLIMITED_ROUTES.includes(url)) return [];
  const groups: RateLimitGroup[] = ['api'];
  const marked = request.routeOptions.config?.rateLimitGroup;
  if (marked) groups.push(marked);
  else if (AUTH_LIMITED_ROUTES.includes(url)) groups.push('auth');
  return groups;
}

type Check = { exceeded: boolean; max: number; remaining: number; resetSeconds: number };

/** Installs the limits on `api` (the /api/v1 scope); call right after the auth plugin. */
export async function rateLimitGuard(api: FastifyInstance, ctx: AppContext): Promise<void> {
  const specs = rateLimitSpecs(ctx.config);
  if (specs.length === 0) return;
  await api.register(fastifyRateLimit, {
    global: false,
    // Cluster mode: counters shared by every replica. Embedded: one in-process store per
    // platform, shared by every scope that installs the limits (/api/v1 and the Judge0 and
    // Piston APIs), so that a caller cannot double its runs by switching API.
    store: ctx.redis ? redisStore(ctx.redis, `${ctx.config.REDIS_KEY_PREFIX}:rl:`) : sharedLocalStore(ctx),
    // A Redis outage must not take the API down with it: requests pass uncounted meanwhile.
    skipOnError: true,
  });
  const limiters = new Map<RateLimitGroup, (req: FastifyRequest) => Promise<Check>>();
  for (const spec of specs) {
    const limit = api.createRateLimit({
      max: spec.max,
      timeWindow: spec.windowMs,
      // The group is part of the key: every limiter shares one store.
      keyGenerator: (req) => `${spec.group}:${rateLimitIdentity(req)}`,
    });
    limiters.set(spec.group, async (req) => {
      const r = await limit(req);
      if (r.isAllowed) return { exceeded: false, max: spec.max, remaining: spec.max, resetSeconds: 0 };
      return { exceeded: r.isExceeded, max: r.max, remaining: r.remaining, resetSeconds: r.ttlInSeconds };
    });
  }

  const enforce = async (request: FastifyRequest, reply: FastifyReply, groups: RateLimitGroup[]) => {
    let tightest: Check | undefined;
    for (const group of groups) {
      const check = limiters.get(group);
      if (!check) continue;
      const c = await check(request);
      if (c.exceeded) {
        setHeaders(reply, c);
        const retryAfter = Math.max(1, c.resetSeconds);
        reply.header('retry-after', String(retryAfter));
        const spec = specs.find((s) => s.group === group)!;
        throw new CallerError(HttpCodes.rateLimited, rateLimitMessage(group, retryAfter, request.routeOptions.url), {
          limit: group,
          max: c.max,
          windowSeconds: spec.windowMs / 1000,
          retryAfter,
        });
      }
      if (!tightest || c.remaining < tightest.remaining) tightest = c;
    }
    if (tightest) setHeaders(reply, tightest);
  };
  // api and execute count every request, before the body is read.
  api.addHook('onRequest', async (request, reply) => enforce(request, reply, groupsOf(request).filter((g) => g !== 'auth')));
  // auth counts only requests that passed validation (preHandler runs after it): a form sent
  // with a typo must not use up a person's sign-in attempts. The 8 KiB body limit of these
  // routes keeps a flood of invalid bodies cheap, and the api limit still counts them.
  api.addHook('preHandler', async (request, reply) => {
    if (groupsOf(request).includes('auth')) await enforce(request, reply, ['auth']);
  });
}

/** "Too many sign-in attempts. Try again in 15 minutes." */
export function rateLimitMessage(group: RateLimitGroup, retryAfterSeconds: number, url?: string): string {
  const auth = url?.endsWith('/register') ? 'Too many sign-up attempts' : 'Too many sign-in attempts';
  const what = { api: 'Too many requests', execute: 'Too many runs', auth }[group];
  return `${what}. Try again in ${humanDuration(retryAfterSeconds)}.`;
}


function setHeaders(reply: FastifyReply, c: Check): void {
  reply.header('x-ratelimit-limit', String(c.max));
  reply.header('x-ratelimit-remaining', String(c.exceeded ? 0 : c.remaining));
  reply.header('x-ratelimit-reset', String(c.resetSeconds));
}

/**
 * Fixed-window counter in Redis: one atomic INCR (+ PEXPIRE when the window opens) per check.
 * The plugin's own Redis store derives a per-route key prefix that is meaningless for limiters
 * made with createRateLimit; this one keeps keys as `<REDIS_KEY_PREFIX>:rl:<group>:<who>`.
 */
const INCR_LUA = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}`;

/** Keys kept by the in-process store; past it the oldest window is dropped (as the plugin's LRU of 5,000). */
const LOCAL_MAX_KEYS = 100_000;
const localStores = new WeakMap<object, FastifyRateLimitStoreCtor>();

/** Fixed-window counters in this process, one Map per platform context (embedded mode). */
function sharedLocalStore(ctx: AppContext): FastifyRateLimitStoreCtor {
  let ctor = localStores.get(ctx);
  if (ctor) return ctor;
  const windows = new Map<string, { current: number; resetAt: number }>();
  ctor = class LocalWindowStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const now = Date.now();
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        windows.delete(key);
        if (windows.size >= LOCAL_MAX_KEYS) windows.delete(windows.keys().next().value!);
        w = { current: 0, resetAt: now + timeWindow };
        windows.set(key, w);
      }
      w.current++;
      callback(null, { current: w.current, ttl: w.resetAt - now });
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
  localStores.set(ctx, ctor);
  return ctor;
}

function redisStore(redis: Redis, prefix: string): FastifyRateLimitStoreCtor {
  return class RedisWindowStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      redis.eval(INCR_LUA, 1, prefix + key, timeWindow).then(
        (r) => {
          const [current, ttl] = r as [number, number];
          callback(null, { current, ttl });
        },
        (err: Error) => callback(err),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
