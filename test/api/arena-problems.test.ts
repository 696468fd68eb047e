import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { PROGRAMS, sumPackage, uniqueSlug, uploadPackage, userWithRole, zipFolder, zipPackage } from '../helpers/arena.js';
import { makeZip } from '../helpers/zip-writer.js';

/**
 * The Arena's problem routes over real HTTP (docs/api.md "Arena"): roles, drafts, import,
 * create, update, publish, delete, and every bad package of issue 8 item 9, each refused with
 * its code and a message naming the file, with nothing stored.
 */

type Envelope<T> = { success: boolean; data: T; error: { code: string; message: string; status: number; details?: Record<string, unknown> } };
interface Summary {
  id: string;
  slug: string;
  title: string;
  published: boolean;
  difficulty: string;
  tags: string[];
  authorId: string | null;
  version?: number;
}
interface Detail extends Summary {
  statement: { language: string; markdown: string };
  samples: { name: string; input: string; output: string }[];
  limits: { timeMs: number; memoryMb: number };
  languages: string[];
  version: number;
}
interface ImportResult {
  problem: Detail;
  created: boolean;
  warnings: string[];
}
interface List {
  problems: Summary[];
  pagination: { total: number; page: number; limit: number; pages: number };
}

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`Arena problems API (${mode})`, () => {
    let server: TestServer;
    let user: Awaited<ReturnType<typeof userWithRole>>;
    let author: Awaited<ReturnType<typeof userWithRole>>;
    let author2: Awaited<ReturnType<typeof userWithRole>>;
    let admin: Awaited<ReturnType<typeof userWithRole>>;

    beforeAll(async () => {
      // A small package bound and entry count, so that the too-large and too-many cases are cheap.
      server = await startTestServer({ mode, config: { ARENA_PACKAGE_MAX_MB: '1', ARENA_PACKAGE_MAX_FILES: '200' } });
      [user, author, author2, admin] = await Promise.all([
        userWithRole(server, 'user'),
        userWithRole(server, 'author'),
        userWithRole(server, 'author'),
        userWithRole(server, 'admin'),
      ]);
    }, 120_000);
    afterAll(async () => server?.stop());

    /** Every problem slug the admin can see, drafts included. */
    const allSlugs = async () => {
      const slugs: string[] = [];
      for (let page = 1; ; page++) {
        const res = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?drafts=true&limit=100&page=${page}`, { token: admin.token });
        expect(res.status).toBe(200);
        slugs.push(...res.body.data.problems.map((p) => p.slug));
        if (page >= res.body.data.pagination.pages) return slugs.sort();
      }
    };

    const importSum = async (token: string, slug: string, query = '') => {
      const res = await uploadPackage<Envelope<ImportResult>>(server, token, zipPackage(sumPackage(`Sum ${slug}`), slug), {
        filename: `${slug}.zip`,
        query: `slug=${slug}${query}`,
      });
      return res;
    };

    it('/auth/me carries the role from the access token', async () => {
      for (const [who, role] of [[user, 'user'], [author, 'author'], [admin, 'admin']] as const) {
        const me = await api<Envelope<{ role: string }>>(server, 'GET', '/api/v1/auth/me', { token: who.token });
        expect(me.status).toBe(200);
        expect(me.body.data.role).toBe(role);
      }
    });

    it('roles: anonymous import is 401, a user is 403 FORBIDDEN_ROLE, an author imports a draft', async () => {
      const slug = uniqueSlug('roles');
      const zip = zipPackage(sumPackage('Roles'), slug);
      const anon = await uploadPackage<Envelope<unknown>>(server, undefined, zip, { filename: `${slug}.zip` });
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('UNAUTHORIZED');
      const asUser = await uploadPackage<Envelope<unknown>>(server, user.token, zip, { filename: `${slug}.zip` });
      expect(asUser.status).toBe(403);
      expect(asUser.body.error.code).toBe('FORBIDDEN_ROLE');
      expect(asUser.body.error.message).toMatch(/author or admin/);
      const create = await api<Envelope<unknown>>(server, 'POST', '/api/v1/problems', {
        token: user.token,
        body: { slug, title: 'x', difficulty: 'easy', statement: 'x', tests: [{ input: '1', output: '1', kind: 'sample' }] },
      });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('FORBIDDEN_ROLE');

      const ok = await uploadPackage<Envelope<ImportResult>>(server, author.token, zip, { filename: `${slug}.zip` });
      expect(ok.status, ok.text).toBe(201);
      expect(ok.body.data.created).toBe(true);
      expect(ok.body.data.problem.slug).toBe(slug);
      expect(ok.body.data.problem.published).toBe(false);
      expect(ok.body.data.problem.authorId).toBe(author.userId);
      expect(ok.body.data.problem.samples).toEqual([expect.objectContaining({ input: '2 3\n', output: '5\n' })]);
      expect(ok.body.data.problem.statement.markdown).toContain('$a + b$');
    });

    it('drafts are 404 PROBLEM_NOT_FOUND to everyone but their author and admins, until published', async () => {
      const slug = uniqueSlug('draft');
      expect((await importSum(author.token, slug)).status).toBe(201);
      for (const token of [undefined, user.token, author2.token]) {
        const get = await api<Envelope<unknown>>(server, 'GET', `/api/v1/problems/${slug}`, { token });
        expect(get.status).toBe(404);
        expect(get.body.error.code).toBe('PROBLEM_NOT_FOUND');
        const list = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?q=${slug}&drafts=true`, { token });
        expect(list.status).toBe(200);
        expect(list.body.data.problems.map((p) => p.slug)).not.toContain(slug);
      }
      // A submission or a run on the draft by a non-author: 404, as if it did not exist.
      const submit = await api<Envelope<unknown>>(server, 'POST', '/api/v1/submissions', { token: user.token, body: { problemSlug: slug, ...PROGRAMS.ac } });
      expect(submit.status).toBe(404);
      expect(submit.body.error.code).toBe('PROBLEM_NOT_FOUND');
      const run = await api<Envelope<unknown>>(server, 'POST', `/api/v1/problems/${slug}/run`, { token: user.token, body: { ...PROGRAMS.ac, stdin: '1 2\n' } });
      expect(run.status).toBe(404);
      expect(run.body.error.code).toBe('PROBLEM_NOT_FOUND');

      for (const token of [author.token, admin.token]) {
        expect((await api(server, 'GET', `/api/v1/problems/${slug}`, { token })).status).toBe(200);
        const list = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?q=${slug}&drafts=true`, { token });
        expect(list.body.data.problems.map((p) => p.slug)).toEqual([slug]);
      }
      // Without drafts=true even the author's list is the published catalogue.
      const plain = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?q=${slug}`, { token: author.token });
      expect(plain.body.data.problems.map((p) => p.slug)).toEqual([]);

      // Another author may not publish it; its author may.
      const foreign = await api<Envelope<unknown>>(server, 'POST', `/api/v1/problems/${slug}/publish`, { token: author2.token });
      // A draft it may not even see: 404, as for the others.
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('PROBLEM_NOT_FOUND');
      const pub = await api<Envelope<Detail>>(server, 'POST', `/api/v1/problems/${slug}/publish`, { token: author.token });
      expect(pub.status).toBe(200);
      expect(pub.body.data.published).toBe(true);
      const anon = await api<Envelope<Detail>>(server, 'GET', `/api/v1/problems/${slug}`);
      expect(anon.status).toBe(200);
      expect(anon.body.data.warnings).toBeUndefined();
      const listed = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?q=${slug}`);
      expect(listed.body.data.problems.map((p) => p.slug)).toEqual([slug]);
      // And unpublish hides it again.
      expect((await api(server, 'POST', `/api/v1/problems/${slug}/unpublish`, { token: author.token })).status).toBe(200);
      expect((await api(server, 'GET', `/api/v1/problems/${slug}`)).status).toBe(404);
    });

    it('import: PROBLEM_EXISTS for a taken slug; ?replace=true gives a new version; ?publish=true publishes', async () => {
      const slug = uniqueSlug('replace');
      const first = await importSum(author.token, slug, '&publish=true');
      expect(first.status).toBe(201);
      expect(first.body.data.problem.published).toBe(true);
      const again = await importSum(author.token, slug);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('PROBLEM_EXISTS');
      // Another author may not replace it.
      const foreign = await importSum(author2.token, slug, '&replace=true');
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.code).toBe('FORBIDDEN_ROLE');
      const replaced = await importSum(author.token, slug, '&replace=true');
      expect(replaced.status, replaced.text).toBe(200);
      expect(replaced.body.data.created).toBe(false);
      expect(replaced.body.data.problem.version).toBeGreaterThan(first.body.data.problem.version);
    });

    it('imports the fixture packages (Kattis 2025 groups, 2023 subtasks, legacy, DMOJ), listed with filters and paging', async () => {
      const imported: string[] = [];
      for (const dir of ['problems/kattis-2025-groups', 'problems/kattis-2023-subtasks', 'problems/kattis-legacy-average', 'problems/dmoj-batches', 'judge/groups-2025']) {
        const slug = uniqueSlug(path.basename(dir));
        const res = await uploadPackage<Envelope<ImportResult>>(server, admin.token, zipFolder(path.join(FIXTURES, dir)), {
          filename: `${path.basename(dir)}.zip`,
          query: `slug=${slug}&publish=true`,
        });
        expect(res.status, `${dir}: ${res.text}`).toBe(201);
        expect(res.body.data.problem.slug).toBe(slug);
        expect(res.body.data.problem.languages.length).toBeGreaterThan(0);
        imported.push(slug);
      }
      // Paging: one per page over exactly these (their slugs share nothing else; q matches the slug).
      const stem = imported[0]!.slice(0, imported[0]!.lastIndexOf('-'));
      const page1 = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?q=${stem}&limit=1&page=1`);
      expect(page1.status).toBe(200);
      expect(page1.body.data.pagination).toMatchObject({ total: 1, page: 1, limit: 1, pages: 1 });
      const all = await api<Envelope<List>>(server, 'GET', '/api/v1/problems?limit=2&page=1');
      expect(all.body.data.problems).toHaveLength(2);
      expect(all.body.data.pagination.total).toBeGreaterThanOrEqual(imported.length);
      expect(all.body.data.pagination.pages).toBe(Math.ceil(all.body.data.pagination.total / 2));
      const bad = await api<Envelope<unknown>>(server, 'GET', '/api/v1/problems?limit=1000');
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    });

    it('create, update, filter by tag and difficulty, delete (author and admin)', async () => {
      const slug = uniqueSlug('native');
      const tag = `t${crypto.randomBytes(3).toString('hex')}`;
      const created = await api<Envelope<Detail>>(server, 'POST', '/api/v1/problems', {
        token: author.token,
        body: {
          slug,
          title: 'Native Echo',
          difficulty: 'medium',
          tags: [tag],
          statement: 'Print what you read. $x$',
          timeLimitMs: 1000,
          tests: [
            { input: 'hello\n', output: 'hello\n', kind: 'sample' },
            { input: 'secret-line\n', output: 'secret-line\n', kind: 'hidden' },
          ],
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.data).toMatchObject({ slug, title: 'Native Echo', difficulty: 'medium', tags: [tag], published: false });
      expect(created.body.data.limits.timeMs).toBe(1000);
      expect(JSON.stringify(created.body)).not.toContain('secret-line');

      const patched = await api<Envelope<Detail>>(server, 'PATCH', `/api/v1/problems/${slug}`, { token: author.token, body: { title: 'Native Echo 2', difficulty: 'hard' } });
      expect(patched.status).toBe(200);
      expect(patched.body.data).toMatchObject({ title: 'Native Echo 2', difficulty: 'hard' });
      const empty = await api<Envelope<unknown>>(server, 'PATCH', `/api/v1/problems/${slug}`, { token: author.token, body: {} });
      expect(empty.status).toBe(400);
      const byUser = await api<Envelope<unknown>>(server, 'PATCH', `/api/v1/problems/${slug}`, { token: user.token, body: { title: 'mine' } });
      expect(byUser.status).toBe(403);
      expect(byUser.body.error.code).toBe('FORBIDDEN_ROLE');

      // An admin manages anyone's problem.
      expect((await api(server, 'POST', `/api/v1/problems/${slug}/publish`, { token: admin.token })).status).toBe(200);
      const byTag = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?tag=${tag}`);
      expect(byTag.body.data.problems.map((p) => p.slug)).toEqual([slug]);
      const hard = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?tag=${tag}&difficulty=hard`);
      expect(hard.body.data.problems.map((p) => p.slug)).toEqual([slug]);
      const easy = await api<Envelope<List>>(server, 'GET', `/api/v1/problems?tag=${tag}&difficulty=easy`);
      expect(easy.body.data.problems).toEqual([]);

      const delUser = await api<Envelope<unknown>>(server, 'DELETE', `/api/v1/problems/${slug}`, { token: user.token });
      expect(delUser.status).toBe(403);
      const del = await api<Envelope<{ deleted: boolean }>>(server, 'DELETE', `/api/v1/problems/${slug}`, { token: admin.token });
      expect(del.status).toBe(200);
      expect(del.body.data).toEqual({ deleted: true });
      const gone = await api<Envelope<unknown>>(server, 'GET', `/api/v1/problems/${slug}`, { token: admin.token });
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('PROBLEM_NOT_FOUND');
    });

    describe('bad packages (issue 8 item 9): a 4xx naming the file, and nothing stored', () => {
      const good = () => sumPackage('Bad');
      const cases: { name: string; zip: () => Buffer; filename?: string; status: number; code: string; names: RegExp }[] = [
        {
          name: 'a path that climbs out (../)',
          zip: () => makeZip([...Object.entries(good()).map(([n, data]) => ({ name: `pkg/${n}`, data })), { name: 'pkg/../escape.txt', data: 'x' }]),
          status: 400,
          code: 'PACKAGE_UNSAFE_PATH',
          names: /escape\.txt/,
        },
        {
          name: 'an absolute path',
          zip: () => makeZip([...Object.entries(good()).map(([n, data]) => ({ name: `pkg/${n}`, data })), { name: '/etc/cron.d/evil', data: 'x' }]),
          status: 400,
          code: 'PACKAGE_UNSAFE_PATH',
          names: /\/etc\/cron\.d\/evil/,
        },
        {
          name: 'a symlink leaving the package',
          zip: () =>
            makeZip([
              ...Object.entries(good())
                .filter(([n]) => n !== 'data/secret/2.in')
                .map(([n, data]) => ({ name: `pkg/${n}`, data })),
              { name: 'pkg/data/secret/2.in', symlink: '../../../../../etc/passwd' },
            ]),
          status: 400,
          code: 'PACKAGE_BAD_SYMLINK',
          names: /data\/secret\/2\.in/,
        },
        {
          name: 'a zip bomb (a 64 MiB entry of zeros)',
          zip: () => makeZip([...Object.entries(good()).map(([n, data]) => ({ name: `pkg/${n}`, data })), { name: 'pkg/data/secret/3.in', data: Buffer.alloc(64 * 2 ** 20), method: 'deflate' }]),
          status: 413,
          code: 'PACKAGE_TOO_LARGE',
          names: /3\.in/,
        },
        {
          name: 'too many files (ARENA_PACKAGE_MAX_FILES 200)',
          zip: () =>
            makeZip([
              ...Object.entries(good()).map(([n, data]) => ({ name: `pkg/${n}`, data })),
              ...Array.from({ length: 250 }, (_, i) => ({ name: `pkg/extra/f${i}.txt`, data: 'x' })),
            ]),
          filename: 'many.zip',
          status: 413,
          code: 'PACKAGE_TOO_LARGE',
          names: /many\.zip/,
        },
        {
          name: 'malformed YAML',
          zip: () => zipPackage({ ...good(), 'problem.yaml': 'name: [unclosed\nlimits: {time_limit: 1\n' }),
          status: 400,
          code: 'PACKAGE_INVALID',
          names: /problem\.yaml/,
        },
        {
          name: 'missing data (no data/secret)',
          zip: () => zipPackage(Object.fromEntries(Object.entries(good()).filter(([n]) => !n.startsWith('data/secret/')))),
          status: 400,
          code: 'PACKAGE_INVALID',
          names: /data\/secret/,
        },
        {
          name: 'a hidden input without its answer',
          zip: () => zipPackage(Object.fromEntries(Object.entries(good()).filter(([n]) => n !== 'data/secret/2.ans'))),
          status: 400,
          code: 'PACKAGE_INVALID',
          names: /secret\/2/,
        },
        {
          name: 'a custom validator that does not compile',
          zip: () =>
            zipPackage({
              ...good(),
              'problem.yaml': 'problem_format_version: 2025-09\nname: Broken validator\nuuid: 3f0a6f2e-2026-4000-8000-000000000043\nlicense: cc0\ntype: pass-fail\nlimits:\n  time_limit: 1\n',
              'output_validator/validate.cpp': '#include <cstdio>\nint main() { this does not compile }\n',
            }),
          status: 400,
          code: 'PACKAGE_VALIDATOR_COMPILE_ERROR',
          names: /validate\.cpp/,
        },
        {
          name: 'an upload over ARENA_PACKAGE_MAX_MB (1 MiB)',
          zip: () => crypto.randomBytes(1536 * 1024),
          filename: 'huge.zip',
          status: 413,
          code: 'PACKAGE_TOO_LARGE',
          names: /huge\.zip/,
        },
        {
          name: 'a file that is not a zip',
          zip: () => Buffer.from('just text'),
          filename: 'notes.txt',
          status: 400,
          code: 'PACKAGE_INVALID',
          names: /notes\.txt/,
        },
        {
          name: 'a damaged archive',
          zip: () => Buffer.from('PK\u0003\u0004 this is not really a zip file at all'),
          filename: 'damaged.zip',
          status: 400,
          code: 'PACKAGE_INVALID',
          names: /damaged\.zip/,
        },
      ];

      for (const c of cases) {
        it(c.name, async () => {
          const before = await allSlugs();
          const slug = uniqueSlug('bad');
          const res = await uploadPackage<Envelope<unknown>>(server, author.token, c.zip(), { filename: c.filename ?? `${slug}.zip`, query: `slug=${slug}` });
          expect(res.status, res.text).toBe(c.status);
          expect(res.body.error.code).toBe(c.code);
          expect(res.body.error.message).toMatch(c.names);
          expect(await allSlugs()).toEqual(before);
          expect((await api(server, 'GET', `/api/v1/problems/${slug}`, { token: admin.token })).status).toBe(404);
        }, 120_000);
      }

      it('two file parts: TOO_MANY_FILES; no file part, or another field: VALIDATION_ERROR; JSON: 415', async () => {
        const before = await allSlugs();
        const zip = zipPackage(good());
        const two = await uploadPackage<Envelope<unknown>>(server, author.token, zip, { extraFiles: [{ field: 'file2', name: 'b.zip', data: zip }] });
        expect(two.status).toBe(400);
        expect(two.body.error.code).toBe('TOO_MANY_FILES');
        const other = await uploadPackage<Envelope<unknown>>(server, author.token, zip, { field: 'package', filename: 'p.zip' });
        expect(other.status).toBe(400);
        expect(other.body.error.code).toBe('VALIDATION_ERROR');
        expect(other.body.error.message).toMatch(/p\.zip/);
        const form = new FormData();
        form.append('note', 'no file here');
        const none = await fetch(`${server.url}/api/v1/problems/import`, { method: 'POST', headers: { authorization: `Bearer ${author.token}` }, body: form });
        expect(none.status).toBe(400);
        expect(((await none.json()) as Envelope<unknown>).error.code).toBe('VALIDATION_ERROR');
        const json = await api<Envelope<unknown>>(server, 'POST', '/api/v1/problems/import', { token: author.token, body: { file: 'x' } });
        expect(json.status).toBe(415);
        expect(json.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
        // multipart is parsed in the Arena's scope only: elsewhere it stays 415.
        const elsewhere = await fetch(`${server.url}/api/v1/execute`, { method: 'POST', headers: { authorization: `Bearer ${author.token}` }, body: form });
        expect(elsewhere.status).toBe(415);
        expect(((await elsewhere.json()) as Envelope<unknown>).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
        expect(await allSlugs()).toEqual(before);
      });
    });

    it('a user registered without a role gets FORBIDDEN_ROLE on every management route', async () => {
      const plain = await registerUser(server);
      const slug = uniqueSlug('nope');
      for (const [method, url] of [
        ['PATCH', `/api/v1/problems/${slug}`],
        ['POST', `/api/v1/problems/${slug}/publish`],
        ['POST', `/api/v1/problems/${slug}/unpublish`],
        ['DELETE', `/api/v1/problems/${slug}`],
        ['POST', `/api/v1/problems/${slug}/verify`],
        ['GET', `/api/v1/problems/${slug}/verify`],
        ['POST', `/api/v1/problems/${slug}/rejudge`],
      ] as const) {
        const res = await api<Envelope<unknown>>(server, method, url, { token: plain.token, ...(method === 'PATCH' ? { body: { title: 'x' } } : {}) });
        expect(res.status, `${method} ${url}`).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN_ROLE');
      }
    });
  });
}
