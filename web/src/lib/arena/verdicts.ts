/** The judge's verdicts in words and colours (mirrors src/arena/verdicts.ts), and test messages. */
import type { SubmissionTestView } from '../../api/arena-types';

export const VERDICT_LABELS: Record<string, string> = {
  AC: 'Accepted',
  WA: 'Wrong answer',
  TLE: 'Time limit exceeded',
  MLE: 'Memory limit exceeded',
  OLE: 'Output limit exceeded',
  RTE: 'Run-time error',
  SK: 'Skipped',
  JE: 'Judge error',
  CE: 'Compile error',
  pending: 'Pending',
};

export type Tone = 'ok' | 'bad' | 'warn' | 'neutral';

export function verdictTone(v: string | null | undefined): Tone {
  if (!v || v === 'pending' || v === 'SK') return 'neutral';
  if (v === 'AC') return 'ok';
  if (v === 'JE') return 'warn';
  return 'bad';
}

const STATUS_TEXT: Record<string, string> = {
  queued: 'In the queue',
  compiling: 'Compiling',
  running: 'Running tests',
  cancelled: 'Cancelled',
  done: 'Judged',
};

export function statusLabel(status: string | null | undefined): string {
  return status ? (STATUS_TEXT[status] ?? status) : '';
}

/** What a detail adds in words: `signal SIGSEGV`, `exit 3`, `oom`, `wall`… */
export function detailText(detail: string | undefined): string | null {
  if (!detail) return null;
  switch (detail) {
    case 'presentation':
      return 'only whitespace or letter case differ';
    case 'cpu':
      return 'CPU time limit';
    case 'wall':
      return 'wall-clock limit (waiting for input? sleeping?)';
    case 'oom':
      return 'killed when it went over the memory limit';
    case 'near-limit':
      return 'crashed at the memory limit (a failed allocation)';
  }
  if (detail.startsWith('exit ')) return `exit code ${detail.slice(5)}`;
  if (detail.startsWith('signal ')) return `killed by ${detail.slice(7)}`;
  return detail;
}

/** One line for a test's row: the checker's message, else the detail in words. */
export function testMessage(t: Pick<SubmissionTestView, 'verdict' | 'detail' | 'message'>): string {
  const parts: string[] = [];
  const d = detailText(t.detail);
  if (d) parts.push(d);
  if (t.message && t.message.trim()) parts.push(t.message.trim());
  return parts.join(' · ');
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  return `${Math.round(rate * 1000) / 10}%`;
}

/** A score out of a max, without float noise (37.5 / 100). */
export function formatScore(score: number | null | undefined, max: number | null | undefined): string {
  if (score === null || score === undefined) return '–';
  const r = (x: number) => String(Math.round(x * 100) / 100);
  return max !== null && max !== undefined ? `${r(score)} / ${r(max)}` : r(score);
}
