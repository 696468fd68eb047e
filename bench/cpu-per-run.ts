/**
 * CPU per run, by variant (issue 15, item 3): what a sandboxed python hello costs in CPU, not in
 * time, so that it can be measured on a loaded machine. Every variant runs `runs` times,
 * interleaved (A B C A B C ...), one at a time.
 *
 * The whole bench process sits in a cpuacct cgroup of its own (v1 `cpuacct`, or a v2 cgroup),
 * so the cgroup's `cpuacct.usage` counts Node *and* every process it starts (launcher,
 * bubblewrap, init, python), user and kernel time alike, with no cgroup move on the way; Node's
 * own part is `process.cpuUsage()`. What neither sees is kernel work done later outside any of
 * these processes (namespace teardown in kworkers: `cleanup_net`, `put_mnt_ns`, RCU callbacks);
 * run the bench under `perf record -a -g` for that (docs/performance.md, "Where the CPU goes").
 *
 * Variants: bare python3 spawned by Node; the launcher and bubblewrap with the engine's exact
 * argv (no engine, no slot cgroups); the argv before this round (bubblewrap's `--dev`, a nested
 * user namespace), each change alone; the engine's argv without a network namespace; and
 * `engine.run` (whose processes live in the slot's cgroups: its CPU is the outcome's `cpuMs`
 * plus Node's).
 *
 *   node dist/bench/cpu-per-run.js [--runs N] [--only a,b,c] [--markdown]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCgroupDriver } from '../src/engine/cgroups/detect.js';
import { Engine } from '../src/engine/runner/engine.js';
import type { BwrapSandbox } from '../src/engine/sandbox/bwrap.js';
import { seccompFilter } from '../src/engine/sandbox/seccomp.js';
import { benchConfig, benchSandbox, closeBenchSandbox, boxPathOf, isMain, progress, requireRoot, spawnAndWait } from './common.js';
import { markdownTable, median, textTable } from './stats.js';

const SOURCE = 'print("hello, muscode")\n';
const PY_ENV = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' };

export interface CpuRow {
  variant: string;
  /** CPU of Node and its children per run (ms, median over batches). */
  totalMs: number;
  /** Node's own part. */
  nodeMs: number;
  /** The children's part (launcher, bubblewrap, init, python): total − Node. */
  childMs: number;
  /**
   * Median over batches of (this variant − `bwrap before`, the batch just before it in the same
   * round): paired, so a slow spell of the machine cancels out. Null for bare.
   */
  vsBeforeMs: number | null;
}

/** Moves this process into a fresh cpuacct cgroup; returns a reader of its usage (ns) and a cleanup. */
function ownCpuCgroup(): { usageNs: () => number; close: () => void } {
  const v1 = '/sys/fs/cgroup/cpuacct';
  const dir = fs.existsSync(`${v1}/cpuacct.usage`) ? path.join(v1, `muscode-cpu-bench-${process.pid}`) : '';
  if (!dir) throw new Error('needs a cgroup v1 cpuacct hierarchy at /sys/fs/cgroup/cpuacct');
  const parentProcs = fs.readFileSync('/proc/self/cgroup', 'utf8').match(/^\d+:[^:]*cpuacct[^:]*:(.*)$/m)?.[1] ?? '/';
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(process.pid));
  return {
    usageNs: () => Number(fs.readFileSync(path.join(dir, 'cpuacct.usage'), 'utf8')),
    close: () => {
      fs.writeFileSync(path.join(v1, parentProcs, 'cgroup.procs'), String(process.pid));
      for (let i = 0; i < 50; i++) {
        try {
          fs.rmdirSync(dir);
          return;
        } catch {
          // children still exiting
        }
      }
    },
  };
}

function dropFlag(args: readonly string[], flag: string): string[] {
  const i = args.indexOf(flag);
  if (i < 0 || i > args.indexOf('--')) return [...args];
  return [...args.slice(0, i), ...args.slice(i + 1)];
}

/** The argv before issue 15's CPU round: bubblewrap's own `--dev`, with or without the nested user namespace. */
function bwrapDev(args: readonly string[]): string[] {
  const i = args.indexOf('--dev-bind');
  if (i < 0 || args[i + 2] !== '/dev' || args[i + 5] !== '--tmpfs' || args[i + 6] !== '/dev/shm') throw new Error('the engine argv has no small /dev any more');
  return [...args.slice(0, i), '--dev', '/dev', ...args.slice(i + 7)];
}

function nestedUserns(args: readonly string[]): string[] {
  const i = args.indexOf('--unshare-cgroup');
  return [...args.slice(0, i + 1), '--disable-userns', ...args.slice(i + 1)];
}

export async function runCpuPerRun(runs: number, only?: readonly string[]): Promise<CpuRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-cpu-'));
  const script = path.join(tmp, 'main.py');
  fs.writeFileSync(script, SOURCE);
  const bc = benchConfig({ SANDBOX_SLOTS: '1' }, 40);
  const raw = benchConfig({ SANDBOX_SLOTS: '1' }, 42);
  const rc = raw.config;
  const cgroups = createCgroupDriver({ version: rc.CGROUP_VERSION, v2Root: rc.CGROUP_V2_ROOT, prefix: `muscode/${process.pid}-bench-cpu` });
  const own = ownCpuCgroup();
  let engine: Engine | null = null;
  let sandbox: BwrapSandbox | null = null;
  try {
    engine = Engine.create(bc.config);
    sandbox = benchSandbox(rc, cgroups, 1);
    const sb = sandbox;
    const e = engine;
    sb.slot(0).writeFiles([{ path: 'main.py', data: Buffer.from(SOURCE), mode: 0o644 }]);
    const stage = { argv: ['/usr/bin/python3', '-B', 'main.py'], env: PY_ENV, limits: rc.limits.run.defaults };
    const base = sb.bwrapArgs(boxPathOf(sb.slot(0)), sb.slotTmpPath(0), stage);
    const uid = sb.slot(0).uid;
    const viaBwrap = (args: string[]) => () =>
      spawnAndWait(rc.SANDBOX_LAUNCHER, [...sb.launcherArgs(uid, [], sb.slotTmpPath(0), rc.limits.run.defaults), '--', rc.SANDBOX_BWRAP, ...args], {
        extraPipes: 2,
        fd3Data: seccompFilter(),
      });
    let engineChildNs = 0;
    const all: Record<string, () => Promise<void>> = {
      bare: () => spawnAndWait('/usr/bin/python3', ['-B', script], { env: PY_ENV, cwd: tmp }),
      'bwrap before': viaBwrap(nestedUserns(bwrapDev(base))),
      'bwrap before, small /dev': viaBwrap(nestedUserns(base)),
      'bwrap before, no nested userns': viaBwrap(bwrapDev(base)),
      bwrap: viaBwrap(base),
      'bwrap, no net ns': viaBwrap(dropFlag(base, '--unshare-net')),
      engine: async () => {
        const r = await e.run({ language: 'python', files: [{ path: 'main.py', content: SOURCE }] });
        if (r.run?.status !== 'ok') throw new Error(`engine run failed: ${r.run?.status} ${r.run?.message ?? ''}`);
        engineChildNs += r.run.cpuMs * 1e6;
      },
    };
    const names = Object.keys(all).filter((k) => !only || only.includes(k));
    const batch = 5;
    const samples = Object.fromEntries(names.map((k) => [k, { total: [] as number[], node: [] as number[] }]));
    for (const k of names) for (let i = 0; i < 3; i++) await all[k]!(); // warm-up
    for (let done = 0; done < runs; done += batch) {
      progress(`cpu-per-run: ${done}/${runs}`);
      for (const k of names) {
        const c0 = process.cpuUsage();
        const u0 = own.usageNs();
        const e0 = engineChildNs;
        for (let i = 0; i < batch; i++) await all[k]!();
        const c = process.cpuUsage(c0);
        const node = (c.user + c.system) / 1000 / batch;
        const total = (own.usageNs() - u0 + (engineChildNs - e0)) / 1e6 / batch;
        samples[k]!.total.push(total);
        samples[k]!.node.push(node);
      }
    }
    const ref = samples['bwrap before'];
    return names.map((k) => {
      const s = samples[k]!;
      const totalMs = median(s.total);
      const nodeMs = median(s.node);
      const vsBeforeMs = ref && k !== 'bare' ? median(s.total.map((t, i) => t - ref.total[i]!)) : null;
      return { variant: k, totalMs, nodeMs, childMs: median(s.total.map((t, i) => t - s.node[i]!)), vsBeforeMs };
    });
  } finally {
    await closeBenchSandbox(sandbox, cgroups);
    await engine?.close();
    own.close();
    bc.dispose();
    raw.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatCpu(rows: readonly CpuRow[], md = false): string {
  const table = md ? markdownTable : textTable;
  const bare = rows.find((r) => r.variant === 'bare');
  return table(
    ['variant', 'CPU per run (ms)', 'of which Node', 'of which the processes', 'vs bare', "paired − 'bwrap before'"],
    rows.map((r) => [
      r.variant,
      r.totalMs.toFixed(2),
      r.nodeMs.toFixed(2),
      r.childMs.toFixed(2),
      bare ? `${(r.totalMs / bare.totalMs).toFixed(2)}×` : '',
      r.vsBeforeMs === null ? '' : `${r.vsBeforeMs >= 0 ? '+' : ''}${r.vsBeforeMs.toFixed(2)}`,
    ]),
  );
}

if (isMain(import.meta.url)) {
  requireRoot();
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const rows = await runCpuPerRun(Number(arg('--runs') ?? 100), arg('--only')?.split(','));
  console.log(`load average: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(formatCpu(rows, process.argv.includes('--markdown')));
}
