/**
 * The harness's after-each check allows exactly the engine's own waiting sandboxes (each slot's
 * launcher and the sandbox prepared below it, SANDBOX_WARM on by default) and nothing else of a
 * slot uid: a daemon of a slot uid that survived (here one started by hand as that uid, since
 * the engine never lets one survive) is still caught.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processesOfUids, runCode, slotUidsOf, strayProcesses, useEngine } from '../helpers/engine.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the leftover check with sandboxes prepared ahead', () => {
  const ctx = useEngine({ SANDBOX_SLOTS: '1' });

  it('allows the slot sandbox waiting for its next stage, and only it', async () => {
    const r = await runCode(ctx.engine, 'python', 'pass');
    expect(r.run?.status).toBe('ok');
    const uids = slotUidsOf(ctx.config);
    // bubblewrap and the init of the next stage's sandbox, waiting (set up in the background).
    for (let i = 0; i < 1000 && processesOfUids(uids).length < 2; i++) await sleep(10);
    const waiting = processesOfUids(uids);
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    for (const p of waiting) expect(ctx.engine.waitingPids()).toContain(p);
    expect(await strayProcesses(ctx.engine, uids, 0)).toEqual([]);
  });

  it('still catches a process of a slot uid that is not the waiting sandbox (a surviving daemon)', async () => {
    const uid = ctx.config.SANDBOX_UID_BASE;
    // setsid'd, detached, running as the slot uid: what a daemon escaping its run would look like.
    const daemon = spawn('setsid', ['sleep', '60'], { uid, gid: uid, detached: true, stdio: 'ignore' });
    try {
      for (let i = 0; i < 500 && !processesOfUids([uid]).some((p) => !ctx.engine.waitingPids().includes(p)); i++) await sleep(10);
      const stray = await strayProcesses(ctx.engine, [uid], 300);
      expect(stray.length).toBe(1);
      expect(ctx.engine.waitingPids()).not.toContain(stray[0]);
      // The engine's own pids are the launcher's tree: the daemon is not in it, whatever it does.
      expect(ctx.engine.leftovers().pids).toEqual([]);
    } finally {
      for (const p of processesOfUids([uid]).filter((p) => !ctx.engine.waitingPids().includes(p))) process.kill(p, 'SIGKILL');
      daemon.kill('SIGKILL');
    }
    expect(await strayProcesses(ctx.engine, [uid])).toEqual([]);
  });
});
