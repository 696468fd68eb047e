/**
 * What PYTHONUNBUFFERED=1 (the python language's environment, so that stdout and stderr
 * interleave as in a terminal) costs a program that prints a lot. The same N prints, through
 * engine.run, written three ways in the same rounds:
 *   - unbuffered: plain print() under the engine's environment (today's behaviour);
 *   - line-buffered: stdout reconfigured with line_buffering=True (a terminal's behaviour);
 *   - block-buffered: stdout rewrapped with a block buffer (the behaviour before the change).
 * Printed: the run stage's CPU (what the user is charged), its wall time, the output chunks the
 * host received, and the host process's own CPU, as medians and ratios to block-buffered.
 *
 *   node dist/bench/python-output.js [--lines N] [--rounds R]
 */
import { Engine } from '../src/engine/runner/engine.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { median, ms, ratio, textTable } from './stats.js';

const MODES = {
  unbuffered: '',
  'line-buffered': 'import sys\nsys.stdout.reconfigure(line_buffering=True)\n',
  'block-buffered': 'import io, sys\nsys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False), 65536), encoding="utf-8")\n',
} as const;
type Mode = keyof typeof MODES;

export interface PythonOutputRow {
  mode: Mode;
  cpuMs: number;
  wallMs: number;
  chunks: number;
  hostCpuMs: number;
}

export async function runPythonOutput(lines: number, rounds: number): Promise<PythonOutputRow[]> {
  const { config, dispose } = benchConfig({ SANDBOX_SLOTS: '1' }, 20);
  const engine = Engine.create(config);
  const samples = new Map<Mode, { cpuMs: number[]; wallMs: number[]; chunks: number[]; hostCpuMs: number[] }>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of Object.keys(MODES) as Mode[]) {
        const src = `${MODES[mode]}for i in range(${lines}):\n    print(i)\n${mode === 'block-buffered' ? 'sys.stdout.flush()\n' : ''}`;
        let chunks = 0;
        const host0 = process.cpuUsage();
        const r = await engine.run({
          language: 'python',
          files: [{ path: 'main.py', content: src }],
          limits: { outputBytes: 16 * 2 ** 20, cpuMs: 15_000, wallMs: 30_000 },
          onStdout: () => chunks++,
        });
        const host = process.cpuUsage(host0);
        if (r.run?.status !== 'ok') throw new Error(`${mode}: ${r.run?.status} ${r.run?.stderr.toString()}`);
        const s = samples.get(mode) ?? { cpuMs: [], wallMs: [], chunks: [], hostCpuMs: [] };
        s.cpuMs.push(r.run.cpuMs);
        s.wallMs.push(r.run.wallMs);
        s.chunks.push(chunks);
        s.hostCpuMs.push((host.user + host.system) / 1000);
        samples.set(mode, s);
      }
      progress(`python-output: round ${round + 1}/${rounds}`);
    }
  } finally {
    await engine.close();
    dispose();
  }
  return [...samples].map(([mode, s]) => ({
    mode,
    cpuMs: median(s.cpuMs),
    wallMs: median(s.wallMs),
    chunks: median(s.chunks),
    hostCpuMs: median(s.hostCpuMs),
  }));
}

export function formatPythonOutput(rows: PythonOutputRow[], lines: number): string {
  const base = rows.find((r) => r.mode === 'block-buffered')!;
  return [
    `Python, ${lines} print() calls, medians (ratios to block-buffered):`,
    textTable(
      ['stdout', 'run CPU', 'run wall', 'chunks', 'host CPU'],
      rows.map((r) => [
        r.mode,
        `${ms(r.cpuMs)} (${ratio(r.cpuMs / base.cpuMs)})`,
        `${ms(r.wallMs)} (${ratio(r.wallMs / base.wallMs)})`,
        String(r.chunks),
        `${ms(r.hostCpuMs)} (${ratio(r.hostCpuMs / base.hostCpuMs)})`,
      ]),
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  requireRoot();
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const lines = arg('--lines', 100_000);
  const rows = await runPythonOutput(lines, arg('--rounds', 5));
  console.log(formatPythonOutput(rows, lines));
}
