import type { EngineClient } from '../engine/client.js';
import type { AppContext } from '../server/context.js';

export type ServiceState = 'up' | 'down' | 'disabled';

export interface ReadinessReport {
  ready: boolean;
  services: { database: ServiceState; redis: ServiceState; sandbox: ServiceState };
  /** Why the sandbox self-test failed, when it did. */
  detail?: string;
}

/** What a sandbox must print for the readiness self-test to pass. */
const EXPECTED = 'muscode-ready\n';

/**
 * Readiness of a worker means "a run sent here would work": the database and Redis answer, and
 * a real program runs through the real sandbox (launcher, bubblewrap, cgroups, seccomp). The
 * self-test takes a slot for a few milliseconds, so its result is kept for `ttlMs` and probes in
 * between share it; concurrent probes share the one in flight.
 */
export class SandboxSelfTest {
  private last: { at: number; ok: boolean; detail?: string } | null = null;
  private inFlight: Promise<{ ok: boolean; detail?: string }> | null = null;

  constructor(
    private readonly engine: EngineClient,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async check(): Promise<{ ok: boolean; detail?: string }> {
    if (this.last && this.now() - this.last.at < this.ttlMs) return this.last;
    this.inFlight ??= this.runOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async runOnce(): Promise<{ ok: boolean; detail?: string }> {
    let out: { ok: boolean; detail?: string };
    try {
      const r = await this.engine.run({ language: 'bash', files: [{ path: 'main.sh', content: `printf '${EXPECTED.trimEnd()}\\n'\n` }] });
      const stdout = r.run?.stdout.toString('utf8');
      out = r.run?.status === 'ok' && stdout === EXPECTED
        ? { ok: true }
        : { ok: false, detail: `self-test run ended ${r.run?.status ?? r.compile?.status ?? 'without a run'}${r.run?.stderr.length ? `: ${r.run.stderr.toString('utf8').slice(0, 200)}` : ''}` };
    } catch (err) {
      out = { ok: false, detail: `self-test failed: ${(err as Error).message}` };
    }
    this.last = { at: this.now(), ...out };
    return out;
  }
}

/** Worker readiness: database, Redis and the sandbox self-test (see SandboxSelfTest). */
export async function workerReadiness(ctx: Pick<AppContext, 'database' | 'bus'>, selfTest: SandboxSelfTest): Promise<ReadinessReport> {
  const [database, redis, sandbox] = await Promise.all([
    ctx.database.ping().then((up): ServiceState => (up ? 'up' : 'down'), (): ServiceState => 'down'),
    ctx.bus.kind === 'redis' ? ctx.bus.ping().then((up): ServiceState => (up ? 'up' : 'down'), (): ServiceState => 'down') : Promise.resolve<ServiceState>('disabled'),
    selfTest.check(),
  ]);
  const ready = database === 'up' && redis !== 'down' && sandbox.ok;
  return { ready, services: { database, redis, sandbox: sandbox.ok ? 'up' : 'down' }, ...(sandbox.detail ? { detail: sandbox.detail } : {}) };
}
