import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { api, registerUser } from '../helpers/app.js';
import { uniqueSlug, uploadPackage, zipPackage } from '../helpers/arena.js';
import { MultiHostCluster, sleep } from '../helpers/hosts.js';
import { connect, createRoom, joinAsGuest, textOf, type Client } from '../rooms/helpers.js';
import { TermSocket } from '../helpers/workspaces.js';
import { historyOf, until } from './client.js';

/**
 * The features that came after the cluster tests, on the same six simulated hosts
 * (test/helpers/hosts.ts): the Arena's judged submissions with a worker host killed mid-judge,
 * and a room document with an API host killed under its clients. "Nothing lost" is counted on
 * the database host (the oracle) and on the bus.
 */
describe('multi-host: judged submissions, room documents, workspaces', () => {
  let c: MultiHostCluster;
  const edge = () => ({ url: c.url });

  beforeAll(async () => {
    c = await MultiHostCluster.start();
  }, 120_000);

  afterAll(async () => c?.close(), 60_000);

  // Each test leaves every host running again; a process that exited by itself is a crash.
  afterEach(async () => {
    const died: string[] = [];
    for (const h of ['api1', 'api2', 'w1', 'w2'] as const) {
      const p = c.procs.get(h);
      if (p && p.child.exitCode !== null) died.push(`${h} exited ${p.child.exitCode}: ${p.output().slice(-2000)}`);
      if (!p || p.child.exitCode !== null || p.child.signalCode !== null) {
        await c.net.killHost(h);
        if (h.startsWith('api')) await c.startApi(h as 'api1' | 'api2');
        else await c.startWorker(h as 'w1' | 'w2');
      }
    }
    if (died.length) throw new Error(`crashed: ${died.join('\n')}`);
  }, 60_000);

  /** A user whose token carries the author role (the role is set on the database host). */
  async function author() {
    const u = await registerUser(edge());
    await c.sql('UPDATE users SET role = $1 WHERE id = $2', ['author', u.userId]);
    const res = await api<{ data: { token: string } }>(edge(), 'POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...u, token: res.body.data.token };
  }

  interface SubmissionRow {
    id: string;
    status: string;
    verdict: string | null;
    score: number;
    max_score: number;
    tests_done: number;
    tests_total: number;
    attempts: number;
    worker_id: string | null;
  }
  const submissionRows = (ids: string[]) =>
    c.sql<SubmissionRow>('SELECT id, status, verdict, score, max_score, tests_done, tests_total, attempts, worker_id FROM submissions WHERE id = ANY($1::uuid[]) ORDER BY id', [ids]);

  /** The problem both submission tests use (uploaded once, by an author, through the edge). */
  let problemSlug: string | undefined;
  let problemAuthor: { token: string } | undefined;
  async function slowProblem(): Promise<string> {
    if (problemSlug) return problemSlug;
    const a = await author();
    problemAuthor = a;
    const slug = uniqueSlug('mh-sum');
    // A scoring problem with two groups of two tests each (and the sample), so that the per-group
    // scores can be counted; every program sleeps on each test, so a judge takes a few seconds.
    const pkg = {
      'problem.yaml': ['problem_format_version: 2025-09', 'type: scoring', `name: Slow sum ${slug}`, 'uuid: 3f0a6f2e-2026-4000-8000-000000000714', 'license: cc0', 'limits:', '  time_limit: 2', '  memory: 64', ''].join('\n'),
      'statement/problem.en.md': '# Slow sum\n\nPrint $a + b$.\n',
      'data/sample/1.in': '2 3\n',
      'data/sample/1.ans': '5\n',
      'data/secret/1-small/test_group.yaml': 'max_score: 40\n',
      'data/secret/1-small/a.in': '4 5\n',
      'data/secret/1-small/a.ans': '9\n',
      'data/secret/1-small/b.in': '10 20\n',
      'data/secret/1-small/b.ans': '30\n',
      'data/secret/2-large/test_group.yaml': 'max_score: 60\n',
      'data/secret/2-large/c.in': '7310486259 4402917735\n',
      'data/secret/2-large/c.ans': '11713403994\n',
      'data/secret/2-large/d.in': '6029384756 1000000007\n',
      'data/secret/2-large/d.ans': '7029384763\n',
    };
    const up = await uploadPackage<{ success: boolean }>(edge(), a.token, zipPackage(pkg, slug), { filename: `${slug}.zip`, query: 'publish=true' });
    expect(up.status, up.text).toBe(201);
    problemSlug = slug;
    return slug;
  }

  const sleepy = (body: string) => `import time\na, b = map(int, input().split())\ntime.sleep(0.7)\n${body}\n`;
  const PROGRAMS = {
    // Right everywhere: AC, 100.
    ac: { code: sleepy('print(a + b)'), verdict: 'AC', score: 100 },
    // Right on small numbers only: the first group's 40, WA on the second.
    partial: { code: sleepy('print(a + b if a < 100 else a - b)'), verdict: 'WA', score: 40 },
  } as const;

  /**
   * Submits 6 programs through the edge, fails w1 (`fail`) while it has judged some tests of at
   * least one, and checks that every submission ends `done` exactly once with its right verdict
   * and score, the lost ones judged again on w2. Returns the final rows.
   */
  async function judgeThrough(fail: () => Promise<void>): Promise<{ ids: string[]; lost: Set<string>; done: SubmissionRow[] }> {
    const slug = await slowProblem();
    const solver = await registerUser(edge());
    const ids: string[] = [];
    const expected = new Map<string, { verdict: string; score: number }>();
    for (let i = 0; i < 6; i++) {
      const p = i % 2 === 0 ? PROGRAMS.ac : PROGRAMS.partial;
      const res = await api<{ data: { id: string } }>(edge(), 'POST', '/api/v1/submissions', { token: solver.token, body: { problemSlug: slug, language: 'python', code: p.code } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.data.id);
      expected.set(res.body.data.id, p);
    }

    // Fail w1 while it is judging at least one of them (some tests done, not all).
    const onW1 = async () => (await submissionRows(ids)).filter((r) => ['compiling', 'running'].includes(r.status) && c.hostOfWorker(r.worker_id) === 'w1');
    await until(async () => (await onW1()).some((r) => r.tests_done >= 1), 'a submission judged halfway on w1', 60_000);
    await fail();
    // What w1 held when it failed (read after: from then on it can change nothing).
    const lost = new Set((await onW1()).map((r) => r.id));

    // Every submission ends `done` (the lost ones once w1's lease expires and the reconciler re-queues them).
    let done: SubmissionRow[] = [];
    await until(
      async () => {
        done = await submissionRows(ids);
        return done.length === ids.length && done.every((r) => r.status === 'done');
      },
      'every submission done',
      90_000,
    );
    expect(lost.size).toBeGreaterThanOrEqual(1);
    for (const r of done) {
      expect([r.id, r.verdict, r.score, r.max_score, r.tests_done, r.tests_total]).toEqual([r.id, expected.get(r.id)!.verdict, expected.get(r.id)!.score, 100, 5, 5]);
      if (lost.has(r.id)) expect([c.hostOfWorker(r.worker_id), r.attempts], r.id).toEqual(['w2', 2]);
      else expect(r.attempts, r.id).toBe(1);
    }
    await expectOneVerdictEach(ids, expected);
    // The API agrees (through the edge), and the list holds each submission once.
    const list = await api<{ data: { submissions: { id: string; status: string; verdict: string }[] } }>(edge(), 'GET', `/api/v1/submissions?problem=${slug}&user=me&limit=50`, {
      token: solver.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.data.submissions.map((s) => [s.id, s.status, s.verdict]).sort()).toEqual(ids.map((id) => [id, 'done', expected.get(id)!.verdict]).sort());
    return { ids, lost, done };
  }

  /** One final verdict each: on the bus (one `done`, one `complete`, nothing after it) and in the per-group scores. */
  async function expectOneVerdictEach(ids: string[], expected: Map<string, { verdict: string }>) {
    for (const id of ids) {
      const history = await historyOf(c, id);
      expect(history.filter((e) => e.type === 'complete'), id).toHaveLength(1);
      expect(history.filter((e) => e.type === 'status' && e.status === 'done'), id).toHaveLength(1);
      expect(history.at(-1)?.type, `${id}: ${JSON.stringify(history.slice(-3))}`).toBe('complete');
    }
    // The IOI per-group scores: one row per group and submission, whatever the attempts.
    const groups = await c.sql<{ submission_id: string; group_name: string; score: number }>(
      'SELECT submission_id, group_name, score FROM submission_group_scores WHERE submission_id = ANY($1::uuid[]) ORDER BY submission_id, group_name',
      [ids],
    );
    expect(groups).toHaveLength(ids.length * 2);
    for (const id of ids) {
      const mine = groups.filter((g) => g.submission_id === id).map((g) => [g.group_name.replace(/^.*\//, ''), g.score]);
      expect(mine, id).toEqual([
        ['1-small', 40],
        ['2-large', expected.get(id)!.verdict === 'AC' ? 60 : 0],
      ]);
    }
  }

  it('judge submissions: a worker host killed mid-judge; every submission is judged again on the other host, one verdict each', async () => {
    await judgeThrough(() => c.net.killHost('w1'));
  }, 150_000);

  it('judge submissions: a worker host cut off mid-judge; when it comes back, its late writes change nothing', async () => {
    const { ids, lost, done } = await judgeThrough(async () => c.net.linkDown('w1'));
    // The cable is plugged back in: w1 judged its copies in its sandboxes meanwhile, and its
    // stalled connections now deliver their progress writes and events. Rows are conditional on
    // `worker_id`, events fenced by the attempt: nothing changes, nothing follows `complete`.
    c.net.linkUp('w1');
    await sleep(8_000);
    expect(await submissionRows(ids)).toEqual(done);
    await expectOneVerdictEach(ids, new Map(done.map((r) => [r.id, { verdict: r.verdict! }])));

    // A rejudge of a submission that took two attempts starts again at attempt 1: its events
    // still reach the stream (the fence is the claim's time, which only grows).
    const again = [...lost][0]!;
    const before = (await historyOf(c, again)).length;
    const rejudge = await api(edge(), 'POST', `/api/v1/submissions/${again}/rejudge`, { token: problemAuthor!.token });
    expect(rejudge.status, JSON.stringify(rejudge.body)).toBe(200);
    await until(async () => (await submissionRows([again]))[0]!.status === 'done' && (await historyOf(c, again)).at(-1)?.type === 'complete' && (await historyOf(c, again)).length > before, 'the rejudge', 60_000);
    const fresh = (await historyOf(c, again)).slice(before);
    expect(fresh.filter((e) => e.type === 'progress')).toHaveLength(5);
    expect(fresh.filter((e) => e.type === 'complete')).toHaveLength(1);
    expect((await submissionRows([again]))[0]).toMatchObject({ status: 'done', verdict: done.find((r) => r.id === again)!.verdict, attempts: 1 });
  }, 150_000);

  /** A room client through the edge that records which API host answered its WebSocket upgrades. */
  async function roomClient(roomId: string, token: string): Promise<{ client: Client; upstreams: string[] }> {
    const upstreams: string[] = [];
    class Traced extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        // The header lists every upstream nginx tried ("dead:3000, alive:3000"): keep the one that answered.
        this.on('upgrade', (res) => upstreams.push(String(res.headers['x-muscode-upstream'] ?? '').split(', ').at(-1)!));
      }
    }
    const client = await connect(edge(), roomId, token, { polyfill: Traced });
    return { client, upstreams };
  }

  it('room documents: an API host killed under two clients; its client reconnects through the edge; every edit is kept', async () => {
    const owner = await registerUser(edge());
    const initial = 'print("multi-host")\n';
    const room = await createRoom(edge(), { ...owner, username: owner.username }, { code: initial });
    const guest = await joinAsGuest(edge(), room, 'candidate', 'Candidate');
    // Both through the edge: `least_conn` counts the open WebSocket, so the second client goes to
    // the other API host. The upgrade's X-Muscode-Upstream header says where each one landed.
    const A = await roomClient(room.id, owner.token);
    let B = await roomClient(room.id, guest.roomToken);
    for (let i = 0; i < 5 && B.upstreams[0] === A.upstreams[0]; i++) {
      B.client.destroy();
      B = await roomClient(room.id, guest.roomToken);
    }
    const api1 = `${c.net.host('api1').ip}:3000`;
    const api2 = `${c.net.host('api2').ip}:3000`;
    expect(new Set([A.upstreams[0], B.upstreams[0]])).toEqual(new Set([api1, api2]));
    const a = A.client;
    const b = B.client;

    // Edits on both sides before the failure.
    for (let i = 0; i < 30; i++) {
      a.code.insert(0, 'a');
      b.code.insert(b.code.length, 'b');
    }
    await until(() => textOf(a) === textOf(b) && textOf(a).length === initial.length + 60, 'convergence before the failure', 30_000);

    // Kill A's API host, and keep typing on both sides while A is disconnected.
    const victim = A.upstreams[0] === api1 ? 'api1' : 'api2';
    const survivor = victim === 'api1' ? api2 : api1;
    await c.net.killHost(victim);
    for (let i = 0; i < 20; i++) {
      a.code.insert(0, 'A');
      b.code.insert(b.code.length, 'B');
    }
    // A's provider reconnects by itself, through the edge, to the surviving host.
    await until(() => A.upstreams.length >= 2, 'A reconnected', 30_000);
    expect(A.upstreams.at(-1)).toBe(survivor);
    for (let i = 0; i < 10; i++) {
      a.code.insert(a.code.length, 'z');
      b.code.insert(0, 'y');
    }
    const total = initial.length + 60 + 40 + 20;
    await until(() => textOf(a) === textOf(b) && textOf(a).length === total, 'convergence after the failure', 30_000);
    const final = textOf(a);
    for (const ch of ['a', 'b', 'A', 'B', 'z', 'y']) expect([ch, [...final].filter((x) => x === ch).length]).toEqual([ch, ch === 'z' || ch === 'y' ? 10 : ch === ch.toLowerCase() ? 30 : 20]);
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
    a.destroy();
    b.destroy();

    // Restart everything: both API hosts killed outright (no shutdown flush), and started again.
    // The stored document is the final text: rebuilt from the database alone (the oracle), and
    // as a new client loads it through the edge.
    await Promise.all([c.net.killHost('api1'), c.net.killHost('api2')]);
    await Promise.all([c.startApi('api1'), c.startApi('api2')]);
    const stored = new Y.Doc();
    const [r] = await c.sql<{ state: Buffer | null }>('SELECT state FROM rooms WHERE id = $1', [room.id]);
    if (r?.state) Y.applyUpdate(stored, r.state);
    for (const u of await c.sql<{ data: Buffer }>('SELECT data FROM room_updates WHERE room_id = $1 ORDER BY id', [room.id])) Y.applyUpdate(stored, u.data);
    expect(stored.getText('code').toString()).toBe(final);
    const fresh = await connect(edge(), room.id, owner.token);
    expect(textOf(fresh)).toBe(final);
    fresh.destroy();
  }, 120_000);
  it('workspaces: the API host running one is killed; it reads stopped, and starts on the other host with its files', async () => {
    // Workspaces need a root service process (under `muscode serve`'s supervisor they answer 503
    // today, docs/workspaces.md), so both API hosts run it as root for this test.
    const ws = (id: string, rest = '') => `/api/v1/workspaces/${id}${rest}`;
    try {
      await Promise.all([c.net.killHost('api1'), c.net.killHost('api2')]);
      // Terminal sockets are pinged every 0.5 s, and the edge closes a socket idle for 2 s (its
      // proxy_read_timeout, 120 s in deploy/nginx.conf): an idle terminal must stay open.
      const env = { WORKSPACE_SYNC_INTERVAL_MS: '1000', WORKSPACE_TERMINAL_PING_MS: '500' };
      await Promise.all([c.startRootApi('api1', env), c.startRootApi('api2', env), c.restartEdge({ readTimeout: '2s' })]);
      // The edge marked both dead a moment ago (max_fails=1): wait until it sends requests again.
      await until(async () => (await fetch(`${c.url}/health/live`).catch(() => null))?.status === 200, 'the edge to reach an API host', 30_000);
      const user = await registerUser(edge());
      const created = await api<{ data: { id: string; projectId: string } }>(edge(), 'POST', '/api/v1/workspaces', { token: user.token, body: { language: 'python' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.data.id;
      const started = await api<{ data: { status: string } }>(edge(), 'POST', ws(id, '/start'), { token: user.token });
      expect([started.status, started.body.data?.status], JSON.stringify(started.body)).toEqual([200, 'running']);
      // Where it runs: the registry on the database host's Redis.
      const placement = async () => {
        const r = c.redis();
        try {
          const keys = await r.keys(`*:ws:${id}`);
          return keys.length ? (JSON.parse((await r.get(keys[0]!)) ?? 'null') as { url: string } | null) : null;
        } finally {
          r.disconnect();
        }
      };
      const first = (await placement())?.url;
      const owner = first === `http://${c.net.host('api1').ip}:3000` ? 'api1' : first === `http://${c.net.host('api2').ip}:3000` ? 'api2' : null;
      expect(owner, String(first)).not.toBeNull();
      const other = owner === 'api1' ? 'api2' : 'api1';

      // A terminal through the edge (whichever API host it reaches forwards it to the owner).
      const socketUrl = `${c.url.replace('http', 'ws')}${ws(id, '/terminals/new/socket')}?token=${user.token}`;
      const t = await TermSocket.open(socketUrl);
      expect(await t.run('echo "survived-$((6*7))" > kept.txt; cat kept.txt')).toContain('survived-42');
      // The sync writes it to the database (the source of truth) within a second or so.
      const stored = () =>
        c.sql<{ content: string }>('SELECT f.content FROM files f JOIN workspaces w ON w.project_id = f.project_id WHERE w.id = $1 AND f.name = $2', [id, 'kept.txt']);
      await until(async () => (await stored()).length === 1, 'kept.txt synced to the database', 30_000);
      // Idle for twice the edge's read timeout: the server's pings keep the terminal open.
      await sleep(4_000);
      expect(t.closed).toBeNull();
      expect(await t.run('echo "still-$((1+1))"')).toContain('still-2');

      // The host dies with the workspace's processes. Its registry entry is no longer renewed.
      await c.net.killHost(owner!);
      await until(() => t.closed !== null, 'the terminal socket to close', 30_000);
      await until(
        async () => (await api<{ data?: { status: string } }>(edge(), 'GET', ws(id), { token: user.token }).catch(() => null))?.body.data?.status === 'stopped',
        'the workspace to read stopped',
        40_000,
      );
      expect(await placement()).toBeNull();
      // Started again through the edge: it runs on the surviving host, rebuilt from the database.
      const again = await api<{ data: { status: string } }>(edge(), 'POST', ws(id, '/start'), { token: user.token });
      expect([again.status, again.body.data?.status], JSON.stringify(again.body)).toEqual([200, 'running']);
      expect((await placement())?.url).toBe(`http://${c.net.host(other).ip}:3000`);
      const t2 = await TermSocket.open(socketUrl);
      expect(await t2.run('cat kept.txt')).toContain('survived-42');
      t2.close();
      // Nothing lost, nothing doubled: one row for the file, with its content.
      expect(await stored()).toEqual([{ content: 'survived-42\n' }]);
      expect((await api(edge(), 'POST', ws(id, '/stop'), { token: user.token })).status).toBe(200);
    } finally {
      // Back to the deployed shape (supervised API hosts) for whatever runs next.
      await Promise.all([c.net.killHost('api1'), c.net.killHost('api2')]);
      await Promise.all([c.startApi('api1'), c.startApi('api2'), c.restartEdge()]);
    }
  }, 150_000);
});
