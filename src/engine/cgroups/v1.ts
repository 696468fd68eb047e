import fs from 'node:fs';
import path from 'node:path';
import { ErrorCodes, SystemError } from '../../errors.js';
import { instancePid, processAlive } from '../host.js';
import { CPU_PERIOD_US, type CgroupDriver, type CgroupLimits, type CgroupUsage, type RunCgroup, killUntilEmpty, parsePids } from './cgroup.js';

/** cgroup v1: one directory per controller (memory, pids, cpuacct). Pooled: one cgroup per slot. */
export interface V1Options {
  /** Mount points of the controllers, e.g. { memory: '/sys/fs/cgroup/memory', ... }. */
  mounts: { memory: string; pids: string; cpuacct: string; cpu?: string };
  /** Join the cpu controller too, so that `cpuCores` can be applied (needs `mounts.cpu`). */
  cpuBandwidth?: boolean;
  /** Relative path under each mount, unique to this engine instance, e.g. "muscode/1234-ab12". */
  prefix: string;
}

function readNum(file: string): number {
  return Number(fs.readFileSync(file, 'utf8').trim());
}

function write(file: string, value: string): void {
  fs.writeFileSync(file, value);
}

class V1Cgroup implements RunCgroup {
  readonly procsFiles: string[];
  private oomBase = 0;
  private pidsBase = 0;
  private memBase = 0;

  constructor(
    readonly mem: string,
    readonly pidsDir: string,
    readonly cpu: string,
    /** The cpu controller's directory (bandwidth), when asked for; may equal `cpu` (co-mounted). */
    readonly cpuCtl?: string,
  ) {
    const dirs = [mem, pidsDir, cpu];
    if (cpuCtl && cpuCtl !== cpu) dirs.push(cpuCtl);
    this.procsFiles = dirs.map((d) => path.join(d, 'cgroup.procs'));
  }

  prepare(limits: CgroupLimits): void {
    const memLimit = String(limits.memoryBytes);
    const memsw = path.join(this.mem, 'memory.memsw.limit_in_bytes');
    const hasMemsw = fs.existsSync(memsw);
    // memsw must stay >= the memory limit: lower memory first when shrinking, raise memsw first when growing.
    const current = readNum(path.join(this.mem, 'memory.limit_in_bytes'));
    if (hasMemsw && limits.memoryBytes > current) write(memsw, memLimit);
    write(path.join(this.mem, 'memory.limit_in_bytes'), memLimit);
    if (hasMemsw) write(memsw, memLimit);
    write(path.join(this.pidsDir, 'pids.max'), String(limits.processes));
    if (limits.cpuCores !== undefined || this.cpuCtl) {
      if (!this.cpuCtl) throw new Error('the cpu controller is not mounted: no CPU bandwidth limit');
      write(path.join(this.cpuCtl, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      const quota = limits.cpuCores === undefined ? -1 : Math.max(1000, Math.round(limits.cpuCores * CPU_PERIOD_US));
      write(path.join(this.cpuCtl, 'cpu.cfs_quota_us'), String(quota));
    }
    write(path.join(this.cpu, 'cpuacct.usage'), '0');
    write(path.join(this.mem, 'memory.max_usage_in_bytes'), '0');
    // Pages a previous run left charged here (page cache of toolchain files) stay charged; the
    // peak of this run is measured above that baseline.
    this.memBase = readNum(path.join(this.mem, 'memory.usage_in_bytes'));
    this.oomBase = this.oomKills();
    this.pidsBase = this.pidsHits();
  }

  private oomKills(): number {
    const m = /oom_kill (\d+)/.exec(fs.readFileSync(path.join(this.mem, 'memory.oom_control'), 'utf8'));
    return m ? Number(m[1]) : 0;
  }

  private pidsHits(): number {
    const file = path.join(this.pidsDir, 'pids.events');
    if (!fs.existsSync(file)) return 0;
    const m = /max (\d+)/.exec(fs.readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  }

  cpuNs(): number {
    return readNum(path.join(this.cpu, 'cpuacct.usage'));
  }

  memoryBytes(): number {
    return Math.max(0, readNum(path.join(this.mem, 'memory.usage_in_bytes')) - this.memBase);
  }

  usage(): CgroupUsage {
    const peak = readNum(path.join(this.mem, 'memory.max_usage_in_bytes'));
    return {
      cpuNs: this.cpuNs(),
      memoryPeakBytes: Math.max(0, peak - this.memBase),
      oomKills: this.oomKills() - this.oomBase,
      pidsLimitHits: this.pidsHits() - this.pidsBase,
    };
  }

  pids(): number[] {
    // The pids controller sees every task; memory and cpuacct were joined by the same writes.
    const all = new Set<number>();
    for (const f of this.procsFiles) for (const p of parsePids(fs.readFileSync(f, 'utf8'))) all.add(p);
    return [...all];
  }

  killAll(keep?: number): Promise<void> {
    return killUntilEmpty(this, keep);
  }
}

export class CgroupV1Driver implements CgroupDriver {
  readonly version = 1 as const;
  private readonly slots = new Map<number, V1Cgroup>();
  private readonly roots: string[];

  private readonly cpuRoot: string | undefined;

  constructor(private readonly opts: V1Options) {
    this.roots = [opts.mounts.memory, opts.mounts.pids, opts.mounts.cpuacct].map((m) => path.join(m, opts.prefix));
    if (opts.cpuBandwidth) {
      if (!opts.mounts.cpu) throw new SystemError(ErrorCodes.cgroupUnavailable, 'the cgroup v1 cpu controller is not mounted (needed for a CPU bandwidth limit)');
      this.cpuRoot = path.join(opts.mounts.cpu, opts.prefix);
      if (!this.roots.includes(this.cpuRoot)) this.roots.push(this.cpuRoot);
    }
    for (const root of this.roots) sweepStale(path.dirname(root));
    try {
      for (const root of this.roots) fs.mkdirSync(root, { recursive: true, mode: 0o755 });
    } catch (err) {
      throw new SystemError(ErrorCodes.cgroupUnavailable, `cannot create cgroup ${opts.prefix}: ${(err as Error).message}`);
    }
  }

  acquire(slot: number): RunCgroup {
    let cg = this.slots.get(slot);
    if (!cg) {
      const [mem, pids, cpu] = this.roots.map((r) => path.join(r, `slot-${slot}`)) as [string, string, string];
      const cpuCtl = this.cpuRoot && path.join(this.cpuRoot, `slot-${slot}`);
      for (const d of [mem, pids, cpu, cpuCtl]) if (d) fs.mkdirSync(d, { recursive: true });
      cg = new V1Cgroup(mem, pids, cpu, cpuCtl);
      this.slots.set(slot, cg);
    }
    return cg;
  }

  leftoverPids(): number[] {
    return [...this.slots.values()].flatMap((cg) => cg.pids());
  }

  release(): void {
    // Pooled: kept for the slot's next run; counters are reset by prepare().
  }

  async close(): Promise<void> {
    for (const cg of this.slots.values()) {
      await cg.killAll();
      for (const d of [cg.mem, cg.pidsDir, cg.cpu, cg.cpuCtl]) if (d) rmdirQuiet(d);
    }
    this.slots.clear();
    for (const root of this.roots) {
      rmdirQuiet(root);
      // The shared "muscode" parent goes too once the last instance has left it.
      rmdirQuiet(path.dirname(root));
    }
  }
}

/**
 * Removes the cgroups of engine instances ("<pid>-<id>") whose process is gone (killed -9, a
 * crash): their processes are killed, then their directories removed.
 */
function sweepStale(parent: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = instancePid(name);
    if (pid === null || processAlive(pid)) continue;
    const dir = path.join(parent, name);
    for (const slot of safeList(dir)) {
      const slotDir = path.join(dir, slot);
      try {
        for (const p of parsePids(fs.readFileSync(path.join(slotDir, 'cgroup.procs'), 'utf8'))) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone
          }
        }
      } catch {
        // not a cgroup directory
      }
      rmdirQuiet(slotDir);
    }
    rmdirQuiet(dir);
  }
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

function rmdirQuiet(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // busy (another instance) or already gone
  }
}
