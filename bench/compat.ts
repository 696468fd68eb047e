/**
 * Compatibility APIs (issue 12): what the Judge0 and Piston translations cost on top of the
 * native API (target: under 1 ms). Embedded mode, one server, one python hello. Three views:
 *
 *  1. end to end: `POST /api/v1/execute?wait=true`, Judge0's `POST /judge0/submissions?wait=true`
 *     and Piston's `POST /piston/api/v2/execute`, interleaved; the overhead is the median of the
 *     per-round differences against the native call of the same round. It includes a sandboxed
 *     run each time, so its noise (a few ms) is larger than what it measures;
 *  2. the same finished execution read back natively (`GET /api/v1/execute/{id}`) and as a
 *     Judge0 submission (`GET /judge0/submissions/{token}`, default fields and `fields=*`),
 *     interleaved: the HTTP cost of the Judge0 presentation without a run in the way;
 *  3. the translation code alone, in process, on that same row: request in (validation and
 *     translation) and answer out (presentation), per call.
 *
 * Measured, not asserted.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/compat.js [--runs 40] [--markdown]
 */
import os from 'node:os';
import { presentSubmission } from '../src/compat/judge0/present.js';
import { translateSubmission } from '../src/compat/judge0/request.js';
import { judge0Settings } from '../src/compat/judge0/settings.js';
import { presentExecute } from '../src/compat/piston/present.js';
import { runtimesFrom, translateExecute } from '../src/compat/piston/request.js';
import { DEFAULT_FIELDS } from '../src/compat/judge0/format.js';
import { isMain, progress, sampleInterleaved } from './common.js';
import { startOpenServer } from './open-server.js';
import { markdownTable, median, ms, quantile, textTable } from './stats.js';

const HELLO = 'print("hello")';

async function call(url: string, expectStatus: number, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== expectStatus) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Median time of `fn` per call, µs, over `n` calls (after as many for warm-up). */
function perCallUs(fn: () => void, n: number): number {
  for (let i = 0; i < n; i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return median(rounds);
}

export interface CompatBench {
  e2e: Record<'native' | 'judge0' | 'piston', number[]>;
  /** Per-round differences against native, ms. */
  e2eOverhead: Record<'judge0' | 'piston', number[]>;
  read: Record<'native' | 'judge0Default' | 'judge0All', number[]>;
  /** µs per call. */
  code: { judge0In: number; judge0Out: number; pistonIn: number; pistonOut: number };
}

export async function runCompatBench(runs: number): Promise<CompatBench> {
  const open = await startOpenServer();
  const { server, config, engine } = open;
  try {
    const base = server.url;
    progress(`compat: ${runs} interleaved runs of each API`);
    const e2e = await sampleInterleaved(
      {
        native: async () => void (await call(`${base}/api/v1/execute?wait=true`, 200, { language: 'python', code: HELLO })),
        judge0: async () => void (await call(`${base}/judge0/submissions?wait=true`, 201, { source_code: HELLO, language_id: 71 })),
        piston: async () => void (await call(`${base}/piston/api/v2/execute`, 200, { language: 'python', version: '*', files: [{ content: HELLO }] })),
      },
      runs,
      3,
    );
    const diff = (xs: number[]) => xs.map((x, i) => x - e2e.native[i]!);

    const done = (await call(`${base}/api/v1/execute?wait=true`, 200, { language: 'python', code: HELLO })) as { data: { executionId: string } };
    const id = done.data.executionId;
    progress(`compat: ${runs * 5} interleaved reads of one finished execution`);
    const read = await sampleInterleaved(
      {
        native: async () => void (await call(`${base}/api/v1/execute/${id}`, 200)),
        judge0Default: async () => void (await call(`${base}/judge0/submissions/${id}`, 200)),
        judge0All: async () => void (await call(`${base}/judge0/submissions/${id}?fields=*`, 200)),
      },
      runs * 5,
      10,
    );

    progress('compat: the translation code in process');
    const ctx = server.platform.ctx;
    const row = await ctx.executions.get(id, null);
    const settings = judge0Settings(config);
    const python = { ourId: 'python', available: true, compiled: false, sourceFile: 'main.py', takesCompilerOptions: false };
    const runtimes = runtimesFrom(await engine.listLanguages(), (l) => ctx.executions.languages.get(l).sourceFile);
    const rt = runtimes.find((r) => r.language === 'python')!;
    const n = 2000;
    const code = {
      judge0In: perCallUs(() => void translateSubmission({ source_code: HELLO, language_id: 71 }, false, (i) => (i === 71 ? python : undefined), settings), n),
      judge0Out: perCallUs(() => void presentSubmission(row, { fields: DEFAULT_FIELDS, base64: false, languageName: () => 'Python (3.11.2)', settings }), n),
      pistonIn: perCallUs(() => void translateExecute({ language: 'python', version: '*', files: [{ content: HELLO }] }, runtimes, config.limits), n),
      pistonOut: perCallUs(() => void presentExecute(row, rt, null, false), n),
    };
    return { e2e, e2eOverhead: { judge0: diff(e2e.judge0), piston: diff(e2e.piston) }, read, code };
  } finally {
    await open.close();
  }
}

export function formatCompatBench(b: CompatBench, markdown: boolean): string {
  const table = markdown ? markdownTable : textTable;
  const iqr = (xs: number[]) => `${ms(quantile(xs, 0.25))} … ${ms(quantile(xs, 0.75))}`;
  const us = (x: number) => `${x.toFixed(1)} µs`;
  const e2e = table(
    ['POST, python hello, run to the end', 'median', 'overhead vs native (median of per-round differences)', 'interquartile range of the differences'],
    [
      ['native /api/v1/execute?wait=true', ms(median(b.e2e.native)), '', ''],
      ['Judge0 /judge0/submissions?wait=true', ms(median(b.e2e.judge0)), ms(median(b.e2eOverhead.judge0)), iqr(b.e2eOverhead.judge0)],
      ['Piston /piston/api/v2/execute', ms(median(b.e2e.piston)), ms(median(b.e2eOverhead.piston)), iqr(b.e2eOverhead.piston)],
    ],
  );
  const nat = median(b.read.native);
  const read = table(
    ['GET, the same finished execution', 'median', 'overhead vs native'],
    [
      ['native /api/v1/execute/{id}', ms(nat), ''],
      ['Judge0 /judge0/submissions/{token} (default fields)', ms(median(b.read.judge0Default)), ms(median(b.read.judge0Default) - nat)],
      ['Judge0 … ?fields=*', ms(median(b.read.judge0All)), ms(median(b.read.judge0All) - nat)],
    ],
  );
  const code = table(
    ['translation code, in process, per call', 'request in', 'answer out', 'total'],
    [
      ['Judge0', us(b.code.judge0In), us(b.code.judge0Out), us(b.code.judge0In + b.code.judge0Out)],
      ['Piston', us(b.code.pistonIn), us(b.code.pistonOut), us(b.code.pistonIn + b.code.pistonOut)],
    ],
  );
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  return [`${os.availableParallelism()} cores, load average now ${load}`, e2e, read, code].join('\n\n');
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 40;
  console.log(formatCompatBench(await runCompatBench(runs), process.argv.includes('--markdown')));
}
