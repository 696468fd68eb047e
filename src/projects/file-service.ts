import { and, asc, eq, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { files, projects } from '../db/schema.js';
import type { LanguageRegistry } from '../engine/languages/registry.js';
import { CallerError, ErrorCodes } from '../errors.js';
import type { AuthUser } from '../server/context.js';
import { HttpCodes, notFound } from '../server/http-errors.js';
import { checkProjectLimits, ownedProject, readableProject } from './access.js';
import { clashOf, enginePath, fileLocation } from './paths.js';
import { type FileJson, type FileMetaJson, presentFile, presentFileMeta } from './presenter.js';
import { adjustStorage } from './storage.js';
import type { FileRow, ProjectRow, Tx } from './types.js';

export interface FileInput {
  name: string;
  path?: string;
  content?: string;
  isMain?: boolean;
}

export interface FileChange {
  name?: string;
  path?: string;
  content?: string;
  isMain?: boolean;
}

/** The columns of every file but the content: what the checks need, without reading megabytes. */
const META = {
  id: files.id,
  projectId: files.projectId,
  name: files.name,
  path: files.path,
  sizeBytes: files.sizeBytes,
  language: files.language,
  isMain: files.isMain,
  encoding: files.encoding,
  createdAt: files.createdAt,
  updatedAt: files.updatedAt,
};
type FileMeta = Omit<FileRow, 'content'>;

/**
 * A project's files. Every write runs in one transaction that first locks the project row, so
 * writes to one project are serialised: the limits (file count, total bytes), the path rules
 * (no duplicate, no file that is also a directory) and the single main file are checked against
 * what is really there, and the owner's storage counter moves with the bytes.
 */
export class FileService {
  constructor(
    private readonly deps: { db: Db; config: Config; languages: LanguageRegistry },
  ) {}

  async list(projectId: string, user: AuthUser | null): Promise<FileMetaJson[]> {
    const p = await readableProject(this.deps.db, projectId, user);
    const rows = await this.deps.db.select(META).from(files).where(eq(files.projectId, p.id)).orderBy(asc(files.path), asc(files.name));
    return rows.map(presentFileMeta);
  }

  async get(projectId: string, fileId: string, user: AuthUser | null): Promise<FileJson> {
    const p = await readableProject(this.deps.db, projectId, user);
    const [row] = await this.deps.db.select().from(files).where(and(eq(files.id, fileId), eq(files.projectId, p.id)));
    if (!row) throw notFound('file');
    return presentFile(row);
  }

  async create(projectId: string, user: AuthUser, input: FileInput): Promise<FileJson> {
    const loc = fileLocation(input.path, input.name);
    const content = input.content ?? '';
    const size = this.checkContent(content);
    const row = await this.writing(() => this.deps.db.transaction(async (tx) => {
      const p = await ownedProject(tx, projectId, user, true);
      const others = await this.metas(tx, p.id);
      this.checkPlace(loc.enginePath, others);
      this.checkTotals(others, size, true);
      await adjustStorage(tx, this.deps.config, p.userId, size);
      if (input.isMain) await tx.update(files).set({ isMain: false }).where(and(eq(files.projectId, p.id), eq(files.isMain, true)));
      const [f] = await tx
        .insert(files)
        .values({ projectId: p.id, name: loc.name, path: loc.path, content, sizeBytes: size, language: this.languageOf(loc.name), isMain: input.isMain ?? false })
        .returning();
      await this.touch(tx, p);
      return f!;
    }));
    return presentFile(row);
  }

  /** Rename, move, new content, or make it the main file; any combination, atomically. */
  async update(projectId: string, fileId: string, user: AuthUser, change: FileChange): Promise<FileJson> {
    const newSize = change.content === undefined ? null : this.checkContent(change.content);
    const row = await this.writing(() => this.deps.db.transaction(async (tx) => {
      const p = await ownedProject(tx, projectId, user, true);
      const all = await this.metas(tx, p.id);
      const current = all.find((f) => f.id === fileId);
      if (!current) throw notFound('file');
      const others = all.filter((f) => f.id !== fileId);
      const loc = fileLocation(change.path ?? current.path, change.name ?? current.name);
      this.checkPlace(loc.enginePath, others);
      if (change.isMain === false && current.isMain) {
        throw new CallerError(HttpCodes.mainFileRequired, 'a project needs a main file: make another file the main file instead');
      }
      const delta = newSize === null ? 0 : newSize - Number(current.sizeBytes);
      if (newSize !== null) this.checkTotals(others, newSize, false);
      await adjustStorage(tx, this.deps.config, p.userId, delta);
      if (change.isMain && !current.isMain) await tx.update(files).set({ isMain: false }).where(and(eq(files.projectId, p.id), eq(files.isMain, true)));
      const [f] = await tx
        .update(files)
        .set({
          name: loc.name,
          path: loc.path,
          language: this.languageOf(loc.name),
          ...(change.content !== undefined && { content: change.content, sizeBytes: newSize! }),
          ...(change.isMain && { isMain: true }),
          updatedAt: sql`now()`,
        })
        .where(eq(files.id, fileId))
        .returning();
      await this.touch(tx, p);
      return f!;
    }));
    return presentFile(row);
  }

  async remove(projectId: string, fileId: string, user: AuthUser): Promise<{ id: string; deleted: true }> {
    await this.deps.db.transaction(async (tx) => {
      const p = await ownedProject(tx, projectId, user, true);
      const [f] = await tx.select(META).from(files).where(and(eq(files.id, fileId), eq(files.projectId, p.id)));
      if (!f) throw notFound('file');
      if (f.isMain) throw new CallerError(HttpCodes.mainFileRequired, 'the main file cannot be deleted: make another file the main file first');
      await tx.delete(files).where(eq(files.id, f.id));
      await adjustStorage(tx, this.deps.config, p.userId, -Number(f.sizeBytes));
      await this.touch(tx, p);
    });
    return { id: fileId, deleted: true };
  }

  /**
   * The unique indexes are the last word on duplicates: should PostgreSQL's lower() and
   * JavaScript's toLowerCase() ever disagree (some non-ASCII letters), the index refuses what
   * the check above let through, and the caller still gets FILE_EXISTS, not a 500.
   */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
        const { code, constraint } = e as { code?: unknown; constraint?: unknown };
        if (code === '23505' && (constraint === 'files_project_path_name_ci' || constraint === 'unique_file_path')) {
          throw new CallerError(HttpCodes.fileExists, 'a file with this path and name exists (names are compared case-insensitively)');
        }
      }
      throw err;
    }
  }

  private metas(tx: Tx, projectId: string): Promise<FileMeta[]> {
    return tx.select(META).from(files).where(eq(files.projectId, projectId));
  }

  /** Bytes of the content; refuses what PostgreSQL text cannot hold and what the engine would refuse. */
  private checkContent(content: string): number {
    if (content.includes('\0')) throw new CallerError(ErrorCodes.invalidFile, 'file content contains a NUL byte (project files are text)');
    const size = Buffer.byteLength(content, 'utf8');
    const max = this.deps.config.limits.fileBytes.default;
    if (size > max) throw new CallerError(HttpCodes.fileTooLarge, `the file is ${size} bytes, over the limit of ${max}`, { max, size });
    return size;
  }

  private checkPlace(candidate: string, others: readonly FileMeta[]): void {
    const clash = clashOf(
      candidate,
      others.map((f) => enginePath(f.path, f.name)),
    );
    if (!clash) return;
    const why = clash.code === HttpCodes.fileExists ? 'a file with this path and name exists (names are compared case-insensitively)' : 'a file and a directory would have the same path';
    throw new CallerError(clash.code, `${candidate}: ${why} (${clash.with})`, { path: candidate, conflictsWith: clash.with });
  }

  /** The project's limits once `size` bytes sit next to `others`; a new file also counts towards the file limit. */
  private checkTotals(others: readonly FileMeta[], size: number, newFile: boolean): void {
    const sizes = others.map((f) => Number(f.sizeBytes));
    checkProjectLimits(
      { count: newFile ? others.length + 1 : 0, totalBytes: sizes.reduce((a, b) => a + b, 0) + size, largestBytes: size },
      this.deps.config.limits,
    );
  }

  private languageOf(name: string): string | null {
    return this.deps.languages.byExtension(name)?.id ?? null;
  }

  /** A file change is a change of the project: it moves to the top of sort=updatedAt. */
  private async touch(tx: Tx, p: ProjectRow): Promise<void> {
    await tx.update(projects).set({ updatedAt: sql`now()` }).where(eq(projects.id, p.id));
  }
}
