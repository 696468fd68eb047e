import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { addFile, createProject, type ErrorJson, type ProjectJson } from './helpers.js';

/**
 * The authorization matrix, as a table: every project endpoint × owner / another user /
 * anonymous × private / unlisted / public. Each case gets its own fresh project (so destructive
 * endpoints do not disturb the others) and checks the exact status and code. The rule it
 * encodes: private is invisible (404) to everyone but the owner; public and unlisted can be
 * read by anyone, signed in or not; changing needs the owner (403 for readers); anything that
 * needs an account is 401 without one; a run without an account follows ANONYMOUS_EXECUTE.
 */

type Actor = 'owner' | 'other' | 'anonymous';
type Visibility = 'private' | 'unlisted' | 'public';

interface Fixture {
  project: ProjectJson;
  fileId: string;
  commentId: string;
}

interface Endpoint {
  name: string;
  method: string;
  url: (f: Fixture) => string;
  body?: unknown;
  /** Extra set-up on the fresh project, as the owner. */
  setup?: 'delete';
  ok: number;
  /** Expected answer for a caller who may read but is not the owner (signed in). */
  reader: 'ok' | 403 | 404;
  /** Expected answer without an account, on a readable project. */
  anonymous: 'ok' | 401 | 404;
}

const P = (f: Fixture) => `/api/v1/projects/${f.project.id}`;

const ENDPOINTS: Endpoint[] = [
  { name: 'read project', method: 'GET', url: P, ok: 200, reader: 'ok', anonymous: 'ok' },
  { name: 'replace project', method: 'PUT', url: P, body: { name: 'x', language: 'python', visibility: 'public' }, ok: 200, reader: 403, anonymous: 401 },
  { name: 'patch project', method: 'PATCH', url: P, body: { name: 'y' }, ok: 200, reader: 403, anonymous: 401 },
  { name: 'delete project', method: 'DELETE', url: P, ok: 200, reader: 403, anonymous: 401 },
  { name: 'restore project', method: 'POST', url: (f) => `${P(f)}/restore`, setup: 'delete', ok: 200, reader: 404, anonymous: 401 },
  { name: 'fork', method: 'POST', url: (f) => `${P(f)}/fork`, ok: 201, reader: 'ok', anonymous: 401 },
  { name: 'run', method: 'POST', url: (f) => `${P(f)}/run?wait=true`, body: {}, ok: 200, reader: 'ok', anonymous: 401 },
  { name: 'list files', method: 'GET', url: (f) => `${P(f)}/files`, ok: 200, reader: 'ok', anonymous: 'ok' },
  { name: 'add file', method: 'POST', url: (f) => `${P(f)}/files`, body: { name: 'new.py', content: 'x = 1\n' }, ok: 201, reader: 403, anonymous: 401 },
  { name: 'read file', method: 'GET', url: (f) => `${P(f)}/files/${f.fileId}`, ok: 200, reader: 'ok', anonymous: 'ok' },
  { name: 'update file', method: 'PUT', url: (f) => `${P(f)}/files/${f.fileId}`, body: { content: 'y = 2\n' }, ok: 200, reader: 403, anonymous: 401 },
  { name: 'delete file', method: 'DELETE', url: (f) => `${P(f)}/files/${f.fileId}`, ok: 200, reader: 403, anonymous: 401 },
  { name: 'star', method: 'POST', url: (f) => `${P(f)}/star`, ok: 200, reader: 'ok', anonymous: 401 },
  { name: 'unstar', method: 'DELETE', url: (f) => `${P(f)}/star`, ok: 200, reader: 'ok', anonymous: 401 },
  { name: 'list comments', method: 'GET', url: (f) => `${P(f)}/comments`, ok: 200, reader: 'ok', anonymous: 'ok' },
  { name: 'comment', method: 'POST', url: (f) => `${P(f)}/comments`, body: { content: 'nice' }, ok: 201, reader: 'ok', anonymous: 401 },
  { name: "edit the owner's comment", method: 'PATCH', url: (f) => `${P(f)}/comments/${f.commentId}`, body: { content: 'edited' }, ok: 200, reader: 403, anonymous: 401 },
  { name: "delete the owner's comment", method: 'DELETE', url: (f) => `${P(f)}/comments/${f.commentId}`, ok: 200, reader: 403, anonymous: 401 },
];

/** The expected (status, code) for one cell. */
function expected(e: Endpoint, actor: Actor, visibility: Visibility): { status: number; code?: string } {
  const okCell = { status: e.ok };
  if (actor === 'owner') return okCell;
  if (actor === 'anonymous') {
    // Routes that need an account say so before looking at the project: 401 leaks nothing.
    if (e.anonymous === 401) return { status: 401, code: 'UNAUTHORIZED' };
    if (visibility === 'private') return { status: 404, code: 'NOT_FOUND' };
    return okCell;
  }
  if (visibility === 'private') return { status: 404, code: 'NOT_FOUND' };
  if (e.reader === 'ok') return okCell;
  return e.reader === 403 ? { status: 403, code: 'FORBIDDEN' } : { status: 404, code: 'NOT_FOUND' };
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`project authorization matrix (${mode})`, () => {
    let server: TestServer;
    let owner: string;
    let other: string;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { ANONYMOUS_EXECUTE: 'false' } });
      owner = (await registerUser(server)).token;
      other = (await registerUser(server)).token;
    });
    afterAll(async () => server?.stop());

    async function fixture(visibility: Visibility, setup?: 'delete'): Promise<Fixture> {
      const project = await createProject(server, owner, { name: `m-${visibility}`, visibility });
      const file = await addFile(server, owner, project.id, { name: 'helper.py', path: '/lib', content: 'X = 1\n' });
      const c = await api<{ data: { id: string } }>(server, 'POST', `/api/v1/projects/${project.id}/comments`, { token: owner, body: { content: 'by the owner' } });
      expect(c.status).toBe(201);
      if (setup === 'delete') expect((await api(server, 'DELETE', `/api/v1/projects/${project.id}`, { token: owner })).status).toBe(200);
      return { project, fileId: file.id, commentId: c.body.data.id };
    }

    const cells = ENDPOINTS.flatMap((e) =>
      (['private', 'unlisted', 'public'] as Visibility[]).flatMap((v) => (['owner', 'other', 'anonymous'] as Actor[]).map((a) => ({ e, v, a }))),
    );

    it(`answers every cell of the matrix (${ENDPOINTS.length} endpoints × 3 visibilities × 3 callers)`, async () => {
      const wrong: string[] = [];
      for (const { e, v, a } of cells) {
        const f = await fixture(v, e.setup);
        const token = a === 'owner' ? owner : a === 'other' ? other : undefined;
        const res = await api<ErrorJson & { data?: { verdict?: string; output?: string } }>(server, e.method, e.url(f), { token, body: e.body });
        const want = expected(e, a, v);
        const got = { status: res.status, code: res.body.success === false ? res.body.error.code : undefined };
        if (got.status !== want.status || (want.code && got.code !== want.code)) {
          wrong.push(`${e.name} / ${v} / ${a}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
        // A run that is allowed really ran the project's starter.
        if (e.name === 'run' && res.status === 200) expect(res.body.data?.output).toBe('Hello from MUSCode!\n');
      }
      expect(wrong).toEqual([]);
    });

    it("answers a stranger's private project exactly like one that does not exist", async () => {
      const f = await fixture('private');
      for (const url of ['', '/files', `/files/${f.fileId}`, '/comments']) {
        const hidden = await api<ErrorJson>(server, 'GET', `${P(f)}${url}`, { token: other });
        const absent = await api<ErrorJson>(server, 'GET', `/api/v1/projects/${randomUUID()}${url.replace(f.fileId, randomUUID())}`, { token: other });
        expect(hidden.status).toBe(404);
        expect(hidden.body).toEqual(absent.body);
      }
    });

    it('lists public projects for everyone, never private or unlisted ones', async () => {
      const made = await Promise.all((['private', 'unlisted', 'public'] as Visibility[]).map((v) => createProject(server, owner, { name: `listing-${v}`, visibility: v })));
      for (const token of [other, undefined]) {
        const res = await api<{ data: { projects: { id: string }[] } }>(server, 'GET', '/api/v1/projects?scope=public&q=listing-&limit=100', { token });
        expect(res.status).toBe(200);
        expect(res.body.data.projects.map((p) => p.id)).toEqual([made[2]!.id]);
      }
      const mine = await api<{ data: { projects: { id: string }[] } }>(server, 'GET', '/api/v1/projects?q=listing-', { token: owner });
      expect(new Set(mine.body.data.projects.map((p) => p.id))).toEqual(new Set(made.map((p) => p.id)));
      expect((await api(server, 'GET', '/api/v1/projects?scope=mine')).status).toBe(401);
    });
  });

  describe(`anonymous runs with ANONYMOUS_EXECUTE on (${mode})`, () => {
    let server: TestServer;
    let owner: string;
    beforeAll(async () => {
      server = await startTestServer({ mode, config: { ANONYMOUS_EXECUTE: 'true' } });
      owner = (await registerUser(server)).token;
    });
    afterAll(async () => server?.stop());

    it('runs public and unlisted projects without an account, never private ones', async () => {
      for (const visibility of ['public', 'unlisted', 'private'] as Visibility[]) {
        const p = await createProject(server, owner, { visibility });
        const res = await api<{ data: { output: string; projectId: string } } & ErrorJson>(server, 'POST', `/api/v1/projects/${p.id}/run?wait=true`, { body: {} });
        if (visibility === 'private') {
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('NOT_FOUND');
        } else {
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect(res.body.data).toMatchObject({ output: 'Hello from MUSCode!\n', projectId: p.id });
        }
      }
    });
  });
}
