/**
 * Built-in checkers on a large output: a million integers on one line (6.6 MiB), and 200,000
 * lines of 5 floats (15.5 MiB). Three outputs each: byte-identical to the answer (the common
 * accepted case, a fast path), the answer plus a final newline (accepted by all but `identical`,
 * through the full comparison), and the answer plus an extra token (a WA, which also pays for
 * locating it and for the presentation check). Each figure is the median of interleaved runs;
 * the full comparison is also given as a ratio to the floor any token checker pays: splitting
 * both sides on whitespace.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/arena-checkers.js [--runs 7]
 *
 * Pure JavaScript: needs no root, no sandbox, no services.
 */
import { performance } from 'node:perf_hooks';
import { loadChecker } from '../src/arena/checkers/registry.js';
import { isMain, progress } from './common.js';
import { median, ms, ratio, textTable } from './stats.js';

export interface CheckerBenchRow {
  name: string;
  input: string;
  mb: number;
  sameMs: number;
  acMs: number;
  waMs: number;
  floorMs: number;
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export function runCheckerBench(runs = 7): CheckerBenchRow[] {
  const ints = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => i).join(' '));
  const intsWa = Buffer.concat([ints, Buffer.from(' 1')]);
  const lines = Array.from({ length: 200_000 }, (_, i) => Array.from({ length: 5 }, (_, k) => ((i * 5 + k) / 7).toFixed(9)).join(' '));
  const floatsText = Buffer.from(`${lines.join('\n')}\n`);
  const floatsWa = Buffer.from(`${lines.join('\n')}\n0\n`);
  const withNewline = (b: Buffer) => Buffer.concat([b, Buffer.from('\n')]);
  const cases: [string, Record<string, unknown>, string, Buffer, Buffer][] = [
    ['default', {}, 'ints', ints, intsWa],
    ['default', { float_tolerance: 1e-6 }, 'ints', ints, intsWa],
    ['standard', {}, 'ints', ints, intsWa],
    ['identical', {}, 'ints', ints, intsWa],
    ['rstripped', {}, 'ints', ints, intsWa],
    ['sorted', { split_on: 'whitespace' }, 'ints', ints, intsWa],
    ['floats', {}, 'floats', floatsText, floatsWa],
    ['linecount', {}, 'floats', floatsText, floatsWa],
  ];
  const rows: CheckerBenchRow[] = [];
  for (const [name, options, input, ok, bad] of cases) {
    const check = loadChecker(name, options).check;
    const same: number[] = [];
    const ac: number[] = [];
    const wa: number[] = [];
    const floor: number[] = [];
    const okNl = withNewline(ok);
    for (let r = 0; r < runs; r++) {
      floor.push(time(() => [okNl.toString('latin1').split(/[ \t\n\v\f\r]+/), ok.toString('latin1').split(/[ \t\n\v\f\r]+/)]));
      same.push(time(() => check(ok, ok)));
      ac.push(time(() => check(okNl, ok)));
      wa.push(time(() => check(bad, ok)));
    }
    const label = Object.keys(options).length > 0 ? `${name} ${JSON.stringify(options)}` : name;
    rows.push({ name: label, input, mb: ok.length / 2 ** 20, sameMs: median(same), acMs: median(ac), waMs: median(wa), floorMs: median(floor) });
    progress(`${label}: identical ${ms(median(same))}, + newline ${ms(median(ac))}, WA ${ms(median(wa))}`);
  }
  return rows;
}

export function formatCheckerBench(rows: CheckerBenchRow[]): string {
  return textTable(
    ['checker', 'input', 'MiB', 'identical', '+ newline', 'WA', 'split floor', '+ newline / floor', '+ newline MiB/s'],
    rows.map((r) => [r.name, r.input, r.mb.toFixed(1), ms(r.sameMs), ms(r.acMs), ms(r.waMs), ms(r.floorMs), ratio(r.acMs / r.floorMs), (r.mb / (r.acMs / 1000)).toFixed(0)]),
  );
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 7;
  console.log(formatCheckerBench(runCheckerBench(runs)));
}
