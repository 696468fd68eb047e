import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { api, registerUser } from '../helpers/app.js';
import { MultiHostCluster, sleep } from '../helpers/hosts.js';
import { completeEvents, historyOf, rows, startRun, until, waitFinal } from './client.js';

/**
 * The cluster on six simulated hosts (test/helpers/hosts.ts): the edge, the API hosts, the
 * worker hosts. A worker host cut off the network, and one killed outright, mid-run: nothing is
 * lost, nothing stays running, nothing completes twice.
 */
describe('multi-host: the edge and the worker hosts', () => {
  let c: MultiHostCluster;
  let token: string;
  const edge = () => ({ url: c.url });

  beforeAll(async () => {
    c = await MultiHostCluster.start();
    token = (await registerUser(edge())).token;
  }, 120_000);

  afterAll(async () => c?.close(), 60_000);

  // A failure test leaves the hosts as it found them, even when it fails.
  // (And fails if a process died by itself: tests kill with signals, an exit code is a crash.)
  afterEach(async () => {
    const died: string[] = [];
    for (const w of ['w1', 'w2'] as const) {
      c.net.linkUp(w);
      const p = c.procs.get(w);
      if (!p || p.child.exitCode !== null || p.child.signalCode !== null) {
        if (p && p.child.exitCode !== null) died.push(`${w} exited ${p.child.exitCode}: ${p.output().slice(-2000)}`);
        await c.net.killHost(w);
        await c.startWorker(w);
      }
    }
    for (const a of ['api1', 'api2']) if (c.procs.get(a)!.child.exitCode !== null) died.push(`${a} exited: ${c.procs.get(a)!.output().slice(-2000)}`);
    if (died.length) throw new Error(`crashed: ${died.join('\n')}`);
  }, 60_000);

  it('serves through the edge: both APIs answer, both workers run, the client address is the real one, sandboxes have no network', async () => {
    const upstreams = new Set<string>();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await api<{ data: { executionId: string } }>(edge(), 'POST', '/api/v1/execute', {
        token,
        body: { language: 'python', code: `import time\ntime.sleep(0.3)\nprint(${i} * 7)` },
      });
      expect(res.status).toBe(200);
      upstreams.add(res.headers.get('x-muscode-upstream') ?? '');
      ids.push(res.body.data.executionId);
    }
    const done = await waitFinal(c, ids);
    expect(done.map((r) => [r.status, r.stdout])).toEqual(ids.map(() => ['completed', expect.any(String)]));
    expect(Object.fromEntries(done.map((r) => [r.id, r.stdout]))).toEqual(Object.fromEntries(ids.map((id, i) => [id, `${i * 7}\n`])));
    // least_conn spreads REST over both API hosts; BullMQ spreads runs over both worker hosts.
    expect(upstreams).toEqual(new Set([`${c.net.host('api1').ip}:3000`, `${c.net.host('api2').ip}:3000`]));
    expect(new Set(done.map((r) => c.hostOfWorker(r.worker_id)))).toEqual(new Set(['w1', 'w2']));

    // X-Forwarded-For: the API believes the edge (TRUST_PROXY), so a login records the client's
    // own address, not the edge's, and not one the client made up.
    const u = await registerUser(edge());
    const login = await api(edge(), 'POST', '/api/v1/auth/login', {
      body: { email: u.email, password: u.password },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(login.status).toBe(200);
    const tokens = await c.sql<{ ip_address: string }>(
      'SELECT DISTINCT t.ip_address FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = $1',
      [u.username],
    );
    expect(tokens.map((t) => t.ip_address)).toEqual([c.net.clientIp]);

    // The engine's bwrap makes its own (empty) network namespace inside the worker host's: a
    // program cannot reach the database host the worker itself talks to.
    const probe = await startRun(
      c,
      token,
      'python',
      `import socket\ntry:\n    socket.create_connection(("${c.net.host('db').ip}", 6379), timeout=2)\n    print("reached")\nexcept OSError as e:\n    print("no network", e.errno)`,
    );
    const [row] = await waitFinal(c, [probe]);
    expect(row!.stdout).toMatch(/^no network/);
  });

  it('the sandbox inside a host: under nsenter --net it works; `ip netns exec` hides the cgroups until they are mounted again', () => {
    const ns = c.net.host('w1').ns;
    const dataDir = fs.mkdtempSync(path.join(c.net.dir, 'selftest-'));
    fs.chmodSync(dataDir, 0o755);
    const selftest = `DATA_DIR=${dataDir} SANDBOX_UID_BASE=${c.spareUidBase} ${path.join(REPO_ROOT, 'bin/muscode')} selftest bash`;
    const run = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    // What the harness does: only the network namespace changes.
    const viaNsenter = run(['nsenter', `--net=/run/netns/${ns}`, '--', 'sh', '-c', selftest]);
    expect(viaNsenter.stdout, viaNsenter.stderr).toMatch(/1\/1 languages passed/);
    // `ip netns exec` also mounts a fresh /sys for the namespace, without the cgroup hierarchies
    // under it: the engine refuses to run unconfined.
    const plain = run(['ip', 'netns', 'exec', ns, 'sh', '-c', selftest]);
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/CGROUP_UNAVAILABLE/);
    // Mounting them again inside (the same hierarchies as on the host) makes it work: bwrap's own
    // network namespace nests inside the host's.
    const remount = run(['ip', 'netns', 'exec', ns, 'sh', '-c', `${cgroupMountScript()} && ${selftest}`]);
    expect(remount.stdout, remount.stderr).toMatch(/1\/1 languages passed/);
  });

  /** Runs that sleep long enough to be cut mid-run; each prints its own number's square. */
  async function startSlowRuns(n: number, seconds: number): Promise<{ ids: string[]; expected: Map<string, string> }> {
    const ids: string[] = [];
    const expected = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const id = await startRun(c, token, 'python', `import time\nprint("start", flush=True)\ntime.sleep(${seconds})\nprint(${i + 11} ** 2)`);
      ids.push(id);
      expected.set(id, `start\n${(i + 11) ** 2}\n`);
    }
    return { ids, expected };
  }

  async function runningOn(host: string, ids: string[]): Promise<number> {
    return (await rows(c, ids)).filter((r) => r.status === 'running' && c.hostOfWorker(r.worker_id) === host).length;
  }

  /**
   * The common check: every run ended exactly once, with its own right output. Runs that w1
   * held when it failed were run again on w2 (attempt 2) after their lease expired.
   */
  async function expectNothingLost(ids: string[], expected: Map<string, string>, lostOnW1: Set<string>) {
    const done = await waitFinal(c, ids);
    for (const r of done) {
      expect(r.status, r.id).toBe('completed');
      expect(r.stdout, r.id).toBe(expected.get(r.id));
      expect(await completeEvents(c, r.id), `complete events of ${r.id}`).toBe(1);
      if (lostOnW1.has(r.id)) {
        expect(c.hostOfWorker(r.worker_id)).toBe('w2');
        expect(r.attempts).toBe(2);
      }
    }
    return done;
  }

  it('a worker host cut off mid-run: its runs finish on the other host, once; when it comes back its late results are refused', async () => {
    const { ids, expected } = await startSlowRuns(6, 3);
    await until(async () => (await runningOn('w1', ids)) >= 1, 'a run on w1');
    const cut = new Set((await rows(c, ids)).filter((r) => r.status === 'running' && c.hostOfWorker(r.worker_id) === 'w1').map((r) => r.id));
    c.net.linkDown('w1');
    const done = await expectNothingLost(ids, expected, cut);
    const snapshot = JSON.stringify(done);

    // The cable is plugged back in: w1's runs ended in its sandboxes long ago, and its stalled
    // connections now deliver their writes. The completion is conditional on the row still
    // being w1's (`worker_id`, `status = 'running'`), so it changes nothing.
    c.net.linkUp('w1');
    await sleep(8_000);
    expect(JSON.stringify(await rows(c, ids))).toBe(snapshot);
    for (const id of ids) expect(await completeEvents(c, id)).toBe(1);
    // Its late output was fenced off (the bus drops attempt 1's events once attempt 2 started):
    // the stream ends with `complete`, and after the last `running` it is exactly the result.
    for (const r of done) {
      const history = await historyOf(c, r.id);
      expect(history.at(-1)?.type, r.id).toBe('complete');
      const lastRunning = history.map((e) => e.type === 'status' && e.status === 'running').lastIndexOf(true);
      const rerun = history.slice(lastRunning).filter((e) => e.type === 'output').map((e) => e.data).join('');
      expect(rerun, r.id).toBe(r.stdout);
      if (cut.has(r.id)) expect(history.filter((e) => e.type === 'status' && e.status === 'running')).toHaveLength(2);
    }

    // And w1 takes work again by itself.
    const more = await startSlowRuns(6, 0.5);
    const after = await waitFinal(c, more.ids);
    expect(Object.fromEntries(after.map((r) => [r.id, r.stdout]))).toEqual(Object.fromEntries(more.expected));
    expect(after.some((r) => c.hostOfWorker(r.worker_id) === 'w1')).toBe(true);
  });

  it('a worker host killed outright mid-run: its runs finish on the other host, once', async () => {
    const { ids, expected } = await startSlowRuns(6, 3);
    await until(async () => (await runningOn('w1', ids)) >= 1, 'a run on w1');
    const lost = new Set((await rows(c, ids)).filter((r) => r.status === 'running' && c.hostOfWorker(r.worker_id) === 'w1').map((r) => r.id));
    await c.net.killHost('w1');
    await expectNothingLost(ids, expected, lost);
  });

  it('runs interrupted twice (both worker hosts die, then the new one too) end failed with worker_lost; none stays running', async () => {
    const { ids } = await startSlowRuns(4, 5);
    await until(async () => (await runningOn('w1', ids)) + (await runningOn('w2', ids)) === 4, 'four runs running');
    await Promise.all([c.net.killHost('w1'), c.net.killHost('w2')]);
    // Attempt 2 on a fresh w1, killed again mid-run.
    await c.startWorker('w1');
    await until(async () => (await rows(c, ids)).filter((r) => r.status === 'running' && r.attempts === 2).length >= 2, 'second attempts running', 30_000);
    const second = new Set((await rows(c, ids)).filter((r) => r.status === 'running' && r.attempts === 2).map((r) => r.id));
    await c.net.killHost('w1');
    await c.startWorker('w1');
    await c.startWorker('w2');
    const done = await waitFinal(c, ids);
    for (const r of done) {
      if (second.has(r.id)) expect([r.status, r.failure_reason]).toEqual(['failed', 'worker_lost']);
      else expect(r.status).toBe('completed');
      expect(await completeEvents(c, r.id)).toBe(1);
    }
  });
});

/** Shell commands that mount, over the fresh /sys of `ip netns exec`, the cgroup hierarchies this machine has. */
function cgroupMountScript(): string {
  const mounts = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[1]?.startsWith('/sys/fs/cgroup') && (f[2] === 'cgroup' || f[2] === 'cgroup2'));
  if (mounts.some((f) => f[2] === 'cgroup2' && f[1] === '/sys/fs/cgroup')) return 'mount -t cgroup2 none /sys/fs/cgroup';
  const cmds = ['mount -t tmpfs cgroup /sys/fs/cgroup'];
  for (const [, dir, type, options] of mounts) {
    if (type === 'cgroup2') {
      cmds.push(`mkdir -p ${dir}`, `mount -t cgroup2 none ${dir}`);
      continue;
    }
    const controllers = options!.split(',').filter((o) => !['rw', 'ro', 'nosuid', 'nodev', 'noexec', 'relatime'].includes(o));
    cmds.push(`mkdir -p ${dir}`, `mount -t cgroup -o ${controllers.join(',')} cgroup ${dir}`);
  }
  return cmds.join(' && ');
}
