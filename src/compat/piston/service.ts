import { waitBudgetMs } from '../../executions/routes.js';
import { followExecution, HISTORY_TRUNCATED } from '../../realtime/bus.js';
import type { AppContext, AuthUser } from '../../server/context.js';
import { presentExecute, type PistonResponse } from './present.js';
import { type PistonRuntime, presentRuntime, runtimesFrom, translateExecute } from './request.js';

/** A Piston answer that is not a success: status and `{message}`. */
export class PistonReply extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The Piston API over the executions service. */
export class PistonService {
  constructor(private readonly ctx: AppContext) {}

  async runtimes(): Promise<PistonRuntime[]> {
    const infos = await this.ctx.engine.listLanguages();
    return runtimesFrom(infos, (id) => this.ctx.executions.languages.get(id).sourceFile);
  }

  async publicRuntimes() {
    return (await this.runtimes()).map(presentRuntime);
  }

  async packages() {
    return (await this.runtimes()).map((rt) => ({ language: rt.language, language_version: rt.version, installed: true }));
  }

  /**
   * Runs a request to the end, as Piston's POST /execute does. The run's output is followed
   * live so that `output` interleaves stdout and stderr in the order they were written.
   */
  async execute(user: AuthUser | null, body: unknown, queueOwner: string): Promise<PistonResponse> {
    const runtimes = await this.runtimes();
    const t = translateExecute(body, runtimes, this.ctx.config.limits);
    if (!t.ok) throw new PistonReply(400, t.message);
    const row = await this.ctx.executions.create(user, t.input, { queueOwner, waits: true });
    let output = '';
    let ordered = true;
    let ended!: () => void;
    const done = new Promise<void>((r) => (ended = r));
    const stop = await followExecution(this.ctx.bus, row.id, (e) => {
      if (e.type === 'output') output += e.data;
      else if (e.type === 'status' && e.status === HISTORY_TRUNCATED) ordered = false;
      else if (e.type === 'complete' || e.type === 'error') ended();
    });
    const budget = waitBudgetMs(this.ctx);
    const timer = setTimeout(ended, budget);
    try {
      await done;
    } finally {
      clearTimeout(timer);
      await stop();
    }
    const final = await this.ctx.executions.waitForFinal(row.id, budget);
    const compiled = Boolean(this.ctx.executions.languages.get(t.runtime.ourId).compile);
    return presentExecute(final, t.runtime, ordered ? output : null, compiled);
  }
}
