/**
 * Problem packages in the database: every file of a package version is a `problem_files` row
 * (bytea), so that a worker on any host loads a package from the database alone. A judging
 * process keeps the last few loaded packages per (problem, version) in memory (bounded LRU):
 * a version never changes once stored, so a cached copy is never stale.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { problemFiles, problems } from '../../db/schema.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import type { LoadedProblemPackage, PackageFiles, ProblemPackage } from '../packages/model.js';

/** Package files held in memory (read from the database, or built for a native problem). */
export class MemoryFiles implements PackageFiles {
  constructor(readonly files: ReadonlyMap<string, Buffer>) {}

  read(path: string): Buffer {
    const f = this.files.get(path);
    if (!f) throw new CallerError(ErrorCodes.packageInvalid, `${path} is missing from the package`, { path, reason: 'missing' });
    return f;
  }

  readText(path: string): string {
    return this.read(path).toString('utf8').replace(/^\uFEFF/, '');
  }

  size(path: string): number {
    return this.read(path).length;
  }

  exists(path: string): boolean {
    return this.files.has(path);
  }
}

/** Every regular file of a loaded package (links followed, so a link is stored as a copy). */
export function packageFileMap(files: PackageFiles & { walkFiles?: (rel: string) => string[] }): Map<string, Buffer> {
  if (files instanceof MemoryFiles) return new Map(files.files);
  if (!files.walkFiles) throw new Error('the package files cannot be listed');
  const out = new Map<string, Buffer>();
  for (const p of files.walkFiles('')) out.set(p, files.read(p));
  return out;
}

/** The rows of one package version (inserted inside the caller's transaction). */
export function fileRows(problemId: string, version: number, files: ReadonlyMap<string, Buffer>) {
  return [...files].map(([path, content]) => ({ problemId, version, path, content }));
}

/** Loaded packages by `id@version`, least recently used first out. */
export class PackageCache {
  private readonly entries = new Map<string, Promise<LoadedProblemPackage>>();

  constructor(
    private readonly db: Db,
    private readonly max: number,
  ) {}

  /** The package of `problemId` at `version` (its model as stored with that version). */
  async load(problemId: string, version: number): Promise<LoadedProblemPackage> {
    const key = `${problemId}@${version}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const p = this.read(problemId, version);
    if (this.max > 0) {
      this.entries.set(key, p);
      p.catch(() => this.entries.delete(key));
      while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    return p;
  }

  get size(): number {
    return this.entries.size;
  }

  private async read(problemId: string, version: number): Promise<LoadedProblemPackage> {
    const [row] = await this.db.select({ model: problems.model, version: problems.version }).from(problems).where(eq(problems.id, problemId));
    if (!row) throw new CallerError(ErrorCodes.problemNotFound, 'problem not found');
    const rows = await this.db
      .select({ path: problemFiles.path, content: problemFiles.content })
      .from(problemFiles)
      .where(and(eq(problemFiles.problemId, problemId), eq(problemFiles.version, version)));
    // Only the current version's files are kept (an import replaces them in one transaction),
    // and a submission is always judged on the current version, which it then records.
    if (row.version !== version) throw new CallerError(ErrorCodes.problemNotFound, `problem version ${version} is gone (now ${row.version})`);
    return { problem: row.model as ProblemPackage, files: new MemoryFiles(new Map(rows.map((r) => [r.path, r.content]))) };
  }
}
