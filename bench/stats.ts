/**
 * Small statistics and formatting helpers shared by the benchmarks. Benchmarks report medians
 * (robust to the odd slow run on a shared machine) and p90 (how bad the tail is); the mean is
 * printed for completeness but is easily dragged by one outlier.
 */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  mean: number;
  min: number;
  max: number;
}

function sorted(xs: readonly number[]): number[] {
  if (xs.length === 0) throw new Error('no samples');
  return [...xs].sort((a, b) => a - b);
}

/** Linear interpolation between closest ranks (the usual "type 7" quantile). */
export function quantile(xs: readonly number[], q: number): number {
  const s = sorted(xs);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo]!;
  const b = s[hi]!;
  return a + (b - a) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function p90(xs: readonly number[]): number {
  return quantile(xs, 0.9);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('no samples');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  return { n: s.length, median: median(s), p90: p90(s), mean: mean(s), min: s[0]!, max: s[s.length - 1]! };
}

/** Milliseconds with one decimal: "12.3 ms". */
export function ms(v: number): string {
  return `${v.toFixed(1)} ms`;
}

export function ratio(v: number): string {
  return `${v.toFixed(2)}x`;
}

export function pct(v: number): string {
  return `${(v * 100).toFixed(0)}%`;
}

/** "median 12.3 ms, p90 14.0 ms, mean 12.8 ms (n=60)". */
export function describe(s: Summary): string {
  return `median ${ms(s.median)}, p90 ${ms(s.p90)}, mean ${ms(s.mean)} (n=${s.n})`;
}

/** A plain-text table with aligned columns. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
