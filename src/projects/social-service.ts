import { and, asc, count, eq, exists, inArray, isNull, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { comments, projects, projectStars, users } from '../db/schema.js';
import { CallerError } from '../errors.js';
import type { AuthUser } from '../server/context.js';
import { HttpCodes, notFound } from '../server/http-errors.js';
import { canRead, readableProject } from './access.js';
import { type CommentJson, presentComment } from './presenter.js';
import type { CommentRow } from './types.js';

export interface Thread extends CommentJson {
  replies: CommentJson[];
}

/**
 * Stars and comments. Both need read access to the project (a private project is 404 to
 * others, as everywhere).
 *
 * Stars: the unique (user, project) row decides; star_count moves by exactly one in the same
 * transaction as the row is inserted or deleted, and only when it was, so repeated and
 * concurrent stars and unstars keep star_count equal to the number of rows.
 *
 * Comments: a tree by parent_id. Authors edit and soft-delete their own; the project owner may
 * delete any on the project. A deleted comment that has replies stays as a placeholder (no
 * content, no author) so the thread keeps its shape; one without replies disappears.
 */
export class SocialService {
  constructor(private readonly db: Db) {}

  async star(projectId: string, user: AuthUser): Promise<{ starred: true; starCount: number }> {
    return this.db.transaction(async (tx) => {
      const p = await readableProject(tx, projectId, user);
      const added = await tx.insert(projectStars).values({ userId: user.id, projectId: p.id }).onConflictDoNothing().returning({ id: projectStars.id });
      const [row] = added.length
        ? await tx.update(projects).set({ starCount: sql`${projects.starCount} + 1` }).where(eq(projects.id, p.id)).returning({ n: projects.starCount })
        : await tx.select({ n: projects.starCount }).from(projects).where(eq(projects.id, p.id));
      return { starred: true as const, starCount: row!.n };
    });
  }

  /**
   * Red-team I5: a star must be removable by whoever gave it, even once the project is private
   * (it stays 404 to everyone else, so its existence is not revealed to those who never starred it).
   */
  async unstar(projectId: string, user: AuthUser): Promise<{ starred: false; starCount: number }> {
    return this.db.transaction(async (tx) => {
      const [p] = await tx.select().from(projects).where(and(eq(projects.id, projectId), isNull(projects.deletedAt)));
      if (!p) throw notFound('project');
      if (!canRead(p, user)) {
        const [mine] = await tx
          .select({ id: projectStars.id })
          .from(projectStars)
          .where(and(eq(projectStars.userId, user.id), eq(projectStars.projectId, p.id)));
        if (!mine) throw notFound('project');
      }
      const removed = await tx
        .delete(projectStars)
        .where(and(eq(projectStars.userId, user.id), eq(projectStars.projectId, p.id)))
        .returning({ id: projectStars.id });
      const [row] = removed.length
        ? await tx.update(projects).set({ starCount: sql`greatest(0, ${projects.starCount} - 1)` }).where(eq(projects.id, p.id)).returning({ n: projects.starCount })
        : await tx.select({ n: projects.starCount }).from(projects).where(eq(projects.id, p.id));
      return { starred: false as const, starCount: row!.n };
    });
  }

  /** Top-level comments, oldest first, paginated; each with every reply of its thread. */
  async listComments(projectId: string, user: AuthUser | null, page: number, limit: number) {
    const p = await readableProject(this.db, projectId, user);
    const child = alias(comments, 'child');
    const shown = or(isNull(comments.deletedAt), exists(this.db.select({ one: sql`1` }).from(child).where(eq(child.parentId, comments.id))));
    const where = and(eq(comments.projectId, p.id), isNull(comments.parentId), shown);
    const [roots, [total]] = await Promise.all([
      this.db
        .select({ c: comments, author: users.username })
        .from(comments)
        .innerJoin(users, eq(users.id, comments.userId))
        .where(where)
        .orderBy(asc(comments.createdAt), asc(comments.id))
        .limit(limit)
        .offset((page - 1) * limit),
      this.db.select({ n: count() }).from(comments).where(where),
    ]);
    const threads: Thread[] = roots.map((r) => ({ ...presentComment(r.c, r.author), replies: [] }));
    if (roots.length) {
      const byRoot = new Map(threads.map((t) => [t.id, t]));
      for (const r of await this.replies(roots.map((x) => x.c.id))) byRoot.get(r.root)?.replies.push(r.json);
    }
    const n = Number(total?.n ?? 0);
    return { comments: threads, pagination: { total: n, page, limit, pages: Math.ceil(n / limit) } };
  }

  /** Every reply below the given roots (any depth), each with its root, oldest first; deleted ones without replies left out. */
  private async replies(rootIds: string[]): Promise<{ root: string; json: CommentJson }[]> {
    const ids = sql.join(
      rootIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    // Both drivers (node-postgres, PGlite) answer raw SQL with `{ rows }`.
    const tree = (await this.db.execute(sql`
      with recursive t(id, root) as (
        select id, id from ${comments} where id in (${ids})
        union all
        select c.id, t.root from ${comments} c join t on c.parent_id = t.id
      )
      select id::text as id, root::text as root from t where id <> root`)) as unknown as { rows: { id: string; root: string }[] };
    const rootOf = new Map(tree.rows.map((r) => [String(r.id), String(r.root)]));
    if (rootOf.size === 0) return [];
    const rows = await this.db
      .select({ c: comments, author: users.username })
      .from(comments)
      .innerJoin(users, eq(users.id, comments.userId))
      .where(inArray(comments.id, [...rootOf.keys()]))
      .orderBy(asc(comments.createdAt), asc(comments.id));
    // As for roots: a deleted reply stays (as a placeholder) while it has replies of its own.
    const parents = new Set(rows.map((r) => r.c.parentId));
    const keep = new Set(rows.filter((r) => r.c.deletedAt === null || parents.has(r.c.id)).map((r) => r.c.id));
    return rows.filter((r) => keep.has(r.c.id)).map((r) => ({ root: rootOf.get(r.c.id)!, json: presentComment(r.c, r.author) }));
  }

  async addComment(projectId: string, user: AuthUser, input: { content: string; parentId?: string | null }): Promise<CommentJson> {
    const p = await readableProject(this.db, projectId, user);
    if (input.parentId) await this.liveComment(p.id, input.parentId);
    const [row] = await this.db.insert(comments).values({ projectId: p.id, userId: user.id, parentId: input.parentId ?? null, content: input.content }).returning();
    return presentComment(row!, user.username);
  }

  async editComment(projectId: string, commentId: string, user: AuthUser, content: string): Promise<CommentJson> {
    const p = await readableProject(this.db, projectId, user);
    const c = await this.liveComment(p.id, commentId);
    if (c.userId !== user.id) throw new CallerError(HttpCodes.forbidden, 'only its author may edit a comment');
    const [row] = await this.db.update(comments).set({ content, updatedAt: sql`now()` }).where(eq(comments.id, c.id)).returning();
    return presentComment(row!, user.username);
  }

  async deleteComment(projectId: string, commentId: string, user: AuthUser): Promise<{ id: string; deleted: true }> {
    const p = await readableProject(this.db, projectId, user);
    const c = await this.liveComment(p.id, commentId);
    if (c.userId !== user.id && p.userId !== user.id) throw new CallerError(HttpCodes.forbidden, "only its author or the project's owner may delete a comment");
    await this.db.update(comments).set({ deletedAt: sql`now()` }).where(eq(comments.id, c.id));
    return { id: c.id, deleted: true };
  }

  /** A comment of this project that is not deleted, else 404. */
  private async liveComment(projectId: string, id: string): Promise<CommentRow> {
    const [c] = await this.db
      .select()
      .from(comments)
      .where(and(eq(comments.id, id), eq(comments.projectId, projectId), isNull(comments.deletedAt)));
    if (!c) throw notFound('comment');
    return c;
  }
}
