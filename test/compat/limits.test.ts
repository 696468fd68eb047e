import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/app.js';

/** The platform's guards apply to the compatibility APIs, answered in each API's own shape. */
describe('compatibility APIs: rate limits and switches', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { ANONYMOUS_EXECUTE: '1', RATE_LIMIT_EXECUTE: '1', PISTON_ENABLED: '0', JUDGE0_PREFIX: '/api/judge0' } });
  });
  afterAll(async () => server?.stop());

  it('RATE_LIMIT_EXECUTE counts Judge0 submissions: 429 {error} with Retry-After', async () => {
    const body = { source_code: 'print(1)', language_id: 71 };
    expect((await api(server, 'POST', '/api/judge0/submissions', { body })).status).toBe(201);
    const second = await api<{ error: string }>(server, 'POST', '/api/judge0/submissions', { body });
    expect(second.status).toBe(429);
    expect(Object.keys(second.body)).toEqual(['error']);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    // One bucket for every API: the native API is refused too (embedded mode shares one store).
    const native = await api<{ error: { code: string } }>(server, 'POST', '/api/v1/execute', { body: { language: 'python', code: 'print(1)' } });
    expect(native.status).toBe(429);
    expect(native.body.error.code).toBe('RATE_LIMITED');
    // Reading is not an execution.
    expect((await api(server, 'GET', '/api/judge0/languages')).status).toBe(200);
  });

  it('JUDGE0_PREFIX moves the API; PISTON_ENABLED=0 removes Piston', async () => {
    expect((await api(server, 'GET', '/api/judge0/about')).body).toMatchObject({ version: '1.13.1' });
    // The old prefix is nothing of ours any more (the web app's fallback answers it, if built).
    expect(JSON.stringify((await api(server, 'GET', '/judge0/about')).body)).not.toContain('1.13.1');
    const piston = await api(server, 'GET', '/piston/api/v2/runtimes');
    expect(Array.isArray(piston.body)).toBe(false);
  });
});
