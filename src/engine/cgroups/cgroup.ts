/**
 * One small interface over cgroup v1 and v2. A `RunCgroup` is what one sandboxed stage lives in:
 * the launcher writes its own pid into `procsFiles` before exec, so everything the program
 * starts is born inside. Measurements come from here, never from the program.
 */
export interface CgroupLimits {
  memoryBytes: number;
  processes: number;
  /**
   * CPU bandwidth in cores (0.5 = half a core per period), through cpu.max (v2) or the CFS quota
   * (v1). Unset: no bandwidth limit (runs are bounded by their CPU-time watchdog instead).
   */
  cpuCores?: number;
}

/** The CFS period both cgroup versions use for a bandwidth limit (µs; the kernel's default). */
export const CPU_PERIOD_US = 100_000;

export interface CgroupUsage {
  cpuNs: number;
  /** Peak memory charged during this run (bytes). */
  memoryPeakBytes: number;
  /** OOM kills during this run. */
  oomKills: number;
  /** Times a fork/clone was refused by the pids limit during this run. */
  pidsLimitHits: number;
}

export interface RunCgroup {
  /** Files the launcher writes its pid into (one per v1 controller, one on v2). */
  readonly procsFiles: readonly string[];
  /** Applies limits and resets counters so that `usage()` covers only the coming run. */
  prepare(limits: CgroupLimits): void;
  /** Cheap CPU poll (ns) for the CPU-time watchdog. */
  cpuNs(): number;
  usage(): CgroupUsage;
  /** Memory charged now (bytes), for the resource timeline. */
  memoryBytes(): number;
  pids(): number[];
  /** Kills every process inside but `keep` (the launcher, which reaps the rest) until none is left. */
  killAll(keep?: number): Promise<void>;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** A cgroup for one stage of slot `slot`: pooled per slot (v1) or fresh (v2 without resettable peak). */
  acquire(slot: number): RunCgroup;
  /** Called after the stage, once the cgroup is empty. */
  release(cg: RunCgroup): void;
  /** Pids still inside any cgroup of this driver (should be none between runs). */
  leftoverPids(): number[];
  /** Removes every cgroup this driver created. */
  close(): Promise<void>;
}

/** Kills until empty; a fork bomb is bounded by pids.max, so this converges quickly. */
export async function killUntilEmpty(cg: { pids(): number[] }, keep?: number, extraKill?: () => void): Promise<void> {
  for (let round = 0; round < 500; round++) {
    extraKill?.();
    const pids = cg.pids().filter((p) => p !== keep);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, round < 10 ? 1 : 10));
  }
  throw new Error('processes survive in cgroup after 500 kill rounds');
}

export function parsePids(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    if (line) out.push(Number(line));
  }
  return out;
}
