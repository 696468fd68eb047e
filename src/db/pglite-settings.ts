import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../config/config.js';

/**
 * PGlite's Postgres settings (issue 15, item 5: a lean embedded server). PGlite 0.5 starts
 * Postgres in single-user mode with `startParams` (its own defaults, restated here because a
 * value replaces them), and Postgres's shared memory lives in the WebAssembly heap, touched at
 * start: the initdb defaults (shared_buffers 128 MB, max_connections 100) made a bare PGlite
 * ~280 MB resident. MUSCode's database is small (users, runs, problems) and has one connection,
 * so 16 MB of buffers holds its working set; measured in docs/performance.md ("Resident memory").
 */
export const PGLITE_SETTINGS: Record<string, string> = {
  // The buffer cache: 2048 pages of 8 kB (a run's row and its owner's stay cached).
  shared_buffers: '16MB',
  // One backend (single-user mode): the lock and process tables are sized by this.
  max_connections: '8',
  // Sorts and hashes per operation; the WebAssembly heap never shrinks, so a big one stays.
  work_mem: '2MB',
  maintenance_work_mem: '8MB',
  temp_buffers: '1MB',
};

/** PGlite's own defaults (0.5.16's `defaultStartParams`): a `startParams` value replaces them. */
const PGLITE_DEFAULT_START_PARAMS = [
  '--single',
  '-F',
  '-O',
  '-j',
  '-c',
  'search_path=public',
  '-c',
  'exit_on_error=false',
  '-c',
  'log_checkpoints=false',
  '-c',
  'max_worker_processes=0',
  '-c',
  'max_parallel_workers=0',
  '-c',
  'max_parallel_workers_per_gather=0',
  '-c',
  'io_method=sync',
  '-c',
  'max_parallel_maintenance_workers=0',
];

/** The `startParams` every PGlite of MUSCode opens with. */
export function pgliteStartParams(): string[] {
  return [...PGLITE_DEFAULT_START_PARAMS, ...Object.entries(PGLITE_SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

/** Whether `dir` holds a Postgres cluster already (initdb ran). */
export function hasCluster(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'PG_VERSION'));
}

/**
 * Creates the cluster of a new PGlite directory in a short-lived child process. Creating one runs
 * initdb in a second WebAssembly instance and leaves the process ~780 MB resident (that memory
 * is not returned to the system), against ~150 MB for a process that only opens an existing
 * directory: the long-lived process must never be the one that created it. The caller holds the
 * directory's lock (src/db/data-dir-lock.ts); the child runs as the same user.
 */
export async function initdbInChild(dir: string): Promise<void> {
  const entry = path.join(REPO_ROOT, 'node_modules/@electric-sql/pglite/dist/index.js');
  const code = [
    'const [entry, dir, params] = process.argv.slice(1);',
    'const { PGlite } = await import(entry);',
    'const db = new PGlite(dir, { startParams: JSON.parse(params) });',
    'await db.waitReady;',
    'await db.close();',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, entry, dir, JSON.stringify(pgliteStartParams())], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 16_384) stderr += d;
  });
  const exit = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, sig) => resolve(sig ? null : c));
  });
  if (exit !== 0 || !hasCluster(dir)) {
    throw new Error(`initdb of ${dir} failed (exit ${exit ?? 'by a signal'}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
}
