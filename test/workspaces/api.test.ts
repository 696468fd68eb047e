import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceServiceFor } from '../../src/workspaces/routes.js';
import { waitFor } from '../helpers/async.js';
import { type TestServer, api, registerUser, startTestServer } from '../helpers/app.js';
import { TermSocket, processesOfUid, ptyMasters } from '../helpers/workspaces.js';

type Ws = { id: string; projectId: string; status: string; role: string; terminals: string[] };
type FileList = { files: { path: string; size: number; encoding: string; isMain: boolean }[] };

/**
 * /api/v1/workspaces end to end against the real sandbox (issue 11): create, ensure-default,
 * start, a terminal over the socket, files both ways (terminal -> database within seconds, editor
 * -> directory), binary files kept as bytes, reattach with the screen restored and programs still
 * running, collaborators, and the hostile list (someone else's socket, symlinks to host paths,
 * bad names, over-quota files, a huge burst then Ctrl-C, absurd resize), stop and restart.
 */
describe('workspaces API', () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let other: Awaited<ReturnType<typeof registerUser>>;
  let ws: Ws;
  let ptyBaseline = 0;
  const sock = (tid: string, token: string, q = '') => `${server.url.replace('http', 'ws')}/api/v1/workspaces/${ws.id}/terminals/${tid}/socket?token=${token}${q}`;
  const files = async () => (await api<{ data: FileList }>(server, 'GET', `/api/v1/workspaces/${ws.id}/files`, { token: owner.token })).body.data.files;

  beforeAll(async () => {
    ptyBaseline = ptyMasters();
    server = await startTestServer({ config: { WORKSPACE_SYNC_INTERVAL_MS: '1000', WORKSPACE_DISK_MB: '32', WORKSPACE_TERMINALS_MAX: '12' } });
    owner = await registerUser(server);
    other = await registerUser(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates an empty workspace from a language, adds the starter file, starts it', async () => {
    const c = await api<{ data: Ws }>(server, 'POST', '/api/v1/workspaces', { token: owner.token, body: { language: 'python', name: 'ws test' } });
    expect(c.status).toBe(201);
    ws = c.body.data;
    expect(ws).toMatchObject({ status: 'stopped', role: 'owner' });
    // The project of a new project already has its starter; ensure-default adds nothing then.
    const e = await api<{ data: { created: boolean } }>(server, 'POST', `/api/v1/workspaces/${ws.id}/ensure-default`, { token: owner.token });
    expect(e.status).toBe(200);
    expect((await files()).map((f) => f.path)).toEqual(['main.py']);
    // Opening the same project again gives the same workspace.
    const again = await api<{ data: Ws }>(server, 'POST', '/api/v1/workspaces', { token: owner.token, body: { projectId: ws.projectId } });
    expect(again.body.data.id).toBe(ws.id);
    const s = await api<{ data: Ws }>(server, 'POST', `/api/v1/workspaces/${ws.id}/start`, { token: owner.token });
    expect(s.status).toBe(200);
    expect(s.body.data.status).toBe('running');
    const list = await api<{ data: { workspaces: Ws[] } }>(server, 'GET', '/api/v1/workspaces', { token: owner.token });
    expect(list.body.data.workspaces.map((w) => w.id)).toEqual([ws.id]);
  });

  it('a terminal runs numpy; a file made there reaches the database; an editor save reaches the terminal', async () => {
    const t = await TermSocket.open(sock('new', owner.token, '&cols=100&rows=30'));
    await t.until(() => t.hello !== null, 'hello');
    expect(t.hello).toMatchObject({ readOnly: false, cols: 100, rows: 30 });
    expect(await t.run('python3 -c "import numpy, pandas, scipy; print(numpy.arange(3))"')).toContain('[0 1 2]');
    expect(await t.run('cat main.py')).toContain('Hello from MUSCode!');
    await t.run('echo hi > a.txt; mkdir -p src/pkg; echo "x = 1" > src/pkg/mod.py; mkdir -p __pycache__; echo junk > __pycache__/x.pyc');
    await waitFor('a.txt in the database', async () => (await files()).some((f) => f.path === 'a.txt'));
    const paths = (await files()).map((f) => f.path);
    expect(paths).toContain('src/pkg/mod.py');
    expect(paths.some((p) => p.includes('__pycache__'))).toBe(false);
    await t.until(() => t.events.some((e) => e.type === 'files' && e.written?.includes('a.txt')), 'a files event');
    // The editor saves: database first, then the directory.
    const w = await api(server, 'POST', `/api/v1/workspaces/${ws.id}/file/a.txt`, { token: owner.token, body: { content: 'edited\n' } });
    expect(w.status).toBe(200);
    expect(await t.run('cat a.txt')).toContain('edited');
    const nested = await api<{ data: { content: string } }>(server, 'GET', `/api/v1/workspaces/${ws.id}/file/${encodeURIComponent('src/pkg/mod.py')}`, { token: owner.token });
    expect(nested.body.data.content).toBe('x = 1\n');
    // mv and rm in the terminal: the database follows.
    await t.run('mv a.txt b.txt; rm -r src');
    await waitFor('the move in the database', async () => {
      const p = (await files()).map((f) => f.path);
      return p.includes('b.txt') && !p.includes('a.txt') && !p.includes('src/pkg/mod.py');
    });
    const b = await api<{ data: { content: string } }>(server, 'GET', `/api/v1/workspaces/${ws.id}/file/b.txt`, { token: owner.token });
    expect(b.body.data.content).toBe('edited\n');
    t.close();
  });

  it('keeps binary files as bytes (a matplotlib PNG)', async () => {
    const t = await TermSocket.open(sock('new', owner.token));
    await t.run('python3 -c "import matplotlib.pyplot as plt; plt.plot([1,2,3]); plt.savefig(\'plot.png\')"', 60_000);
    await waitFor('plot.png in the database', async () => (await files()).some((f) => f.path === 'plot.png'));
    const f = await api<{ data: { content: string; encoding: string; size: number } }>(server, 'GET', `/api/v1/workspaces/${ws.id}/file/plot.png`, { token: owner.token });
    expect(f.body.data.encoding).toBe('base64');
    const bytes = Buffer.from(f.body.data.content, 'base64');
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.length).toBe(f.body.data.size);
    // And back: a binary written through the API arrives byte for byte.
    const raw = Buffer.from([0, 1, 2, 255, 254, 0x80]);
    await api(server, 'POST', `/api/v1/workspaces/${ws.id}/file/bin.dat`, { token: owner.token, body: { content: raw.toString('base64'), encoding: 'base64' } });
    expect(await t.run('od -An -tx1 bin.dat')).toContain('00 01 02 ff fe 80');
    t.close();
  });

  it('reattach: the shell lives on when the socket closes, the screen comes back, a running sleep is still alive', async () => {
    const t = await TermSocket.open(sock('new', owner.token));
    await t.until(() => t.hello !== null, 'hello');
    const tid = t.hello!.terminalId;
    await t.run('sleep 600 & echo "MARK-$((6*7))"');
    t.close();
    await t.until(() => t.closed !== null, 'close');
    const again = await TermSocket.open(sock(tid, owner.token));
    await again.until(() => again.snapshot.includes('MARK-42'), 'the screen restored');
    expect(await again.run('jobs')).toMatch(/Running\s+sleep 600/);
    again.close();
  });

  it('someone else cannot see, attach or type; a read collaborator watches read-only; a write collaborator types', async () => {
    expect((await api(server, 'GET', `/api/v1/workspaces/${ws.id}`, { token: other.token })).status).toBe(404);
    expect((await api(server, 'POST', `/api/v1/workspaces/${ws.id}/file/x.txt`, { token: other.token, body: { content: 'x' } })).status).toBe(404);
    await expect(TermSocket.open(sock('new', other.token))).rejects.toThrow(/HTTP 404/);
    await expect(TermSocket.open(sock('new', 'not-a-token'))).rejects.toThrow(/HTTP 401/);
    const owners = await TermSocket.open(sock('new', owner.token));
    await owners.until(() => owners.hello !== null, 'hello');
    const tid = owners.hello!.terminalId;
    expect((await api(server, 'PUT', `/api/v1/workspaces/${ws.id}/collaborators`, { token: owner.token, body: { username: other.username, role: 'read' } })).status).toBe(200);
    const viewer = await TermSocket.open(sock(tid, other.token));
    await viewer.until(() => viewer.hello !== null, 'hello');
    expect(viewer.hello!.readOnly).toBe(true);
    viewer.type('touch viewer-was-here\r');
    await owners.run('echo "SEEN-$((1+1))"');
    await viewer.until(() => viewer.text.includes('SEEN-2'), 'the viewer sees the output');
    expect(await owners.run('ls viewer-was-here 2>&1')).toContain('No such file');
    expect((await api(server, 'POST', `/api/v1/workspaces/${ws.id}/file/x.txt`, { token: other.token, body: { content: 'x' } })).status).toBe(403);
    expect((await api(server, 'POST', `/api/v1/workspaces/${ws.id}/stop`, { token: other.token })).status).toBe(403);
    viewer.close();
    await api(server, 'PUT', `/api/v1/workspaces/${ws.id}/collaborators`, { token: owner.token, body: { username: other.username, role: 'write' } });
    const writer = await TermSocket.open(sock(tid, other.token));
    expect(await writer.run('echo "WRITER-$((2+2))"')).toContain('WRITER-4');
    writer.close();
    await api(server, 'PUT', `/api/v1/workspaces/${ws.id}/collaborators`, { token: owner.token, body: { username: other.username, role: null } });
    expect((await api(server, 'GET', `/api/v1/workspaces/${ws.id}`, { token: other.token })).status).toBe(404);
    owners.close();
  });

  it('sync never follows a symlink to a host path, skips bad names, reports over-quota files', async () => {
    const t = await TermSocket.open(sock('new', owner.token));
    await t.run('ln -s /etc/passwd pw; ln -s /etc etcdir; ln -s / root; mkfifo fifo');
    await t.run("touch $'new\\nline.txt' $'bad\\xff.txt' ok-name.txt");
    // Made aside (in an ignored directory) and renamed: a scan never sees it half written.
    await t.run('mkdir -p .cache; head -c 6000000 /dev/urandom > .cache/h; mv .cache/h huge.bin');
    await waitFor('ok-name.txt in the database', async () => (await files()).some((f) => f.path === 'ok-name.txt'));
    const p = (await files()).map((f) => f.path);
    for (const bad of ['pw', 'etcdir', 'root', 'fifo', 'huge.bin']) expect(p).not.toContain(bad);
    expect(p.some((x) => x.startsWith('etcdir/') || x.startsWith('root/') || x.includes('passwd'))).toBe(false);
    expect(p.some((x) => x.includes('line.txt') || x.startsWith('bad'))).toBe(false);
    await waitFor('the over-quota report', async () => {
      const s = await api<{ data: { syncErrors: { rel: string; code: string }[]; skipped: { rel: string }[] } }>(server, 'GET', `/api/v1/workspaces/${ws.id}/status`, { token: owner.token });
      return s.body.data.syncErrors.some((e) => e.rel === 'huge.bin' && e.code === 'WORKSPACE_OVER_QUOTA') && s.body.data.skipped.length >= 2;
    });
    // An editor save through a symlinked directory to the host is refused, and the host file untouched.
    const r = await api<{ error: { code: string } }>(server, 'POST', `/api/v1/workspaces/${ws.id}/file/${encodeURIComponent('etcdir/muscode-pwned')}`, { token: owner.token, body: { content: 'x' } });
    expect(r.status).toBe(400);
    const fs = await import('node:fs');
    expect(fs.existsSync('/etc/muscode-pwned')).toBe(false);
    await t.run('rm -f pw etcdir root fifo huge.bin $\'new\\nline.txt\' $\'bad\\xff.txt\'');
    t.close();
  });

  it('a huge burst is flow-controlled and Ctrl-C answers; absurd sizes are clamped', async () => {
    const t = await TermSocket.open(sock('new', owner.token));
    await t.until(() => t.hello !== null, 'hello');
    t.type('yes\r');
    await t.until(() => t.received > 2_000_000, 'a burst of output', 60_000);
    t.type('\x03');
    expect(await t.run('echo "AFTER-$((3*3))"', 60_000)).toContain('AFTER-9');
    // A client that stops acknowledging: the server stops reading the pty at the high-water mark,
    // so what it holds (and sends) stays bounded however much `yes` could write.
    const slow = await TermSocket.open(sock('new', owner.token));
    await slow.until(() => slow.hello !== null, 'hello');
    slow.ack = false;
    slow.type('yes\r');
    await slow.until(() => slow.received > 200_000, 'output up to the high-water mark');
    const svc = workspaceServiceFor(server.platform.ctx);
    await waitFor('the pty paused', () => svc.terminalFlow(ws.id).some((f) => f.id === slow.hello!.terminalId && f.paused));
    const held = slow.received;
    await new Promise((r) => setTimeout(r, 1000));
    expect(slow.received - held).toBeLessThan(256 * 1024);
    expect(slow.received).toBeLessThan(2 * 1024 * 1024);
    const flow = svc.terminalFlow(ws.id).find((f) => f.id === slow.hello!.terminalId)!;
    expect(flow.paused).toBe(true);
    expect(flow.backlogBytes).toBeLessThan(1024 * 1024);
    // Ctrl-C is input, never paused: it reaches yes at once; acknowledging lets the rest drain.
    slow.type('\x03');
    slow.ack = true;
    slow.ws.send(Buffer.from([0x32, ...[24, 16, 8, 0].map((s) => (slow.received >>> s) & 255)]));
    expect(await slow.run('echo "DRAINED-$((5+5))"', 60_000)).toContain('DRAINED-10');
    slow.close();
    t.resize(65535, 65535);
    expect(await t.run('stty size')).toContain('200 500');
    t.resize(0, 0);
    expect(await t.run('stty size')).toContain('200 500');
    t.close();
  });

  it('a stop kills every process and releases every pty; a start rebuilds the directory from the database', async () => {
    const svc = workspaceServiceFor(server.platform.ctx);
    const t = await TermSocket.open(sock('new', owner.token));
    await t.run('nohup sleep 999 >/dev/null 2>&1 & setsid sleep 999 & true');
    const st = await api<{ data: { terminals: string[] } }>(server, 'GET', `/api/v1/workspaces/${ws.id}/status`, { token: owner.token });
    expect(st.body.data.terminals.length).toBeGreaterThan(1);
    // Written just before the stop (inside the watcher's debounce): the stop's last sync keeps it.
    const uid = Number(/UID=(\d+)/.exec(await t.run('echo UID=$(id -u); echo last > last.txt'))![1]);
    const s = await api<{ data: Ws }>(server, 'POST', `/api/v1/workspaces/${ws.id}/stop`, { token: owner.token });
    expect(s.body.data.status).toBe('stopped');
    expect((await files()).map((f) => f.path)).toContain('last.txt');
    await t.until(() => t.closed !== null, 'the socket closed by the stop');
    await waitFor('the processes reaped', () => processesOfUid(uid).length === 0).catch(() => undefined);
    expect(processesOfUid(uid)).toEqual([]);
    expect(svc.leftovers()).toEqual({ boxes: 0, pids: [], mounts: [] });
    await waitFor('the ptys closed', () => ptyMasters() === ptyBaseline).catch(() => undefined);
    expect(ptyMasters()).toBe(ptyBaseline);
    await expect(TermSocket.open(sock('new', owner.token))).rejects.toThrow(/HTTP 409/);
    await api(server, 'POST', `/api/v1/workspaces/${ws.id}/start`, { token: owner.token });
    const again = await TermSocket.open(sock('new', owner.token));
    expect(await again.run('cat b.txt; od -An -tx1 bin.dat; ls')).toMatch(/edited[\s\S]*00 01 02 ff fe 80[\s\S]*plot\.png/);
    again.close();
  });

  it('idle policy: a short grace once no socket is open, then the workspace stops', async () => {
    const svc = workspaceServiceFor(server.platform.ctx);
    expect(svc.status(ws.id).status).toBe('running');
    // Sockets are closed: the grace (180 s) applies, not the 30 minutes.
    await waitFor('the last socket released', () => svc.status(ws.id).sockets === 0);
    expect(await svc.reapIdle(Date.now() + 60_000)).toEqual([]);
    expect(await svc.reapIdle(Date.now() + 181_000)).toEqual([ws.id]);
    expect(svc.status(ws.id).status).toBe('stopped');
  });

  it('limits: per user, with a clear error', async () => {
    const mk = async () => (await api<{ data: Ws }>(server, 'POST', '/api/v1/workspaces', { token: other.token, body: { language: 'python' } })).body.data;
    const a = await mk();
    const b = await mk();
    const c = await mk();
    expect((await api(server, 'POST', `/api/v1/workspaces/${a.id}/start`, { token: other.token })).status).toBe(200);
    expect((await api(server, 'POST', `/api/v1/workspaces/${b.id}/start`, { token: other.token })).status).toBe(200);
    const r = await api<{ error: { code: string; details: { max: number } } }>(server, 'POST', `/api/v1/workspaces/${c.id}/start`, { token: other.token });
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ code: 'WORKSPACE_USER_LIMIT', details: { max: 2 } });
    await api(server, 'POST', `/api/v1/workspaces/${a.id}/stop`, { token: other.token });
    await api(server, 'POST', `/api/v1/workspaces/${b.id}/stop`, { token: other.token });
  });
});
