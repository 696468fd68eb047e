/**
 * Interactive runs: how long a keystroke takes to come back, through the engine (LiveInput ->
 * the program's stdin -> its output -> the live-output callback). Two ways:
 *
 * - terminal (`tty`): a character typed is echoed by the terminal itself (the program just waits
 *   in input()), so this is the engine's own path: pty write, pty read, output batching;
 * - pipe: a Python program reads a line and writes it back (flushing), so the program's own
 *   wake-up is included.
 *
 * Printed: median and p99 of `rounds` round trips each, in ms. Not asserted (docs/performance.md).
 * The API adds a socket.io message and a bus event each way (a few ms on loopback).
 */
import { LiveInput } from '../src/engine/live-input.js';
import { Engine } from '../src/engine/runner/engine.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { markdownTable, median, quantile, textTable } from './stats.js';

export interface InteractiveBenchResult {
  rounds: number;
  tty: { median: number; p99: number };
  pipe: { median: number; p99: number };
}

async function roundTrips(engine: Engine, rounds: number, tty: boolean): Promise<number[]> {
  const input = new LiveInput();
  let seen = '';
  let waiter: (() => void) | null = null;
  let want = '';
  const code = tty ? 'input()\n' : 'import sys\nfor line in sys.stdin:\n    sys.stdout.write(line)\n    sys.stdout.flush()\n';
  const run = engine.run({
    language: 'python',
    files: [{ path: 'main.py', content: code }],
    input,
    ...(tty ? { tty: { cols: 80, rows: 24 } } : {}),
    limits: { cpuMs: 10_000, wallMs: 30_000 },
    onStdout: (c) => {
      seen += c.toString('utf8');
      if (waiter && seen.includes(want)) {
        const w = waiter;
        waiter = null;
        w();
      }
    },
  });
  const out: number[] = [];
  // Warm-up: the first round waits for the program to start.
  for (let i = 0; i <= rounds; i++) {
    want = tty ? `k${i}` : `line ${i}\n`;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiter = resolve;
      input.write(Buffer.from(want));
    });
    if (i > 0) out.push(performance.now() - t0);
  }
  if (tty) input.write(Buffer.from('\r'));
  input.end();
  const r = await run;
  if (r.run?.status !== 'ok') throw new Error(`interactive bench run: ${r.run?.status}`);
  return out;
}

export async function runInteractiveBench(rounds = 200): Promise<InteractiveBenchResult> {
  const bc = benchConfig({ SANDBOX_SLOTS: '1' }, 24);
  const engine = Engine.create(bc.config);
  try {
    progress(`interactive: ${rounds} keystrokes on a terminal...`);
    const tty = await roundTrips(engine, rounds, true);
    progress(`interactive: ${rounds} lines over a pipe...`);
    const pipe = await roundTrips(engine, rounds, false);
    return {
      rounds,
      tty: { median: median(tty), p99: quantile(tty, 0.99) },
      pipe: { median: median(pipe), p99: quantile(pipe, 0.99) },
    };
  } finally {
    await engine.close();
    bc.dispose();
  }
}

export function formatInteractiveBench(r: InteractiveBenchResult, md: boolean): string {
  const rows = [
    ['keystroke echoed by the terminal (tty)', `${r.tty.median.toFixed(2)} ms`, `${r.tty.p99.toFixed(2)} ms`],
    ['line echoed by a Python program (pipe)', `${r.pipe.median.toFixed(2)} ms`, `${r.pipe.p99.toFixed(2)} ms`],
  ];
  const title = `interactive runs: input to output through the engine, ${r.rounds} rounds`;
  const header = ['path', 'median', 'p99'];
  return md ? `### ${title}\n\n${markdownTable(header, rows)}` : `== ${title} ==\n${textTable(header, rows)}`;
}

if (isMain(import.meta.url)) {
  requireRoot();
  const r = await runInteractiveBench();
  console.log(formatInteractiveBench(r, process.argv.includes('--markdown')));
}
