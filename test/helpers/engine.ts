import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type Config, loadConfig } from '../../src/config/config.js';
import { Engine } from '../../src/engine/runner/engine.js';
import type { RunRequest, RunResult } from '../../src/engine/types.js';

export const CI = process.env.CI === 'true';

/** A config for tests: a private data dir, its own uid range so that parallel files never share a slot uid. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-test-'));
  const uidBase = String(61000 + (process.pid % 400) * 16);
  return loadConfig(process.env, { DATA_DIR: dataDir, SANDBOX_SLOTS: '2', SANDBOX_UID_BASE: uidBase, ...overrides });
}

/** Processes running as any of the given uids, from /proc. */
export function processesOfUids(uids: number[]): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
      if (m && (uids.includes(Number(m[1])) || uids.includes(Number(m[2])))) out.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Processes of the slot uids that are not the engine's own: the engine keeps, between runs, each
 * slot's launcher and the sandbox prepared ahead below it (SANDBOX_WARM: bubblewrap and the init
 * run as the slot uid), and those being taken down (`engine.waitingPids()`); anything else of a
 * slot uid (a daemon that survived its run) is a leftover. Polled for up to `graceMs`: a
 * sandbox being taken down outlives its launcher for a moment (then it is in no tree); a
 * leftover daemon does not go away. The engine's set is read before and after /proc, so that a
 * sandbox forked meanwhile (a refill) counts as the engine's.
 */
export async function strayProcesses(engine: Pick<Engine, 'waitingPids'>, uids: number[], graceMs = 3000): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const before = new Set(engine.waitingPids());
    const seen = processesOfUids(uids).filter((p) => !before.has(p));
    const after = new Set(engine.waitingPids());
    const stray = seen.filter((p) => !after.has(p) && fs.existsSync(`/proc/${p}`));
    if (!stray.length || Date.now() >= deadline) return stray;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function slotUidsOf(config: Config): number[] {
  return Array.from({ length: config.SANDBOX_SLOTS }, (_, i) => config.SANDBOX_UID_BASE + i);
}

/**
 * One engine per test file, with the standard after-each check: no stray process (of a slot uid,
 * but the engine's own waiting sandboxes: strayProcesses), no file left
 * in any box, every pooled cgroup empty, no busy slot. And after the file: nothing of the
 * instance left on the host (mounts, directories, cgroups).
 */
export function useEngine(overrides: Record<string, string> = {}) {
  const ctx = {} as { engine: Engine; config: Config };
  beforeAll(() => {
    ctx.config = testConfig(overrides);
    ctx.engine = Engine.create(ctx.config);
  });
  afterEach(async () => {
    const left = ctx.engine.leftovers();
    expect(left).toEqual({ pids: [], boxEntries: [], busySlots: 0 });
    // Of the slot uids, only the engine's own waiting sandboxes (strayProcesses).
    expect(await strayProcesses(ctx.engine, slotUidsOf(ctx.config))).toEqual([]);
  });
  afterAll(async () => {
    await ctx.engine?.close();
    const mine = fs.existsSync(ctx.config.SANDBOX_RUN_DIR)
      ? fs.readdirSync(ctx.config.SANDBOX_RUN_DIR).filter((n) => n.startsWith(`${process.pid}-`))
      : [];
    expect(mine).toEqual([]);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts.includes(`${ctx.config.SANDBOX_RUN_DIR}/${process.pid}-`)).toBe(false);
    for (const ctl of ['memory', 'pids', 'cpuacct']) {
      const dir = `/sys/fs/cgroup/${ctl}/muscode`;
      const stale = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith(`${process.pid}-`)) : [];
      expect(stale).toEqual([]);
    }
    fs.rmSync(ctx.config.DATA_DIR, { recursive: true, force: true });
  });
  return ctx;
}

/** Runs one source file. */
export function runCode(
  engine: Engine,
  language: string,
  source: string,
  opts: Partial<Omit<RunRequest, 'language' | 'files'>> & { file?: string } = {},
): Promise<RunResult> {
  const def = engine.languages.get(language);
  const { file, ...rest } = opts;
  return engine.run({ language, files: [{ path: file ?? def.sourceFile, content: source }], ...rest });
}

export function out(r: RunResult): string {
  return r.run?.stdout.toString('utf8') ?? '';
}
