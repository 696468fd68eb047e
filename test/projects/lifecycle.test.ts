import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { auditLogs, projects } from '../../src/db/schema.js';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { addFile, createProject, expectError, type FileJson, type ProjectJson, runProject } from './helpers.js';

/**
 * A project's life: listing (pagination, search, filters, sorting), PUT vs PATCH, soft delete
 * and restore (and the 30-day window), forks that are independent copies, templates, view
 * counts, and the audit rows these write.
 */

interface ListJson {
  projects: (ProjectJson & { deletedAt: string | null })[];
  pagination: { total: number; page: number; limit: number; pages: number };
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`project lifecycle (${mode})`, () => {
    let server: TestServer;
    let db: Db;
    let alice: Awaited<ReturnType<typeof registerUser>>;
    let bob: Awaited<ReturnType<typeof registerUser>>;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      db = server.platform.ctx.database.db;
      alice = await registerUser(server);
      bob = await registerUser(server);
    });
    afterAll(async () => server?.stop());

    const list = async (query: string, token?: string) => {
      const res = await api<{ data: ListJson }>(server, 'GET', `/api/v1/projects?${query}`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data;
    };

    it('paginates, searches, filters and sorts', async () => {
      const u = await registerUser(server);
      const names = ['Delta sort', 'alpha sort', 'Charlie sort', 'bravo sort', 'echo 100%_sort'];
      const made: ProjectJson[] = [];
      for (const [i, name] of names.entries()) {
        made.push(await createProject(server, u.token, { name, language: i % 2 ? 'java' : 'python', description: i === 1 ? 'the FIRST letter' : null }));
        await new Promise((r) => setTimeout(r, 5));
      }
      // Newest update first by default; updatedAt moves when a project changes.
      await api(server, 'PATCH', `/api/v1/projects/${made[0]!.id}`, { token: u.token, body: { description: 'touched' } });
      expect((await list('', u.token)).projects.map((p) => p.name)).toEqual(['Delta sort', 'echo 100%_sort', 'bravo sort', 'Charlie sort', 'alpha sort']);
      expect((await list('sort=createdAt', u.token)).projects.map((p) => p.name)).toEqual([...names].reverse());
      expect((await list('sort=createdAt&order=asc', u.token)).projects.map((p) => p.name)).toEqual(names);
      // Names sort case-insensitively, ascending by default.
      expect((await list('sort=name', u.token)).projects.map((p) => p.name)).toEqual(['alpha sort', 'bravo sort', 'Charlie sort', 'Delta sort', 'echo 100%_sort']);
      expect((await list('sort=name&order=desc', u.token)).projects[0]!.name).toBe('echo 100%_sort');

      const page1 = await list('sort=name&limit=2&page=1', u.token);
      const page3 = await list('sort=name&limit=2&page=3', u.token);
      expect(page1.pagination).toEqual({ total: 5, page: 1, limit: 2, pages: 3 });
      expect(page1.projects.map((p) => p.name)).toEqual(['alpha sort', 'bravo sort']);
      expect(page3.projects.map((p) => p.name)).toEqual(['echo 100%_sort']);
      expect((await list('sort=name&limit=2&page=4', u.token)).projects).toEqual([]);

      // Search: name or description, case-insensitive; LIKE wildcards are literal.
      expect((await list('q=CHARLIE', u.token)).projects.map((p) => p.name)).toEqual(['Charlie sort']);
      expect((await list('q=first%20letter', u.token)).projects.map((p) => p.name)).toEqual(['alpha sort']);
      expect((await list('q=100%25_', u.token)).projects.map((p) => p.name)).toEqual(['echo 100%_sort']);
      expect((await list('q=%25', u.token)).projects.map((p) => p.name)).toEqual(['echo 100%_sort']);
      expect((await list('q=_', u.token)).projects.map((p) => p.name)).toEqual(['echo 100%_sort']);
      expect((await list('language=java&sort=name', u.token)).projects.map((p) => p.name)).toEqual(['alpha sort', 'bravo sort']);
      expect((await list('language=jdk', u.token)).pagination.total).toBe(2);
      expectError(await api(server, 'GET', '/api/v1/projects?language=intercal', { token: u.token }), 400, 'UNKNOWN_LANGUAGE');
      expectError(await api(server, 'GET', '/api/v1/projects?sort=size', { token: u.token }), 400, 'VALIDATION_ERROR');
      expectError(await api(server, 'GET', '/api/v1/projects?limit=101', { token: u.token }), 400, 'VALIDATION_ERROR');

      // Stars order public projects; fileCount and starred are per row.
      const pubs = await Promise.all([0, 1, 2].map((i) => createProject(server, u.token, { name: `starsort-${i}`, visibility: 'public' })));
      await api(server, 'POST', `/api/v1/projects/${pubs[1]!.id}/star`, { token: alice.token });
      await api(server, 'POST', `/api/v1/projects/${pubs[1]!.id}/star`, { token: bob.token });
      await api(server, 'POST', `/api/v1/projects/${pubs[2]!.id}/star`, { token: alice.token });
      const byStars = await list('scope=public&q=starsort-&sort=stars', alice.token);
      expect(byStars.projects.map((p) => [p.name, p.starCount, p.starred, p.fileCount])).toEqual([
        ['starsort-1', 2, true, 1],
        ['starsort-2', 1, true, 1],
        ['starsort-0', 0, false, 1],
      ]);
    });

    it('PUT replaces the own fields, PATCH changes some; files are untouched; visibility changes are audited', async () => {
      const p = await createProject(server, alice.token, { name: 'put', description: 'd', isTemplate: true });
      const put = await api<{ data: ProjectJson }>(server, 'PUT', `/api/v1/projects/${p.id}`, { token: alice.token, body: { name: 'put2', language: 'go', visibility: 'unlisted' } });
      expect(put.body.data).toMatchObject({ name: 'put2', description: null, language: 'go', visibility: 'unlisted', isTemplate: false });
      expect(put.body.data.files.map((f) => f.name)).toEqual(['main.py']);
      expectError(await api(server, 'PUT', `/api/v1/projects/${p.id}`, { token: alice.token, body: { name: 'x' } }), 400, 'VALIDATION_ERROR');
      expectError(await api(server, 'PUT', `/api/v1/projects/${p.id}`, { token: alice.token, body: { name: 'x', language: 'go', visibility: 'public', files: [] } }), 400, 'VALIDATION_ERROR');
      const patched = await api<{ data: ProjectJson }>(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: alice.token, body: { visibility: 'public' } });
      expect(patched.body.data).toMatchObject({ name: 'put2', language: 'go', visibility: 'public' });
      expectError(await api(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: alice.token, body: {} }), 400, 'VALIDATION_ERROR');
      expectError(await api(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: alice.token, body: { language: 'intercal' } }), 400, 'UNKNOWN_LANGUAGE');
      const rows = await db.select().from(auditLogs).where(and(eq(auditLogs.resourceId, p.id), eq(auditLogs.action, 'project_visibility'))).orderBy(auditLogs.createdAt);
      expect(rows.map((r) => r.metadata)).toEqual([
        { from: 'private', to: 'unlisted' },
        { from: 'unlisted', to: 'public' },
      ]);
      expect(rows.every((r) => r.userId === alice.userId)).toBe(true);
    });

    it('soft-deletes: hidden everywhere, restorable by the owner for 30 days', async () => {
      const p = await createProject(server, alice.token, { name: 'doomed', visibility: 'public' });
      await api(server, 'POST', `/api/v1/projects/${p.id}/star`, { token: bob.token });
      const del = await api<{ data: { deletedAt: string; restorableUntil: string } }>(server, 'DELETE', `/api/v1/projects/${p.id}`, { token: alice.token });
      expect(del.status).toBe(200);
      expect(Date.parse(del.body.data.restorableUntil) - Date.parse(del.body.data.deletedAt)).toBe(30 * 86_400_000);
      for (const token of [alice.token, bob.token, undefined]) {
        expectError(await api(server, 'GET', `/api/v1/projects/${p.id}`, { token }), 404, 'NOT_FOUND');
        expectError(await api(server, 'GET', `/api/v1/projects/${p.id}/files`, { token }), 404, 'NOT_FOUND');
        expect((await list('scope=public&q=doomed', token)).projects).toEqual([]);
      }
      expect((await list('q=doomed', alice.token)).projects).toEqual([]);
      expectError(await api(server, 'DELETE', `/api/v1/projects/${p.id}`, { token: alice.token }), 404, 'NOT_FOUND');
      expectError(await api(server, 'POST', `/api/v1/projects/${p.id}/run`, { token: alice.token, body: {} }), 404, 'NOT_FOUND');
      // The owner sees it in scope=deleted; nobody else can restore it.
      expect((await list('scope=deleted', alice.token)).projects.map((x) => [x.id, x.deletedAt !== null])).toEqual([[p.id, true]]);
      expect((await list('scope=deleted', bob.token)).projects).toEqual([]);
      expectError(await api(server, 'POST', `/api/v1/projects/${p.id}/restore`, { token: bob.token }), 404, 'NOT_FOUND');
      const restored = await api<{ data: ProjectJson }>(server, 'POST', `/api/v1/projects/${p.id}/restore`, { token: alice.token });
      expect(restored.body.data).toMatchObject({ id: p.id, visibility: 'public', starCount: 1 });
      expect((await api(server, 'GET', `/api/v1/projects/${p.id}`, { token: bob.token })).status).toBe(200);
      // Restoring a live project is a no-op.
      expect((await api(server, 'POST', `/api/v1/projects/${p.id}/restore`, { token: alice.token })).status).toBe(200);

      // Past 30 days it is gone: not restorable, and purged at the owner's next delete; its runs
      // stay, unlinked.
      const ran = await runProject(server, alice.token, p.id);
      expect(ran.projectId).toBe(p.id);
      await api(server, 'DELETE', `/api/v1/projects/${p.id}`, { token: alice.token });
      await db.update(projects).set({ deletedAt: sql`now() - interval '31 days'` }).where(eq(projects.id, p.id));
      expectError(await api(server, 'POST', `/api/v1/projects/${p.id}/restore`, { token: alice.token }), 404, 'NOT_FOUND');
      expect((await list('scope=deleted', alice.token)).projects.map((x) => x.id)).not.toContain(p.id);
      const other = await createProject(server, alice.token, { name: 'trigger' });
      await api(server, 'DELETE', `/api/v1/projects/${other.id}`, { token: alice.token });
      expect(await db.select().from(projects).where(eq(projects.id, p.id))).toEqual([]);
      const kept = await api<{ data: { projectId: string | null; output: string } }>(server, 'GET', `/api/v1/execute/${ran.executionId}`, { token: alice.token });
      expect(kept.body.data).toMatchObject({ projectId: null, output: 'Hello from MUSCode!\n' });

      const actions = (await db.select().from(auditLogs).where(eq(auditLogs.resourceId, p.id))).map((r) => r.action).sort();
      expect(actions).toEqual(['project_create', 'project_delete', 'project_delete', 'project_restore']);
    });

    it('forks are independent copies with fork_from set', async () => {
      const src = await createProject(server, alice.token, { name: 'original', description: 'orig', visibility: 'public' });
      const helper = await addFile(server, alice.token, src.id, { name: 'helper.py', path: '/lib', content: 'A = 1\n' });
      const fork = await api<{ data: ProjectJson }>(server, 'POST', `/api/v1/projects/${src.id}/fork`, { token: bob.token });
      expect(fork.status).toBe(201);
      const f = fork.body.data;
      expect(f).toMatchObject({ name: 'original', description: 'orig', language: 'python', visibility: 'private', forkFrom: src.id, owner: { id: bob.userId }, starCount: 0 });
      expect(f.files.map((x) => [x.enginePath, x.content, x.isMain])).toEqual([
        ['main.py', src.files[0]!.content, true],
        ['lib/helper.py', 'A = 1\n', false],
      ]);
      expect(f.files.map((x) => x.id)).not.toContain(helper.id);
      // Changing either side leaves the other as it was.
      const forkHelper = f.files.find((x) => x.name === 'helper.py')!;
      await api(server, 'PUT', `/api/v1/projects/${f.id}/files/${forkHelper.id}`, { token: bob.token, body: { content: 'A = 2\n' } });
      await api(server, 'PUT', `/api/v1/projects/${src.id}/files/${helper.id}`, { token: alice.token, body: { content: 'A = 3\n' } });
      await addFile(server, alice.token, src.id, { name: 'new.py' });
      const fileOf = async (pid: string, fid: string, token: string) => (await api<{ data: FileJson }>(server, 'GET', `/api/v1/projects/${pid}/files/${fid}`, { token })).body.data.content;
      expect(await fileOf(f.id, forkHelper.id, bob.token)).toBe('A = 2\n');
      expect(await fileOf(src.id, helper.id, alice.token)).toBe('A = 3\n');
      expect((await api<{ data: ProjectJson }>(server, 'GET', `/api/v1/projects/${f.id}`, { token: bob.token })).body.data.fileCount).toBe(2);
      // Deleting the fork leaves the original; a named, public fork; the fork is audited.
      await api(server, 'DELETE', `/api/v1/projects/${f.id}`, { token: bob.token });
      expect((await api(server, 'GET', `/api/v1/projects/${src.id}`, { token: alice.token })).status).toBe(200);
      const named = await api<{ data: ProjectJson }>(server, 'POST', `/api/v1/projects/${src.id}/fork`, { token: bob.token, body: { name: 'mine now', visibility: 'public' } });
      expect(named.body.data).toMatchObject({ name: 'mine now', visibility: 'public', forkFrom: src.id });
      const [row] = await db.select().from(auditLogs).where(and(eq(auditLogs.resourceId, named.body.data.id), eq(auditLogs.action, 'project_fork')));
      expect(row).toMatchObject({ userId: bob.userId, metadata: { from: src.id } });
    });

    it('lists templates and copies one with fromTemplate', async () => {
      const tpl = await createProject(server, alice.token, { name: 'Java template', language: 'java', visibility: 'public', isTemplate: true });
      await addFile(server, alice.token, tpl.id, { name: 'Helper.java', content: 'class Helper {}\n' });
      const privateTpl = await createProject(server, alice.token, { name: 'secret template', isTemplate: true });
      const bobs = await list('scope=templates', bob.token);
      expect(bobs.projects.map((p) => p.id)).toContain(tpl.id);
      expect(bobs.projects.map((p) => p.id)).not.toContain(privateTpl.id);
      expect(bobs.projects.every((p) => p.isTemplate)).toBe(true);
      expect((await list('scope=templates', alice.token)).projects.map((p) => p.id)).toContain(privateTpl.id);

      const copy = await createProject(server, bob.token, { name: 'from template', language: undefined, fromTemplate: tpl.id });
      expect(copy).toMatchObject({ language: 'java', isTemplate: false, forkFrom: null, owner: { id: bob.userId } });
      expect(copy.files.map((f) => f.name).sort()).toEqual(['Helper.java', 'Main.java']);
      expectError(await api(server, 'POST', '/api/v1/projects', { token: bob.token, body: { name: 'x', fromTemplate: privateTpl.id } }), 404, 'NOT_FOUND');
      const plain = await createProject(server, alice.token, { name: 'plain', visibility: 'public' });
      expectError(await api(server, 'POST', '/api/v1/projects', { token: bob.token, body: { name: 'x', fromTemplate: plain.id } }), 400, 'NOT_A_TEMPLATE');
      expectError(await api(server, 'POST', '/api/v1/projects', { token: bob.token, body: { name: 'x' } }), 400, 'VALIDATION_ERROR');
      const [row] = await db.select().from(auditLogs).where(and(eq(auditLogs.resourceId, copy.id), eq(auditLogs.action, 'project_create')));
      expect(row?.metadata).toMatchObject({ fromTemplate: tpl.id, language: 'java' });
    });

    it('counts reads by others as views, not the owner’s', async () => {
      const p = await createProject(server, alice.token, { name: 'viewed', visibility: 'unlisted' });
      await api(server, 'GET', `/api/v1/projects/${p.id}`, { token: alice.token });
      await api(server, 'GET', `/api/v1/projects/${p.id}`, { token: bob.token });
      await api(server, 'GET', `/api/v1/projects/${p.id}`);
      await Promise.all(Array.from({ length: 5 }, () => api(server, 'GET', `/api/v1/projects/${p.id}`, { token: bob.token })));
      const seen = await api<{ data: ProjectJson }>(server, 'GET', `/api/v1/projects/${p.id}`, { token: alice.token });
      expect(seen.body.data.viewCount).toBe(7);
      // A view is not an update.
      expect(seen.body.data.updatedAt).toBe(p.updatedAt);
    });
  });
}
