import { describe, expect, it } from 'vitest';
import { out, runCode, useEngine } from '../helpers/engine.js';

/**
 * Measurements that could be wrong in ways a verdict would not show: memory peak and CPU time
 * come from the cgroup, the compile cache must be hit on the second compile, and exit status vs
 * death by signal must stay distinguishable.
 */

// Touches argv[1] MiB with memset. The buffer escapes through a volatile pointer, so GCC cannot
// drop the allocation.
const C_TOUCH_MB = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  size_t n = (size_t)atol(argv[1]) << 20;
  char *p = malloc(n);
  if (!p) return 2;
  memset(p, 7, n);
  char *volatile keep = p;
  printf("%d\\n", keep[n - 1]);
  return 0;
}
`;

// Busy until the process has used 1 s of CPU: a CPU amount, independent of how busy the machine is.
const C_BUSY_1S = `#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
int main(void) {
  struct timespec t;
  volatile unsigned long x = 0;
  do {
    for (int i = 0; i < 100000; i++) x++;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  } while (t.tv_sec < 1);
  puts("done");
  return 0;
}
`;

describe('measurements', () => {
  const ctx = useEngine();

  it('memoryKb grows with the memory a program touches (100 MiB vs 10 MiB)', async () => {
    const small = await runCode(ctx.engine, 'c', C_TOUCH_MB, { args: ['10'] });
    const big = await runCode(ctx.engine, 'c', C_TOUCH_MB, { args: ['100'] });
    expect(small.run?.status).toBe('ok');
    expect(big.run?.status).toBe('ok');
    expect(out(big)).toBe('7\n');
    expect(small.run!.memoryKb).toBeGreaterThanOrEqual(10 * 1024);
    // 90 MiB more touched: at least 80 MiB more measured.
    expect(big.run!.memoryKb - small.run!.memoryKb).toBeGreaterThanOrEqual(81_920);
  });

  it('cpuMs of a program that burns 1 s of CPU is about 1000', async () => {
    const r = await runCode(ctx.engine, 'c', C_BUSY_1S);
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toBe('done\n');
    expect(r.run!.cpuMs).toBeGreaterThanOrEqual(800);
    expect(r.run!.cpuMs).toBeLessThanOrEqual(1500);
  });

  it('the second compile of the same source comes from the cache and behaves the same', async () => {
    const source = `#include <stdio.h>\nint main(void) { puts("cache ${Date.now()}"); return 0; }\n`;
    const first = await runCode(ctx.engine, 'c', source);
    const second = await runCode(ctx.engine, 'c', source);
    expect(first.compile?.status).toBe('ok');
    expect(first.compile?.cached).toBe(false);
    expect(second.compile?.status).toBe('ok');
    expect(second.compile?.cached).toBe(true);
    expect(out(first)).toMatch(/^cache \d+\n$/);
    expect(out(second)).toBe(out(first));
    // A different source is a different key.
    const third = await runCode(ctx.engine, 'c', `${source}/* changed */\n`);
    expect(third.compile?.cached).toBe(false);
  });

  it('exit(137) is an exit code, not a signal', async () => {
    const r = await runCode(ctx.engine, 'c', '#include <stdlib.h>\nint main(void) { exit(137); }\n');
    expect(r.run).toMatchObject({ status: 'runtime_error', exitCode: 137, signal: null });
  });

  it('a null dereference is SIGSEGV, without an exit code', async () => {
    // Volatile pointer and pointee: a literal null store may be compiled into a trap (SIGILL), a
    // non-volatile one may be dropped as dead.
    const r = await runCode(ctx.engine, 'c', 'int main(void) { volatile int *volatile p = 0; *p = 1; return 0; }\n');
    expect(r.run).toMatchObject({ status: 'runtime_error', exitCode: null, signal: 'SIGSEGV' });
  });

  it('raise(SIGKILL) is SIGKILL, distinct from exit(137)', async () => {
    const r = await runCode(ctx.engine, 'c', '#include <signal.h>\nint main(void) { raise(SIGKILL); return 0; }\n');
    expect(r.run).toMatchObject({ status: 'runtime_error', exitCode: null, signal: 'SIGKILL' });
  });

  it('a clean exit is ok with exit code 0', async () => {
    const r = await runCode(ctx.engine, 'python', 'print("fine")\n');
    expect(r.run).toMatchObject({ status: 'ok', exitCode: 0, signal: null, truncated: false });
    expect(r.run!.wallMs).toBeGreaterThan(0);
  });
});
