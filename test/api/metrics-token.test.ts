import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';

describe('METRICS_TOKEN', () => {
  const token = 'scrape-token-0123456789';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { METRICS_TOKEN: token } });
  });
  afterAll(async () => server?.stop());

  it('refuses scrapes without the token, or with a wrong one, and serves them with it', async () => {
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('muscode_queue_jobs');
  });
});
