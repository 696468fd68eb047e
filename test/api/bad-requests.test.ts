import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/**
 * The bad-request table: every request here is wrong in one way, and must be answered with the
 * right status AND the right stable error code in the standard envelope, in both modes. A code
 * that drifts (a 500 for bad input, a VALIDATION_ERROR where clients switch on LIMIT_TOO_HIGH)
 * is an API break even when the status is still 4xx.
 */

interface Fixtures {
  token: string;
  otherToken: string;
  /** A finished execution of the main user. */
  finishedId: string;
  /** A finished execution of the other user. */
  foreignId: string;
  expiredToken: string;
  forgedToken: string;
  noneToken: string;
}

interface Case {
  name: string;
  method?: string;
  url?: string;
  /** A JSON body, or a function of the fixtures giving the whole request. */
  body?: unknown;
  req?: (f: Fixtures) => { method?: string; url?: string; body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> };
  status: number;
  code: string;
}

const py = (extra: Record<string, unknown> = {}) => ({ language: 'python', code: 'print(1)', ...extra });
const batch = (files: unknown, extra: Record<string, unknown> = {}) => ({ language: 'python', files, ...extra });
const file = (name: string, content = 'print(1)') => ({ name, content });

const CASES: Case[] = [
  // Missing fields and wrong types (zod, strict bodies).
  { name: 'missing language', body: { code: 'print(1)' }, status: 400, code: 'VALIDATION_ERROR' },
  { name: 'missing code', body: { language: 'python' }, status: 400, code: 'VALIDATION_ERROR' },
  { name: 'code is a number', body: py({ code: 123 }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'args is a string', body: py({ args: 'x' }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'args holds a number', body: py({ args: ['a', 1] }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'timeout is a string', body: py({ timeout: '1' }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'memoryLimit is a string', body: py({ memoryLimit: '256' }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'stdin is a number', body: py({ stdin: 5 }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'language is empty', body: py({ language: '' }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'unknown top-level field', body: py({ priority: 'high' }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'unknown field in a batch file', url: '/api/v1/execute/batch', body: batch([{ name: 'main.py', content: 'print(1)', mode: 493 }]), status: 400, code: 'VALIDATION_ERROR' },
  { name: '`files` on the single-file route', body: py({ files: [file('main.py')] }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'body is a JSON array', body: [py()], status: 400, code: 'VALIDATION_ERROR' },
  { name: 'body is JSON null', req: (f) => ({ raw: 'null', token: f.token }), status: 400, code: 'VALIDATION_ERROR' },
  // What the engine refuses, refused before anything is queued.
  { name: 'unknown language', body: py({ language: 'intercal' }), status: 400, code: 'UNKNOWN_LANGUAGE' },
  { name: 'code over MAX_CODE_LENGTH', body: py({ code: `#${'x'.repeat(50_000)}` }), status: 413, code: 'SOURCE_TOO_LARGE' },
  { name: 'stdin over 1 MiB', body: py({ stdin: 'x'.repeat(2 ** 20 + 1) }), status: 413, code: 'STDIN_TOO_LARGE' },
  { name: 'negative timeout', body: py({ timeout: -1 }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'zero timeout', body: py({ timeout: 0 }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'absurd timeout', body: py({ timeout: 1000 }), status: 400, code: 'LIMIT_TOO_HIGH' },
  { name: 'absurd memoryLimit', body: py({ memoryLimit: 999_999 }), status: 400, code: 'LIMIT_TOO_HIGH' },
  { name: 'zero memoryLimit', body: py({ memoryLimit: 0 }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'infinite-looking timeout (1e308)', body: py({ timeout: 1e308 }), status: 400, code: 'LIMIT_TOO_HIGH' },
  { name: 'empty code', body: py({ code: '' }), status: 400, code: 'EMPTY_SOURCE' },
  { name: 'whitespace-only code', body: py({ code: ' \n\t\n' }), status: 400, code: 'EMPTY_SOURCE' },
  { name: 'NUL in an argument', body: py({ args: ['a\u0000b'] }), status: 400, code: 'INVALID_FILE' },
  // Batch paths.
  { name: 'batch path with ..', url: '/api/v1/execute/batch', body: batch([file('main.py'), file('../x')]), status: 400, code: 'INVALID_PATH' },
  { name: 'batch absolute path', url: '/api/v1/execute/batch', body: batch([file('/etc/x')]), status: 400, code: 'INVALID_PATH' },
  { name: 'batch path with NUL', url: '/api/v1/execute/batch', body: batch([file('main.py'), file('a\u0000b.py')]), status: 400, code: 'INVALID_PATH' },
  { name: 'batch reserved name', url: '/api/v1/execute/batch', body: batch([file('main.py'), file('.muscode/init')]), status: 400, code: 'INVALID_PATH' },
  { name: 'batch file under a file', url: '/api/v1/execute/batch', body: batch([file('a'), file('a/b.py')]), status: 400, code: 'INVALID_PATH' },
  { name: 'batch duplicate files', url: '/api/v1/execute/batch', body: batch([file('main.py'), file('main.py')]), status: 400, code: 'DUPLICATE_FILE' },
  { name: 'batch duplicate files differing in case', url: '/api/v1/execute/batch', body: batch([file('Main.py'), file('main.py')]), status: 400, code: 'DUPLICATE_FILE' },
  { name: 'batch with no files', url: '/api/v1/execute/batch', body: batch([]), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'batch main file not given', url: '/api/v1/execute/batch', body: batch([file('a.py')], { mainFile: 'b.py' }), status: 400, code: 'MAIN_FILE_MISSING' },
  { name: 'batch main file empty', url: '/api/v1/execute/batch', body: batch([file('main.py', '')]), status: 400, code: 'EMPTY_SOURCE' },
  { name: 'batch over the file count', url: '/api/v1/execute/batch', body: batch(Array.from({ length: 257 }, (_, i) => file(`f${i}.py`))), status: 400, code: 'TOO_MANY_FILES' },
  // The HTTP layer.
  { name: 'malformed JSON', req: (f) => ({ raw: '{"language": "python", "code": ', token: f.token }), status: 400, code: 'MALFORMED_JSON' },
  { name: 'text/plain body', req: (f) => ({ raw: 'print(1)', token: f.token, headers: { 'content-type': 'text/plain' } }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'form-encoded body', req: (f) => ({ raw: 'language=python&code=1', token: f.token, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'empty JSON body', req: (f) => ({ raw: '', token: f.token }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'bad ?wait value', url: '/api/v1/execute?wait=maybe', body: py(), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'bad UUID in GET /execute/:id', req: (f) => ({ method: 'GET', url: '/api/v1/execute/not-a-uuid', token: f.token }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'bad UUID in DELETE /execute/:id', req: (f) => ({ method: 'DELETE', url: '/api/v1/execute/1234', token: f.token }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'unknown route', req: (f) => ({ method: 'GET', url: '/api/v1/no-such-thing', token: f.token }), status: 404, code: 'ROUTE_NOT_FOUND' },
  { name: 'unknown method on a known path', req: (f) => ({ method: 'PUT', url: '/api/v1/execute', body: py(), token: f.token }), status: 404, code: 'ROUTE_NOT_FOUND' },
  { name: 'page=0', req: (f) => ({ method: 'GET', url: '/api/v1/execute?page=0', token: f.token }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'limit=1000', req: (f) => ({ method: 'GET', url: '/api/v1/execute?limit=1000', token: f.token }), status: 400, code: 'VALIDATION_ERROR' },
  { name: 'page=abc', req: (f) => ({ method: 'GET', url: '/api/v1/execute?page=abc', token: f.token }), status: 400, code: 'VALIDATION_ERROR' },
  // Who may ask.
  { name: 'no token (anonymous runs off)', req: () => ({ body: py(), token: null }), status: 401, code: 'UNAUTHORIZED' },
  { name: 'no token for the list', req: () => ({ method: 'GET', url: '/api/v1/execute', token: null }), status: 401, code: 'UNAUTHORIZED' },
  { name: 'no token for /stats', req: () => ({ method: 'GET', url: '/api/v1/stats', token: null }), status: 401, code: 'UNAUTHORIZED' },
  { name: 'expired token', req: (f) => ({ body: py(), token: f.expiredToken }), status: 401, code: 'TOKEN_EXPIRED' },
  { name: 'forged signature', req: (f) => ({ body: py(), token: f.forgedToken }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'alg:none token', req: (f) => ({ body: py(), token: f.noneToken }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'Basic instead of Bearer', req: () => ({ body: py(), token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } }), status: 401, code: 'INVALID_TOKEN' },
  { name: 'garbage bearer token', req: () => ({ body: py(), token: 'not.a.jwt!' }), status: 401, code: 'INVALID_TOKEN' },
  { name: "another user's execution", req: (f) => ({ method: 'GET', url: `/api/v1/execute/${f.foreignId}`, token: f.token }), status: 404, code: 'NOT_FOUND' },
  { name: "cancelling another user's execution", req: (f) => ({ method: 'DELETE', url: `/api/v1/execute/${f.foreignId}`, token: f.token }), status: 404, code: 'NOT_FOUND' },
  { name: 'an execution that does not exist', req: (f) => ({ method: 'GET', url: `/api/v1/execute/${crypto.randomUUID()}`, token: f.token }), status: 404, code: 'NOT_FOUND' },
  { name: 'cancelling a finished execution', req: (f) => ({ method: 'DELETE', url: `/api/v1/execute/${f.finishedId}`, token: f.token }), status: 409, code: 'NOT_CANCELLABLE' },
];

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`bad requests (${mode})`, () => {
    let server: TestServer;
    let f: Fixtures;

    beforeAll(async () => {
      server = await startTestServer({ mode });
      const me = await registerUser(server);
      const other = await registerUser(server);
      const run = async (token: string) => {
        const res = await api<{ data: { executionId: string; status: string } }>(server, 'POST', '/api/v1/execute?wait=true', { token, body: py() });
        expect(res.body.data.status).toBe('completed');
        return res.body.data.executionId;
      };
      // The secrets the server really signs with (generated per data dir in embedded mode).
      const key = new TextEncoder().encode(server.platform.ctx.secrets.jwt);
      const claims = { username: me.username, role: 'user', typ: 'access' };
      const now = Math.floor(Date.now() / 1000);
      const expiredToken = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(me.userId).setIssuedAt(now - 3600).setExpirationTime(now - 60).sign(key);
      const forgedToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(me.userId)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode('not-the-server-secret-0123456789abcdef'));
      const noneToken = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: me.userId, iat: now, exp: now + 600 })}.`;
      f = { token: me.token, otherToken: other.token, finishedId: await run(me.token), foreignId: await run(other.token), expiredToken, forgedToken, noneToken };
    });
    afterAll(async () => server?.stop());

    it('has at least 30 cases', () => {
      expect(CASES.length).toBeGreaterThanOrEqual(30);
      expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    });

    for (const c of CASES) {
      it(`${c.name} -> ${c.status} ${c.code}`, async () => {
        const r = c.req?.(f) ?? {};
        const token = r.token === null ? undefined : (r.token ?? f.token);
        const res = await api<{ success: boolean; error: { code: string; status: number; message: string } }>(
          server,
          r.method ?? c.method ?? 'POST',
          r.url ?? c.url ?? '/api/v1/execute',
          { body: r.body ?? c.body, raw: r.raw, token, headers: r.headers },
        );
        expect({ status: res.status, code: res.body.error?.code }, JSON.stringify(res.body).slice(0, 300)).toEqual({ status: c.status, code: c.code });
        expect(res.body.success).toBe(false);
        expect(res.body.error.status).toBe(c.status);
        expect(res.body.error.message).toEqual(expect.any(String));
      });
    }

    it('queued nothing for any of them', async () => {
      // Only the two fixture runs exist: not one bad request became a job.
      const mine = await api<{ data: { pagination: { total: number } } }>(server, 'GET', '/api/v1/execute', { token: f.token });
      expect(mine.body.data.pagination.total).toBe(1);
      const theirs = await api<{ data: { pagination: { total: number } } }>(server, 'GET', '/api/v1/execute', { token: f.otherToken });
      expect(theirs.body.data.pagination.total).toBe(1);
    });
  });
}
