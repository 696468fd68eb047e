/**
 * Compiling a package's custom validator or interactor at import, so that one that does not
 * compile is refused (400 PACKAGE_VALIDATOR_COMPILE_ERROR) instead of failing every test later.
 * Where this process runs code (embedded mode, the CLI) it compiles here. A cluster-mode API
 * replica has no sandbox: it stores the sources in `arena_compile_checks`, queues `cmp-<id>` on
 * the executions queue and waits for a worker to write the outcome (the row is removed after).
 */
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { arenaCompileChecks } from '../../db/schema.js';
import type { EngineClient } from '../../engine/client.js';
import type { SourceFile } from '../../engine/types.js';
import { type ExecutionQueue, type JobContext, SYSTEM_OWNER } from '../../queue/queue.js';
import type { OutputBus } from '../../realtime/bus.js';

export const COMPILE_JOB_PREFIX = 'cmp-';
export const isCompileJob = (jobId: string) => jobId.startsWith(COMPILE_JOB_PREFIX);

export interface CompileProgram {
  language: string;
  files: SourceFile[];
  mainFile?: string;
}

export type CompileOutcome = { status: 'ok' } | { status: 'compile_error'; message: string } | { status: 'unchecked'; reason: string };

interface StoredProgram {
  files: { path: string; content: string }[];
  mainFile?: string;
}

/** Rows older than this belong to an import that is gone (its process died): removed. */
const STALE_MS = 60 * 60_000;

export interface CompileCheckDeps {
  db: Db;
  engine: EngineClient;
  /** Whether `engine` runs code in this process. */
  engineRuns: boolean;
  /** Cluster API replicas: where the check is sent when this process cannot compile. */
  queue?: ExecutionQueue;
  bus?: OutputBus;
  /** How long an import waits for a worker. */
  timeoutMs?: number;
}

export class CompileChecks {
  constructor(private readonly deps: CompileCheckDeps) {}

  /** The engine when it runs code in this process (embedded, the CLI, a worker), else null. */
  get localEngine(): EngineClient | null {
    return this.deps.engineRuns ? this.deps.engine : null;
  }

  async check(program: CompileProgram): Promise<CompileOutcome> {
    if (this.deps.engineRuns) return compile(this.deps.engine, program);
    const { queue, bus, db } = this.deps;
    if (!queue || !bus) return { status: 'unchecked', reason: 'no engine and no queue here' };
    const stored: StoredProgram = {
      files: program.files.map((f) => ({ path: f.path, content: Buffer.from(f.content).toString('base64') })),
      ...(program.mainFile ? { mainFile: program.mainFile } : {}),
    };
    const [row] = await db.insert(arenaCompileChecks).values({ language: program.language, program: stored }).returning({ id: arenaCompileChecks.id });
    const id = row!.id;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const unsubscribe = await bus.subscribe(id, (e) => {
      if (e.type === 'complete') done();
    });
    try {
      await queue.enqueue(`${COMPILE_JOB_PREFIX}${id}`, { owner: SYSTEM_OWNER });
      const timer = setTimeout(done, this.deps.timeoutMs ?? 120_000);
      await finished;
      clearTimeout(timer);
      const [now] = await db.select().from(arenaCompileChecks).where(eq(arenaCompileChecks.id, id));
      if (now?.status === 'ok') return { status: 'ok' };
      if (now?.status === 'compile_error') return { status: 'compile_error', message: now.message ?? '' };
      await queue.remove(`${COMPILE_JOB_PREFIX}${id}`).catch(() => false);
      return { status: 'unchecked', reason: now?.status === 'failed' ? (now.message ?? 'the worker failed') : 'no worker answered in time' };
    } finally {
      await unsubscribe();
      await db.delete(arenaCompileChecks).where(eq(arenaCompileChecks.id, id));
    }
  }

  /** The worker's side of a `cmp-<id>` job. */
  async process(jobId: string, _ctx: JobContext): Promise<void> {
    const id = jobId.slice(COMPILE_JOB_PREFIX.length);
    const { db, bus } = this.deps;
    const [row] = await db.select().from(arenaCompileChecks).where(and(eq(arenaCompileChecks.id, id), eq(arenaCompileChecks.status, 'pending')));
    if (!row) return; // the import gave up and removed it
    const p = row.program as StoredProgram;
    let outcome: CompileOutcome;
    try {
      outcome = await compile(this.deps.engine, {
        language: row.language,
        files: p.files.map((f) => ({ path: f.path, content: Buffer.from(f.content, 'base64') })),
        ...(p.mainFile ? { mainFile: p.mainFile } : {}),
      });
    } catch (err) {
      outcome = { status: 'unchecked', reason: (err as Error).message };
    }
    await db
      .update(arenaCompileChecks)
      .set(outcome.status === 'unchecked' ? { status: 'failed', message: outcome.reason } : { status: outcome.status, message: outcome.status === 'compile_error' ? outcome.message : null })
      .where(eq(arenaCompileChecks.id, id));
    await bus?.publish(id, { type: 'complete' });
  }

  /** Removes rows of imports that are gone (the reconciler calls it). */
  async cleanup(): Promise<void> {
    await this.deps.db.delete(arenaCompileChecks).where(lt(arenaCompileChecks.createdAt, new Date(Date.now() - STALE_MS)));
  }
}

async function compile(engine: EngineClient, program: CompileProgram): Promise<CompileOutcome> {
  // The run itself is meaningless (no arguments, empty input): only the compile stage counts.
  const r = await engine.run({
    language: program.language,
    files: program.files,
    ...(program.mainFile ? { mainFile: program.mainFile } : {}),
    stdin: Buffer.alloc(0),
    limits: { cpuMs: 1000 },
  });
  if (r.compile && r.compile.status !== 'ok') {
    const text = `${r.compile.stdout.toString('utf8')}${r.compile.stderr.toString('utf8')}`.trim().slice(0, 4000);
    return { status: 'compile_error', message: text || r.compile.status };
  }
  return { status: 'ok' };
}
