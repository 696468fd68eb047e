import { and, asc, count, desc, eq, gt, ilike, inArray, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { audit } from '../audit/audit.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { executions, files, projects, projectStars, users } from '../db/schema.js';
import type { LanguageRegistry } from '../engine/languages/registry.js';
import { CallerError, ErrorCodes } from '../errors.js';
import type { ExecutionRow, ExecutionService } from '../executions/service.js';
import type { AuthUser } from '../server/context.js';
import { HttpCodes, notFound } from '../server/http-errors.js';
import { checkProjectLimits, fileFacts, ownedProject, readableProject } from './access.js';
import { fileLocation } from './paths.js';
import { type ProjectDetail, type ProjectListRow, type ProjectSummary, presentFile, presentProject } from './presenter.js';
import { starterFile } from './starters.js';
import { adjustStorage } from './storage.js';
import { type ProjectRow, RESTORE_WINDOW_DAYS, type RequestMeta, type Tx, type Visibility } from './types.js';

export const ProjectAuditActions = {
  create: 'project_create',
  delete: 'project_delete',
  restore: 'project_restore',
  visibility: 'project_visibility',
  fork: 'project_fork',
} as const;

export const SORTS = ['updatedAt', 'createdAt', 'name', 'stars'] as const;
export const SCOPES = ['mine', 'public', 'templates', 'deleted'] as const;

export interface ListQuery {
  scope?: (typeof SCOPES)[number];
  q?: string;
  language?: string;
  page: number;
  limit: number;
  sort: (typeof SORTS)[number];
  order?: 'asc' | 'desc';
}

export interface ProjectFields {
  name: string;
  description?: string | null;
  language: string;
  visibility?: Visibility;
  isTemplate?: boolean;
}

export interface CreateInput extends Omit<ProjectFields, 'language'> {
  language?: string;
  fromTemplate?: string;
}

export interface RunInput {
  stdin?: string;
  args?: string[];
  timeout?: number;
  memoryLimit?: number;
  outputFiles?: string[];
  timeline?: boolean;
  /** Interactive run (docs/api.md "Interactive runs"). */
  interactive?: boolean;
  tty?: boolean;
  ttySize?: { cols: number; rows: number };
}

export interface ProjectServiceDeps {
  db: Db;
  config: Config;
  executions: ExecutionService;
}

const restoreCutoff = sql`now() - make_interval(days => ${RESTORE_WINDOW_DAYS})`;

/**
 * Projects: create (with a starter main file, or a template's files), read (counting views by
 * others), list, replace/patch their own fields, soft delete and restore, fork, run. Files change
 * only through FileService. Every write that changes stored bytes moves the owner's storage
 * counter in the same transaction (src/projects/storage.ts).
 */
export class ProjectService {
  readonly languages: LanguageRegistry;

  constructor(private readonly deps: ProjectServiceDeps) {
    this.languages = deps.executions.languages;
  }

  private get db(): Db {
    return this.deps.db;
  }

  /** A language id of the engine's registry (aliases accepted); UNKNOWN_LANGUAGE otherwise. */
  languageId(name: string): string {
    return this.languages.get(name).id;
  }

  async create(user: AuthUser, input: CreateInput, meta: RequestMeta = {}): Promise<ProjectDetail> {
    const id = await this.db.transaction(async (tx) => {
      let language: string;
      let template: ProjectRow | null = null;
      if (input.fromTemplate) {
        template = await readableProject(tx, input.fromTemplate, user);
        if (!template.isTemplate) throw new CallerError(HttpCodes.notATemplate, 'fromTemplate names a project that is not a template', { fromTemplate: template.id });
        language = input.language ? this.languageId(input.language) : template.language;
      } else {
        if (!input.language) throw new CallerError(HttpCodes.validation, 'language is required (or fromTemplate)');
        language = this.languageId(input.language);
      }
      const [p] = await tx
        .insert(projects)
        .values({
          userId: user.id,
          name: input.name,
          description: input.description ?? null,
          language,
          visibility: input.visibility ?? 'private',
          isTemplate: input.isTemplate ?? false,
        })
        .returning();
      if (template) {
        await this.copyFiles(tx, template.id, p!.id, user.id);
      } else {
        const starter = starterFile(this.languages.get(language));
        const slash = starter.name.lastIndexOf('/');
        const loc = fileLocation(slash < 0 ? '/' : starter.name.slice(0, slash), starter.name.slice(slash + 1));
        const size = Buffer.byteLength(starter.content);
        await adjustStorage(tx, this.deps.config, user.id, size);
        await tx.insert(files).values({ projectId: p!.id, name: loc.name, path: loc.path, content: starter.content, sizeBytes: size, language, isMain: true });
      }
      await audit(tx, {
        userId: user.id,
        action: ProjectAuditActions.create,
        resourceType: 'project',
        resourceId: p!.id,
        ...meta,
        metadata: { language, visibility: p!.visibility, fromTemplate: template?.id ?? null },
      });
      return p!.id;
    });
    return this.detail(id, user, false);
  }

  /** Copies every file of `from` into `to` in one statement, within the limits and the owner's quota. */
  private async copyFiles(tx: Tx, from: string, to: string, ownerId: string): Promise<void> {
    const facts = await fileFacts(tx, from);
    checkProjectLimits(facts, this.deps.config.limits);
    await adjustStorage(tx, this.deps.config, ownerId, facts.totalBytes);
    await tx.execute(
      sql`insert into ${files} (project_id, name, path, content, size_bytes, language, is_main)
          select ${to}, name, path, content, size_bytes, language, is_main from ${files} where project_id = ${from}`,
    );
  }

  /** GET /projects/{id}: the project and its files; a read by anyone but the owner counts as a view. */
  async get(id: string, user: AuthUser | null): Promise<ProjectDetail> {
    const p = await readableProject(this.db, id, user);
    return this.detail(p.id, user, p.userId !== user?.id);
  }

  private async detail(id: string, user: AuthUser | null, countView: boolean): Promise<ProjectDetail> {
    if (countView) await this.db.update(projects).set({ viewCount: sql`${projects.viewCount} + 1` }).where(eq(projects.id, id));
    const [row] = await this.listSelect(user).where(eq(projects.id, id));
    if (!row) throw notFound('project');
    const rows = await this.db.select().from(files).where(eq(files.projectId, id)).orderBy(asc(files.path), asc(files.name));
    const list = rows.map(presentFile);
    return { ...presentProject(row), files: list, mainFileId: rows.find((f) => f.isMain)?.id ?? null };
  }

  /** Summaries with the owner's name, the file count and whether the caller starred each. */
  private listSelect(user: AuthUser | null) {
    const fileCount = sql<number>`(select count(*) from ${files} where ${files.projectId} = ${projects.id})`.mapWith(Number);
    const starred = user
      ? sql<boolean>`exists (select 1 from ${projectStars} where ${projectStars.projectId} = ${projects.id} and ${projectStars.userId} = ${user.id})`
      : sql<boolean>`false`;
    return this.db
      .select({ project: projects, ownerName: users.username, fileCount, starred })
      .from(projects)
      .innerJoin(users, eq(users.id, projects.userId))
      .$dynamic();
  }

  async list(user: AuthUser | null, query: ListQuery): Promise<{ projects: ProjectSummary[]; pagination: { total: number; page: number; limit: number; pages: number } }> {
    const scope = query.scope ?? (user ? 'mine' : 'public');
    const where: SQL[] = [];
    if ((scope === 'mine' || scope === 'deleted') && !user) throw new CallerError(HttpCodes.unauthorized, `scope=${scope} needs a signed-in user`);
    if (scope === 'deleted') where.push(eq(projects.userId, user!.id), isNotNull(projects.deletedAt), gt(projects.deletedAt, restoreCutoff));
    else where.push(isNull(projects.deletedAt));
    if (scope === 'mine') where.push(eq(projects.userId, user!.id));
    if (scope === 'public') where.push(eq(projects.visibility, 'public'));
    if (scope === 'templates') {
      where.push(eq(projects.isTemplate, true));
      where.push(user ? or(eq(projects.visibility, 'public'), eq(projects.userId, user.id))! : eq(projects.visibility, 'public'));
    }
    if (query.language) where.push(eq(projects.language, this.languageId(query.language)));
    if (query.q) {
      // A literal substring: LIKE's wildcards in the query are escaped.
      const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(or(ilike(projects.name, pattern), ilike(projects.description, pattern))!);
    }
    const cond = and(...where);
    const order = query.order ?? (query.sort === 'name' ? 'asc' : 'desc');
    const dir = order === 'asc' ? asc : desc;
    const key = { updatedAt: projects.updatedAt, createdAt: projects.createdAt, name: sql`lower(${projects.name})`, stars: projects.starCount }[query.sort];
    const [rows, [total]] = await Promise.all([
      this.listSelect(user)
        .where(cond)
        .orderBy(dir(key), dir(projects.id))
        .limit(query.limit)
        .offset((query.page - 1) * query.limit),
      this.db.select({ n: count() }).from(projects).where(cond),
    ]);
    const n = Number(total?.n ?? 0);
    return {
      projects: rows.map((r: ProjectListRow) => presentProject(r)),
      pagination: { total: n, page: query.page, limit: query.limit, pages: Math.ceil(n / query.limit) },
    };
  }

  /** PUT (all fields, `replace`) and PATCH (some). Visibility changes are audited. */
  async update(id: string, user: AuthUser, patch: Partial<ProjectFields>, replace: boolean, meta: RequestMeta = {}): Promise<ProjectDetail> {
    await this.db.transaction(async (tx) => {
      const p = await ownedProject(tx, id, user, true);
      const set: Partial<ProjectRow> = replace
        ? { name: patch.name!, description: patch.description ?? null, language: this.languageId(patch.language!), visibility: patch.visibility ?? 'private', isTemplate: patch.isTemplate ?? false }
        : {
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.description !== undefined && { description: patch.description }),
            ...(patch.language !== undefined && { language: this.languageId(patch.language) }),
            ...(patch.visibility !== undefined && { visibility: patch.visibility }),
            ...(patch.isTemplate !== undefined && { isTemplate: patch.isTemplate }),
          };
      await tx.update(projects).set({ ...set, updatedAt: sql`now()` }).where(eq(projects.id, p.id));
      if (set.visibility !== undefined && set.visibility !== p.visibility) {
        await audit(tx, {
          userId: user.id,
          action: ProjectAuditActions.visibility,
          resourceType: 'project',
          resourceId: p.id,
          ...meta,
          metadata: { from: p.visibility, to: set.visibility },
        });
      }
    });
    return this.detail(id, user, false);
  }

  /** Soft delete: hidden everywhere, its bytes no longer count against the quota; restorable for 30 days. */
  async remove(id: string, user: AuthUser, meta: RequestMeta = {}): Promise<{ id: string; deletedAt: string; restorableUntil: string }> {
    return this.db.transaction(async (tx) => {
      const p = await ownedProject(tx, id, user, true);
      const [row] = await tx.update(projects).set({ deletedAt: sql`now()` }).where(eq(projects.id, p.id)).returning();
      const facts = await fileFacts(tx, p.id);
      await adjustStorage(tx, this.deps.config, user.id, -facts.totalBytes);
      await audit(tx, { userId: user.id, action: ProjectAuditActions.delete, resourceType: 'project', resourceId: p.id, ...meta });
      // Projects past the restore window are gone for good: purged here, where the owner deletes.
      // Their runs stay (they are the runners' history), unlinked as the seed's ON DELETE SET NULL.
      const expired = and(eq(projects.userId, user.id), lt(projects.deletedAt, restoreCutoff));
      await tx
        .update(executions)
        .set({ projectId: null })
        .where(inArray(executions.projectId, tx.select({ id: projects.id }).from(projects).where(expired)));
      await tx.delete(projects).where(expired);
      const deletedAt = row!.deletedAt!;
      const until = new Date(deletedAt.getTime() + RESTORE_WINDOW_DAYS * 86_400_000);
      return { id: p.id, deletedAt: deletedAt.toISOString(), restorableUntil: until.toISOString() };
    });
  }

  /** Undoes a soft delete within 30 days (the owner only; anyone else, or later, gets 404). Idempotent. */
  async restore(id: string, user: AuthUser, meta: RequestMeta = {}): Promise<ProjectDetail> {
    await this.db.transaction(async (tx) => {
      const [p] = await tx.select().from(projects).where(and(eq(projects.id, id), eq(projects.userId, user.id))).for('update');
      if (!p || (p.deletedAt !== null && p.deletedAt.getTime() < Date.now() - RESTORE_WINDOW_DAYS * 86_400_000)) throw notFound('project');
      if (p.deletedAt === null) return;
      const facts = await fileFacts(tx, p.id);
      await adjustStorage(tx, this.deps.config, user.id, facts.totalBytes);
      await tx.update(projects).set({ deletedAt: null, updatedAt: sql`now()` }).where(eq(projects.id, p.id));
      await audit(tx, { userId: user.id, action: ProjectAuditActions.restore, resourceType: 'project', resourceId: p.id, ...meta });
    });
    return this.detail(id, user, false);
  }

  /** A private copy (by default) of a readable project and its files, owned by the caller. */
  async fork(id: string, user: AuthUser, input: { name?: string; description?: string | null; visibility?: Visibility }, meta: RequestMeta = {}): Promise<ProjectDetail> {
    const forkId = await this.db.transaction(async (tx) => {
      const src = await readableProject(tx, id, user);
      const [p] = await tx
        .insert(projects)
        .values({
          userId: user.id,
          name: input.name ?? src.name,
          description: input.description !== undefined ? input.description : src.description,
          language: src.language,
          visibility: input.visibility ?? 'private',
          forkFrom: src.id,
        })
        .returning();
      await this.copyFiles(tx, src.id, p!.id, user.id);
      await audit(tx, { userId: user.id, action: ProjectAuditActions.fork, resourceType: 'project', resourceId: p!.id, ...meta, metadata: { from: src.id } });
      return p!.id;
    });
    return this.detail(forkId, user, false);
  }

  /**
   * Runs the project's files as one program: same validation, queue, result and events as
   * POST /execute/batch, with the execution row linked to the project. Anyone who may read the
   * project may run it (without an account only when ANONYMOUS_EXECUTE is on).
   */
  async run(id: string, user: AuthUser | null, input: RunInput): Promise<ExecutionRow> {
    // As every route that needs an account: said before the project is looked at (leaks nothing).
    if (!user && !this.deps.config.ANONYMOUS_EXECUTE) throw new CallerError(HttpCodes.unauthorized, 'sign in to run code (anonymous runs are off)');
    const p = await readableProject(this.db, id, user);
    const rows = await this.db.select().from(files).where(eq(files.projectId, p.id)).orderBy(asc(files.path), asc(files.name));
    checkProjectLimits(
      { count: rows.length, totalBytes: rows.reduce((s, f) => s + Number(f.sizeBytes), 0), largestBytes: Math.max(0, ...rows.map((f) => Number(f.sizeBytes))) },
      this.deps.config.limits,
    );
    const main = rows.find((f) => f.isMain);
    if (!main) throw new CallerError(ErrorCodes.mainFileMissing, 'the project has no main file');
    const path = (f: (typeof rows)[number]) => (f.path === '/' ? f.name : `${f.path.slice(1)}/${f.name}`);
    return this.deps.executions.create(user, {
      language: p.language,
      files: rows.map((f) => ({ name: path(f), content: f.content })),
      mainFile: path(main),
      stdin: input.stdin,
      args: input.args,
      timeout: input.timeout,
      memoryLimit: input.memoryLimit,
      outputFiles: input.outputFiles,
      timeline: input.timeline,
      interactive: input.interactive,
      tty: input.tty,
      ttySize: input.ttySize,
      projectId: p.id,
    });
  }
}

