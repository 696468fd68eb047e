import { eq, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { files, projects } from '../db/schema.js';
import type { LanguageRegistry } from '../engine/languages/registry.js';
import { CallerError, ErrorCodes, MuscodeError } from '../errors.js';
import { enginePath } from '../projects/paths.js';
import { adjustStorage } from '../projects/storage.js';
import { HttpCodes } from '../server/http-errors.js';

/**
 * Writes a workspace's changes into its project's files: the one file model, so forks, sharing,
 * runs and quotas see what the terminal made. Like FileService, one transaction that locks the
 * project row first; unlike it, the caller's right was checked by the workspace (owner or
 * read-write collaborator), and a change that breaks a limit is reported per file instead of
 * failing the whole batch.
 */
export interface Upsert {
  path: string;
  name: string;
  content: string;
  encoding: 'utf8' | 'base64';
  /** Bytes of the file itself (not of its base64 text). */
  size: number;
}

export interface Rejected {
  rel: string;
  code: string;
  message: string;
}

export interface DbFile {
  rel: string;
  path: string;
  name: string;
  content: string;
  encoding: string;
  size: number;
  isMain: boolean;
}

export async function loadProjectFiles(db: Db, projectId: string): Promise<DbFile[]> {
  const rows = await db.select().from(files).where(eq(files.projectId, projectId));
  return rows.map((r) => ({ rel: enginePath(r.path, r.name), path: r.path, name: r.name, content: r.content, encoding: r.encoding, size: Number(r.sizeBytes), isMain: r.isMain }));
}

export async function applyChanges(
  deps: { db: Db; config: Config; languages: LanguageRegistry },
  projectId: string,
  upserts: readonly Upsert[],
  deletes: readonly string[],
): Promise<{ written: string[]; deleted: string[]; rejected: Rejected[] }> {
  const limits = deps.config.limits;
  return deps.db.transaction(async (tx) => {
    const [p] = await tx.select().from(projects).where(eq(projects.id, projectId)).for('update');
    if (!p) throw new CallerError(ErrorCodes.workspaceNotFound, 'the workspace\'s project is gone');
    const rows = await tx
      .select({ id: files.id, path: files.path, name: files.name, size: files.sizeBytes, isMain: files.isMain })
      .from(files)
      .where(eq(files.projectId, projectId));
    const byRel = new Map(rows.map((r) => [enginePath(r.path, r.name).toLowerCase(), { ...r, size: Number(r.size) }]));
    let count = rows.length;
    let total = rows.reduce((a, r) => a + Number(r.size), 0);
    const out = { written: [] as string[], deleted: [] as string[], rejected: [] as Rejected[] };
    for (const rel of deletes) {
      const row = byRel.get(rel.toLowerCase());
      if (!row) continue;
      if (row.isMain) {
        out.rejected.push({ rel, code: HttpCodes.mainFileRequired, message: `${rel} is the main file: it stays in the project (make another file the main file first)` });
        continue;
      }
      await tx.delete(files).where(eq(files.id, row.id));
      byRel.delete(rel.toLowerCase());
      count--;
      total -= row.size;
      out.deleted.push(rel);
    }
    for (const u of upserts) {
      const rel = enginePath(u.path, u.name);
      const row = byRel.get(rel.toLowerCase());
      const over = (why: string) =>
        out.rejected.push({ rel, code: ErrorCodes.workspaceOverQuota, message: `${rel}: ${why}; it is kept in the workspace but not saved to the project` });
      if (u.size > limits.fileBytes.default) {
        over(`${u.size} bytes, over the file limit of ${limits.fileBytes.default}`);
        continue;
      }
      if (!row && count + 1 > limits.jobFiles) {
        over(`the project already holds ${count} files, its limit`);
        continue;
      }
      const newTotal = total - (row?.size ?? 0) + u.size;
      if (newTotal > limits.jobBytes) {
        over(`the project would total ${newTotal} bytes, over its limit of ${limits.jobBytes}`);
        continue;
      }
      // A directory and a file of the same path, in either order: the project cannot hold both.
      const lower = rel.toLowerCase();
      const clash = [...byRel.keys()].find((k) => k !== lower && (k.startsWith(`${lower}/`) || lower.startsWith(`${k}/`)));
      if (clash) {
        out.rejected.push({ rel, code: HttpCodes.pathConflict, message: `${rel}: a file and a directory would have the same path (${clash})` });
        continue;
      }
      const language = deps.languages.byExtension(u.name)?.id ?? null;
      if (row) {
        await tx
          .update(files)
          .set({ content: u.content, encoding: u.encoding, sizeBytes: u.size, language, updatedAt: sql`now()` })
          .where(eq(files.id, row.id));
      } else {
        const [f] = await tx
          .insert(files)
          .values({ projectId, path: u.path, name: u.name, content: u.content, encoding: u.encoding, sizeBytes: u.size, language, isMain: count === 0 })
          .returning({ id: files.id });
        byRel.set(lower, { id: f!.id, path: u.path, name: u.name, size: u.size, isMain: count === 0 });
        count++;
      }
      if (row) row.size = u.size;
      total = newTotal;
      out.written.push(rel);
    }
    if (out.written.length || out.deleted.length) {
      const storageDelta = total - rows.reduce((a, r) => a + Number(r.size), 0);
      try {
        await adjustStorage(tx, deps.config, p.userId, storageDelta);
      } catch (err) {
        if (err instanceof MuscodeError) throw new CallerError(ErrorCodes.workspaceOverQuota, `the owner's storage quota: ${err.message}`, err.details);
        throw err;
      }
      await tx.update(projects).set({ updatedAt: sql`now()` }).where(eq(projects.id, projectId));
    }
    return out;
  });
}
