import fs from 'node:fs';
import path from 'node:path';
import { ErrorCodes, SystemError } from '../../errors.js';
import { CPU_PERIOD_US, type CgroupDriver, type CgroupLimits, type CgroupUsage, type RunCgroup, killUntilEmpty, parsePids } from './cgroup.js';

/**
 * cgroup v2, kept thin on purpose. A fresh cgroup per stage: `memory.peak` can only be reset from
 * kernel 6.12, and a per-run cgroup makes every counter start at zero without any reset logic.
 * `root` must be a delegated cgroup we may write (e.g. /sys/fs/cgroup/muscode).
 */
export interface V2Options {
  root: string;
  prefix: string;
}

function readKeyed(file: string, key: string): number {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(fs.readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** memory.peak exists from Linux 5.19; without it the peak is unknown (0) rather than a failed run. */
function readPeak(file: string): number {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

class V2Cgroup implements RunCgroup {
  readonly procsFiles: string[];
  constructor(readonly dir: string) {
    this.procsFiles = [path.join(dir, 'cgroup.procs')];
  }

  prepare(limits: CgroupLimits): void {
    fs.writeFileSync(path.join(this.dir, 'memory.max'), String(limits.memoryBytes));
    fs.writeFileSync(path.join(this.dir, 'memory.swap.max'), '0');
    fs.writeFileSync(path.join(this.dir, 'pids.max'), String(limits.processes));
    if (limits.cpuCores !== undefined) {
      fs.writeFileSync(path.join(this.dir, 'cpu.max'), `${Math.max(1000, Math.round(limits.cpuCores * CPU_PERIOD_US))} ${CPU_PERIOD_US}`);
    }
  }

  cpuNs(): number {
    return readKeyed(path.join(this.dir, 'cpu.stat'), 'usage_usec') * 1000;
  }

  memoryBytes(): number {
    return Number(fs.readFileSync(path.join(this.dir, 'memory.current'), 'utf8').trim());
  }

  usage(): CgroupUsage {
    return {
      cpuNs: this.cpuNs(),
      memoryPeakBytes: readPeak(path.join(this.dir, 'memory.peak')),
      oomKills: readKeyed(path.join(this.dir, 'memory.events'), 'oom_kill'),
      pidsLimitHits: readKeyed(path.join(this.dir, 'pids.events'), 'max'),
    };
  }

  pids(): number[] {
    return parsePids(fs.readFileSync(path.join(this.dir, 'cgroup.procs'), 'utf8'));
  }

  killAll(keep?: number): Promise<void> {
    // cgroup.kill would take the launcher too; only use it when nothing is to be kept.
    const killFile = path.join(this.dir, 'cgroup.kill');
    return killUntilEmpty(this, keep, () => {
      if (keep === undefined && fs.existsSync(killFile)) fs.writeFileSync(killFile, '1');
    });
  }
}

export class CgroupV2Driver implements CgroupDriver {
  readonly version = 2 as const;
  private readonly base: string;
  private seq = 0;
  private readonly live = new Set<V2Cgroup>();
  /** Directories from the base up to (not including) the root, deepest first. */
  private readonly levels: string[] = [];

  constructor(opts: V2Options) {
    this.base = path.join(opts.root, opts.prefix);
    try {
      // A cgroup gets only the controllers its parent enabled in cgroup.subtree_control, so
      // every level of a nested prefix ("muscode/<pid>-<rand>") must pass them on, not just the
      // root and the base.
      let dir = opts.root;
      enableControllers(dir);
      for (const part of opts.prefix.split('/').filter(Boolean)) {
        dir = path.join(dir, part);
        fs.mkdirSync(dir, { recursive: true });
        enableControllers(dir);
        this.levels.unshift(dir);
      }
    } catch (err) {
      throw new SystemError(ErrorCodes.cgroupUnavailable, `cannot set up cgroup v2 at ${this.base}: ${(err as Error).message}`);
    }
  }

  acquire(slot: number): RunCgroup {
    const dir = path.join(this.base, `slot-${slot}-run-${++this.seq}`);
    fs.mkdirSync(dir);
    const cg = new V2Cgroup(dir);
    this.live.add(cg);
    return cg;
  }

  release(cg: RunCgroup): void {
    const v2 = cg as V2Cgroup;
    this.live.delete(v2);
    fs.rmdirSync(v2.dir);
  }

  leftoverPids(): number[] {
    return [...this.live].flatMap((cg) => cg.pids());
  }

  async close(): Promise<void> {
    for (const cg of [...this.live]) {
      await cg.killAll();
      this.release(cg);
    }
    // The base, then the shared levels above it once no other instance uses them.
    for (const dir of this.levels) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // not empty (another instance) or gone
      }
    }
  }
}

function enableControllers(dir: string): void {
  const wanted = ['memory', 'pids', 'cpu'];
  const available = fs.readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length) throw new Error(`controllers not delegated: ${missing.join(', ')}`);
  fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
}
