import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { addFile, createProject, expectError, runProject } from './helpers.js';

/**
 * Comments (threads, replies, edit and delete rules, placeholders), public profiles and
 * statistics checked against a fixture counted by hand, and GET /stats.
 */

interface Comment {
  id: string;
  parentId: string | null;
  content: string | null;
  author: { id: string; username: string } | null;
  edited: boolean;
  deleted: boolean;
}
interface Thread extends Comment {
  replies: Comment[];
}

const MiB = 2 ** 20;

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`comments, profiles and statistics (${mode})`, () => {
    let server: TestServer;
    type U = Awaited<ReturnType<typeof registerUser>>;
    let a: U;
    let b: U;
    let c: U;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      [a, b, c] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
    });
    afterAll(async () => server?.stop());

    it('threads comments with replies; authors edit and delete theirs, the owner deletes any', async () => {
      const p = await createProject(server, a.token, { name: 'discussed', visibility: 'public' });
      const base = `/api/v1/projects/${p.id}/comments`;
      const post = async (u: U, content: string, parentId?: string) => {
        const res = await api<{ data: Comment }>(server, 'POST', base, { token: u.token, body: { content, parentId } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.data;
      };
      const threads = async (query = '') => (await api<{ data: { comments: Thread[]; pagination: { total: number; pages: number } } }>(server, 'GET', `${base}${query}`)).body.data;

      const c1 = await post(b, 'first!');
      const r1 = await post(c, 'a reply', c1.id);
      const r2 = await post(b, 'a reply to the reply', r1.id);
      const c2 = await post(a, 'thanks');
      expect(c1).toMatchObject({ parentId: null, content: 'first!', author: { id: b.userId, username: b.username }, edited: false, deleted: false });
      let t = await threads();
      expect(t.comments.map((x) => [x.id, x.replies.map((r) => [r.id, r.parentId])])).toEqual([
        [c1.id, [[r1.id, c1.id], [r2.id, r1.id]]],
        [c2.id, []],
      ]);

      // Edit: the author only.
      const edited = await api<{ data: Comment }>(server, 'PATCH', `${base}/${c1.id}`, { token: b.token, body: { content: 'first (edited)' } });
      expect(edited.body.data).toMatchObject({ content: 'first (edited)', edited: true });
      expectError(await api(server, 'PATCH', `${base}/${c1.id}`, { token: c.token, body: { content: 'x' } }), 403, 'FORBIDDEN');
      expectError(await api(server, 'PUT', `${base}/${c1.id}`, { token: a.token, body: { content: 'x' } }), 403, 'FORBIDDEN');
      expectError(await api(server, 'PATCH', `${base}/${c1.id}`, { token: b.token, body: { content: '   ' } }), 400, 'VALIDATION_ERROR');
      expectError(await api(server, 'POST', base, { token: b.token, body: { content: 'x'.repeat(10_001) } }), 400, 'VALIDATION_ERROR');

      // Delete: the author, or the project's owner; nobody else.
      expectError(await api(server, 'DELETE', `${base}/${c1.id}`, { token: c.token }), 403, 'FORBIDDEN');
      expect((await api(server, 'DELETE', `${base}/${r1.id}`, { token: c.token })).status).toBe(200);
      t = await threads();
      // r1 has a reply: it stays as a placeholder, without content or author.
      expect(t.comments[0]!.replies.map((r) => [r.id, r.deleted, r.content, r.author])).toEqual([
        [r1.id, true, null, null],
        [r2.id, false, 'a reply to the reply', { id: b.userId, username: b.username }],
      ]);
      expectError(await api(server, 'POST', base, { token: b.token, body: { content: 'late', parentId: r1.id } }), 404, 'NOT_FOUND');
      expectError(await api(server, 'PATCH', `${base}/${r1.id}`, { token: c.token, body: { content: 'undo' } }), 404, 'NOT_FOUND');
      expect((await api(server, 'DELETE', `${base}/${c2.id}`, { token: a.token })).status).toBe(200);
      expect((await api(server, 'DELETE', `${base}/${c1.id}`, { token: a.token })).status).toBe(200);
      t = await threads();
      // c2 had no reply: gone. c1 keeps its thread as a placeholder.
      expect(t.comments.map((x) => [x.id, x.deleted])).toEqual([[c1.id, true]]);
      expect(t.pagination.total).toBe(1);

      // A parent from another project is not found here.
      const q = await createProject(server, a.token, { name: 'elsewhere', visibility: 'public' });
      const foreign = await api<{ data: Comment }>(server, 'POST', `/api/v1/projects/${q.id}/comments`, { token: b.token, body: { content: 'hi' } });
      expectError(await api(server, 'POST', base, { token: b.token, body: { content: 'x', parentId: foreign.body.data.id } }), 404, 'NOT_FOUND');

      // Threads paginate by top-level comment, oldest first.
      for (const i of [1, 2, 3]) await post(c, `more ${i}`);
      const page2 = await threads('?limit=2&page=2');
      expect(page2.pagination).toMatchObject({ total: 4, pages: 2 });
      expect(page2.comments.map((x) => x.content)).toEqual(['more 2', 'more 3']);
    });

    it('computes user statistics exactly, without deleted projects and without join multiplication', async () => {
      // The fixture, counted by hand:
      //   a: a1 public (starter + 1 MiB), a2 private (starter), a3 unlisted (starter + 0.5 MiB, deleted);
      //      3 executions (2 project runs, 1 plain); stars b1.
      //   b: b1 public (starter + 2 MiB); stars a1, a3 (deleted later), b1 (own).
      //   c: no project; 1 execution; stars a1, b1.
      const [x, y, z] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
      const a1 = await createProject(server, x.token, { name: 'a1', visibility: 'public' });
      await addFile(server, x.token, a1.id, { name: 'data.txt', content: 'x'.repeat(MiB) });
      await createProject(server, x.token, { name: 'a2', visibility: 'private' });
      const a3 = await createProject(server, x.token, { name: 'a3', visibility: 'unlisted' });
      await addFile(server, x.token, a3.id, { name: 'data.txt', content: 'x'.repeat(MiB / 2) });
      const b1 = await createProject(server, y.token, { name: 'b1', visibility: 'public' });
      await addFile(server, y.token, b1.id, { name: 'data.txt', content: 'x'.repeat(2 * MiB) });
      const star = (u: U, pid: string) => api(server, 'POST', `/api/v1/projects/${pid}/star`, { token: u.token });
      await star(x, b1.id);
      await star(y, a1.id);
      await star(y, a3.id);
      await star(y, b1.id);
      await star(z, a1.id);
      await star(z, b1.id);
      await runProject(server, x.token, a1.id);
      await runProject(server, x.token, a1.id);
      await api(server, 'POST', '/api/v1/execute?wait=true', { token: x.token, body: { language: 'python', code: 'print(1)' } });
      await api(server, 'POST', '/api/v1/execute?wait=true', { token: z.token, body: { language: 'python', code: 'print(2)' } });
      expect((await api(server, 'DELETE', `/api/v1/projects/${a3.id}`, { token: x.token })).status).toBe(200);

      const profile = async (username: string, token?: string) => {
        const res = await api<{ data: { username: string; statistics: Record<string, number>; projects: { id: string }[] } & Record<string, unknown> }>(
          server,
          'GET',
          `/api/v1/users/${username}`,
          { token },
        );
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body.data;
      };
      const px = await profile(x.username.toUpperCase());
      expect(px.username).toBe(x.username);
      expect(px).not.toHaveProperty('email');
      // To others only public things count (red-team I4): a2 (private) is not counted, and
      // executions and storage, which reveal private activity, are not shown.
      expect(px.statistics).toEqual({ scope: 'public', totalProjects: 1, publicProjects: 1, totalExecutions: null, storageUsedMb: null, starsGiven: 1, starsReceived: 2 });
      expect(px.projects.map((p) => p.id)).toEqual([a1.id]);
      // The user themself sees everything.
      expect((await profile(x.username, x.token)).statistics).toEqual({
        scope: 'full',
        totalProjects: 2,
        publicProjects: 1,
        totalExecutions: 3,
        storageUsedMb: 1,
        starsGiven: 1,
        starsReceived: 2,
      });
      expect((await profile(y.username, z.token)).statistics).toEqual({ scope: 'public', totalProjects: 1, publicProjects: 1, totalExecutions: null, storageUsedMb: null, starsGiven: 2, starsReceived: 3 });
      expect((await profile(z.username)).statistics).toEqual({ scope: 'public', totalProjects: 0, publicProjects: 0, totalExecutions: null, storageUsedMb: null, starsGiven: 2, starsReceived: 0 });
      expect((await profile(z.username, z.token)).statistics).toMatchObject({ scope: 'full', totalExecutions: 1, storageUsedMb: 0 });
      expectError(await api(server, 'GET', '/api/v1/users/nobody-by-this-name'), 404, 'NOT_FOUND');

      // GET /stats counts the caller's projects and storage the same way.
      const stats = await api<{ data: { totalProjects: number; storageUsed: number; totalExecutions: number; quota: { storage: { usedMb: number } } } }>(
        server,
        'GET',
        '/api/v1/stats',
        { token: x.token },
      );
      expect(stats.body.data).toMatchObject({ totalProjects: 2, storageUsed: 1, totalExecutions: 3, quota: { storage: { usedMb: 1 } } });
      // Restoring brings the project and its bytes back everywhere.
      await api(server, 'POST', `/api/v1/projects/${a3.id}/restore`, { token: x.token });
      expect((await profile(x.username, x.token)).statistics).toMatchObject({ totalProjects: 3, storageUsedMb: 1.5, starsReceived: 3 });
      // a3 is unlisted: back for its owner, still not counted publicly.
      expect((await profile(x.username)).statistics).toMatchObject({ totalProjects: 1, starsReceived: 2 });
      expect((await profile(y.username, y.token)).statistics).toMatchObject({ starsGiven: 3 });
      expect((await profile(y.username)).statistics).toMatchObject({ starsGiven: 2 });
      const after = await api<{ data: { totalProjects: number; storageUsed: number } }>(server, 'GET', '/api/v1/stats', { token: x.token });
      expect(after.body.data).toMatchObject({ totalProjects: 3, storageUsed: 1.5 });
    });

    it('lets whoever starred a project remove the star after it turned private, and stops counting it publicly (red-team I4, I5)', async () => {
      const [owner, fan, stranger] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
      const p = await createProject(server, owner.token, { name: 'soon private', visibility: 'unlisted' });
      expect((await api(server, 'POST', `/api/v1/projects/${p.id}/star`, { token: fan.token })).status).toBe(200);
      const publicStats = async () =>
        (await api<{ data: { statistics: Record<string, unknown> } }>(server, 'GET', `/api/v1/users/${owner.username}`)).body.data.statistics;
      const ownStats = async () =>
        (await api<{ data: { statistics: Record<string, unknown> } }>(server, 'GET', `/api/v1/users/${owner.username}`, { token: owner.token })).body.data.statistics;
      expect(await ownStats()).toMatchObject({ starsReceived: 1 });
      expect(await publicStats()).toMatchObject({ starsReceived: 0, totalProjects: 0 });
      expect((await api(server, 'PATCH', `/api/v1/projects/${p.id}`, { token: owner.token, body: { visibility: 'private' } })).status).toBe(200);
      expect(await publicStats()).toMatchObject({ starsReceived: 0 });
      // Starring it again, or unstarring it by someone who never starred it, is 404 as everything else on a private project.
      expectError(await api(server, 'POST', `/api/v1/projects/${p.id}/star`, { token: fan.token }), 404, 'NOT_FOUND');
      expectError(await api(server, 'DELETE', `/api/v1/projects/${p.id}/star`, { token: stranger.token }), 404, 'NOT_FOUND');
      expectError(await api(server, 'DELETE', `/api/v1/projects/${p.id}/star`), 401, 'UNAUTHORIZED');
      const un = await api<{ data: { starred: boolean; starCount: number } }>(server, 'DELETE', `/api/v1/projects/${p.id}/star`, { token: fan.token });
      expect(un.status, JSON.stringify(un.body)).toBe(200);
      expect(un.body.data).toEqual({ starred: false, starCount: 0 });
      expect(await ownStats()).toMatchObject({ starsReceived: 0 });
      // Once removed, the fan is a stranger to the private project again.
      expectError(await api(server, 'DELETE', `/api/v1/projects/${p.id}/star`, { token: fan.token }), 404, 'NOT_FOUND');
    });
  });
}
