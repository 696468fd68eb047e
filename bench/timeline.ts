/**
 * What the resource timeline (RunRequest.timeline: the run's cgroup sampled every 5 ms) costs:
 * the same programs through engine.run with and without it, alternating in each round. Printed:
 * the run stage's CPU (what the user is charged: sampling happens on the host, so it should not
 * move), its wall time, the host process's own CPU (where sampling is paid), and the samples.
 *
 *   node dist/bench/timeline.js [--rounds R]
 */
import { Engine } from '../src/engine/runner/engine.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { median, ms, textTable } from './stats.js';

const PROGRAMS = {
  'c hello': { language: 'c', path: 'main.c', code: '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' },
  'python 1 s loop': { language: 'python', path: 'main.py', code: 'import time\nt = time.process_time()\nwhile time.process_time() - t < 1: pass\n' },
} as const;

interface Row {
  program: string;
  timeline: boolean;
  cpuMs: number;
  wallMs: number;
  hostCpuMs: number;
  samples: number;
}

export async function runTimelineBench(rounds: number): Promise<Row[]> {
  const { config, dispose } = benchConfig({ SANDBOX_SLOTS: '1' }, 22);
  const engine = Engine.create(config);
  const acc = new Map<string, { cpu: number[]; wall: number[]; host: number[]; samples: number[] }>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [name, p] of Object.entries(PROGRAMS)) {
        for (const timeline of [false, true]) {
          const host0 = process.cpuUsage();
          const r = await engine.run({ language: p.language, files: [{ path: p.path, content: p.code }], timeline, limits: { cpuMs: 5000, wallMs: 10_000 } });
          const host = process.cpuUsage(host0);
          if (r.run?.status !== 'ok') throw new Error(`${name}: ${r.run?.status}`);
          const key = `${name}|${timeline}`;
          const a = acc.get(key) ?? { cpu: [], wall: [], host: [], samples: [] };
          a.cpu.push(r.run.cpuMs);
          a.wall.push(r.run.wallMs);
          a.host.push((host.user + host.system) / 1000);
          a.samples.push(r.run.timeline?.length ?? 0);
          acc.set(key, a);
        }
      }
      progress(`timeline: round ${round + 1}/${rounds}`);
    }
  } finally {
    await engine.close();
    dispose();
  }
  return [...acc].map(([key, a]) => {
    const [program, tl] = key.split('|') as [string, string];
    return { program, timeline: tl === 'true', cpuMs: median(a.cpu), wallMs: median(a.wall), hostCpuMs: median(a.host), samples: median(a.samples) };
  });
}

if (isMain(import.meta.url)) {
  requireRoot();
  const i = process.argv.indexOf('--rounds');
  const rows = await runTimelineBench(i >= 0 ? Number(process.argv[i + 1]) : 7);
  console.log('Resource timeline, medians:');
  console.log(
    textTable(
      ['program', 'timeline', 'run CPU', 'run wall', 'host CPU', 'samples'],
      rows.map((r) => [r.program, r.timeline ? 'on' : 'off', ms(r.cpuMs), ms(r.wallMs), ms(r.hostCpuMs), String(r.samples)]),
    ),
  );
}
