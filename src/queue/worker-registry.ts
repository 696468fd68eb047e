import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { EngineClient } from '../engine/client.js';
import type { LanguageInfo } from '../engine/languages/registry.js';
import type { LimitTable } from '../engine/limits.js';
import type { RunRequest, RunResult, InteractiveRunRequest, InteractiveRunResult } from '../engine/types.js';
import { ErrorCodes, SystemError } from '../errors.js';

const TTL_S = 15;
const BEAT_MS = 5_000;

interface WorkerInfo {
  id: string;
  languages: LanguageInfo[];
  slots: number;
  idle: number;
  queued: number;
  at: string;
}

/** A worker announces itself (languages, slots) in Redis every few seconds, with a TTL. */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly id: string,
    private readonly engine: EngineClient,
  ) {}

  private key() {
    return `${this.prefix}:workers:${this.id}`;
  }

  async beat(): Promise<void> {
    const [languages, status] = await Promise.all([this.engine.listLanguages(), this.engine.status()]);
    const info: WorkerInfo = { id: this.id, languages, ...status, at: new Date().toISOString() };
    await this.redis.set(this.key(), JSON.stringify(info), 'EX', TTL_S);
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), BEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.del(this.key()).catch(() => undefined);
  }
}

/**
 * What an API replica in cluster mode knows of the engine: the workers' announcements. It does
 * not run code (workers do), so `run` is refused.
 */
export class ClusterEngineView implements EngineClient {
  readonly limits: LimitTable;
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    config: Config,
  ) {
    this.limits = config.limits;
  }

  private async workers(): Promise<WorkerInfo[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:workers:*`, 'COUNT', 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (!keys.length) return [];
    const values = await this.redis.mget(...keys);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerInfo);
  }

  run(_req: RunRequest): Promise<RunResult> {
    return Promise.reject(new SystemError(ErrorCodes.internal, 'API replicas do not run code in cluster mode'));
  }

  runInteractive(_req: InteractiveRunRequest): Promise<InteractiveRunResult> {
    return Promise.reject(new SystemError(ErrorCodes.internal, 'API replicas do not run code in cluster mode'));
  }

  async listLanguages(): Promise<LanguageInfo[]> {
    const workers = await this.workers();
    if (!workers.length) {
      // No worker yet: the languages are known (data), their versions are not. Runs are
      // accepted and wait in the queue for a worker.
      const { ALL_LANGUAGES, LANGUAGES } = await import('../engine/languages/registry.js');
      return ALL_LANGUAGES.map((d) => ({
        id: d.id, name: d.name, aliases: d.aliases, extensions: d.extensions, version: null, compiled: Boolean(d.compile), available: true,
        group: LANGUAGES.includes(d) ? ('core' as const) : ('more' as const), reason: 'no worker is running yet',
      }));
    }
    // A language is available when any worker has it.
    const byId = new Map<string, LanguageInfo>();
    for (const w of workers) for (const l of w.languages) if (!byId.get(l.id)?.available) byId.set(l.id, l);
    return [...byId.values()];
  }

  async status(): Promise<{ slots: number; idle: number; queued: number }> {
    const workers = await this.workers();
    if (!workers.length) throw new SystemError(ErrorCodes.sandboxUnavailable, 'no worker is running');
    return workers.reduce((a, w) => ({ slots: a.slots + w.slots, idle: a.idle + w.idle, queued: a.queued + w.queued }), { slots: 0, idle: 0, queued: 0 });
  }

  async close(): Promise<void> {}
}
