/**
 * `muscode problem import PATH... [--publish] [--replace]` and `muscode user role EMAIL ROLE`:
 * the Arena's administration from the command line. They open the database as `migrate` does
 * (embedded: DATA_DIR's lock first, so they refuse with DATA_DIR_LOCKED while a server runs;
 * cluster: DATABASE_URL).
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { CompileChecks } from '../arena/service/compile-check.js';
import { ProblemService } from '../arena/service/problems.js';
import { ROLES, type Role } from '../arena/service/contract.js';
import type { Config } from '../config/config.js';
import { type Database, embeddedDbDir, migrate, openDatabase } from '../db/client.js';
import { users } from '../db/schema.js';
import type { EngineClient } from '../engine/client.js';
import { LanguageRegistry } from '../engine/languages/registry.js';
import { Engine } from '../engine/runner/engine.js';
import { CallerError, ErrorCodes } from '../errors.js';
import { lockDataDir } from './data-commands.js';

async function withDatabase<T>(config: Config, command: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const lock = config.DATABASE_URL ? null : await lockDataDir(config.DATA_DIR, command);
  try {
    const database = await openDatabase(config.DATABASE_URL ? { url: config.DATABASE_URL } : { pgliteDir: embeddedDbDir(config.DATA_DIR) });
    try {
      await migrate(database);
      return await fn(database);
    } finally {
      await database.close();
    }
  } finally {
    await lock?.release();
  }
}

/** The engine compiles custom validators at import; without a sandbox here, the check is skipped (with a warning). */
function cliEngine(config: Config): { engine: EngineClient; runs: boolean; close(): Promise<void> } {
  try {
    const engine = Engine.create(config);
    return { engine, runs: true, close: () => engine.close() };
  } catch {
    const registry = new LanguageRegistry();
    const engine: EngineClient = {
      limits: config.limits,
      run: () => Promise.reject(new Error('no sandbox here')),
      listLanguages: () => registry.list(),
      status: async () => ({ slots: 0, idle: 0, queued: 0 }),
      close: async () => undefined,
    };
    return { engine, runs: false, close: async () => undefined };
  }
}

export interface ImportLine {
  path: string;
  slug?: string;
  outcome: 'created' | 'replaced' | 'failed';
  warnings: string[];
  error?: { code: string; message: string };
}

export async function importProblems(config: Config, paths: string[], opts: { publish: boolean; replace: boolean }): Promise<ImportLine[]> {
  const { engine, runs, close } = cliEngine(config);
  try {
    return await withDatabase(config, `muscode problem import ${paths.join(' ')}`, async (database) => {
      const problems = new ProblemService({
        db: database.db,
        engine,
        config,
        compileChecks: new CompileChecks({ db: database.db, engine, engineRuns: runs }),
        enqueueVerify: () => Promise.reject(new Error('verify runs through the server')),
      });
      const out: ImportLine[] = [];
      for (const p of paths) {
        try {
          const source = /\.(zip|kpp)$/i.test(p) ? { zip: fs.readFileSync(p), filename: path.basename(p) } : { dir: p };
          const r = await problems.importPackage(null, source, opts);
          out.push({ path: p, slug: r.problem.slug, outcome: r.created ? 'created' : 'replaced', warnings: r.warnings });
        } catch (err) {
          if (!(err instanceof CallerError)) throw err;
          out.push({ path: p, outcome: 'failed', warnings: [], error: { code: err.code, message: err.message } });
        }
      }
      return out;
    });
  } finally {
    await close();
  }
}

export async function setUserRole(config: Config, email: string, role: string): Promise<{ username: string; role: Role }> {
  if (!(ROLES as readonly string[]).includes(role)) throw new CallerError(ErrorCodes.usage, `role must be one of ${ROLES.join(', ')}`);
  return withDatabase(config, `muscode user role ${email} ${role}`, async (database) => {
    const [u] = await database.db
      .update(users)
      .set({ role, updatedAt: new Date() })
      .where(sql`lower(${users.email}) = lower(${email})`)
      .returning({ username: users.username });
    if (!u) throw new CallerError(ErrorCodes.usage, `no user has the email ${email}`);
    return { username: u.username, role: role as Role };
  });
}
