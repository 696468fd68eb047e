import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db/client.js';
import { hasCluster, PGLITE_SETTINGS } from '../../src/db/pglite-settings.js';
import { serviceNodeFlags } from '../../src/supervisor/supervisor.js';

/** Issue 15, item 5: the embedded database's memory settings and where its initdb runs. */
describe('PGlite settings and initdb (a lean embedded server)', () => {
  it('creates a new directory in a child process, then opens it with the small memory settings', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-pglite-settings-'));
    const db = path.join(dir, 'db');
    try {
      expect(hasCluster(db)).toBe(false);
      const database = await openDatabase({ pgliteDir: db });
      try {
        expect(hasCluster(db)).toBe(true);
        await migrate(database);
        for (const [name, value] of Object.entries(PGLITE_SETTINGS)) {
          const [row] = await database.query<{ v: string }>(`select current_setting($1) as v`, [name]);
          expect(row!.v.toLowerCase(), name).toBe(value.toLowerCase());
        }
        // PGlite's WebAssembly memory: its 128 MiB initial size (the settings keep it from growing).
        expect(database.heapBytes()).toBe(128 * 2 ** 20);
      } finally {
        await database.close();
      }
      // A second open finds the cluster and keeps its data.
      const again = await openDatabase({ pgliteDir: db });
      try {
        const [row] = await again.query<{ n: string }>(`select count(*)::text as n from users`);
        expect(row!.n).toBe('0');
      } finally {
        await again.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the embedded service with a small young generation and PGlite on the baseline compiler, unless PGLITE_OPTIMIZE', () => {
    expect(serviceNodeFlags({ mode: 'embedded', PGLITE_OPTIMIZE: false })).toEqual(['--max-semi-space-size=1', '--liftoff-only']);
    expect(serviceNodeFlags({ mode: 'embedded', PGLITE_OPTIMIZE: true })).toEqual(['--max-semi-space-size=1']);
    expect(serviceNodeFlags({ mode: 'cluster', PGLITE_OPTIMIZE: false })).toEqual(['--max-semi-space-size=1']);
    // This Node accepts them (an unknown V8 flag would stop the service at start).
    expect(execFileSync(process.execPath, ['--max-semi-space-size=1', '--liftoff-only', '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });
});
