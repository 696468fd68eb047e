/**
 * Resident memory of the embedded server (issue 15, item 5): `bin/muscode serve` on a fresh data
 * directory, per process of its tree (the supervisor running the engine, the API process with
 * PGlite, the pre-started launchers): RSS split into anonymous / file / shmem, and inside the
 * Node processes the V8 heap and PGlite's WebAssembly memory (MUSCODE_MEMORY_REPORT, see
 * src/cli/memory-report.ts). Four points: idle after a first start, idle after a restart on the
 * same directory, and after one and two rounds of load through the API (python, node and bash
 * hellos, C compiles that miss and then hit the compile cache): the second round shows whether
 * anything grows.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/memory.js [--runs N] [--root DIR] [--cgroup]
 *
 * --root runs another checkout's bin/muscode (a baseline built from an older commit, measured in
 * the same run). --cgroup instead proves a 1 GiB host: the server runs inside a cgroup v1 memory
 * cgroup limited to 1 GiB (created and removed here), takes the load, and the peak
 * (memory.max_usage_in_bytes) and any OOM are printed. Runs are charged to their own slot
 * cgroups (each bounded by its memory limit), not to this one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../src/config/config.js';
import { findV1Mounts } from '../src/engine/cgroups/detect.js';
import { isMain, progress, requireRoot, sleep } from './common.js';

export const MEMORY_TARGET_MB = 250;
const MB = 1024 * 1024;

export interface ProcessMemory {
  pid: number;
  what: string;
  rssMb: number;
  anonMb: number;
  fileMb: number;
  shmemMb: number;
  /** Node processes with MUSCODE_MEMORY_REPORT: V8 heap (used / total) and PGlite's WebAssembly memory. */
  heapUsedMb?: number;
  heapTotalMb?: number;
  wasmMb?: number | null;
}

export interface Snapshot {
  totalMb: number;
  processes: ProcessMemory[];
}

export interface MemoryResult {
  root: string;
  firstStart: Snapshot;
  restart: Snapshot;
  /** After `runs` runs through the API, and after as many again (growth). */
  afterLoad: Snapshot;
  afterLoad2: Snapshot;
  runs: number;
  failures: number;
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

function statusOf(pid: number): ProcessMemory | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const what = argv.slice(0, 3).map((a) => path.basename(a)).join(' ');
    return { pid, what, rssMb: kb('VmRSS'), anonMb: kb('RssAnon'), fileMb: kb('RssFile'), shmemMb: kb('RssShmem') };
  } catch {
    return null;
  }
}

/** The server under test, its stderr scanned for the memory reports of its Node processes. */
class Server {
  readonly child: ChildProcess;
  private reports = new Map<number, { heapUsed: number; heapTotal: number; wasm: number | null }>();
  private waiters: (() => void)[] = [];
  private readonly reporting: boolean;
  private stderr = '';

  constructor(root: string, dataDir: string, readonly port: number, cgroupProcs?: string, uidBase = 58600) {
    const bin = path.join(root, 'bin/muscode');
    this.reporting = fs.existsSync(path.join(root, 'dist/src/cli/memory-report.js'));
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      SANDBOX_UID_BASE: String(uidBase),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_API: '0',
      RATE_LIMIT_EXECUTE: '0',
      RATE_LIMIT_AUTH: '0',
      QUOTA_EXECUTIONS_DAILY: '0',
      QUOTA_EXECUTIONS_MONTHLY: '0',
      MUSCODE_MEMORY_REPORT: '1',
    };
    // In a cgroup: the shell joins it, then becomes the server (everything it starts stays in it).
    this.child = cgroupProcs
      ? spawn('/bin/sh', ['-c', 'echo $$ > "$1" && exec "$2" serve', 'sh', cgroupProcs, bin], { env, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(bin, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^muscode-memory (\{.*\})$/.exec(line);
        if (!m) {
          this.stderr = `${this.stderr}${line}\n`.slice(-4000);
          continue;
        }
        const r = JSON.parse(m[1]!) as { pid: number; heapUsed: number; heapTotal: number; wasm: number | null };
        this.reports.set(r.pid, r);
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const until = Date.now() + 600_000; // a first start under heavy load (initdb) can take minutes
    for (;;) {
      try {
        if ((await fetch(`${this.url}/api/v1/health`)).ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > until || this.child.exitCode !== null) throw new Error(`the server did not start (exit ${this.child.exitCode}): ${this.stderr.trim()}`);
      await sleep(500);
    }
  }

  async snapshot(): Promise<Snapshot> {
    const pids = tree(this.child.pid!);
    // Ask every Node process of the tree for its report (SIGUSR2; see src/cli/memory-report.ts).
    const nodes = pids.filter((p) => {
      try {
        return path.basename(fs.readlinkSync(`/proc/${p}/exe`)).startsWith('node');
      } catch {
        return false;
      }
    });
    this.reports.clear();
    // An older checkout (--root) has no report: SIGUSR2 would kill its processes.
    if (!this.reporting) nodes.length = 0;
    for (const p of nodes) process.kill(p, 'SIGUSR2');
    const until = Date.now() + 5_000;
    while (nodes.some((p) => !this.reports.has(p)) && Date.now() < until) await new Promise<void>((r) => this.waiters.push(r) && setTimeout(r, 200));
    const processes = pids.map(statusOf).filter((p) => p !== null);
    for (const p of processes) {
      const r = this.reports.get(p.pid);
      if (r) Object.assign(p, { heapUsedMb: r.heapUsed / MB, heapTotalMb: r.heapTotal / MB, wasmMb: r.wasm === null ? null : r.wasm / MB });
    }
    return { totalMb: processes.reduce((a, p) => a + p.rssMb, 0), processes };
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  }
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: { data?: Record<string, unknown> } }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> } };
}

async function register(base: string): Promise<string> {
  const name = `mem${Math.random().toString(36).slice(2, 10)}`;
  const r = await json(`${base}/api/v1/auth/register`, {
    method: 'POST',
    body: JSON.stringify({ email: `${name}@example.com`, username: name, password: 'benchmark password', fullName: 'Bench' }),
  });
  const token = r.body.data?.token;
  if (typeof token !== 'string') throw new Error(`register: HTTP ${r.status}`);
  return token;
}

/** The load: [language, code, expected output]; every 10th C program is new (a compile-cache miss). */
function job(i: number): [string, string, string] {
  switch (i % 5) {
    case 0:
    case 1:
      return ['python', `print(${i} * 2)`, `${i * 2}\n`];
    case 2:
      return ['javascript', `console.log(${i} + 1)`, `${i + 1}\n`];
    case 3:
      return ['bash', `echo run ${i}`, `run ${i}\n`];
    default: {
      const k = Math.floor(i / 50); // a new source every 50 runs (every 10th C run)
      return ['c', `#include <stdio.h>\nint main(void) { printf("%d\\n", ${k}); return 0; }\n`, `${k}\n`];
    }
  }
}

/** `runs` runs through `POST /execute?wait=true` from 4 clients; returns the failures. */
export async function load(base: string, token: string, runs: number, offset = 0): Promise<number> {
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < runs) {
        const [language, code, expected] = job(offset + next++);
        const r = await json(`${base}/api/v1/execute?wait=true`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: JSON.stringify({ language, code }),
        }).catch((err: unknown) => ({ status: 0, body: { data: { error: String(err) } as Record<string, unknown> } }));
        if (r.status !== 200 || r.body.data?.output !== expected) {
          failures++;
          if (failures <= 3) progress(`memory: a ${language} run failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        }
      }
    }),
  );
  return failures;
}

function withServer<T>(root: string, dataDir: string, port: number, fn: (s: Server) => Promise<T>, cgroupProcs?: string, uidBase?: number): Promise<T> {
  const server = new Server(root, dataDir, port, cgroupProcs, uidBase);
  return (async () => {
    try {
      await server.up();
      return await fn(server);
    } finally {
      await server.stop();
    }
  })();
}

export async function measureMemory(opts: { runs?: number; root?: string } = {}): Promise<MemoryResult> {
  requireRoot();
  const root = opts.root ?? REPO_ROOT;
  const runs = opts.runs ?? 300;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-mem-'));
  const port = 18000 + (process.pid % 1000);
  // Slot uids of its own: a baseline (--root) may be measured at the same time.
  const uids = root === REPO_ROOT ? 58650 : 58600;
  try {
    progress(`memory: embedded server (${root}), first start`);
    const firstStart = await withServer(
      root,
      dataDir,
      port,
      async (s) => {
        await sleep(5_000); // idle: start-up work done
        return s.snapshot();
      },
      undefined,
      uids,
    );
    progress('memory: restart on the same data directory, then load');
    return await withServer(root, dataDir, port, async (s) => {
      await sleep(5_000);
      const restart = await s.snapshot();
      const token = await register(s.url);
      let failures = await load(s.url, token, runs);
      await sleep(3_000);
      const afterLoad = await s.snapshot();
      failures += await load(s.url, token, runs, runs);
      await sleep(3_000);
      const afterLoad2 = await s.snapshot();
      return { root, firstStart, restart, afterLoad, afterLoad2, runs, failures };
    }, undefined, uids);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface CgroupResult {
  limitMb: number;
  peakMb: number;
  oomKills: number;
  failcnt: number;
  runs: number;
  failures: number;
}

/** The server in a 1 GiB cgroup v1 memory cgroup through a first start and `runs` runs. */
export async function proveSmallHost(opts: { runs?: number; limitMb?: number } = {}): Promise<CgroupResult> {
  requireRoot();
  const mem = findV1Mounts()?.memory;
  if (!mem) throw new Error('--cgroup needs the cgroup v1 memory controller');
  const runs = opts.runs ?? 300;
  const limitMb = opts.limitMb ?? 1024;
  const cg = path.join(mem, `muscode-bench-mem-${process.pid}`);
  fs.mkdirSync(cg);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-mem-'));
  try {
    fs.writeFileSync(path.join(cg, 'memory.limit_in_bytes'), String(limitMb * MB));
    const port = 19000 + (process.pid % 1000);
    progress(`memory: the server in a ${limitMb} MiB memory cgroup, first start and ${runs} runs`);
    const failures = await withServer(
      REPO_ROOT,
      dataDir,
      port,
      async (s) => load(s.url, await register(s.url), runs),
      path.join(cg, 'cgroup.procs'),
      58700, // its own slot uids: it may run next to the other measurement
    );
    const read = (f: string) => fs.readFileSync(path.join(cg, f), 'utf8');
    return {
      limitMb,
      peakMb: Number(read('memory.max_usage_in_bytes')) / MB,
      oomKills: Number(/oom_kill (\d+)/.exec(read('memory.oom_control'))?.[1] ?? 0),
      failcnt: Number(read('memory.failcnt')),
      runs,
      failures,
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    // Its last processes (the launchers) may still be exiting on a loaded machine.
    for (let i = 0; ; i++) {
      try {
        fs.rmdirSync(cg);
        break;
      } catch (err) {
        if (i >= 300) {
          progress(`memory: could not remove ${cg}: ${(err as Error).message}; remove it with rmdir once empty`);
          break;
        }
        await sleep(200);
      }
    }
  }
}

const f0 = (n: number | undefined | null) => (n === undefined || n === null ? '-' : n.toFixed(0));

function snapshotLines(label: string, s: Snapshot): string[] {
  return [
    `${label}: ${f0(s.totalMb)} MB (target <= ${MEMORY_TARGET_MB} MB${s.totalMb <= MEMORY_TARGET_MB ? ', met' : ', MISSED'})`,
    ...s.processes
      .filter((p) => p.rssMb >= 1 || s.processes.length < 6)
      .map(
        (p) =>
          `  ${p.what.padEnd(34)} rss ${f0(p.rssMb).padStart(4)}  anon ${f0(p.anonMb).padStart(4)}  file ${f0(p.fileMb).padStart(3)}  shmem ${f0(p.shmemMb).padStart(2)}` +
          (p.heapTotalMb !== undefined ? `  V8 heap ${f0(p.heapUsedMb)}/${f0(p.heapTotalMb)}` : '') +
          (p.wasmMb ? `  PGlite wasm ${f0(p.wasmMb)}` : ''),
      ),
    ...(s.processes.some((p) => p.rssMb < 1) ? [`  + ${s.processes.filter((p) => p.rssMb < 1).length} processes under 1 MB (pre-started launchers)`] : []),
  ];
}

export function formatMemory(r: MemoryResult): string {
  return [
    `Embedded server resident memory, all processes (${r.root}; MB):`,
    ...snapshotLines('idle after a first start', r.firstStart),
    ...snapshotLines('idle after a restart', r.restart),
    ...snapshotLines(`after ${r.runs} runs`, r.afterLoad),
    ...snapshotLines(`after ${2 * r.runs} runs`, r.afterLoad2),
    `growth over the second ${r.runs} runs: ${(r.afterLoad2.totalMb - r.afterLoad.totalMb).toFixed(1)} MB; failed runs: ${r.failures}`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const runs = arg('--runs') ? Number(arg('--runs')) : undefined;
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (process.argv.includes('--cgroup')) {
    const r = await proveSmallHost({ runs });
    console.log(
      `1 GiB host: the server (supervisor, API, launchers) in a ${r.limitMb} MiB memory cgroup through a first start and ${r.runs} runs: ` +
        `peak ${r.peakMb.toFixed(0)} MB, limit hits ${r.failcnt}, OOM kills ${r.oomKills}, failed runs ${r.failures}`,
    );
    if (r.oomKills > 0 || r.failures > 0) process.exitCode = 1;
  } else {
    console.log(formatMemory(await measureMemory({ runs, root: arg('--root') })));
  }
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
