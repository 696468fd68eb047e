/**
 * Output in tiny writes (red-team L3): a program writing 300,000 one-byte chunks, with a 20 µs
 * sleep every 8th write so that the pipe holds only a few bytes whenever Node reads it.
 * Every chunk the engine hands to the live-output callback becomes, in the service, one IPC
 * message to the API process, one bus event and one socket emit. The callback here does what the
 * supervisor does with each chunk: it sends it over a real IPC channel to a child Node process
 * (standing in for the API process, which only decodes it here).
 *
 * Printed: the CPU (user + system) of both Node processes during the run, the run's own CPU
 * (cgroup), their ratio, and how many chunks reached the callback. Not asserted: read it, compare
 * it with docs/performance.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Engine } from '../src/engine/runner/engine.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { markdownTable, median, textTable } from './stats.js';

export interface TinyWritesOptions {
  runs: number;
  writes: number;
}

export const DEFAULT_TINY_WRITES_OPTIONS: TinyWritesOptions = { runs: 3, writes: 300_000 };

export interface TinyWritesResult {
  options: TinyWritesOptions;
  /** Medians over the runs. */
  nodeCpuMs: number;
  /** Of which the receiving (API-like) process. */
  receiverCpuMs: number;
  runCpuMs: number;
  ratio: number;
  chunks: number;
  wallMs: number;
}

const SOURCE = (writes: number) => `#include <time.h>
#include <unistd.h>
int main(void) {
  struct timespec ts = {0, 20000};
  for (int i = 0; i < ${writes}; i++) {
    if (write(1, "x", 1) != 1) return 1;
    if ((i & 7) == 7) nanosleep(&ts, 0);
  }
  return 0;
}
`;

/** user + system CPU of a process, from /proc/PID/stat (clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const RECEIVER = `let n = 0; process.on('message', (m) => { if (m === 'count') process.send(n); else { n += Buffer.from(m.chunk).length; } });`;

export async function runTinyWrites(opts: TinyWritesOptions = DEFAULT_TINY_WRITES_OPTIONS): Promise<TinyWritesResult> {
  const bc = benchConfig({ SANDBOX_SLOTS: '1' }, 20);
  const engine = Engine.create(bc.config);
  const receiver = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const node: number[] = [];
  const recv: number[] = [];
  const run: number[] = [];
  const chunks: number[] = [];
  const wall: number[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      progress(`tiny-writes: run ${i + 1}/${opts.runs} (${opts.writes} one-byte writes)...`);
      let n = 0;
      let bytes = 0;
      const onChunk = (stream: string) => (c: Buffer) => {
        n++;
        bytes += c.length;
        receiver.send({ t: 'out', id: 1, stream, chunk: c });
      };
      const received = () => new Promise<number>((resolve) => (receiver.once('message', (m) => resolve(m as number)), receiver.send('count')));
      const r0 = await received();
      const recv0 = procCpuMs(receiver.pid!);
      const before = process.cpuUsage();
      const r = await engine.run({
        language: 'c',
        files: [{ path: 'main.c', content: SOURCE(opts.writes) }],
        limits: { cpuMs: 15_000, wallMs: 30_000 },
        onStdout: onChunk('stdout'),
        onStderr: onChunk('stderr'),
      });
      const r1 = await received(); // every message sent has been handled
      const used = process.cpuUsage(before);
      const recvMs = procCpuMs(receiver.pid!) - recv0;
      if (r.run?.status !== 'ok' || bytes !== opts.writes || r1 - r0 !== opts.writes) {
        throw new Error(`tiny-writes run: ${r.compile?.status} ${r.run?.status} ${r.run?.message ?? ''} (${bytes} bytes)`);
      }
      // The compile stage (a cache hit after the first run) is part of the Node CPU; its share is
      // small next to 300k chunks, and the first run is a miss only once.
      node.push((used.user + used.system) / 1000 + recvMs);
      recv.push(recvMs);
      run.push(r.run.cpuMs);
      chunks.push(n);
      wall.push(r.run.wallMs);
    }
  } finally {
    receiver.kill();
    await engine.close();
    bc.dispose();
  }
  const nodeCpuMs = median(node);
  const runCpuMs = median(run);
  return { options: opts, nodeCpuMs, receiverCpuMs: median(recv), runCpuMs, ratio: nodeCpuMs / Math.max(1, runCpuMs), chunks: median(chunks), wallMs: median(wall) };
}

export function formatTinyWrites(r: TinyWritesResult, md: boolean): string {
  const rows = [
    ['Node CPU during the run (engine + IPC receiver)', `${r.nodeCpuMs.toFixed(0)} ms`],
    ['... of which the IPC receiver (API-like process)', `${r.receiverCpuMs.toFixed(0)} ms`],
    ['the run\'s own CPU (cgroup)', `${r.runCpuMs.toFixed(0)} ms`],
    ['Node CPU per run CPU', `${r.ratio.toFixed(2)}x`],
    ['chunks delivered to the output callback', String(r.chunks)],
    ['wall time of the run', `${r.wallMs.toFixed(0)} ms`],
  ];
  const title = `tiny writes: ${r.options.writes} one-byte writes, medians of ${r.options.runs} runs`;
  return md ? `### ${title}\n\n${markdownTable(['figure', 'value'], rows)}` : `== ${title} ==\n${textTable(['figure', 'value'], rows)}`;
}

if (isMain(import.meta.url)) {
  requireRoot();
  const r = await runTinyWrites();
  console.log(formatTinyWrites(r, process.argv.includes('--markdown')));
}
