import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { api, type Mode, startTestServer, type TestServer } from '../helpers/app.js';
import { uniqueSlug, uploadPackage, userWithRole, zipFolder } from '../helpers/arena.js';

/**
 * A scoring problem over HTTP: the per-group table of a submission, and the caller's IOI score
 * on GET /problems (best result per group over all of the caller's submissions).
 * Fixture: test/fixtures/judge/groups-2025 (group 1-small 40 points, 2-large 60 requiring 1-small).
 */

type Envelope<T> = { success: boolean; data: T; error: { code: string } };
interface View {
  status: string;
  verdict: string | null;
  score: number;
  maxScore: number;
  groups: { path: string; verdict: string; score: number; maxScore: number }[];
}

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/judge/groups-2025');
const program = (rel: string) => ({ language: 'python', code: fs.readFileSync(path.join(FIXTURE, 'submissions', rel), 'utf8') });

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`Arena scoring over HTTP (${mode})`, () => {
    let server: TestServer;
    let slug: string;

    beforeAll(async () => {
      server = await startTestServer({ mode });
      const admin = await userWithRole(server, 'admin');
      slug = uniqueSlug('triangle');
      const res = await uploadPackage<Envelope<unknown>>(server, admin.token, zipFolder(FIXTURE), { filename: 'groups-2025.zip', query: `slug=${slug}&publish=true` });
      if (res.status !== 201) throw new Error(`import failed: ${res.status} ${res.text}`);
    }, 120_000);
    afterAll(async () => server?.stop());

    it('groups and scores per submission; myScore is the best per group over all submissions', async () => {
      const solver = await userWithRole(server, 'user');
      const submit = async (rel: string) => {
        const res = await api<Envelope<View>>(server, 'POST', '/api/v1/submissions?wait=true', { token: solver.token, body: { problemSlug: slug, ...program(rel) } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.data.status).toBe('done');
        return res.body.data;
      };
      const myScore = async () => {
        const res = await api<Envelope<{ problems: { slug: string; type: string; myScore: number | null; maxScore: number; mark: string | null }[] }>>(
          server,
          'GET',
          `/api/v1/problems?q=${slug}`,
          { token: solver.token },
        );
        const p = res.body.data.problems.find((x) => x.slug === slug)!;
        expect(p.type).toBe('scoring');
        expect(p.maxScore).toBe(100);
        return p;
      };
      expect((await myScore()).myScore).toBeNull();

      const small = await submit('partially_accepted/small.py');
      expect(small.score).toBe(40);
      expect(small.maxScore).toBe(100);
      expect(small.groups.map((g) => [g.path, g.score, g.maxScore])).toEqual(
        expect.arrayContaining([
          ['secret/1-small', 40, 40],
          ['secret/2-large', 0, 60],
        ]),
      );
      expect((await myScore()).myScore).toBe(40);

      // A worse submission does not lower it.
      const worse = await submit('wrong_answer/off-by-one.py');
      expect(worse.score).toBe(0);
      expect((await myScore()).myScore).toBe(40);

      const full = await submit('accepted/formula.py');
      expect(full).toMatchObject({ verdict: 'AC', score: 100 });
      const after = await myScore();
      expect(after.myScore).toBe(100);
      expect(after.mark).toBe('solved');
    }, 240_000);
  });
}
