import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { type RunningServer, startApiServer } from '../../src/server/serve.js';
import { type TestServer, api, registerUser, startTestServer } from '../helpers/app.js';
import { TermSocket } from '../helpers/workspaces.js';

/**
 * Cluster mode (issue 11 item 8): two API replicas on one PostgreSQL and Redis. A workspace
 * started through replica B runs on B; replica A forwards its requests and its terminal socket
 * there (the Redis registry says where). When B goes away, the workspace reads stopped, and a start
 * through A runs it on A with its files rebuilt from the database.
 */
describe('workspaces in cluster mode', () => {
  let a: TestServer;
  let b: RunningServer | null = null;

  beforeAll(async () => {
    a = await startTestServer({ mode: 'cluster', config: { WORKSPACE_SYNC_INTERVAL_MS: '1000' } });
    // The second replica: the same database, Redis and queue; its own workspace uids.
    const cfg = loadConfig(process.env, {
      ...Object.fromEntries(Object.entries(a.config).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean').map(([k, v]) => [k, String(v)])),
      WORKSPACE_UID_BASE: String(a.config.SANDBOX_UID_BASE + 512),
    });
    b = await startApiServer(cfg, undefined, { logger: false, reconcile: false });
  });
  afterAll(async () => {
    await b?.close({ abort: true });
    await a?.stop();
  });

  it('routes a workspace running on replica B through replica A, then moves it to A when B is gone', async () => {
    const user = await registerUser(a);
    const created = await api<{ data: { id: string } }>(a, 'POST', '/api/v1/workspaces', { token: user.token, body: { language: 'python' } });
    const id = created.body.data.id;
    const started = await api<{ data: { status: string } }>(b!, 'POST', `/api/v1/workspaces/${id}/start`, { token: user.token });
    expect(started.body.data.status).toBe('running');
    // A does not run it, but answers for it.
    const st = await api<{ data: { status: string; sockets: number } }>(a, 'GET', `/api/v1/workspaces/${id}/status`, { token: user.token });
    expect(st.body.data.status).toBe('running');
    const t = await TermSocket.open(`${a.url.replace('http', 'ws')}/api/v1/workspaces/${id}/terminals/new/socket?token=${user.token}`);
    expect(await t.run('echo kept > kept.txt; hostname; echo "VIA-$((2+3))"')).toContain('VIA-5');
    const files = await api<{ data: { files: { path: string }[] } }>(a, 'GET', `/api/v1/workspaces/${id}/files`, { token: user.token });
    expect(files.body.data.files.map((f) => f.path)).toContain('kept.txt');
    const saved = await api(a, 'POST', `/api/v1/workspaces/${id}/file/${encodeURIComponent('from-a.txt')}`, { token: user.token, body: { content: 'written through A\n' } });
    expect(saved.status).toBe(200);
    expect(await t.run('cat from-a.txt')).toContain('written through A');
    t.close();
    // Someone else gets B's answer through A: not found.
    const other = await registerUser(a);
    expect((await api(a, 'GET', `/api/v1/workspaces/${id}/status`, { token: other.token })).status).toBe(404);

    // B goes away: its workspaces stop (the files are in the database) and leave the registry.
    await b!.close({ abort: true });
    b = null;
    const after = await api<{ data: { status: string } }>(a, 'GET', `/api/v1/workspaces/${id}`, { token: user.token });
    expect(after.body.data.status).toBe('stopped');
    expect((await api(a, 'POST', `/api/v1/workspaces/${id}/start`, { token: user.token })).status).toBe(200);
    const t2 = await TermSocket.open(`${a.url.replace('http', 'ws')}/api/v1/workspaces/${id}/terminals/new/socket?token=${user.token}`);
    expect(await t2.run('cat kept.txt from-a.txt')).toMatch(/kept[\s\S]*written through A/);
    t2.close();
    await api(a, 'POST', `/api/v1/workspaces/${id}/stop`, { token: user.token });
  });
});
