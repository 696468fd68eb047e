/** `muscode problem verify PATH...`: judge a package's own submissions with the local engine. */
import { statSync } from 'node:fs';
import type { Engine } from '../engine/runner/engine.js';
import { loadProblemPackage } from '../arena/packages/index.js';
import { verifyPackage, type VerifyReport } from '../arena/judge/index.js';
import { runGenerator } from '../arena/judge/generator.js';

/** Exit code when some submission does not earn its folder's verdict. */
export const EX_MISMATCH = 1;

function fmtTime(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(2)}s`;
}

function fmtScore(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

export function timeLimitLine(r: VerifyReport): string {
  const t = r.timeLimit;
  if (t.defaulted) return `time limit: ${t.seconds} s (the judge's default: the package sets none and no accepted program derived one)`;
  if (!t.derived) return `time limit: ${t.seconds} s (from the package)`;
  return `time limit: ${t.seconds} s (derived: slowest accepted test ${fmtTime(t.slowestAcMs ?? 0)} x ${t.multiplier}, rounded up to ${t.resolution} s; time_limit_exceeded programs run under ${t.seconds} x ${t.safetyMargin} s)`;
}

export function reportRows(r: VerifyReport): string[][] {
  return r.rows.map((row) => [
    row.program,
    row.language ?? '?',
    row.expected,
    row.got,
    fmtTime(row.cpuMs),
    `${fmtScore(row.score)}/${fmtScore(row.maxScore)}`,
    row.ok ? 'ok' : `MISMATCH: ${row.note ?? ''}`,
  ]);
}

export const VERIFY_HEAD = ['program', 'language', 'expected', 'got', 'time', 'score', 'result'];

/** Verifies each package in turn; returns the reports (the caller prints and picks the exit code). */
export async function verifyPaths(engine: Engine, paths: string[], print: (text: string) => Promise<void>, table: (head: string[], rows: string[][]) => string, signal?: AbortSignal): Promise<VerifyReport[]> {
  const reports: VerifyReport[] = [];
  for (const p of paths) {
    // `verify problems/*` also names problems/README.md: a plain file that is not an archive is
    // said and passed over (a folder, a .zip or a .kpp is a package; anything else never is).
    if (isPlainNonArchive(p)) {
      await print(`${p}: not a package (a folder, .zip or .kpp), skipped\n\n`);
      continue;
    }
    const loaded = loadProblemPackage(p);
    for (const w of loaded.problem.warnings) await print(`warning: ${w}\n`);
    // DMOJ generators write their cases once, as the importer does, before anything is judged.
    const { problem, files } = await runGenerator({ engine, ...loaded, ...(signal ? { signal } : {}) });
    const report = await verifyPackage({ engine, problem, files, ...(signal ? { signal } : {}) });
    await print(`${p} (${problem.slug})\n${timeLimitLine(report)}\n${report.rows.length === 0 ? 'no programs under submissions/: nothing to verify' : `${table(VERIFY_HEAD, reportRows(report))}${report.ok ? 'all submissions earn their expected verdicts' : 'some submissions do NOT earn their expected verdicts'}`}\n\n`);
    reports.push(report);
  }
  return reports;
}

function isPlainNonArchive(p: string): boolean {
  try {
    return statSync(p).isFile() && !/\.(zip|kpp)$/i.test(p);
  } catch {
    return false; // missing: the loader says so with its own error
  }
}
