import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerError } from '../../src/errors.js';
import { clashOf, fileLocation } from '../../src/projects/paths.js';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { addFile, createProject, expectError, type FileJson, type ProjectJson } from './helpers.js';

/**
 * Path and name rules (a table, checked both on the rules themselves and through the API), and
 * what the file endpoints do: create, read, rename, move, rewrite, delete, the main file, and
 * refusing duplicates and file/directory clashes the engine would refuse.
 */

/** [path, name] -> the stored (path, name, enginePath), or the error code. */
const TABLE: { path: string | undefined; name: string; ok?: [string, string, string]; code?: string }[] = [
  { path: undefined, name: 'main.py', ok: ['/', 'main.py', 'main.py'] },
  { path: '/', name: 'a.py', ok: ['/', 'a.py', 'a.py'] },
  { path: '', name: 'a.py', ok: ['/', 'a.py', 'a.py'] },
  { path: 'src', name: 'a.py', ok: ['/src', 'a.py', 'src/a.py'] },
  { path: '/src/', name: 'a.py', ok: ['/src', 'a.py', 'src/a.py'] },
  { path: '//src///lib//', name: 'a.py', ok: ['/src/lib', 'a.py', 'src/lib/a.py'] },
  { path: './src/./lib', name: 'a.py', ok: ['/src/lib', 'a.py', 'src/lib/a.py'] },
  { path: '/src', name: '.env', ok: ['/src', '.env', 'src/.env'] },
  { path: '/Café', name: 'e\u0301.txt', ok: ['/Café', 'é.txt', 'Café/é.txt'] },
  { path: '/src/../etc', name: 'a.py', code: 'INVALID_PATH' },
  { path: '..', name: 'a.py', code: 'INVALID_PATH' },
  { path: '/src\\lib', name: 'a.py', code: 'INVALID_PATH' },
  { path: 'C:/Windows', name: 'a.py', code: 'INVALID_PATH' },
  { path: '/src\0', name: 'a.py', code: 'INVALID_PATH' },
  { path: '/src\n', name: 'a.py', code: 'INVALID_PATH' },
  { path: '/-rf', name: 'a.py', code: 'INVALID_PATH' },
  // M1 (red-team 2026-11-29): "@name" is a response file to gcc, javac, rustc and tsc.
  { path: '/@opts', name: 'a.c', code: 'INVALID_PATH' },
  { path: '/src/@x', name: 'a.c', code: 'INVALID_PATH' },
  { path: '/a@b', name: 'x@y.c', ok: ['/a@b', 'x@y.c', 'a@b/x@y.c'] },
  { path: '/ src', name: 'a.py', code: 'INVALID_PATH' },
  { path: '/.muscode', name: 'a.py', code: 'INVALID_PATH' },
  { path: `/${'d'.repeat(201)}`, name: 'a.py', code: 'INVALID_PATH' },
  { path: `/${Array.from({ length: 16 }, (_, i) => `d${i}`).join('/')}`, name: 'a.py', code: 'INVALID_PATH' },
  { path: `/${Array.from({ length: 2 }, () => 'd'.repeat(150)).join('/')}`, name: 'a.py', code: 'INVALID_PATH' },
  { path: '/', name: '', code: 'INVALID_FILE_NAME' },
  { path: '/', name: '.', code: 'INVALID_FILE_NAME' },
  { path: '/', name: '..', code: 'INVALID_FILE_NAME' },
  { path: '/', name: '../etc/passwd', code: 'INVALID_FILE_NAME' },
  { path: '/', name: '/etc/passwd', code: 'INVALID_FILE_NAME' },
  { path: '/', name: 'a\\b.py', code: 'INVALID_FILE_NAME' },
  { path: '/', name: 'a\0.py', code: 'INVALID_FILE_NAME' },
  { path: '/', name: 'a\t.py', code: 'INVALID_FILE_NAME' },
  { path: '/', name: '-o.c', code: 'INVALID_FILE_NAME' },
  { path: '/', name: '@opts.c', code: 'INVALID_FILE_NAME' },
  { path: '/', name: '@', code: 'INVALID_FILE_NAME' },
  { path: '/', name: ' a.py', code: 'INVALID_FILE_NAME' },
  { path: '/', name: 'a.py ', code: 'INVALID_FILE_NAME' },
  { path: '/', name: 'x'.repeat(201), code: 'INVALID_FILE_NAME' },
  { path: '/', name: '.muscode', code: 'INVALID_FILE_NAME' },
];

describe('path and name rules', () => {
  for (const row of TABLE) {
    it(`${JSON.stringify(row.path)} + ${JSON.stringify(row.name)} -> ${row.ok ? row.ok.join(' ') : row.code}`, () => {
      if (row.ok) {
        const loc = fileLocation(row.path, row.name);
        expect([loc.path, loc.name, loc.enginePath]).toEqual(row.ok);
      } else {
        let caught: unknown;
        try {
          fileLocation(row.path, row.name);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(CallerError);
        expect((caught as CallerError).code).toBe(row.code);
      }
    });
  }

  it('finds duplicates case-insensitively and files that are also directories', () => {
    expect(clashOf('src/A.py', ['src/a.py'])).toMatchObject({ code: 'FILE_EXISTS' });
    expect(clashOf('SRC/a.py', ['src/a.py'])).toMatchObject({ code: 'FILE_EXISTS' });
    expect(clashOf('src', ['src/a.py'])).toMatchObject({ code: 'PATH_CONFLICT' });
    expect(clashOf('src/a.py/b', ['src/a.py'])).toMatchObject({ code: 'PATH_CONFLICT' });
    expect(clashOf('src/a.pyc', ['src/a.py'])).toBeNull();
    expect(clashOf('srcx/a.py', ['src/a.py', 'src'])).toBeNull();
  });
});

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`project files (${mode})`, () => {
    let server: TestServer;
    let token: string;
    let project: ProjectJson;
    const url = (p: ProjectJson, rest = '') => `/api/v1/projects/${p.id}/files${rest}`;
    beforeAll(async () => {
      server = await startTestServer({ mode });
      token = (await registerUser(server)).token;
      project = await createProject(server, token, { name: 'files', language: 'python' });
    });
    afterAll(async () => server?.stop());

    it('applies the path and name table through the API (normalised on success, the same codes on refusal)', async () => {
      for (const [i, row] of TABLE.entries()) {
        // Each accepted row in its own project (several rows normalise to the same place), a C
        // project so that its main.c clashes with no row.
        const p = row.ok ? await createProject(server, token, { name: `t${i}`, language: 'c' }) : project;
        const res = await api<{ data: FileJson }>(server, 'POST', url(p), { token, body: { path: row.path, name: row.name, content: '# x\n' } });
        if (row.ok) {
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          expect([res.body.data.path, res.body.data.name, res.body.data.enginePath]).toEqual(row.ok);
        } else {
          expectError(res, 400, row.code!);
        }
      }
    });

    it('starts a project with a runnable main file for its language', async () => {
      expect(project.files).toHaveLength(1);
      expect(project.files[0]).toMatchObject({ name: 'main.py', path: '/', isMain: true, language: 'python' });
      expect(project.mainFileId).toBe(project.files[0]!.id);
      const java = await createProject(server, token, { language: 'java' });
      expect(java.files[0]).toMatchObject({ name: 'Main.java', isMain: true });
      expectError(await api(server, 'POST', '/api/v1/projects', { token, body: { name: 'x', language: 'intercal' } }), 400, 'UNKNOWN_LANGUAGE');
      // Aliases resolve to the registry's id.
      expect((await createProject(server, token, { language: 'py' })).language).toBe('python');
    });

    it('creates, reads, renames, moves, rewrites and deletes a file', async () => {
      const p = await createProject(server, token, { name: 'crud' });
      const f = await addFile(server, token, p.id, { name: 'util.py', path: '/pkg', content: 'def f():\n    return 1\n' });
      expect(f).toMatchObject({ path: '/pkg', name: 'util.py', enginePath: 'pkg/util.py', size: 22, isMain: false, language: 'python' });
      const got = await api<{ data: FileJson }>(server, 'GET', url(p, `/${f.id}`), { token });
      expect(got.body.data.content).toBe('def f():\n    return 1\n');

      const renamed = await api<{ data: FileJson }>(server, 'PUT', url(p, `/${f.id}`), { token, body: { name: 'helpers.py' } });
      expect(renamed.body.data).toMatchObject({ path: '/pkg', name: 'helpers.py', content: 'def f():\n    return 1\n' });
      const moved = await api<{ data: FileJson }>(server, 'PATCH', url(p, `/${f.id}`), { token, body: { path: 'lib/' } });
      expect(moved.body.data).toMatchObject({ path: '/lib', name: 'helpers.py', enginePath: 'lib/helpers.py' });
      const rewritten = await api<{ data: FileJson }>(server, 'PUT', url(p, `/${f.id}`), { token, body: { content: 'é' } });
      expect(rewritten.body.data).toMatchObject({ content: 'é', size: 2 });

      const list = await api<{ data: { files: (FileJson & { content?: string })[] } }>(server, 'GET', url(p), { token });
      expect(list.body.data.files.map((x) => x.enginePath)).toEqual(['main.py', 'lib/helpers.py']);
      expect(list.body.data.files.every((x) => x.content === undefined)).toBe(true);

      expect((await api(server, 'DELETE', url(p, `/${f.id}`), { token })).status).toBe(200);
      expectError(await api(server, 'GET', url(p, `/${f.id}`), { token }), 404, 'NOT_FOUND');
      expectError(await api(server, 'DELETE', url(p, `/${f.id}`), { token }), 404, 'NOT_FOUND');
      // A file id of another project is not found through this one.
      const q = await createProject(server, token, { name: 'other' });
      expectError(await api(server, 'GET', url(p, `/${q.files[0]!.id}`), { token }), 404, 'NOT_FOUND');
    });

    it('refuses duplicates (case-insensitively) and file/directory clashes, on create and on rename/move', async () => {
      const p = await createProject(server, token, { name: 'clash' });
      const a = await addFile(server, token, p.id, { name: 'a.py', path: '/src' });
      expectError(await api(server, 'POST', url(p), { token, body: { name: 'a.py', path: '/src' } }), 409, 'FILE_EXISTS');
      expectError(await api(server, 'POST', url(p), { token, body: { name: 'A.PY', path: 'SRC' } }), 409, 'FILE_EXISTS');
      expectError(await api(server, 'POST', url(p), { token, body: { name: 'src', path: '/' } }), 409, 'PATH_CONFLICT');
      expectError(await api(server, 'POST', url(p), { token, body: { name: 'x.py', path: '/src/a.py' } }), 409, 'PATH_CONFLICT');
      const b = await addFile(server, token, p.id, { name: 'b.py', path: '/src' });
      expectError(await api(server, 'PUT', url(p, `/${b.id}`), { token, body: { name: 'A.py' } }), 409, 'FILE_EXISTS');
      expectError(await api(server, 'PUT', url(p, `/${b.id}`), { token, body: { name: 'x', path: '/src/a.py' } }), 409, 'PATH_CONFLICT');
      // Renaming a file to its own name in another case is not a clash with itself.
      const self = await api<{ data: FileJson }>(server, 'PUT', url(p, `/${a.id}`), { token, body: { name: 'A.py' } });
      expect(self.body.data.name).toBe('A.py');
      expectError(await api(server, 'PUT', url(p, `/${a.id}`), { token, body: { path: '/../x' } }), 400, 'INVALID_PATH');
      expectError(await api(server, 'PUT', url(p, `/${a.id}`), { token, body: {} }), 400, 'VALIDATION_ERROR');
      expectError(await api(server, 'POST', url(p), { token, body: { name: 'nul.txt', content: 'a\0b' } }), 400, 'INVALID_FILE');
    });

    it('keeps exactly one main file', async () => {
      const p = await createProject(server, token, { name: 'main' });
      const mainId = p.files[0]!.id;
      expectError(await api(server, 'DELETE', url(p, `/${mainId}`), { token }), 409, 'MAIN_FILE_REQUIRED');
      expectError(await api(server, 'PUT', url(p, `/${mainId}`), { token, body: { isMain: false } }), 409, 'MAIN_FILE_REQUIRED');
      const other = await addFile(server, token, p.id, { name: 'app.py', content: 'print("app")\n' });
      await api(server, 'PUT', url(p, `/${other.id}`), { token, body: { isMain: true } });
      const files = (await api<{ data: { files: FileJson[] } }>(server, 'GET', url(p), { token })).body.data.files;
      expect(files.filter((f) => f.isMain).map((f) => f.id)).toEqual([other.id]);
      // The old main file may now be deleted; a new file created as main takes over.
      expect((await api(server, 'DELETE', url(p, `/${mainId}`), { token })).status).toBe(200);
      const third = await addFile(server, token, p.id, { name: 'third.py', content: 'print(3)\n', isMain: true });
      const after = (await api<{ data: { files: FileJson[]; mainFileId: string } }>(server, 'GET', `/api/v1/projects/${p.id}`, { token })).body.data;
      expect(after.mainFileId).toBe(third.id);
      expect(after.files.filter((f) => f.isMain)).toHaveLength(1);
    });

    it('moves updatedAt on a file change', async () => {
      const p = await createProject(server, token, { name: 'touch' });
      await new Promise((r) => setTimeout(r, 20));
      await addFile(server, token, p.id, { name: 'n.py' });
      const after = (await api<{ data: ProjectJson }>(server, 'GET', `/api/v1/projects/${p.id}`, { token })).body.data;
      expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(p.updatedAt));
    });
  });
}
