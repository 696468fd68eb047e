/**
 * Processes: seeing and signalling host processes, fork bombs that race the cgroup join,
 * daemons that try to outlive their run, and two runs trying to reach each other.
 * Host "victims" run as the slot uids themselves, so that plain permissions would not save them:
 * only the sandbox's pid namespace does.
 */
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { out, processesOfUids, runCode, strayProcesses, useEngine } from '../helpers/engine.js';
import { C_PRELUDE, ERRNO, hostSleeper, isAlive, parseLines, sleep, slotUids, stopAll, uniqueMarker } from './hostile.js';

describe('hostile: processes', () => {
  const ctx = useEngine();

  const withSleepers = async (fn: (pids: number[]) => Promise<void>) => {
    const sleepers: ChildProcess[] = slotUids(ctx.config).map((uid) => hostSleeper(uid, uniqueMarker('sleeper')));
    try {
      await fn(sleepers.map((s) => s.pid!));
      for (const s of sleepers) expect(isAlive(s.pid!), `host pid ${s.pid}`).toBe(true);
    } finally {
      await stopAll(sleepers);
    }
  };

  it('sees only its own processes in /proc and cannot signal host processes of its own uid', async () => {
    await withSleepers(async (hostPids) => {
      const src = `${C_PRELUDE}
#include <dirent.h>
int main(int argc, char **argv) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  printf("pids=");
  while ((e = readdir(d))) if (e->d_name[0] >= '1' && e->d_name[0] <= '9') printf("%s,", e->d_name);
  printf("\\n");
  for (int i = 1; i < argc; i++) {
    char name[64];
    snprintf(name, sizeof name, "kill_%d", i);
    T(name, kill(atoi(argv[i]), SIGKILL));
    snprintf(name, sizeof name, "pidfd_%d", i);
    T(name, syscall(SYS_pidfd_open, atoi(argv[i]), 0));
  }
  return 0;
}
`;
      const r = await runCode(ctx.engine, 'c', src, { args: hostPids.map(String) });
      expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
      const lines = parseLines(out(r));
      const pids = lines.get('pids')!.split(',').filter(Boolean).map(Number);
      expect(pids.length).toBeGreaterThanOrEqual(1);
      expect(pids.length).toBeLessThanOrEqual(4);
      for (const p of pids) expect(p).toBeLessThan(10);
      for (let i = 1; i <= hostPids.length; i++) {
        expect(lines.get(`kill_${i}`)).toBe(`-1 errno=${ERRNO.ESRCH}`);
        expect(lines.get(`pidfd_${i}`)).toMatch(/^-1 errno=(3|22)$/); // ESRCH (or EINVAL)
      }
    });
  });

  it('kill(-1, SIGKILL) kills only the sandbox, never host processes of its uid', async () => {
    await withSleepers(async () => {
      const src = `${C_PRELUDE}
int main(void) {
  printf("before\\n");
  fflush(stdout);
  T("kill_all", kill(-1, SIGKILL));
  T("kill_pg", kill(0, SIGKILL));
  printf("after\\n");
  return 0;
}
`;
      const r = await runCode(ctx.engine, 'c', src);
      // It killed its own init (so the run cannot report ok) and, with it, itself.
      expect(r.run?.status).not.toBe('ok');
      expect(r.run?.status).not.toBe('internal_error');
      expect(out(r)).toContain('before');
      // Give a signal that did escape time to land.
      await sleep(100);
    });
  });

  it('a fork bomb at the first instruction is held by the pids limit and killed at the CPU limit', async () => {
    // A constructor runs before main; every process forks forever and spins.
    const src = `#include <unistd.h>
__attribute__((constructor)) static void bomb(void) { for (;;) fork(); }
int main(void) { return 0; }
`;
    const uids = slotUids(ctx.config);
    let peak = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        // Not the other slot's sandbox prepared ahead (SANDBOX_WARM): the engine's, not the bomb's.
        const own = new Set(ctx.engine.waitingPids());
        peak = Math.max(peak, processesOfUids(uids).filter((p) => !own.has(p)).length);
        await sleep(10);
      }
    })();
    const limit = 32;
    const r = await runCode(ctx.engine, 'c', src, { limits: { cpuMs: 1500, wallMs: 10_000, processes: limit } });
    watching = false;
    await watch;
    expect(r.compile?.status).toBe('ok');
    expect(r.run?.status).toBe('time_limit');
    expect(r.run?.signal).toBe('SIGKILL');
    // CPU time of all the children is counted (from the cgroup), not only the first process's.
    expect(r.run!.cpuMs).toBeGreaterThanOrEqual(1500);
    // Everything of the slot uid (launcher, bwrap, init and the bomb) stays within the pids limit.
    expect(peak).toBeGreaterThan(4);
    expect(peak).toBeLessThanOrEqual(limit);
    // The harness checks after this test that no process of the slot uids is left.
  });

  it('a double-forked, setsid daemon does not outlive its run nor write into the next one', async () => {
    const marker = uniqueMarker('daemon');
    const daemon = `
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            os.close(fd)
        time.sleep(1.5)
        for p in ("/box/daemon.txt", "/tmp/daemon.txt"):
            try:
                with open(p, "w") as f:
                    f.write(sys.argv[1])
            except OSError:
                pass
        time.sleep(60)
    os._exit(0)
print("parent exits")
`;
    const r = await runCode(ctx.engine, 'python', daemon, { args: [marker] });
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toBe('parent exits\n');
    // Gone as soon as the run returned: not one process of the slot uids but the engine's own
    // sandboxes prepared for the next stages (no grace period: the daemon must be gone already).
    expect(await strayProcesses(ctx.engine, slotUids(ctx.config), 0)).toEqual([]);
    // Past the moment the daemon would have written, both slots look for its traces.
    await sleep(2000);
    const look = `
import os, sys
found = [p for p in ("/box/daemon.txt", "/tmp/daemon.txt") if os.path.exists(p)]
print("found=" + ",".join(found))
`;
    const [a, b] = await Promise.all([runCode(ctx.engine, 'python', look), runCode(ctx.engine, 'python', look)]);
    for (const x of [a, b]) {
      expect(x.run?.status).toBe('ok');
      expect(out(x)).toBe('found=\n');
      expect(out(x)).not.toContain(marker);
    }
  });

  it('cannot find the files or processes of a run in the other slot', async () => {
    const marker = uniqueMarker('otherslot');
    // Run A: plants a secret in its box and /tmp, then waits. Run B starts once A is ready.
    const holder = `
import os, sys, time
for p in ("/box/secret-" + sys.argv[1], "/tmp/secret-" + sys.argv[1]):
    with open(p, "w") as f:
        f.write(sys.argv[1])
print("ready", flush=True)
time.sleep(4)
print("done")
`;
    const seeker = `
import os, sys
needle = sys.argv[1][::-1]  # passed reversed, so that no cmdline holds it
hits = []
def scan(top):
    for d, dirs, files in os.walk(top, onerror=lambda e: None):
        for n in files + dirs:
            if needle in n:
                hits.append(os.path.join(d, n))
for top in ("/box", "/tmp", "/dev", "/run", "/var", "/home", "/mnt", "/.muscode"):
    scan(top)
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for f in ("cmdline", "environ"):
        try:
            if needle.encode() in open(f"/proc/{pid}/{f}", "rb").read():
                hits.append(f"/proc/{pid}/{f}")
        except OSError:
            pass
    for sub in ("root/box", "root/tmp", "cwd"):
        try:
            for n in os.listdir(f"/proc/{pid}/{sub}"):
                if needle in n:
                    hits.append(f"/proc/{pid}/{sub}/{n}")
        except OSError:
            pass
print("hits=" + ",".join(hits))
`;
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const a = ctx.engine.run({
      language: 'python',
      files: [{ path: 'main.py', content: holder }],
      args: [marker],
      onStdout: (c) => c.toString().includes('ready') && ready(),
    });
    await isReady;
    const b = await ctx.engine.run({ language: 'python', files: [{ path: 'main.py', content: seeker }], args: [[...marker].reverse().join('')] });
    const ra = await a;
    expect(ra.run?.status).toBe('ok');
    expect(out(ra)).toBe('ready\ndone\n');
    expect(b.run?.status, b.run?.stderr.toString()).toBe('ok');
    expect(out(b)).toBe('hits=\n');
  });
});
