import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { checkBackup, exportDatabase, importDatabase } from '../db/backup.js';
import { type Database, embeddedDbDir, migrate, openDatabase } from '../db/client.js';
import { acquireDirLock, DataErrorCodes, type DirLock } from '../db/data-dir-lock.js';
import { findDamage } from '../db/integrity.js';
import { salvage } from '../db/repair.js';
import { SystemError } from '../errors.js';
import { adminSocketPath, requestBackup } from '../system/admin-socket.js';

/**
 * `muscode backup|restore|repair` and the data-directory lock every command that touches
 * DATA_DIR takes first (see docs/operations.md).
 */

/** A restart may wait this long for a predecessor that is shutting down (closing PGlite). */
export const STOPPING_WAIT_MS = 60_000;

/** Takes DATA_DIR's lock before anything else touches the directory (creating it is all that happens first). */
export async function lockDataDir(dataDir: string, command: string): Promise<DirLock> {
  fs.mkdirSync(dataDir, { recursive: true });
  return acquireDirLock(dataDir, { scope: 'data-dir', command, waitForStoppingMs: STOPPING_WAIT_MS });
}

export interface Target {
  dataDir: string;
  /** PostgreSQL (cluster mode) instead of DATA_DIR's embedded database. */
  databaseUrl?: string;
}

function tmpNextTo(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
}

/**
 * Writes a backup to `file` (atomically: a temp file renamed into place once complete). Embedded
 * mode with a running server: the server takes the snapshot (it alone may open PGlite). No
 * server: this process locks DATA_DIR and reads the database itself. Cluster: from PostgreSQL.
 */
export async function backup(target: Target, file: string): Promise<{ via: 'server' | 'direct'; tables?: Record<string, number> }> {
  const tmp = tmpNextTo(file);
  try {
    if (target.databaseUrl) {
      const database = await openDatabase({ url: target.databaseUrl });
      try {
        const tables = await exportDatabase(database, fs.createWriteStream(tmp, { mode: 0o600 }));
        fs.renameSync(tmp, file);
        return { via: 'direct', tables };
      } finally {
        await database.close();
      }
    }
    const socket = fs.existsSync(target.dataDir) ? await requestBackup(adminSocketPath(target.dataDir)) : null;
    if (socket) {
      await pipeline(socket, fs.createWriteStream(tmp, { mode: 0o600 }));
      const tables = await verifyBackup(tmp);
      fs.renameSync(tmp, file);
      return { via: 'server', tables };
    }
    const lock = await lockDataDir(target.dataDir, 'muscode backup');
    try {
      const dir = embeddedDbDir(target.dataDir);
      if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) throw new SystemError(DataErrorCodes.backupInvalid, `there is no database in ${dir} to back up`);
      const database = await openDatabase({ pgliteDir: dir });
      try {
        const tables = await exportDatabase(database, fs.createWriteStream(tmp, { mode: 0o600 }));
        fs.renameSync(tmp, file);
        return { via: 'direct', tables };
      } finally {
        await database.close();
      }
    } finally {
      await lock.release();
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Reads a backup end to end (structure and counts, no database); returns its row counts. */
export function verifyBackup(file: string): Promise<Record<string, number>> {
  return checkBackup(fs.createReadStream(file));
}

/**
 * Restores a backup. Embedded: refuses while DATA_DIR is in use; builds the database in a new
 * directory and swaps it in only once complete (the old one is kept aside with --force, and
 * without --force an existing database is never replaced). Cluster: into an empty PostgreSQL
 * database (the migration path from embedded to cluster).
 */
export async function restore(target: Target, file: string, force: boolean): Promise<{ tables: Record<string, number>; movedAside?: string }> {
  if (!fs.existsSync(file)) throw new SystemError(DataErrorCodes.backupInvalid, `${file} does not exist`);
  if (target.databaseUrl) {
    const database = await openDatabase({ url: target.databaseUrl });
    try {
      await migrate(database);
      return { tables: await importDatabase(database, fs.createReadStream(file)) };
    } finally {
      await database.close();
    }
  }
  const lock = await lockDataDir(target.dataDir, 'muscode restore');
  try {
    const dir = embeddedDbDir(target.dataDir);
    const exists = fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
    if (exists && !force) {
      throw new SystemError(
        DataErrorCodes.restoreTargetNotEmpty,
        `${dir} already holds a database; add --force to move it aside (it is kept as ${path.basename(dir)}.before-restore-TIME) and restore`,
      );
    }
    return await buildAndSwap(dir, 'before-restore', exists, async (fresh) => ({ tables: await importDatabase(fresh, fs.createReadStream(file)) }));
  } finally {
    await lock.release();
  }
}

/**
 * Builds a new database next to `dir` with `fill`, checks it, and swaps it in; the old directory,
 * if any, is renamed `<dir>.<label>-<time>`.
 */
async function buildAndSwap<T extends object>(dir: string, label: string, exists: boolean, fill: (db: Database) => Promise<T>): Promise<T & { movedAside?: string }> {
  const building = `${dir}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  try {
    const fresh = await openDatabase({ pgliteDir: building });
    let out: T;
    try {
      await migrate(fresh);
      out = await fill(fresh);
      const damage = await findDamage(fresh);
      if (damage.length) throw new SystemError(DataErrorCodes.databaseDamaged, `the rebuilt database does not read back: ${damage[0]!.error}`);
    } finally {
      await fresh.close();
    }
    let movedAside: string | undefined;
    if (exists) {
      movedAside = `${dir}.${label}-${new Date().toISOString().replaceAll(':', '-')}`;
      fs.renameSync(dir, movedAside);
    } else fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(building, dir);
    return { ...out, movedAside };
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/**
 * Salvages a damaged embedded database: what can be read is copied into a new database, which
 * replaces it; the damaged directory is kept aside. Refuses while DATA_DIR is in use.
 */
export async function repair(dataDir: string): Promise<{ tables: Record<string, number>; fixed: string[]; movedAside?: string }> {
  const lock = await lockDataDir(dataDir, 'muscode repair');
  try {
    const dir = embeddedDbDir(dataDir);
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) throw new SystemError(DataErrorCodes.backupInvalid, `there is no database in ${dir} to repair`);
    const work = `${dir}.salvage-${process.pid}`;
    fs.rmSync(work, { recursive: true, force: true });
    // Surgery happens on a copy: the damaged original stays untouched until the swap.
    fs.cpSync(dir, work, { recursive: true });
    try {
      const dumpFile = path.join(path.dirname(dir), `.salvage-${process.pid}.backup`);
      try {
        const fixed = await salvage(work, dumpFile);
        const out = await buildAndSwap(dir, 'damaged', true, async (fresh) => ({ tables: await importDatabase(fresh, fs.createReadStream(dumpFile)) }));
        return { ...out, fixed };
      } finally {
        fs.rmSync(dumpFile, { force: true });
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  } finally {
    await lock.release();
  }
}
