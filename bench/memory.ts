/**
 * Resident memory of the embedded server (issue 15): `bin/muscode serve` with a fresh data
 * directory, then VmRSS summed over its whole process tree (the supervisor running the engine,
 * the API process with PGlite, the pre-started launchers), once idle after start-up and once
 * more after a restart on the same directory (the steady state: PGlite keeps the memory of the
 * initdb that a first start runs).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/memory.js
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../src/config/config.js';
import { isMain, progress, requireRoot, sleep } from './common.js';

export const MEMORY_TARGET_MB = 250;

export interface MemoryResult {
  firstStartMb: number;
  restartMb: number;
  /** Per process of the restart: [what, MB]. */
  processes: [string, number][];
}

function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length && out.length < 256; i++) {
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of fs.readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').split(' ')) if (c.trim()) out.push(Number(c));
      } catch {
        // gone
      }
    }
  }
  return out;
}

function rssOf(pid: number): { what: string; mb: number } | null {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 3).map((a) => path.basename(a)).join(' ');
    return { what: cmd, mb: kb / 1024 };
  } catch {
    return null;
  }
}

async function serveOnce(dataDir: string, port: number): Promise<{ totalMb: number; processes: [string, number][] }> {
  const child = spawn(path.join(REPO_ROOT, 'bin/muscode'), ['serve'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', SANDBOX_UID_BASE: '58600', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  try {
    const until = Date.now() + 180_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > until || child.exitCode !== null) throw new Error('the server did not start');
      await sleep(500);
    }
    await sleep(5_000); // idle: start-up work done
    const procs = tree(child.pid!).map(rssOf).filter((p) => p !== null);
    return { totalMb: procs.reduce((a, p) => a + p.mb, 0), processes: procs.map((p) => [p.what, p.mb]) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  }
}

export async function measureMemory(): Promise<MemoryResult> {
  requireRoot();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-mem-'));
  const port = 18000 + (process.pid % 1000);
  try {
    progress('memory: embedded server, first start');
    const first = await serveOnce(dataDir, port);
    progress('memory: embedded server, restart on the same data directory');
    const again = await serveOnce(dataDir, port);
    return { firstStartMb: first.totalMb, restartMb: again.totalMb, processes: again.processes };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatMemory(r: MemoryResult): string {
  return [
    `embedded server idle, all processes: ${r.firstStartMb.toFixed(0)} MB after a first start, ${r.restartMb.toFixed(0)} MB after a restart (target <= ${MEMORY_TARGET_MB} MB)`,
    ...r.processes.map(([what, mb]) => `  ${what}: ${mb.toFixed(1)} MB`),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  console.log(formatMemory(await measureMemory()));
}
