import { fork } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { engineChannel } from '../../src/supervisor/supervisor.js';
import { useEngine } from '../helpers/engine.js';

/**
 * runInteractive, collectFiles and dataFiles through the supervisor channel as in production: a
 * child process with RemoteEngine (built dist/) talks to this process's engine over Node's IPC,
 * with the supervisor's own message handler (schemas included); and judgeSubmission on an
 * interactive problem through that RemoteEngine.
 */
const ctx = useEngine();

it('runs an interactive pair, cancels one, and carries data and collected files over the channel', async () => {
  const child = fork(path.join(import.meta.dirname, '../fixtures/remote-engine-child.mjs'), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, CHILD_DATA_DIR: ctx.config.DATA_DIR },
  });
  const channel = engineChannel(ctx.engine, (m) => {
    if (child.connected) child.send(m);
  });
  child.on('message', channel.onMessage);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({
    pair: { submission: 'ok', interactorExit: 42, transcript: '42\n', isBuffer: true, files: [['feedback/score_multiplier.txt', '0.5']] },
    cancel: 'CANCELLED',
    run: { stdout: 'from a data file', files: [['out/r.txt', 'written']] },
    artifacts: { files: [['p.png', 'image/png', true, 'PNG!']], refused: [], timeline: true },
    judge: 'AC 5',
  });
}, 60_000);
