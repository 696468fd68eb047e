import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsChildMessage } from '../../src/supervisor/workspace-protocol.js';
import { type ServeProcess, startServe } from '../db/serve-process.js';
import { waitFor } from '../helpers/async.js';
import { api, registerUser } from '../helpers/app.js';
import { TermSocket, processesOfUid } from '../helpers/workspaces.js';

/** Descriptors of process `pid` open on /dev/ptmx: the pty masters it holds. */
function ptyMastersOf(pid: number): number {
  let n = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === '/dev/ptmx') n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** The supervisor's workspace instance directory (/run/muscode/ws/<pid>-<hex>), once it has one. */
function instanceOf(pid: number): string | null {
  const dir = '/run/muscode/ws';
  const n = fs.existsSync(dir) ? fs.readdirSync(dir).find((e) => e.startsWith(`${pid}-`)) : undefined;
  return n ? path.join(dir, n) : null;
}

function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
}

/** The cgroups of a workspace instance (its directory and a slot per workspace, in each hierarchy). */
function cgroupsOf(instance: string): string[] {
  const name = path.basename(instance);
  const out = execFileSync('find', ['/sys/fs/cgroup', '-maxdepth', '5', '-type', 'd', '-path', `*/muscode-ws/${name}*`], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** Processes in those cgroups. */
function cgroupProcs(instance: string): number[] {
  return cgroupsOf(instance).flatMap((d) => {
    try {
      return fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/**
 * Workspaces under `bin/muscode serve` (embedded mode): HTTP runs as SERVICE_USER, the
 * environments, ptys and the directory sync in the root supervisor, over its IPC channel
 * (docs/workspaces.md, "Under the supervisor"). A real server process, end to end.
 */
describe('workspaces under muscode serve', () => {
  let dir: string;
  let s: ServeProcess;
  let user: Awaited<ReturnType<typeof registerUser>>;
  let instance: string | null = null;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-wsserve-'));
    s = await startServe(dir, ['--workspace-sync-interval-ms', '1000']);
    user = await registerUser(s);
  }, 60_000);
  afterAll(async () => {
    await s?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('create, start, a terminal, a file made there in the files list, stop: nothing left', async () => {
    const supervisor = s.child.pid!;
    const ptyBaseline = ptyMastersOf(supervisor);
    const c = await api<{ data: { id: string } }>(s, 'POST', '/api/v1/workspaces', { token: user.token, body: { language: 'python', name: 'under serve' } });
    expect(c.status).toBe(201);
    const id = c.body.data.id;
    const started = await api<{ data: { status: string } }>(s, 'POST', `/api/v1/workspaces/${id}/start`, { token: user.token });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.data.status).toBe('running');

    const t = await TermSocket.open(`${s.url.replace('http', 'ws')}/api/v1/workspaces/${id}/terminals/new/socket?token=${user.token}`);
    await t.until(() => t.hello !== null, 'hello');
    const uid = Number(/(\d+)\s*\nexit=0/.exec(await t.run('id -u'))?.[1]);
    expect(uid).toBeGreaterThan(0);
    await t.run('echo hi > a.txt');
    const files = async () =>
      (await api<{ data: { files: { path: string }[] } }>(s, 'GET', `/api/v1/workspaces/${id}/files`, { token: user.token })).body.data.files.map((f) => f.path);
    await waitFor('a.txt in the files list', async () => (await files()).includes('a.txt'), 5000);
    await t.until(() => t.events.some((e) => e.type === 'files' && e.written?.includes('a.txt')), 'a files event');
    const f = await api<{ data: { content: string } }>(s, 'GET', `/api/v1/workspaces/${id}/file/a.txt`, { token: user.token });
    expect(f.body.data.content).toBe('hi\n');
    // An editor save reaches the directory (service -> supervisor).
    expect((await api(s, 'POST', `/api/v1/workspaces/${id}/file/b.txt`, { token: user.token, body: { content: 'saved\n' } })).status).toBe(200);
    expect(await t.run('cat b.txt')).toContain('saved');
    const status = await api<{ data: { status: string; memoryBytes: number } }>(s, 'GET', `/api/v1/workspaces/${id}/status`, { token: user.token });
    expect(status.body.data.status).toBe('running');
    expect(status.body.data.memoryBytes).toBeGreaterThan(0);

    instance = instanceOf(supervisor);
    expect(instance).not.toBeNull();
    expect(mountsUnder(instance!).length).toBeGreaterThan(0);
    expect(cgroupProcs(instance!).length).toBeGreaterThan(0);
    expect(processesOfUid(uid).length).toBeGreaterThan(0);
    await t.run('sleep 300 & true');

    const stopped = await api<{ data: { status: string } }>(s, 'POST', `/api/v1/workspaces/${id}/stop`, { token: user.token });
    expect(stopped.body.data.status).toBe('stopped');
    await t.until(() => t.closed !== null, 'the socket closed');
    // Killed processes are reaped by their (dying) parents a moment later.
    await waitFor('the processes reaped', () => processesOfUid(uid).length === 0, 3000).catch(() => undefined);
    expect(processesOfUid(uid)).toEqual([]);
    expect(mountsUnder(instance!)).toEqual([]);
    // The slot's cgroup is kept for the next start (the host's pool), empty; it goes with the server.
    expect(cgroupProcs(instance!)).toEqual([]);
    await waitFor('the pty closed', () => ptyMastersOf(supervisor) === ptyBaseline, 3000).catch(() => undefined);
    expect(ptyMastersOf(supervisor)).toBe(ptyBaseline);
    // The files stay in the database.
    expect(await files()).toEqual(expect.arrayContaining(['a.txt', 'b.txt', 'main.py']));
  }, 30_000);

  it('a server stopped with SIGTERM leaves no cgroup or directory of its workspaces', async () => {
    expect(instance).not.toBeNull();
    expect(await s.kill('SIGTERM')).toBe(0);
    expect(cgroupsOf(instance!)).toEqual([]);
    expect(fs.existsSync(instance!)).toBe(false);
  });

  it('the supervisor refuses what is not a workspace operation on a plain path', () => {
    const key = '0b7e7f43-8f33-4d0e-9b7a-2a3c1c2d9e10';
    const wrote = (rel: string) => wsChildMessage.safeParse({ t: 'ws', id: 1, req: { op: 'wrote', key, rel, bytes: new Uint8Array(1) } }).success;
    expect(wrote('src/a.py')).toBe(true);
    for (const bad of ['../etc/passwd', '/etc/passwd', 'a/../../x', './a', 'a//b', 'a/', 'a\0b']) expect(wrote(bad), bad).toBe(false);
    expect(wsChildMessage.safeParse({ t: 'ws', id: 1, req: { op: 'start', key: '../../x', files: [] } }).success).toBe(false);
    expect(wsChildMessage.safeParse({ t: 'ws', id: 1, req: { op: 'spawn', key, size: { cols: 80, rows: 24 }, argv: ['/bin/sh'] } }).success).toBe(false);
    expect(wsChildMessage.safeParse({ t: 'ws', id: 1, req: { op: 'exec', key } }).success).toBe(false);
  });

  it('a service that dies: the supervisor stops its workspaces before it exits', async () => {
    s = await startServe(dir, ['--workspace-sync-interval-ms', '1000']);
    const supervisor = s.child.pid!;
    const login = await api<{ data: { token: string } }>(s, 'POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(login.status).toBe(200);
    const token = login.body.data.token;
    const list = await api<{ data: { workspaces: { id: string }[] } }>(s, 'GET', '/api/v1/workspaces', { token });
    const id = list.body.data.workspaces[0]!.id;
    expect((await api(s, 'POST', `/api/v1/workspaces/${id}/start`, { token })).status).toBe(200);
    const t = await TermSocket.open(`${s.url.replace('http', 'ws')}/api/v1/workspaces/${id}/terminals/new/socket?token=${token}`);
    // The directory was rebuilt from the database.
    expect(await t.run('cat a.txt b.txt')).toMatch(/hi[\s\S]*saved/);
    const uid = Number(/(\d+)\s*\nexit=0/.exec(await t.run('id -u'))?.[1]);
    await t.run('sleep 300 & true');
    expect(processesOfUid(uid).length).toBeGreaterThan(0);
    const inst = instanceOf(supervisor)!;
    const service = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .find((p) => {
        try {
          // The supervisor's Node child; its other children are prestarted sandbox launchers.
          return fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(supervisor) && fs.readlinkSync(`/proc/${p}/exe`) === process.execPath;
        } catch {
          return false;
        }
      });
    expect(service).toBeDefined();
    process.kill(Number(service), 'SIGKILL');
    await s.exited;
    await waitFor('the processes reaped', () => processesOfUid(uid).length === 0, 3000).catch(() => undefined);
    expect(processesOfUid(uid)).toEqual([]);
    expect(mountsUnder(inst)).toEqual([]);
    expect(cgroupsOf(inst)).toEqual([]);
    expect(fs.existsSync(inst)).toBe(false);
  }, 30_000);
});
