/**
 * Output files and the resource timeline of a run (issue 13): which globs to ask for, how a
 * returned file is shown (inline image, text preview, or download only), and the scaling of
 * the small timeline chart. Pure: the components only draw what this computes.
 */

/** What "Show files" asks for unless the user types other globs. */
export const DEFAULT_OUTPUT_GLOBS = '*.png, *.svg, *.csv, *.txt';
/** The server's bound on patterns per request (OUTPUT_PATTERNS_MAX in src/engine/types.ts). */
export const MAX_OUTPUT_GLOBS = 16;

export interface OutputFileJson {
  name: string;
  size: number;
  type: string;
  /** base64 */
  content: string;
}

/** "*.png, out/*.csv  *.txt" -> ["*.png", "out/*.csv", "*.txt"]: commas or spaces, duplicates dropped. */
export function parseGlobList(text: string): string[] {
  const seen = new Set<string>();
  for (const g of text.split(/[\s,]+/)) if (g) seen.add(g);
  return [...seen].slice(0, MAX_OUTPUT_GLOBS);
}

/**
 * Images shown inline: raster ones and SVG (an <img> never runs an SVG's scripts, and the CSP
 * allows `img-src data:`). Text shown as a short preview. Everything else: download only.
 */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml']);
export type FileDisplay = 'image' | 'text' | 'download';

export function displayOf(file: Pick<OutputFileJson, 'type'>): FileDisplay {
  if (INLINE_IMAGES.has(file.type)) return 'image';
  if (file.type.startsWith('text/') || file.type === 'application/json') return 'text';
  return 'download';
}

export function dataUrlOf(file: Pick<OutputFileJson, 'type' | 'content'>): string {
  return `data:${file.type};base64,${file.content}`;
}

/** The first `max` characters of a text file (UTF-8, invalid bytes replaced). */
export function textPreview(file: Pick<OutputFileJson, 'content'>, max = 2000): { text: string; cut: boolean } {
  const bin = atob(file.content);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const text = new TextDecoder().decode(bytes);
  return text.length > max ? { text: text.slice(0, max), cut: true } : { text, cut: false };
}

export type TimelineSample = [ms: number, cpuMs: number, memoryKb: number];

export interface TimelineChart {
  /** SVG path of memory over time (0 at the bottom, the peak at the top). */
  memoryPath: string;
  /** SVG path of CPU use over time, as the share of one core between samples (0..1 of the height). */
  cpuPath: string;
  durationMs: number;
  peakMemoryKb: number;
  /** The highest CPU share between two samples, in % of one core (may pass 100 with threads). */
  peakCpuPercent: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Scales samples into a `width` x `height` box. CPU is cumulative in the samples, so the chart
 * shows its rate (ΔCPU / Δwall); the CPU axis tops at 100% of one core or the peak, whichever is
 * higher. Null when there is nothing to draw (fewer than two samples or no time elapsed).
 */
export function timelineChart(samples: readonly TimelineSample[], width: number, height: number): TimelineChart | null {
  if (samples.length < 2) return null;
  const t0 = samples[0]![0];
  const durationMs = samples[samples.length - 1]![0] - t0;
  if (durationMs <= 0) return null;
  const peakMemoryKb = Math.max(...samples.map((s) => s[2]));
  const rates: number[] = [0];
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i]![0] - samples[i - 1]![0];
    const dc = samples[i]![1] - samples[i - 1]![1];
    rates.push(dt > 0 ? Math.max(0, dc / dt) : rates[i - 1]!);
  }
  const peakRate = Math.max(...rates);
  const cpuTop = Math.max(1, peakRate);
  const x = (ms: number) => r1(((ms - t0) / durationMs) * width);
  const y = (v: number, top: number) => r1(height - (top > 0 ? (v / top) * height : 0));
  const path = (ys: number[]) => ys.map((v, i) => `${i ? 'L' : 'M'}${x(samples[i]![0])},${v}`).join(' ');
  return {
    memoryPath: path(samples.map((s) => y(s[2], peakMemoryKb))),
    cpuPath: path(rates.map((r) => y(r, cpuTop))),
    durationMs,
    peakMemoryKb,
    peakCpuPercent: Math.round(peakRate * 100),
  };
}
