import { timingSafeEqual } from 'node:crypto';
import { CallerError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ExecutionRow } from '../executions/service.js';
import type { ExecutionQueue } from '../queue/queue.js';
import type { AppContext } from '../server/context.js';

/**
 * Prometheus metrics, one Registry per platform (never prom-client's global one), so that
 * several servers in one process (the tests) do not collide. Served at GET /metrics (root, plain
 * text, no envelope).
 *
 * Execution counters and latencies are counted where a run ends (`onFinished`): in embedded mode
 * that is the API process; in cluster mode it is mostly the workers, whose registries this API
 * process does not see (the API counts what it ends itself: cancels of queued runs and runs the
 * reconciler fails).
 */

/** Seconds; from a trivial run to the longest allowed wait. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Process-wide figures (CPU, memory, event loop, GC) describe the process, not one app: they are
 * collected once, into a registry of their own, and appended to every app's output. Collecting
 * them per app would start one event-loop monitor and one GC observer per server.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'muscode_' });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly executions: Counter<'status' | 'verdict' | 'language'>;
  private readonly queueWait: Histogram<'language'>;
  private readonly runDuration: Histogram<'language' | 'status'>;
  private readonly http: Histogram<'method' | 'route' | 'status_code'>;

  constructor(queue: Pick<ExecutionQueue, 'depth'>) {
    // Now, at startup, not at the first scrape: prom-client counts CPU time from this call on.
    processMetrics();
    const registers = [this.registry];
    this.executions = new Counter({
      name: 'muscode_executions_total',
      help: 'Executions that reached a final state, by status, verdict (the deciding stage; "none" when it never ran) and language',
      labelNames: ['status', 'verdict', 'language'],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'muscode_execution_queue_wait_seconds',
      help: 'Time from an execution being accepted to it starting (startedAt - createdAt)',
      labelNames: ['language'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.runDuration = new Histogram({
      name: 'muscode_execution_run_seconds',
      help: 'Time from an execution starting to it ending, compile stage included (completedAt - startedAt)',
      labelNames: ['language', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.http = new Histogram({
      name: 'muscode_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    new Gauge({
      name: 'muscode_queue_jobs',
      help: 'Jobs in the execution queue, by state (waiting, active)',
      labelNames: ['state'],
      registers,
      async collect() {
        try {
          const d = await queue.depth();
          this.set({ state: 'waiting' }, d.waiting);
          this.set({ state: 'active' }, d.active);
        } catch {
          // The queue's store is down: report nothing rather than fail the whole scrape.
          this.reset();
        }
      },
    });
  }

  /** `onFinished` hook of the ExecutionService. */
  recordFinished(row: ExecutionRow): void {
    this.executions.inc({ status: row.status, verdict: row.verdict ?? 'none', language: row.language });
    if (row.startedAt) {
      this.queueWait.observe({ language: row.language }, Math.max(0, row.startedAt.getTime() - row.createdAt.getTime()) / 1000);
      if (row.completedAt) {
        this.runDuration.observe({ language: row.language, status: row.status }, Math.max(0, row.completedAt.getTime() - row.startedAt.getTime()) / 1000);
      }
    }
  }

  observeHttp(method: string, route: string, statusCode: number, seconds: number): void {
    this.http.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** The exposition text: this app's metrics, then the process's. */
  async render(): Promise<string> {
    const [own, proc] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own.trimEnd()}\n${proc}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Times every request (call before any route is registered) and serves GET /metrics. Routes are
 * labelled by their pattern (/api/v1/execute/:id), never the raw URL, and requests that matched
 * no route share one label, so a scan of random URLs cannot blow up the series count.
 */
export async function metricsPlugin(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.observeHttp(request.method, request.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    // With METRICS_TOKEN set, scrapers must send it as a Bearer token: figures such as queue
    // depth and latencies are operational data, not for the public internet.
    const token = ctx.config.METRICS_TOKEN;
    if (token && !timingSafeEqualText(request.headers.authorization ?? '', `Bearer ${token}`)) {
      throw new CallerError(HttpCodes.unauthorized, 'metrics need the METRICS_TOKEN bearer token');
    }
    const text = await ctx.metrics.render();
    return reply.type(ctx.metrics.contentType).send(text);
  });
}
