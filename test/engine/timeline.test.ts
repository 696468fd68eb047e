/**
 * The per-run resource timeline (issue 13, item 6): the run's cgroup sampled while it runs.
 */
import { describe, expect, it } from 'vitest';
import { TIMELINE_MAX_SAMPLES } from '../../src/engine/sandbox/timeline.js';
import { out, runCode, useEngine } from '../helpers/engine.js';

// Four steps of 16 MiB, each touched (so charged) and held for 150 ms.
const STEPS_C = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(void) {
  for (int i = 0; i < 4; i++) {
    char *p = malloc(16 << 20);
    memset(p, 1, 16 << 20);
    struct timespec t = {0, 150000000};
    nanosleep(&t, NULL);
  }
  puts("done");
  return 0;
}
`;

describe('resource timeline', () => {
  const ctx = useEngine();

  it('a C program that allocates in steps shows its memory rising, step by step', async () => {
    const r = await runCode(ctx.engine, 'c', STEPS_C, { timeline: true });
    expect(out(r)).toBe('done\n');
    const tl = r.run!.timeline!;
    expect(tl.length).toBeGreaterThan(4);
    expect(tl.length).toBeLessThanOrEqual(TIMELINE_MAX_SAMPLES);
    for (let i = 1; i < tl.length; i++) {
      expect(tl[i]![0]).toBeGreaterThanOrEqual(tl[i - 1]![0]); // time goes forward
      expect(tl[i]![1]).toBeGreaterThanOrEqual(tl[i - 1]![1]); // CPU time never goes back
    }
    const mem = tl.map((s) => s[2]);
    const mib = (kb: number) => kb / 1024;
    // The top: all four steps (64 MiB) held at once, as the peak says too.
    expect(mib(Math.max(...mem))).toBeGreaterThanOrEqual(60);
    // And the steps in between were seen: samples holding one, two and three of them.
    for (const step of [1, 2, 3]) {
      expect(mem.some((kb) => mib(kb) >= step * 16 - 1 && mib(kb) < (step + 1) * 16 - 1), `a sample at ${step} step(s)`).toBe(true);
    }
  });

  it('is absent unless asked for, and bounded for a long run', async () => {
    const plain = await runCode(ctx.engine, 'python', 'print(1)\n');
    expect(plain.run?.timeline).toBeUndefined();
    // Long enough for more than the bound at the first period (5 ms x 512 = 2.56 s).
    const long = await runCode(ctx.engine, 'python', 'import time\ntime.sleep(3.2)\nprint("ok")\n', { timeline: true, limits: { wallMs: 10_000 } });
    expect(out(long)).toBe('ok\n');
    expect(long.run!.timeline!.length).toBeLessThanOrEqual(TIMELINE_MAX_SAMPLES);
    expect(long.run!.timeline!.at(-1)![0]).toBeGreaterThanOrEqual(3000);
  });
});
