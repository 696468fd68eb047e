/**
 * Cancellation: what a stopped run still reports, and that one caller's cancel never reaches
 * another caller's job through a compile they share (red-team L5, 2026-11-29).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/engine/types.js';
import { CallerError, ErrorCodes } from '../../src/errors.js';
import { out, useEngine } from '../helpers/engine.js';

// About two seconds of g++ time (two constexpr evaluations; one alone took 0.3 s on a quiet machine,
// which a faster sandbox finished before the cancel landed), so that a second job certainly joins it
// and a cancel certainly lands while it runs. Unique per call: no compile-cache hit.
let serial = 0;
const slowCompile = () => ({
  language: 'cpp',
  files: [
    {
      path: 'main.cpp',
      content: `#include <cstdio>
constexpr long slow(long k) { long s = 0; for (long i = 0; i < 1000; i++) for (long j = 0; j < 1000; j++) s += (i ^ j ^ k) & 7; return s; }
constexpr long X = slow(1);
constexpr long Y = slow(2);
int main() { std::printf("%ld ${process.pid}-${Date.now()}-${serial++}\\n", X + Y); }
`,
    },
  ],
});

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('cancellation', () => {
  const ctx = useEngine();

  it('a cancel that lands while the sandbox is still starting stops the program, not its limit', async () => {
    // Aborts at several moments right after the spawn: before the fix, a kill that found only
    // the launcher in the cgroup was lost and the program ran to its CPU limit.
    for (const delayMs of [0, 1, 2, 4, 8, 16, 32]) {
      const ac = new AbortController();
      const run = settle(ctx.engine.run({ language: 'c', files: [{ path: 'main.c', content: 'int main(void){ for(;;); }' }], limits: { cpuMs: 4000 }, signal: ac.signal }));
      setTimeout(() => ac.abort(), delayMs);
      const r = await run;
      expect(r.ok, `delay ${delayMs} ms`).toBe(false);
      const err = (r as { error: CallerError }).error;
      expect(err.code).toBe(ErrorCodes.cancelled);
      const measured = err.details?.measured as { cpuMs?: number } | undefined;
      // Stopped by the cancel, far from the CPU limit it would otherwise have reached.
      if (measured?.cpuMs !== undefined) expect(measured.cpuMs, `delay ${delayMs} ms`).toBeLessThan(2000);
    }
    // The caller is answered at once; the sandboxes end right after. Before the fix, a program
    // whose kill was lost ran on to its 4 s CPU limit: still alive after 3 s of wall time.
    const end = Date.now() + 3000;
    while (Date.now() < end && ctx.engine.leftovers().busySlots > 0) await new Promise((r) => setTimeout(r, 25));
    expect(ctx.engine.leftovers()).toEqual({ pids: [], boxEntries: [], busySlots: 0 });
  });

  it('L5: a job that joined a running compile completes with its own verdict when the first job is cancelled', async () => {
    const req = slowCompile();
    const first = new AbortController();
    const a = settle(ctx.engine.run({ ...req, signal: first.signal }));
    const b = settle(ctx.engine.run({ ...req }));
    // Both are in the compile now (same key, so b joined a's); cancel the first one mid-compile.
    await new Promise((r) => setTimeout(r, 300));
    first.abort();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.ok).toBe(false);
    const errA = (ra as { error: CallerError }).error;
    expect(errA).toBeInstanceOf(CallerError);
    expect(errA.code).toBe(ErrorCodes.cancelled);
    // a was stopped while it waited for the compile, not in its run stage.
    expect(errA.details?.measured).toBeUndefined();
    // b did not see a's cancel: it got the shared compile and its own run.
    expect(rb.ok, String((rb as { error?: unknown }).error)).toBe(true);
    const r = (rb as { value: RunResult }).value;
    expect(r.compile?.status).toBe('ok');
    expect(r.compile?.cached).toBe(true); // joined, not compiled again
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toMatch(/^7000000 /);
  });

  it('L5: when every job waiting for a compile cancels, the compile is stopped and both slots come back', async () => {
    const req = slowCompile();
    const acs = [new AbortController(), new AbortController()];
    const runs = acs.map((ac) => settle(ctx.engine.run({ ...req, signal: ac.signal })));
    await new Promise((r) => setTimeout(r, 300));
    for (const ac of acs) ac.abort();
    for (const r of await Promise.all(runs)) {
      expect(r.ok).toBe(false);
      expect(((r as { error: CallerError }).error).code).toBe(ErrorCodes.cancelled);
    }
    // The compile was killed, not finished: nothing is cached, so the same source compiles again.
    const again = await ctx.engine.run(req);
    expect(again.compile?.cached).toBe(false);
    expect(again.run?.status).toBe('ok');
    expect(ctx.engine.stats.idle).toBe(2);
  });

  it('m4: a run stopped by its caller reports the CPU, wall time and memory measured until the stop', async () => {
    const ac = new AbortController();
    let started = false;
    const r = await settle(
      ctx.engine.run({
        language: 'python',
        files: [{ path: 'main.py', content: 'import time\nx = bytearray(32 * 2**20)\nprint("started", flush=True)\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass\nprint("busy", flush=True)\nwhile True:\n    pass\n' }],
        limits: { cpuMs: 15_000, wallMs: 30_000 },
        signal: ac.signal,
        // Stop once the program has used a known amount of CPU.
        onStdout: (c) => {
          started = true;
          if (c.toString().includes('busy')) ac.abort();
        },
      }),
    );
    expect(started).toBe(true);
    expect(r.ok).toBe(false);
    const err = (r as { error: CallerError }).error;
    expect(err.code).toBe(ErrorCodes.cancelled);
    const measured = err.details?.measured as { stage: string; cpuMs: number; wallMs: number; memoryKb: number };
    expect(measured.stage).toBe('run');
    expect(measured.cpuMs).toBeGreaterThanOrEqual(300);
    expect(measured.wallMs).toBeGreaterThanOrEqual(300);
    expect(measured.memoryKb).toBeGreaterThanOrEqual(32 * 1024);
  });
});
