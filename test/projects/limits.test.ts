import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { files, projects, projectStars, userQuotas } from '../../src/db/schema.js';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { createProject, expectError, type ProjectJson } from './helpers.js';

/**
 * Limits that must hold under concurrency: the per-user storage quota (two uploads cannot
 * together pass it), the per-project size and file-count limits, and star_count under
 * concurrent stars and unstars. Every burst is sent at once and the outcome counted exactly.
 */

const STARTER_BYTES = Buffer.byteLength('print("Hello from MUSCode!")\n');

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`project limits under concurrency (${mode})`, () => {
    let server: TestServer;
    let db: Db;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { QUOTA_STORAGE_MB: '1' } });
      db = server.platform.ctx.database.db;
    });
    afterAll(async () => server?.stop());

    const storedBytes = async (userId: string) => {
      const [q] = await db.select({ used: userQuotas.storageUsedBytes }).from(userQuotas).where(eq(userQuotas.userId, userId));
      const [real] = await db
        .select({ n: sql<number>`coalesce(sum(${files.sizeBytes}), 0)`.mapWith(Number) })
        .from(files)
        .innerJoin(projects, eq(projects.id, files.projectId))
        .where(sql`${projects.userId} = ${userId} and ${projects.deletedAt} is null`);
      return { counter: Number(q?.used ?? 0), real: real!.n };
    };
    const upload = (token: string, p: ProjectJson, name: string, bytes: number) =>
      api(server, 'POST', `/api/v1/projects/${p.id}/files`, { token, body: { name, content: 'x'.repeat(bytes) } });

    it('admits exactly what fits in the storage quota when ten uploads race over two projects', async () => {
      const u = await registerUser(server);
      const a = await createProject(server, u.token, { name: 'a' });
      const b = await createProject(server, u.token, { name: 'b' });
      // 1 MiB quota, two starters: 5 files of 200,000 bytes fit, the 6th would not.
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(u.token, i % 2 ? a : b, `f${i}.txt`, 200_000)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(5).fill(201), ...Array(5).fill(429)]);
      for (const r of results.filter((x) => x.status === 429)) {
        expect(expectError(r, 429, 'QUOTA_EXCEEDED').details).toMatchObject({ quota: 'storage', limit: 1, requestedBytes: 200_000 });
      }
      expect(await storedBytes(u.userId)).toEqual({ counter: 5 * 200_000 + 2 * STARTER_BYTES, real: 5 * 200_000 + 2 * STARTER_BYTES });

      // Growing a file counts its growth only; shrinking frees.
      const list = await api<{ data: { files: { id: string; name: string }[] } }>(server, 'GET', `/api/v1/projects/${a.id}/files`, { token: u.token });
      const big = list.body.data.files.find((f) => f.name.startsWith('f'))!;
      expectError(await api(server, 'PUT', `/api/v1/projects/${a.id}/files/${big.id}`, { token: u.token, body: { content: 'x'.repeat(300_000) } }), 429, 'QUOTA_EXCEEDED');
      expect((await api(server, 'PUT', `/api/v1/projects/${a.id}/files/${big.id}`, { token: u.token, body: { content: 'x'.repeat(100_000) } })).status).toBe(200);
      expect((await storedBytes(u.userId)).counter).toBe(4 * 200_000 + 100_000 + 2 * STARTER_BYTES);

      // A per-user max_storage_mb wins over the setting.
      await db.update(userQuotas).set({ maxStorageMb: 2 }).where(eq(userQuotas.userId, u.userId));
      expect((await upload(u.token, a, 'more.txt', 900_000)).status).toBe(201);
      expect((await upload(u.token, a, 'toomuch.txt', 300_000)).status).toBe(429);
      const s = await storedBytes(u.userId);
      expect(s.counter).toBe(s.real);
    });

    it('frees the bytes of a deleted project and takes them again on restore (which the quota may refuse)', async () => {
      const u = await registerUser(server);
      const a = await createProject(server, u.token, { name: 'a' });
      expect((await upload(u.token, a, 'big.txt', 700_000)).status).toBe(201);
      const b = await createProject(server, u.token, { name: 'b' });
      expect((await upload(u.token, b, 'big.txt', 700_000)).status).toBe(429);
      expect((await api(server, 'DELETE', `/api/v1/projects/${a.id}`, { token: u.token })).status).toBe(200);
      expect((await storedBytes(u.userId)).counter).toBe(STARTER_BYTES);
      expect((await upload(u.token, b, 'big.txt', 700_000)).status).toBe(201);
      expectError(await api(server, 'POST', `/api/v1/projects/${a.id}/restore`, { token: u.token }), 429, 'QUOTA_EXCEEDED');
      await api(server, 'DELETE', `/api/v1/projects/${b.id}`, { token: u.token });
      expect((await api(server, 'POST', `/api/v1/projects/${a.id}/restore`, { token: u.token })).status).toBe(200);
      expect(await storedBytes(u.userId)).toEqual({ counter: 700_000 + STARTER_BYTES, real: 700_000 + STARTER_BYTES });
    });

    it('keeps a project within 16 MiB when uploads race, and refuses a file over 5 MiB (the seed\'s MAX_FILE_SIZE)', async () => {
      const u = await registerUser(server);
      await db.insert(userQuotas).values({ userId: u.userId, maxStorageMb: 100 }).onConflictDoUpdate({ target: userQuotas.userId, set: { maxStorageMb: 100 } });
      const p = await createProject(server, u.token, { name: 'big' });
      // 4 files of 4,000,000 bytes fit in 16 MiB with the starter; a 5th would not.
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(u.token, p, `part${i}.bin`, 4_000_000)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 413, 413]);
      for (const r of results.filter((x) => x.status === 413)) expect(expectError(r, 413, 'PROJECT_TOO_LARGE').details).toMatchObject({ max: 16 * 2 ** 20 });
      const q = await createProject(server, u.token, { name: 'file' });
      expect(expectError(await upload(u.token, q, 'huge.bin', 5_242_881), 413, 'FILE_TOO_LARGE').details).toMatchObject({ max: 5_242_880 });
      expect((await upload(u.token, q, 'edge.bin', 5_242_880)).status).toBe(201);
      const s = await storedBytes(u.userId);
      expect(s.counter).toBe(s.real);
      expect(s.real).toBe(4 * 4_000_000 + 5_242_880 + 2 * STARTER_BYTES);
    });

    it('keeps a project within 256 files when creates race', async () => {
      const u = await registerUser(server);
      const p = await createProject(server, u.token, { name: 'many' });
      // Set-up through the database (empty files, no bytes): 250 files + the starter.
      await db.insert(files).values(Array.from({ length: 250 }, (_, i) => ({ projectId: p.id, name: `e${i}.txt`, path: '/seed', content: '', sizeBytes: 0 })));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(u.token, p, `n${i}.txt`, 1)));
      expect(results.map((r) => r.status).sort()).toEqual([...Array(5).fill(201), ...Array(5).fill(400)]);
      for (const r of results.filter((x) => x.status === 400)) expect(expectError(r, 400, 'TOO_MANY_FILES').details).toMatchObject({ max: 256 });
      const [n] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(files).where(eq(files.projectId, p.id));
      expect(n!.n).toBe(256);
    });

    it('refuses to run a project that is over the job limits, with the same stable codes', async () => {
      const u = await registerUser(server);
      // Written behind the API's back (as if the limits had been lowered since).
      const p = await createProject(server, u.token, { name: 'over' });
      await db.insert(files).values({ projectId: p.id, name: 'huge.txt', path: '/', content: 'x'.repeat(5_242_881), sizeBytes: 5_242_881 });
      expectError(await api(server, 'POST', `/api/v1/projects/${p.id}/run?wait=true`, { token: u.token, body: {} }), 413, 'FILE_TOO_LARGE');
      const q = await createProject(server, u.token, { name: 'many' });
      await db.insert(files).values(Array.from({ length: 256 }, (_, i) => ({ projectId: q.id, name: `e${i}.txt`, path: '/', content: '', sizeBytes: 0 })));
      expectError(await api(server, 'POST', `/api/v1/projects/${q.id}/run?wait=true`, { token: u.token, body: {} }), 400, 'TOO_MANY_FILES');
      // Nothing was queued for either.
      const list = await api<{ data: { executions: unknown[] } }>(server, 'GET', '/api/v1/execute', { token: u.token });
      expect(list.body.data.executions).toEqual([]);
    });

    it('keeps star_count exact under concurrent stars and unstars', async () => {
      const owner = await registerUser(server);
      const p = await createProject(server, owner.token, { name: 'starry', visibility: 'public' });
      const fans = await Promise.all(Array.from({ length: 12 }, () => registerUser(server)));
      const star = (token: string, method: 'POST' | 'DELETE') => api<{ data: { starCount: number } }>(server, method, `/api/v1/projects/${p.id}/star`, { token });
      // Each fan stars three times at once: one star each.
      const first = await Promise.all(fans.flatMap((f) => [star(f.token, 'POST'), star(f.token, 'POST'), star(f.token, 'POST')]));
      expect(first.every((r) => r.status === 200)).toBe(true);
      const count = async () => (await api<{ data: ProjectJson }>(server, 'GET', `/api/v1/projects/${p.id}`, { token: owner.token })).body.data.starCount;
      expect(await count()).toBe(12);
      // Half unstar twice at once while the other half star again: 6 remain.
      await Promise.all(fans.flatMap((f, i) => (i % 2 ? [star(f.token, 'DELETE'), star(f.token, 'DELETE')] : [star(f.token, 'POST')])));
      expect(await count()).toBe(6);
      // A storm of mixed requests: whatever the outcome, star_count equals the rows.
      await Promise.all(fans.flatMap((f, i) => [star(f.token, i % 3 ? 'POST' : 'DELETE'), star(f.token, 'DELETE'), star(f.token, 'POST')]));
      const [rows] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(projectStars).where(eq(projectStars.projectId, p.id));
      expect(await count()).toBe(rows!.n);
      const mine = await api<{ data: ProjectJson }>(server, 'GET', `/api/v1/projects/${p.id}`, { token: fans[0]!.token });
      const [own] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(projectStars).where(sql`${projectStars.projectId} = ${p.id} and ${projectStars.userId} = ${fans[0]!.userId}`);
      expect(mine.body.data.starred).toBe(own!.n === 1);
    });
  });
}
