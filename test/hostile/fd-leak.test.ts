/**
 * Descriptors the engine process inherits from its own parent (a shell, a service manager's
 * sockets, a supervisor's pipes) are not close-on-exec. Unless the launcher closes them, they
 * pass through bubblewrap into the program, which can write to them or reopen them through
 * /proc/PID/fd. This runs an engine in a child vitest that inherits an open socket, and checks
 * that nothing the sandboxed program does reaches it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';

// High enough that Node leaves it alone: at start-up it marks its low descriptors close-on-exec.
const LEAK_FD = 100;

it('an fd inherited by the engine process never reaches the sandboxed program', async () => {
  const result = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-fdleak-')), 'result.json');
  // bash moves the socket from fd 3 to LEAK_FD (a plain inheritable descriptor, as a shell or
  // service manager would leave one), then becomes vitest.
  const child = spawn(
    '/bin/bash',
    ['-c', `exec ${LEAK_FD}>&3 3>&- && exec "$0" "$@"`, process.execPath, path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/hostile/fixtures/vitest.fixtures.config.ts'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, MUSCODE_HOSTILE_LEAK_FD: String(LEAK_FD), MUSCODE_HOSTILE_RESULT: result },
    },
  );
  let leaked = '';
  let log = '';
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (leaked += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    expect(code, log).toBe(0);
    const seen = JSON.parse(fs.readFileSync(result, 'utf8')) as { leakFdInheritable: boolean; output: string };
    // The precondition that makes this test meaningful: the engine's process did hold the fd.
    expect(seen.leakFdInheritable).toBe(true);
    expect(seen.output).toBe('fds=0,1,2,\nwrote=0\n');
    expect(leaked).toBe('');
  } finally {
    fs.rmSync(path.dirname(result), { recursive: true, force: true });
  }
});
