import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredScope } from '../../src/auth/api-keys.js';
import { apiKeys } from '../../src/db/schema.js';
import { api, type Mode, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/** Issue 12 item 3: personal access tokens (`mck_…`) on the main, Judge0 and Piston APIs. */

type Envelope<T> = { success: boolean; data: T; error?: { code: string; details?: Record<string, unknown> } };
interface KeyJson {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  key?: string;
}

async function createKey(server: TestServer, token: string, body: { name: string; scopes: string[]; expiresAt?: string | null }) {
  const r = await api<Envelope<KeyJson>>(server, 'POST', '/api/v1/auth/api-keys', { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data as KeyJson & { key: string };
}

const PY = { language: 'python', code: 'print(6*7)' };

for (const mode of ['embedded', 'cluster'] as Mode[])
describe(`API keys (${mode})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ mode });
  });
  afterAll(async () => server?.stop());

  it('is shown once, stored hashed, listed without the key, and stands for its owner', async () => {
    const u = await registerUser(server);
    const k = await createKey(server, u.token, { name: 'ci', scopes: ['read', 'execute'] });
    expect(k.key).toMatch(/^mck_[A-Za-z0-9_-]{43}$/);
    expect(k).toMatchObject({ name: 'ci', scopes: ['read', 'execute'], expiresAt: null, lastUsedAt: null, revokedAt: null, prefix: k.key.slice(0, 12) });
    const list = await api<Envelope<KeyJson[]>>(server, 'GET', '/api/v1/auth/api-keys', { token: u.token });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).not.toHaveProperty('key');
    expect(JSON.stringify(list.body)).not.toContain(k.key);
    const db = server.platform.ctx.database.db;
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, k.id));
    expect(row!.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(k.key.slice(4));
    const me = await api<Envelope<{ id: string }>>(server, 'GET', '/api/v1/auth/me', { token: k.key });
    expect(me.status).toBe(200);
    expect(me.body.data.id).toBe(u.userId);
    const run = await api<Envelope<{ output: string; status: string }>>(server, 'POST', '/api/v1/execute?wait=true', { token: k.key, body: PY });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.data.output).toBe('42\n');
    const after = await api<Envelope<KeyJson[]>>(server, 'GET', '/api/v1/auth/api-keys', { token: u.token });
    expect(after.body.data[0]!.lastUsedAt).not.toBeNull();
    // Neither the audit log nor any other table holds the key.
    const audit = await db.execute(sql`select * from audit_logs`);
    expect(JSON.stringify(audit)).not.toContain(k.key);
  });

  it('enforces scopes on every route', async () => {
    const u = await registerUser(server);
    const read = await createKey(server, u.token, { name: 'reader', scopes: ['read'] });
    const exec = await createKey(server, u.token, { name: 'runner', scopes: ['execute'] });
    const proj = await createKey(server, u.token, { name: 'projects', scopes: ['projects'] });
    const admin = await createKey(server, u.token, { name: 'admin', scopes: ['admin'] });
    const denied = async (r: Promise<{ status: number; body: Envelope<unknown> }>, need: string) => {
      const got = await r;
      expect(got.status, JSON.stringify(got.body)).toBe(403);
      expect(got.body.error).toMatchObject({ code: 'INSUFFICIENT_SCOPE', details: { required: need } });
    };
    // read: GETs only.
    expect((await api(server, 'GET', '/api/v1/execute', { token: read.key })).status).toBe(200);
    expect((await api(server, 'GET', '/api/v1/stats', { token: read.key })).status).toBe(200);
    await denied(api(server, 'POST', '/api/v1/execute', { token: read.key, body: PY }), 'execute');
    await denied(api(server, 'POST', '/api/v1/projects', { token: read.key, body: { name: 'p', language: 'python' } }), 'projects');
    // execute: runs, but reads nothing and changes no project.
    expect((await api(server, 'POST', '/api/v1/execute', { token: exec.key, body: PY })).status).toBe(200);
    await denied(api(server, 'GET', '/api/v1/execute', { token: exec.key }), 'read');
    await denied(api(server, 'POST', '/api/v1/projects', { token: exec.key, body: { name: 'p', language: 'python' } }), 'projects');
    // projects: creates a project, runs nothing.
    const p = await api<Envelope<{ id: string }>>(server, 'POST', '/api/v1/projects', { token: proj.key, body: { name: 'p', language: 'python' } });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    await denied(api(server, 'POST', '/api/v1/execute', { token: proj.key, body: PY }), 'execute');
    // Only admin (or a session) manages keys: a leaked narrow key cannot mint a wider one.
    await denied(api(server, 'POST', '/api/v1/auth/api-keys', { token: exec.key, body: { name: 'x', scopes: ['admin'] } }), 'admin');
    await denied(api(server, 'GET', '/api/v1/auth/api-keys', { token: read.key }), 'admin');
    const minted = await createKey(server, admin.key, { name: 'from admin', scopes: ['read'] });
    expect(minted.key).toMatch(/^mck_/);
    expect((await api(server, 'POST', '/api/v1/execute', { token: admin.key, body: PY })).status).toBe(200);
  });

  it('revocation and expiry take effect at once; keys are private to their owner', async () => {
    const u = await registerUser(server);
    const other = await registerUser(server);
    const k = await createKey(server, u.token, { name: 'soon gone', scopes: ['read'] });
    expect((await api(server, 'GET', '/api/v1/auth/me', { token: k.key })).status).toBe(200);
    expect((await api(server, 'DELETE', `/api/v1/auth/api-keys/${k.id}`, { token: other.token })).status).toBe(404);
    const del = await api<Envelope<KeyJson>>(server, 'DELETE', `/api/v1/auth/api-keys/${k.id}`, { token: u.token });
    expect(del.status).toBe(200);
    expect(del.body.data.revokedAt).not.toBeNull();
    const gone = await api<Envelope<unknown>>(server, 'GET', '/api/v1/auth/me', { token: k.key });
    expect(gone.status).toBe(401);
    expect(gone.body.error?.code).toBe('INVALID_TOKEN');

    const past = await api<Envelope<unknown>>(server, 'POST', '/api/v1/auth/api-keys', { token: u.token, body: { name: 'x', scopes: ['read'], expiresAt: '2000-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    const e = await createKey(server, u.token, { name: 'expiring', scopes: ['read'], expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await api(server, 'GET', '/api/v1/auth/me', { token: e.key })).status).toBe(200);
    await server.platform.ctx.database.db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.id, e.id));
    expect((await api(server, 'GET', '/api/v1/auth/me', { token: e.key })).status).toBe(401);
    // A key-shaped string that was never issued.
    expect((await api(server, 'GET', '/api/v1/auth/me', { token: `mck_${'A'.repeat(43)}` })).status).toBe(401);
    // Bad input: unknown scope, no scope.
    expect((await api(server, 'POST', '/api/v1/auth/api-keys', { token: u.token, body: { name: 'x', scopes: ['root'] } })).status).toBe(400);
    expect((await api(server, 'POST', '/api/v1/auth/api-keys', { token: u.token, body: { name: 'x', scopes: [] } })).status).toBe(400);
  });

  it('works as X-Auth-Token on the Judge0 API and as Bearer on the Piston API, within its scopes', async () => {
    const u = await registerUser(server);
    const exec = await createKey(server, u.token, { name: 'judge0', scopes: ['execute'] });
    const read = await createKey(server, u.token, { name: 'reader', scopes: ['read'] });
    const body = { source_code: 'print(6*7)', language_id: 71 };
    const sub = await api<{ stdout: string; status: { id: number } }>(server, 'POST', '/judge0/submissions?wait=true', { body, headers: { 'x-auth-token': exec.key } });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    expect(sub.body.stdout).toBe('42\n');
    expect((await api(server, 'POST', '/judge0/submissions', { body, headers: { 'x-auth-token': read.key } })).status).toBe(403);
    // Judge0's token check answers for an execute key (clients call it at start-up).
    expect((await api(server, 'POST', '/judge0/authenticate', { headers: { 'x-auth-token': exec.key } })).status).toBe(200);
    const piston = await api<{ run: { stdout: string } }>(server, 'POST', '/piston/api/v2/execute', {
      token: exec.key,
      body: { language: 'python', version: '*', files: [{ content: 'print(6*7)' }] },
    });
    expect(piston.status, JSON.stringify(piston.body)).toBe(200);
    expect(piston.body.run.stdout).toBe('42\n');
    await api(server, 'DELETE', `/api/v1/auth/api-keys/${exec.id}`, { token: u.token });
    expect((await api(server, 'POST', '/judge0/submissions', { body, headers: { 'x-auth-token': exec.key } })).status).toBe(401);
    expect((await api(server, 'POST', '/piston/api/v2/execute', { token: exec.key, body: { language: 'python', version: '*', files: [{ content: 'print(1)' }] } })).status).toBe(401);
  });

  it('maps routes to scopes', () => {
    expect(requiredScope('GET', '/api/v1/execute/x')).toBe('read');
    expect(requiredScope('POST', '/api/v1/execute/batch')).toBe('execute');
    expect(requiredScope('POST', '/api/v1/projects/1/run')).toBe('execute');
    expect(requiredScope('PATCH', '/api/v1/projects/1')).toBe('projects');
    expect(requiredScope('GET', '/api/v1/auth/api-keys')).toBe('admin');
    expect(requiredScope('GET', '/api/v1/auth/me')).toBe('read');
    expect(requiredScope('POST', '/judge0/submissions?wait=true')).toBe('execute');
    expect(requiredScope('POST', '/piston/api/v2/execute')).toBe('execute');
  });
});

describe('API keys share their owner’s rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ mode: 'embedded', config: { RATE_LIMIT_EXECUTE: '3' } });
  });
  afterAll(async () => server?.stop());

  it('two keys and a session of one user fill one execute bucket', async () => {
    const u = await registerUser(server);
    const a = await createKey(server, u.token, { name: 'a', scopes: ['execute'] });
    const b = await createKey(server, u.token, { name: 'b', scopes: ['execute'] });
    for (const token of [a.key, b.key, u.token]) expect((await api(server, 'POST', '/api/v1/execute', { token, body: PY })).status).toBe(200);
    const limited = await api<Envelope<unknown>>(server, 'POST', '/api/v1/execute', { token: a.key, body: PY });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('RATE_LIMITED');
    // Another user is not affected.
    const v = await registerUser(server);
    expect((await api(server, 'POST', '/api/v1/execute', { token: v.token, body: PY })).status).toBe(200);
  });
});
