import { describe, expect, it } from 'vitest';
import { MIN_LIMITS } from '../../src/engine/limits.js';
import { CallerError, ErrorCodes } from '../../src/errors.js';
import { out, runCode, useEngine } from '../helpers/engine.js';

/**
 * Every limit against the real sandbox: the program really tries to exceed it, and the verdict
 * (or the error the program sees) says which limit stopped it. The harness checks after each test
 * that nothing of the run is left (processes, box files, cgroup members).
 */

const MiB = 1024 * 1024;

// Volatile stores: GCC elides a malloc+memset whose memory never escapes, and the program
// would then "survive" without allocating anything.
const C_TOUCH_1G = `#include <stdlib.h>
#include <stdio.h>
int main(void) {
  size_t n = (size_t)1 << 30;
  volatile char *p = malloc(n);
  if (!p) { puts("malloc failed"); return 2; }
  /* touch every page: overcommit alone would not charge the cgroup */
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;
  printf("survived %d\\n", p[n - 4096]);
  return 0;
}
`;

const C_CPU_LOOP = `int main(void) { volatile unsigned long x = 0; for (;;) x++; }
`;

// -std=c17 hides POSIX declarations (pid_t...) unless a feature macro is defined.
const C_BUSY_CHILDREN = `#define _GNU_SOURCE
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
  for (int i = 0; i < 8; i++) {
    if (fork() == 0) { volatile unsigned long x = 0; for (;;) x++; }
  }
  while (wait(0) > 0) {}
  return 0;
}
`;

const C_FORK_BOMB = `#define _GNU_SOURCE
#include <unistd.h>
int main(void) { for (;;) fork(); }
`;

// Forks sleeping children until the kernel refuses; reports how many it got.
const C_FORK_COUNT = `#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  int n = 0;
  for (;;) {
    pid_t p = fork();
    if (p == 0) { pause(); _exit(0); }
    if (p < 0) { printf("forked %d then %s\\n", n, strerror(errno)); return 0; }
    n++;
    if (n > 10000) { puts("no limit"); return 1; }
  }
}
`;

// Writes 32 MiB into one file, 1 MiB at a time; argv[1] = "ignore" ignores SIGXFSZ so that
// write() reports EFBIG instead of the signal killing the process.
const C_BIG_FILE = `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static char buf[1 << 20];
int main(int argc, char **argv) {
  if (argc > 1) signal(SIGXFSZ, SIG_IGN);
  memset(buf, 'x', sizeof buf);
  int fd = open("big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { perror("open"); return 3; }
  long total = 0;
  for (int i = 0; i < 32; i++) {
    ssize_t w = write(fd, buf, sizeof buf);
    if (w < 0) { printf("error %s after %ld\\n", strerror(errno), total); fflush(stdout); return 1; }
    total += w;
  }
  printf("wrote %ld\\n", total);
  return 0;
}
`;

// Fills a directory with files of `size` bytes until an error; prints "<errno name> <bytes written>".
const PY_FILL = `import errno, os, sys
d, size, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
chunk = b"x" * size
total = 0
for i in range(count):
    try:
        with open(os.path.join(d, f"fill{i}.bin"), "wb") as f:
            total += f.write(chunk)
    except OSError as e:
        print(errno.errorcode[e.errno], total)
        sys.exit(0)
print("NOERROR", total)
`;

describe('limits', () => {
  const ctx = useEngine();

  it('memory: C touching 1 GiB under a 128 MiB limit gets memory_limit', async () => {
    const r = await runCode(ctx.engine, 'c', C_TOUCH_1G, { limits: { memoryBytes: 128 * MiB } });
    expect(r.compile?.status).toBe('ok');
    expect(r.run?.status).toBe('memory_limit');
    expect(out(r)).not.toContain('survived');
    // The peak is measured by the cgroup: near the limit, never beyond it.
    expect(r.run!.memoryKb).toBeLessThanOrEqual((128 * MiB) / 1024 + 1024);
  });

  it('memory: Python building a 1 GiB bytes object under a 128 MiB limit gets memory_limit', async () => {
    const r = await runCode(ctx.engine, 'python', 'b = b"x" * (1 << 30)\nprint("survived", len(b))\n', {
      limits: { memoryBytes: 128 * MiB },
    });
    expect(r.run?.status).toBe('memory_limit');
    expect(out(r)).not.toContain('survived');
  });

  it('cpu: an endless loop gets time_limit at the CPU limit', async () => {
    const r = await runCode(ctx.engine, 'c', C_CPU_LOOP, { limits: { cpuMs: 1000 } });
    expect(r.run?.status).toBe('time_limit');
    expect(r.run!.cpuMs).toBeGreaterThanOrEqual(1000);
    expect(r.run!.signal).toBe('SIGKILL');
  });

  it('cpu: eight busy children are limited on their total CPU time, not on wall time', async () => {
    const r = await runCode(ctx.engine, 'c', C_BUSY_CHILDREN, { limits: { cpuMs: 1000, wallMs: 20_000 } });
    expect(r.run?.status).toBe('time_limit');
    expect(r.run!.cpuMs).toBeGreaterThanOrEqual(1000);
    // Killed by the CPU watchdog long before the 20 s wall limit (8 processes on <= 2 cores
    // use 1 s of CPU in well under 20 s of wall time).
    expect(r.run!.wallMs).toBeLessThan(20_000);
  });

  it('wall: a sleeping program gets time_limit at the wall limit with little CPU used', async () => {
    const r = await runCode(ctx.engine, 'python', 'import time\ntime.sleep(10)\nprint("woke")\n', {
      limits: { cpuMs: 5000, wallMs: 1000 },
    });
    expect(r.run?.status).toBe('time_limit');
    expect(out(r)).toBe('');
    expect(r.run!.wallMs).toBeGreaterThanOrEqual(1000);
    expect(r.run!.wallMs).toBeLessThan(10_000);
    expect(r.run!.cpuMs).toBeLessThan(500);
  });

  it('output: a flood is cut at the output limit and reported as output_limit', async () => {
    const limit = 64 * 1024;
    const r = await runCode(ctx.engine, 'python', 'import sys\nwhile True:\n    sys.stdout.write("x" * 4096)\n', {
      limits: { outputBytes: limit },
    });
    expect(r.run?.status).toBe('output_limit');
    expect(r.run!.truncated).toBe(true);
    expect(r.run!.stdout.length + r.run!.stderr.length).toBeLessThanOrEqual(limit);
    // Cut at the limit, not somewhere far before it.
    expect(r.run!.stdout.length).toBeGreaterThan(limit / 2);
  });

  it('processes: a fork bomb is contained and the run ends within its limits', async () => {
    const r = await runCode(ctx.engine, 'c', C_FORK_BOMB, { limits: { cpuMs: 1000, wallMs: 5000, processes: 32 } });
    expect(r.run?.status).toBe('time_limit');
    expect(r.run!.wallMs).toBeLessThan(5000 + 2000);
    // The harness's afterEach then checks that no process of the slot uid survived.
  });

  it('processes: fork fails with EAGAIN once the pids limit is reached', async () => {
    const r = await runCode(ctx.engine, 'c', C_FORK_COUNT, { limits: { processes: 20 } });
    expect(r.run?.status).toBe('ok');
    const m = /^forked (\d+) then (.*)$/m.exec(out(r));
    expect(m, out(r)).not.toBeNull();
    // bwrap, its init and the program itself count too, so fewer than 20 children.
    expect(Number(m![1])).toBeGreaterThan(5);
    expect(Number(m![1])).toBeLessThan(20);
    expect(m![2]).toBe('Resource temporarily unavailable');
  });

  it('file size: writing 32 MiB into one file is stopped by SIGXFSZ at 16 MiB', async () => {
    const r = await runCode(ctx.engine, 'c', C_BIG_FILE);
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run!.signal).toBe('SIGXFSZ');
    expect(out(r)).not.toContain('wrote');
  });

  it('file size: with SIGXFSZ ignored the write fails with EFBIG after exactly 16 MiB', async () => {
    const r = await runCode(ctx.engine, 'c', C_BIG_FILE, { args: ['ignore'] });
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run!.exitCode).toBe(1);
    expect(out(r)).toBe(`error File too large after ${16 * MiB}\n`);
  });

  it('box: writing more than 64 MiB into /box fails with ENOSPC inside the sandbox', async () => {
    // 12 MiB files stay under the 16 MiB file limit; eight of them exceed the 64 MiB box.
    const r = await runCode(ctx.engine, 'python', PY_FILL, { args: ['/box', String(12 * MiB), '8'] });
    expect(r.run?.status).toBe('ok');
    const [code, written] = out(r).trim().split(' ');
    expect(code).toBe('ENOSPC');
    expect(Number(written)).toBeGreaterThanOrEqual(48 * MiB);
    expect(Number(written)).toBeLessThanOrEqual(64 * MiB);
  });

  it('tmp: writing beyond the size of /tmp fails with ENOSPC', async () => {
    const r = await runCode(ctx.engine, 'python', PY_FILL, { args: ['/tmp', String(4 * MiB), '8'] });
    expect(r.run?.status).toBe('ok');
    const [code, written] = out(r).trim().split(' ');
    expect(code).toBe('ENOSPC');
    // /tmp is 16 MiB by default: three 4 MiB files fit, five never do.
    expect(Number(written)).toBeGreaterThanOrEqual(12 * MiB);
    expect(Number(written)).toBeLessThanOrEqual(16 * MiB);
  });

  const tooHigh: [string, 'limits' | 'compileLimits', Record<string, number>][] = [
    // The run's CPU maximum follows EXECUTION_TIMEOUT (30 s: the seed's `timeout` goes up to it).
    ['run cpuMs', 'limits', { cpuMs: 30_001 }],
    ['run wallMs', 'limits', { wallMs: 30_001 }],
    ['run memoryBytes', 'limits', { memoryBytes: 1024 * MiB + 1 }],
    ['run processes', 'limits', { processes: 257 }],
    ['run outputBytes', 'limits', { outputBytes: 16 * MiB + 1 }],
    ['compile cpuMs', 'compileLimits', { cpuMs: 30_001 }],
    ['compile memoryBytes', 'compileLimits', { memoryBytes: 2048 * MiB + 1 }],
  ];
  for (const [name, field, limits] of tooHigh) {
    it(`refuses ${name} above its maximum with LIMIT_TOO_HIGH before anything runs`, async () => {
      // A source unique to this case: if the refused request had compiled, the next run of the
      // same source would be a cache hit.
      const source = `#include <stdio.h>\nint main(void) { puts("ran"); return 0; } /* ${name} */\n`;
      const chunks: Buffer[] = [];
      const err = await runCode(ctx.engine, 'c', source, { [field]: limits, onStdout: (c) => chunks.push(c) }).catch((e) => e);
      expect(err).toBeInstanceOf(CallerError);
      expect(err.code).toBe(ErrorCodes.limitTooHigh);
      expect(err.message).toContain(Object.keys(limits)[0]);
      expect(chunks).toEqual([]);
      const again = await runCode(ctx.engine, 'c', source);
      expect(again.compile?.cached).toBe(false);
      expect(out(again)).toBe('ran\n');
    });
  }

  // L1 (red-team 2026-11-29): memoryLimit 0.001 MB became internal_error (EBUSY writing the
  // pooled v1 cgroup's limit), and 4 processes fail inside the sandbox's own set-up. Such values
  // are the caller's error, refused before anything runs.
  const tooLow: [string, 'limits' | 'compileLimits', Record<string, number>][] = [
    ['run memoryBytes (0.001 MB)', 'limits', { memoryBytes: Math.round(0.001 * MiB) }],
    ['run memoryBytes (1e-6 MB rounds to 1 byte)', 'limits', { memoryBytes: 1 }],
    ['run memoryBytes just under 8 MiB', 'limits', { memoryBytes: 8 * MiB - 1 }],
    ['run cpuMs 0.5 (floors to 0)', 'limits', { cpuMs: 0.5 }],
    ['run wallMs', 'limits', { wallMs: 99 }],
    ['run processes', 'limits', { processes: 4 }],
    ['run outputBytes', 'limits', { outputBytes: 1023 }],
    ['compile memoryBytes', 'compileLimits', { memoryBytes: 4096 }],
  ];
  for (const [name, field, limits] of tooLow) {
    it(`refuses ${name} below its minimum with INVALID_LIMIT before anything runs`, async () => {
      const source = `#include <stdio.h>\nint main(void) { puts("ran"); return 0; } /* low ${name} */\n`;
      const chunks: Buffer[] = [];
      const err = await runCode(ctx.engine, 'c', source, { [field]: limits, onStdout: (c) => chunks.push(c) }).catch((e) => e);
      expect(err).toBeInstanceOf(CallerError);
      expect(err.code).toBe(ErrorCodes.invalidLimit);
      expect(err.message).toContain(Object.keys(limits)[0]);
      expect(err.details.min).toBe(MIN_LIMITS[Object.keys(limits)[0] as keyof typeof MIN_LIMITS]);
      expect(chunks).toEqual([]);
      const again = await runCode(ctx.engine, 'c', source);
      expect(again.compile?.cached).toBe(false);
      expect(out(again)).toBe('ran\n');
    });
  }

  it('the minimums themselves run and give a verdict of the program, never internal_error', async () => {
    // After a compile has charged the slot's cgroup, as in the report.
    const src = '#include <stdio.h>\nint main(void) { puts("small"); return 0; }\n';
    const r = await runCode(ctx.engine, 'c', src, { limits: { ...MIN_LIMITS, cpuMs: 1000, wallMs: 5000 } });
    expect(r.run?.status, r.run?.message).toBe('ok');
    expect(out(r)).toBe('small\n');
    const py = await runCode(ctx.engine, 'python', 'print("x" * 5000)\n', { limits: { ...MIN_LIMITS } });
    expect(['ok', 'time_limit', 'memory_limit', 'output_limit', 'runtime_error']).toContain(py.run?.status);
  });
});
