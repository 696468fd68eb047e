/**
 * A program cannot make its run look like an engine failure (red-team M4): "sandbox set-up
 * failed" is decided from the status fd only (the init's "init-ready" line), never from what
 * the program writes; the init is the pid namespace's pid 1, which no signal from inside the
 * namespace reaches; and if the init dies anyway, the run gets the program's real end (SIGKILL
 * from the kernel tearing the namespace down), not a made-up exit code.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/engine/sandbox/sandbox.js';
import { out, processesOfUids, runCode, useEngine } from '../helpers/engine.js';
import { C_PRELUDE, parseLines, sleep, slotUids } from './hostile.js';

const FORGED = "bwrap: Can't mount proc on /newroot/proc: forged by the user program";

describe('hostile: forging an engine failure', () => {
  const ctx = useEngine();

  it('the red-team reproduction: a fake bwrap message and SIGKILL to pid 2 end as the program\'s own runtime error', async () => {
    // Verbatim from the report. pid 2 was the init; now it is the program itself.
    const code = `import os,sys,signal\nsys.stderr.write("${FORGED}\\n");sys.stderr.flush()\nos.kill(2, signal.SIGKILL)\nimport time; time.sleep(1)\n`;
    const r = await runCode(ctx.engine, 'python', code);
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run?.signal).toBe('SIGKILL');
    expect(r.run?.exitCode).toBeNull();
    expect(r.run?.message ?? '').not.toMatch(/sandbox|bwrap/);
    expect(r.run?.stderr.toString()).toContain(FORGED);
  });

  it('cannot kill its init (pid 1) with any signal: the run ends with the program\'s own exit code', async () => {
    const src = `${C_PRELUDE}
int main(void) {
  fprintf(stderr, "${FORGED}\\n");
  T("ppid", getppid());
  int sigs[] = {SIGKILL, SIGTERM, SIGSTOP, SIGINT, SIGHUP, SIGSEGV, SIGABRT, SIGUSR1};
  for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    char name[32];
    snprintf(name, sizeof name, "kill_init_%d", sigs[i]);
    T(name, kill(getppid(), sigs[i]));
    T("kill_1", kill(1, sigs[i]));
  }
  T("kill_all", kill(-1, SIGKILL)); /* everyone but pid 1 and us */
  usleep(200000);
  printf("still_here=1\\n");
  return 3;
}
`;
    const r = await runCode(ctx.engine, 'c', src);
    const lines = parseLines(out(r));
    expect(lines.get('ppid')).toBe('1 errno=0');
    expect(lines.get('still_here')).toBe('1');
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run?.exitCode).toBe(3);
    expect(r.run?.signal).toBeNull();
    expect(r.run?.message ?? '').not.toMatch(/sandbox|bwrap/);
  });

  it('if the init is killed anyway (from outside), the run is a runtime error with SIGKILL, not an engine failure or exit 137', async () => {
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const run = runCode(ctx.engine, 'python', `import sys, time\nsys.stderr.write("${FORGED}\\n")\nprint("ready", flush=True)\ntime.sleep(20)\n`, {
      onStdout: (c) => c.toString().includes('ready') && ready(),
    });
    await started;
    // The init: the slot-uid process that is pid 1 of its pid namespace.
    // Not a sandbox prepared ahead for a next stage (SANDBOX_WARM): the engine's, not this run's.
    const own = new Set(ctx.engine.waitingPids());
    const init = processesOfUids(slotUids(ctx.config)).find((pid) => {
      if (own.has(pid)) return false;
      try {
        return /^NSpid:\s+\d+\s+1$/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    });
    expect(init).toBeDefined();
    process.kill(init!, 'SIGKILL');
    const r = await run;
    expect(r.run?.status).toBe('runtime_error');
    expect(r.run?.signal).toBe('SIGKILL');
    expect(r.run?.exitCode).toBeNull();
    expect(r.run?.message ?? '').not.toMatch(/sandbox|bwrap/);
    await sleep(50);
  });

  it('a real set-up failure is still reported as ours', async () => {
    // A bind whose source does not exist: bubblewrap fails before our init starts.
    // Straight to a slot (the engine's own sandbox, idle between the tests of this file).
    const slot = (ctx.engine as unknown as { sandbox: Sandbox }).sandbox.slot(0);
    const missing = `/nonexistent-${process.pid}`;
    const stage = (dest: string) => ({ argv: ['/usr/bin/true'], env: {}, limits: ctx.config.limits.run.defaults, binds: [{ source: missing, dest }] });
    const o = await slot.run(stage(missing));
    slot.clear();
    expect(o.internalError).toMatch(/^sandbox setup failed .*bwrap: .*nonexistent/s);
    // A bind that would be staged (host path differs from sandbox path) fails before bubblewrap.
    const staged = await slot.run(stage('/opt/x'));
    slot.clear();
    expect(staged.internalError).toMatch(/^cannot prepare the sandbox: .*ENOENT/);
  });
});
