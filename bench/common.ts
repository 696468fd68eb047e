/**
 * Set-up shared by the benchmarks: a private configuration (own data dir, own slot uids so that
 * test suites running on the same machine never share a slot uid with us), process spawning
 * that waits for the same end point as the engine, and interleaved sampling.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type Config, loadConfig } from '../src/config/config.js';
import type { CgroupDriver } from '../src/engine/cgroups/cgroup.js';
import { BwrapSandbox } from '../src/engine/sandbox/bwrap.js';

/**
 * Slot uids of the benchmarks: below the CLI's default (60000+) and the tests' range
 * (61000-67400), so a benchmark can run next to both.
 */
export const BENCH_UID_BASE = 59000;

export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    console.error('The benchmarks drive the real sandbox (cgroups, slot uids): run them as root.');
    process.exit(1);
  }
}

/** True when `moduleUrl` is the script node was started with (so each benchmark also runs alone). */
export function isMain(moduleUrl: string): boolean {
  const argv1 = process.argv[1];
  return argv1 !== undefined && path.resolve(argv1) === fileURLToPath(moduleUrl);
}

export interface BenchConfig {
  config: Config;
  /** Removes the private data dir (call after the engine is closed). */
  dispose(): void;
}

export function benchConfig(overrides: Record<string, string> = {}, uidOffset = 0): BenchConfig {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-'));
  const config = loadConfig(process.env, {
    DATA_DIR: dataDir,
    SANDBOX_UID_BASE: String(BENCH_UID_BASE + uidOffset),
    ...overrides,
  });
  return { config, dispose: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Pipes after stdio (fd 3, fd 4...), as the engine gives the launcher. */
  extraPipes?: number;
  /** Written to the pipe at fd 3, which is then closed (bwrap reads its seccomp filter there). */
  fd3Data?: Buffer;
}

/**
 * Spawns a process and resolves once it has exited and its pipes are closed: the point the
 * engine waits for too. Rejects on a non-zero exit, because timing a failing command measures
 * nothing.
 */
export function spawnAndWait(file: string, args: readonly string[], opts: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const extra = Array.from({ length: opts.extraPipes ?? 0 }, () => 'pipe' as const);
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? {}, stdio: ['ignore', 'pipe', 'pipe', ...extra] });
    let err = '';
    child.stdout!.resume();
    child.stderr!.on('data', (c: Buffer) => {
      if (err.length < 2000) err += c.toString('utf8');
    });
    for (let fd = 3; fd < 3 + (opts.extraPipes ?? 0); fd++) {
      const s = child.stdio[fd];
      if (!s) continue;
      if (fd === 3 && opts.fd3Data) {
        const w = s as NodeJS.WritableStream;
        w.on('error', () => undefined);
        w.end(opts.fd3Data);
      } else {
        (s as NodeJS.ReadableStream).resume();
      }
    }
    child.once('error', reject);
    child.once('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(file)} exited ${code ?? sig}: ${err.trim().slice(0, 500)}`));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Times every variant `runs` times, interleaved (A B C A B C ...) after `warmup` untimed rounds,
 * so that background load on a shared machine hits all variants alike instead of skewing
 * whichever happened to run during a busy spell. Returns durations in ms per variant.
 *
 * `settleMs` pauses before each timed call (outside the timing), so that every call starts
 * from a quiet machine, like one request reaching an idle engine. This matters for cgroup v1:
 * moving a process into a cgroup takes a global lock whose write side waits for an RCU grace
 * period unless another move happened just before; back-to-back calls would hide that cost.
 * A per-variant record lets "idle" and "back to back" variants share one interleaved loop.
 */
export async function sampleInterleaved<K extends string>(
  variants: Record<K, () => Promise<void>>,
  runs: number,
  warmup: number,
  settleMs: number | Partial<Record<K, number>> = 0,
): Promise<Record<K, number[]>> {
  const settle = (k: K) => (typeof settleMs === 'number' ? settleMs : (settleMs[k] ?? 0));
  const keys = Object.keys(variants) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + runs; round++) {
    for (const k of keys) {
      if (settle(k) > 0) await sleep(settle(k));
      const t0 = performance.now();
      await variants[k]();
      const dt = performance.now() - t0;
      if (round >= warmup) out[k].push(dt);
    }
  }
  return out;
}

/** Progress goes to stderr so that `--markdown` output on stdout stays clean. */
export function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/**
 * The host directory a bwrap slot binds at /box. Not part of the SandboxSlot interface (the
 * engine never needs it), but the benchmarks hand it to bwrap themselves to time bwrap alone.
 */
export function boxPathOf(slot: object): string {
  const p = (slot as { boxPath?: unknown }).boxPath;
  if (typeof p !== 'string') throw new Error('this sandbox slot has no boxPath (not a bwrap slot?)');
  return p;
}

/** A bwrap sandbox of `slots` slots configured as the engine would be by `cfg`, for benchmarks that drive slots or bubblewrap by hand. */
export function benchSandbox(cfg: Config, cgroups: CgroupDriver, slots: number): BwrapSandbox {
  return new BwrapSandbox({
    slots,
    uidBase: cfg.SANDBOX_UID_BASE,
    runDir: cfg.SANDBOX_RUN_DIR,
    boxBytes: cfg.limits.run.max.boxBytes,
    launcherPath: cfg.SANDBOX_LAUNCHER,
    bwrapPath: cfg.SANDBOX_BWRAP,
    cgroups,
    cpuPollMs: cfg.SANDBOX_CPU_POLL_MS,
  });
}

/** Leaves nothing of a bench sandbox behind: every slot's box, the mounts and the cgroups (closed with the sandbox, or alone if it was never made). */
export async function closeBenchSandbox(sandbox: BwrapSandbox | null, cgroups: CgroupDriver): Promise<void> {
  for (let w = 0; sandbox && w < sandbox.slotCount; w++) {
    try {
      sandbox.slot(w).clear();
    } catch {
      // closing removes the boxes anyway
    }
  }
  await sandbox?.close();
  if (!sandbox) await cgroups.close();
}
