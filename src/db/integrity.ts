import { SystemError } from '../errors.js';
import type { Database } from './client.js';
import { DataErrorCodes } from './data-dir-lock.js';

/**
 * The startup integrity probe of the embedded database. A damaged PGlite directory used to open
 * fine and then fail every query that touched a damaged row, so the server answered 500 to every
 * sign-in. Instead, the server reads every table once at startup (a sequential scan checks the
 * visibility of every row, which is where a lost transaction or multixact shows up) and takes a
 * key-share lock on rows of every table that others reference (the path each foreign-key check
 * takes), inside a transaction that is rolled back. A failure stops startup with what to do.
 */

export class DatabaseDamagedError extends SystemError {
  constructor(
    readonly dir: string,
    readonly problem: string,
    readonly where: string | null,
  ) {
    super(DataErrorCodes.databaseDamaged, damagedMessage(dir, problem, where), { dir, problem, where });
  }
}

export function damagedMessage(dir: string, problem: string, where: string | null): string {
  return [
    `the embedded database in ${dir} is damaged${where ? ` (${where})` : ''}: ${problem}`,
    hint(problem),
    'MUSCode will not start on it (it would fail every request that touches the damaged rows). What to do:',
    '  1. restore the latest backup:      bin/muscode restore FILE --data-dir DATA_DIR --force',
    '  2. or salvage what is readable:    bin/muscode repair --data-dir DATA_DIR',
    '     (the damaged directory is kept next to the repaired one; see docs/operations.md, "A damaged database")',
  ]
    .filter(Boolean)
    .join('\n');
}

function hint(problem: string): string {
  if (/MultiXactId \d+ has not been created yet|MultiXactId \d+ does no longer exist|could not access status of transaction/i.test(problem)) {
    return (
      'Rows refer to transactions the database has no record of. This is what two processes writing one data ' +
      'directory at the same time leave behind (each keeps its own transaction counters), or a host crash that lost writes.'
    );
  }
  return '';
}

/** An error thrown while PGlite opened the directory, as a DatabaseDamagedError. */
export async function openFailedError(dir: string, err: unknown): Promise<Error> {
  const message = err instanceof Error ? err.message : String(err);
  return new DatabaseDamagedError(dir, `PGlite could not open it: ${message}`, null);
}

/** Reads every table; throws DatabaseDamagedError naming the first one that cannot be read. */
export async function probeIntegrity(database: Database, dir: string): Promise<void> {
  const problems = await findDamage(database);
  if (problems.length) throw new DatabaseDamagedError(dir, problems[0]!.error, problems.map((p) => p.table).join(', '));
}

export interface TableProblem {
  table: string;
  error: string;
}

/** Every table that cannot be scanned or locked, with the error it gave. */
export async function findDamage(database: Database): Promise<TableProblem[]> {
  const tables = await database.query<{ name: string; referenced: boolean }>(
    `select format('%I.%I', n.nspname, c.relname) as name,
            exists (select 1 from pg_constraint f where f.contype = 'f' and f.confrelid = c.oid) as referenced
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname in ('public', 'drizzle')
      order by 1`,
  );
  const problems: TableProblem[] = [];
  for (const t of tables) {
    try {
      await database.query(`select count(*) from ${t.name}`);
      if (t.referenced) {
        // The foreign-key path (what every insert referencing a row does), then undone.
        await database.query('begin');
        try {
          await database.query(`select 1 from ${t.name} for key share`);
        } finally {
          await database.query('rollback');
        }
      }
    } catch (err) {
      problems.push({ table: t.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return problems;
}
