import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../../config/config.js';
import type { EngineClient } from '../client.js';
import { CallerError, ErrorCodes, SystemError } from '../../errors.js';
import { createCgroupDriver } from '../cgroups/detect.js';
import type { LanguageDefinition } from '../languages/language.js';
import { type LanguageInfo, LANGUAGES, LanguageRegistry, MORE_LANGUAGES } from '../languages/registry.js';
import { type LimitTable, resolveLimits } from '../limits.js';
import type { BoxFile } from '../sandbox/box-fs.js';
import { createSandbox } from '../sandbox/registry.js';
import type { Bind, Sandbox, SandboxOutcome, SandboxSlot, SandboxStage } from '../sandbox/sandbox.js';
import { COLLECT_FILE_BYTES, type InteractiveRunRequest, type InteractiveRunResult, type RunRequest, type RunResult, type StageLimits, type StageResult, type StageStatus } from '../types.js';
import { cancelledError, cancelledStage } from './cancel.js';
import { CompileCache } from './compile-cache.js';
import { expandArgv, type PreparedJob, prepareJob } from './job.js';
import { gatherOutputFiles } from './output-files.js';
import { runPair } from './interactive.js';
import { SlotPool } from './pool.js';

const BASE_ENV: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/box',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
};

/**
 * The runner: prepare a box, write the files, compile (cached), run, collect, give a verdict,
 * clean up. One `Engine` owns a sandbox with N slots; `run` waits for a free slot.
 */
export class Engine implements EngineClient {
  readonly languages: LanguageRegistry;
  readonly limits: LimitTable;
  private readonly pool: SlotPool;
  private readonly cache: CompileCache;
  private readonly inflightCompiles = new Map<string, SharedCompile>();
  private readonly active = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly sandbox: Sandbox,
    config: Config,
  ) {
    this.languages = new LanguageRegistry();
    this.limits = config.limits;
    this.pool = new SlotPool(sandbox.slotCount);
    this.cache = new CompileCache(path.join(config.DATA_DIR, 'compile-cache'), config.COMPILE_CACHE_MB * 2 ** 20);
  }

  /** Sets the sandbox up; throws (and leaves nothing) when it cannot be confined. */
  /**
   * `tuning` is for benchmarks that compare variants in one run (bench/warm-hits.ts): the warm
   * sandbox's predictor, whether a slot given back while jobs wait refills at once, and whether
   * every stage gets the languages' configuration binds (with SANDBOX_WARM).
   */
  static create(config: Config, tuning: { warmPredictor?: 'frequent' | 'last'; refillWhenQueued?: boolean; sharedBinds?: boolean } = {}): Engine {
    const prefix = `muscode/${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    const cgroups = createCgroupDriver({ version: config.CGROUP_VERSION, v2Root: config.CGROUP_V2_ROOT, prefix });
    let sandbox: Sandbox;
    try {
      sandbox = createSandbox(config.SANDBOX_DRIVER, {
        slots: config.SANDBOX_SLOTS,
        uidBase: config.SANDBOX_UID_BASE,
        runDir: config.SANDBOX_RUN_DIR,
        boxBytes: config.limits.run.max.boxBytes,
        launcherPath: config.SANDBOX_LAUNCHER,
        bwrapPath: config.SANDBOX_BWRAP,
        cgroups,
        cpuPollMs: config.SANDBOX_CPU_POLL_MS,
        prestart: config.SANDBOX_PRESTART,
        warm: config.SANDBOX_WARM,
        ...(tuning.warmPredictor ? { warmPredictor: tuning.warmPredictor } : {}),
        // The languages' configuration directories, bound into every stage (read-only, the same
        // path as on the host): one prepared sandbox then fits the stages of any language.
        sharedBinds: tuning.sharedBinds === false ? [] : [...LANGUAGES, ...MORE_LANGUAGES].flatMap((l) => l.binds ?? []),
      });
    } catch (err) {
      void cgroups.close();
      throw err;
    }
    const engine = new Engine(sandbox, config);
    engine.refillWhenQueued = tuning.refillWhenQueued ?? true;
    return engine;
  }

  private refillWhenQueued = true;

  listLanguages(): Promise<LanguageInfo[]> {
    return this.languages.list();
  }

  get stats() {
    return { slots: this.sandbox.slotCount, idle: this.pool.idle, queued: this.pool.queued };
  }

  async status(): Promise<{ slots: number; idle: number; queued: number }> {
    if (this.closed) throw new SystemError(ErrorCodes.engineClosed, 'the engine is shutting down');
    return this.stats;
  }

  /** Processes, box files and busy slots left between runs: all should be empty. */
  leftovers() {
    return this.sandbox.leftovers();
  }

  /** The engine's own processes between runs (see Sandbox.waitingPids): for leftover checks. */
  waitingPids(): number[] {
    return this.sandbox.waitingPids?.() ?? [];
  }

  /**
   * How stages found their slot's launcher since the start: `hit` (a sandbox prepared ahead for
   * exactly its options), `miss` (prepared for other options), `bare`, `none`, `terminal`
   * (bwrap.ts WarmCounters). All zero for a sandbox driver without prepared sandboxes.
   */
  warmStats(): { hit: number; miss: number; bare: number; none: number; terminal: number } {
    return this.sandbox.warmStats?.() ?? { hit: 0, miss: 0, bare: 0, none: 0, terminal: 0 };
  }

  async run(req: RunRequest): Promise<RunResult> {
    if (this.closed) throw new SystemError(ErrorCodes.engineClosed, 'the engine is shutting down');
    const lang = this.languages.get(req.language);
    const reason = this.languages.unavailableReason(lang);
    if (reason) throw new CallerError(ErrorCodes.languageUnavailable, `${lang.id} is not available here: ${reason}`, { language: lang.id });
    const job = prepareJob(req, lang, this.limits);
    const runLimits = withLanguageLimits(resolveLimits('run', this.limits, req.limits), lang.limits?.run, req.limits);
    const compileLimits = withLanguageLimits(resolveLimits('compile', this.limits, req.compileLimits), lang.limits?.compile, req.compileLimits);
    const p = this.execute(lang, job, req, runLimits, compileLimits);
    this.active.add(p);
    try {
      return await p;
    } finally {
      this.active.delete(p);
    }
  }

  private async execute(
    lang: LanguageDefinition,
    job: PreparedJob,
    req: RunRequest,
    runLimits: StageLimits,
    compileLimits: StageLimits,
  ): Promise<RunResult> {
    const slotId = await this.pool.acquire(req.signal);
    const slot = this.sandbox.slot(slotId);
    // Set while a compile shared with other jobs may still use this slot after we stop waiting.
    let slotBusy: SharedCompile | null = null;
    try {
      const prepared = await this.prepareProgram(lang, job, slot, compileLimits, req.signal, (s) => (slotBusy = s));
      if (!prepared.ready) return { language: lang.id, compile: prepared.compile, run: null };
      const tty = req.input && req.tty ? req.tty : undefined;
      const outcome = await slot.run({
        argv: prepared.argv,
        env: tty ? { ...prepared.env, TERM: 'xterm-256color' } : prepared.env,
        ...(req.input ? { input: req.input } : {}),
        ...(tty ? { tty } : {}),
        binds: prepared.binds,
        stdin: job.stdin,
        limits: runLimits,
        onStdout: req.onStdout,
        onStderr: req.onStderr,
        signal: req.signal,
        timeline: req.timeline,
      });
      if (req.signal?.aborted || outcome.reason === 'cancelled') throw cancelledStage('run', outcome);
      const result: RunResult = { language: lang.id, compile: prepared.compile, run: toStage(outcome, runLimits, 'run') };
      if (job.collectFiles.length) result.files = collect(slot, job.collectFiles);
      if (job.outputGlobs.length) {
        const { files, refused } = gatherOutputFiles(slot, job.outputGlobs);
        result.outputFiles = files;
        result.refusedOutputFiles = refused;
      }
      return result;
    } finally {
      this.releaseSlot(slotId, slotBusy);
    }
  }

  /**
   * Compiles (cached) in `slot` and leaves the slot's box holding the program and its data
   * files, ready to run. `onShared` is told when the compile runs in this slot on behalf of
   * other jobs too (see releaseSlot).
   */
  private async prepareProgram(
    lang: LanguageDefinition,
    job: PreparedJob,
    slot: SandboxSlot,
    compileLimits: StageLimits,
    signal: AbortSignal | undefined,
    onShared: (s: SharedCompile | null) => void,
  ): Promise<{ ready: false; compile: StageResult } | { ready: true; compile: StageResult | null; argv: string[]; env: Record<string, string>; binds: Bind[] }> {
    const env = { ...BASE_ENV, ...lang.env };
    const binds = lang.binds ?? [];
    let runFiles: BoxFile[] = job.files;
    let compile: StageResult | null = null;
    if (lang.compile) {
      const version = await this.languages.version(lang);
      const argv = expandArgv(lang.compile.argv, job, lang.compile.sourceExtensions ?? lang.extensions);
      // Everything that decides what the compiler does is in the key: an entry can only
      // come from a compile of these sources with this toolchain, argv and environment.
      const key = CompileCache.key({ language: lang.id, version, argv, env, binds, files: job.files });
      const { result, shared } = this.compileOnce(key, slot, { argv, env, binds, limits: compileLimits }, job.files, signal);
      onShared(shared);
      const { artifacts, ...stage } = await result;
      compile = stage;
      if (stage.status !== 'ok' || !artifacts) return { ready: false, compile: stage };
      runFiles = artifacts;
    }
    checkCancelled(signal);
    slot.clear();
    const clash = job.dataFiles.find((d) => runFiles.some((f) => f.path.toLowerCase() === d.path.toLowerCase()));
    if (clash) throw new CallerError(ErrorCodes.duplicateFile, `${clash.path} is also a file of the compiled program`, { path: clash.path });
    slot.writeFiles(job.dataFiles.length ? [...runFiles, ...job.dataFiles] : runFiles);
    const dirs = [...new Set(job.collectFiles.filter((p) => p.includes('/')).map((p) => p.slice(0, p.lastIndexOf('/'))))];
    if (dirs.length) slot.makeDirs(dirs);
    return { ready: true, compile, argv: [...expandArgv(lang.run.argv, job, lang.extensions), ...job.args], env, binds };
  }

  private releaseSlot(slotId: number, slotBusy: SharedCompile | null): void {
    const slot = this.sandbox.slot(slotId);
    const release = () => {
      try {
        slot.clear();
        // A job waits and takes this slot next: its launcher (and sandbox) start now, not after
        // the delay that keeps the spawn off the path of the answer being sent. The answer of
        // this job is ready too, so the spawn delays it about as much as it would delay the next
        // job's start, which would otherwise spawn its launcher itself (bench/warm-hits.ts).
        if (this.refillWhenQueued && this.pool.queued > 0) slot.refillNow?.();
      } finally {
        this.pool.release(slotId);
      }
    };
    if (slotBusy && !slotBusy.settled) {
      // We stopped waiting (cancelled) but other jobs still wait for the compile running in
      // our slot: the slot is given back when that compile ends.
      // Nobody is left to report a failure of that late clean-up to; close() still waits for it.
      const later = slotBusy.promise.then(release, release).catch(() => undefined);
      this.active.add(later);
      void later.then(() => this.active.delete(later));
    } else {
      release();
    }
  }

  /**
   * Two programs joined by pipes in two slots taken together (see InteractiveRunRequest and
   * interactive.ts). Both compile first (cached); if either fails to compile, nothing runs.
   */
  async runInteractive(req: InteractiveRunRequest): Promise<InteractiveRunResult> {
    if (this.closed) throw new SystemError(ErrorCodes.engineClosed, 'the engine is shutting down');
    if (!Number.isFinite(req.wallMs) || req.wallMs <= 0) throw new CallerError(ErrorCodes.invalidLimit, 'wallMs must be a positive number');
    const sides = [req.submission, req.interactor].map((side) => {
      const lang = this.languages.get(side.language);
      const reason = this.languages.unavailableReason(lang);
      if (reason) throw new CallerError(ErrorCodes.languageUnavailable, `${lang.id} is not available here: ${reason}`, { language: lang.id });
      const job = prepareJob({ ...side }, lang, this.limits);
      const runLimits = withLanguageLimits(resolveLimits('run', this.limits, side.limits), lang.limits?.run, side.limits);
      const compileLimits = withLanguageLimits(resolveLimits('compile', this.limits, side.compileLimits), lang.limits?.compile, side.compileLimits);
      return { lang, job, runLimits, compileLimits };
    }) as [Side, Side];
    const maxWall = this.limits.run.max.wallMs;
    const pairWall = Math.min(req.wallMs, maxWall);
    // The submission is killed at the pair's wall limit; the interactor outlives it (it then reads EOF).
    sides[0].runLimits = { ...sides[0].runLimits, wallMs: Math.min(sides[0].runLimits.wallMs, pairWall) };
    sides[1].runLimits = { ...sides[1].runLimits, wallMs: Math.min(Math.max(sides[1].runLimits.wallMs, pairWall + 2_000), maxWall + 2_000) };
    const p = this.executeInteractive(sides, req.signal);
    this.active.add(p);
    try {
      return await p;
    } finally {
      this.active.delete(p);
    }
  }

  private async executeInteractive(sides: [Side, Side], signal: AbortSignal | undefined): Promise<InteractiveRunResult> {
    const slotIds = await this.pool.acquireMany(2, signal);
    const slots = slotIds.map((id) => this.sandbox.slot(id));
    const busy: (SharedCompile | null)[] = [null, null];
    try {
      // One after the other: the two compiles share nothing, but a failed first one saves the second.
      const prepared = [];
      for (const i of [0, 1] as const) {
        const s = sides[i];
        const ready = await this.prepareProgram(s.lang, s.job, slots[i]!, s.compileLimits, signal, (b) => (busy[i] = b));
        prepared.push(ready);
        if (!ready.ready) break;
      }
      const [sub, int] = prepared;
      const result = (run: [StageResult | null, StageResult | null], first: boolean | null): InteractiveRunResult => ({
        submission: { language: sides[0].lang.id, compile: sub?.compile ?? null, run: run[0] },
        interactor: { language: sides[1].lang.id, compile: int?.compile ?? null, run: run[1] },
        validatorExitedFirst: first,
      });
      if (!sub?.ready || !int?.ready) return result([null, null], null);
      const pair = await runPair(
        slots[0]!,
        slots[1]!,
        { argv: sub.argv, env: sub.env, binds: sub.binds, limits: sides[0].runLimits },
        { argv: int.argv, env: int.env, binds: int.binds, limits: sides[1].runLimits },
        signal,
      );
      if (signal?.aborted || pair.submission.reason === 'cancelled' || pair.interactor.reason === 'cancelled') {
        throw cancelledStage('run', pair.submission);
      }
      const out = result([toStage(pair.submission, sides[0].runLimits, 'run'), toStage(pair.interactor, sides[1].runLimits, 'run')], pair.interactorFirst);
      // The transcript each side wrote (bounded copies): what the other side read.
      out.submission.run!.stdout = pair.submissionWrote;
      out.interactor.run!.stdout = pair.interactorWrote;
      if (sides[1].job.collectFiles.length) out.interactor.files = collect(slots[1]!, sides[1].job.collectFiles);
      if (sides[0].job.collectFiles.length) out.submission.files = collect(slots[0]!, sides[0].job.collectFiles);
      return out;
    } finally {
      try {
        this.releaseSlot(slotIds[0]!, busy[0]!);
      } finally {
        this.releaseSlot(slotIds[1]!, busy[1]!);
      }
    }
  }

  /**
   * Cache hit, or join an identical compile already running, or compile in `slot`. The compile
   * runs under its own AbortController, not the caller's signal: a caller that cancels only
   * stops waiting, and the compile is stopped when every caller waiting for it has left (L5: a
   * cancel must never reach another user's job). `shared` is set when the compile runs in this
   * caller's slot.
   */
  private compileOnce(
    key: string,
    slot: SandboxSlot,
    stage: Omit<SandboxStage, 'stdin' | 'signal'>,
    sources: BoxFile[],
    signal: AbortSignal | undefined,
  ): { result: Promise<CompileResult>; shared: SharedCompile | null } {
    const t0 = performance.now();
    const hit = this.cache.get(key);
    if (hit) {
      return {
        shared: null,
        result: Promise.resolve({
          status: 'ok',
          stdout: hit.stdout,
          stderr: hit.stderr,
          exitCode: 0,
          signal: null,
          cpuMs: 0,
          wallMs: Math.round(performance.now() - t0),
          memoryKb: 0,
          truncated: false,
          cached: true,
          artifacts: hit.files,
        }),
      };
    }
    checkCancelled(signal);
    let shared = this.inflightCompiles.get(key);
    const joined = shared !== undefined;
    if (!shared) {
      const entry = { controller: new AbortController(), waiting: 0, settled: false } as SharedCompile;
      const { signal: own } = entry.controller;
      // In the map before the first line runs, so that a synchronous failure still removes it.
      this.inflightCompiles.set(key, entry);
      entry.promise = (async () => {
        try {
          slot.clear();
          slot.writeFiles(sources);
          const outcome = await slot.run({ ...stage, stdin: Buffer.alloc(0), signal: own });
          if (own.aborted || outcome.reason === 'cancelled') throw cancelledStage('compile', outcome);
          const result: CompileResult = { ...toStage(outcome, stage.limits, 'compile'), cached: false };
          if (result.status === 'ok') {
            result.artifacts = slot.snapshot(stage.limits.boxBytes);
            this.cache.put(key, { files: result.artifacts, stdout: result.stdout, stderr: result.stderr });
          }
          return result;
        } finally {
          entry.settled = true;
          if (this.inflightCompiles.get(key) === entry) this.inflightCompiles.delete(key);
        }
      })();
      // Handled here: when every caller has left, nobody else awaits the rejection.
      entry.promise.catch(() => undefined);
      shared = entry;
    }
    const entry = shared;
    entry.waiting++;
    const result = untilCancelled(entry.promise, signal).finally(() => {
      entry.waiting--;
      if (entry.waiting === 0 && !entry.settled) {
        // Nobody waits any more. Forgotten at once, so that a job arriving now starts its own
        // compile instead of joining one that is being stopped.
        if (this.inflightCompiles.get(key) === entry) this.inflightCompiles.delete(key);
        entry.controller.abort();
      }
    });
    return {
      shared: joined ? null : entry,
      result: joined ? result.then((r) => (r.status === 'ok' ? { ...r, cached: true, cpuMs: 0, memoryKb: 0 } : r)) : result,
    };
  }

  /** Kills everything still running, then removes every box, mount and cgroup. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool.close();
    await this.sandbox.close();
    await Promise.allSettled([...this.active]);
  }
}

type CompileResult = StageResult & { artifacts?: BoxFile[] };

interface Side {
  lang: LanguageDefinition;
  job: PreparedJob;
  runLimits: StageLimits;
  compileLimits: StageLimits;
}

/** The files of `paths` the run left as regular files in the box, each cut at COLLECT_FILE_BYTES. */
function collect(slot: SandboxSlot, paths: readonly string[]): { path: string; content: Buffer }[] {
  const out: { path: string; content: Buffer }[] = [];
  for (const p of paths) {
    const content = slot.readFile(p, COLLECT_FILE_BYTES);
    if (content !== null) out.push({ path: p, content });
  }
  return out;
}

/** A compile that several jobs with the same cache key wait for. */
interface SharedCompile {
  promise: Promise<CompileResult>;
  /** Aborted when the last waiting caller has cancelled. */
  controller: AbortController;
  waiting: number;
  settled: boolean;
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** `p`, or CANCELLED as soon as `signal` aborts (`p` itself goes on). */
function untilCancelled<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A language may lower or raise defaults (Go's compiler wants more processes); the caller's explicit values win. */
function withLanguageLimits(base: StageLimits, lang: Partial<StageLimits> | undefined, explicit: object | undefined): StageLimits {
  const out = { ...base };
  for (const [k, v] of Object.entries(lang ?? {})) {
    if (explicit && k in explicit) continue;
    (out as Record<string, number>)[k] = v as number;
  }
  return out;
}

/** The verdict: a value computed from what the host measured, never from what the program said. */
export function toStage(o: SandboxOutcome, limits: StageLimits, kind: 'run' | 'compile'): StageResult {
  let status: StageStatus;
  const killedNearLimit = o.signal === 'SIGKILL' && o.memoryKb * 1024 >= limits.memoryBytes * 0.95;
  if (o.internalError) status = 'internal_error';
  else if (o.reason === 'cpu' || o.reason === 'wall' || o.signal === 'SIGXCPU') status = 'time_limit';
  else if (o.reason === 'output') status = 'output_limit';
  else if (o.oomKilled || killedNearLimit) status = 'memory_limit';
  else if (o.signal !== null || (o.exitCode ?? 0) !== 0) status = kind === 'compile' ? 'compile_error' : 'runtime_error';
  else status = 'ok';
  const stage: StageResult = {
    status,
    stdout: o.stdout,
    stderr: o.stderr,
    exitCode: o.exitCode,
    signal: o.signal,
    cpuMs: o.cpuMs,
    wallMs: o.wallMs,
    memoryKb: o.memoryKb,
    truncated: o.truncated,
  };
  if (o.internalError) stage.message = o.internalError;
  if (o.timeline) stage.timeline = o.timeline;
  return stage;
}
