import type { RunCgroup } from '../cgroups/cgroup.js';

/** One sample: ms since the stage started, CPU ms used so far, memory charged now (KiB). */
export type TimelineSample = [ms: number, cpuMs: number, memoryKb: number];

/** Sampling period at the start of a run (ms). */
export const TIMELINE_PERIOD_MS = 5;
/** At most this many samples per stage, however long it runs. */
export const TIMELINE_MAX_SAMPLES = 512;

/**
 * Samples a stage's cgroup (CPU time and current memory) every few milliseconds, bounded: when
 * the buffer is full, every other sample is dropped and the period doubles, so a long run keeps
 * an even picture of its whole life in at most TIMELINE_MAX_SAMPLES points. Reads come from the
 * cgroup, never from the program.
 */
export class TimelineSampler {
  private readonly samples: TimelineSample[] = [];
  private stride = 1;
  private tick = 0;
  private timer: NodeJS.Timeout | null = null;
  /** `t0`: when the stage was spawned (performance.now()). */
  constructor(
    private readonly cg: RunCgroup,
    private readonly t0: number,
  ) {
    this.sample();
    this.timer = setInterval(() => {
      if (++this.tick % this.stride === 0) this.sample();
    }, TIMELINE_PERIOD_MS);
  }

  private sample(): void {
    try {
      this.samples.push([Math.round(performance.now() - this.t0), Math.round(this.cg.cpuNs() / 1e6), Math.round(this.cg.memoryBytes() / 1024)]);
    } catch {
      return; // a cgroup read failed (the stage is ending): the next sample or the last one tells
    }
    if (this.samples.length >= TIMELINE_MAX_SAMPLES) {
      const kept = this.samples.filter((_, i) => i % 2 === 0);
      this.samples.length = 0;
      this.samples.push(...kept);
      this.stride *= 2;
    }
  }

  /** Stops sampling, with a last sample at the end; the samples in time order. */
  stop(): TimelineSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.samples;
  }
}
