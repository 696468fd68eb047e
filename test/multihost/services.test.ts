import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser } from '../helpers/app.js';
import { type ApiName, MultiHostCluster, sleep } from '../helpers/hosts.js';
import { rows, StreamClient, startRun, until, waitFinal } from './client.js';

/**
 * The cluster on six simulated hosts (test/helpers/hosts.ts): an API host killed while clients
 * stream through the edge, Redis restarted empty and PostgreSQL restarted under load, and a
 * burst of 1,000 runs. Each checks "nothing lost" by counting rows and results.
 */
describe('multi-host: API hosts, Redis, PostgreSQL, a burst', () => {
  let c: MultiHostCluster;
  let token: string;
  const edge = () => ({ url: c.url });

  beforeAll(async () => {
    c = await MultiHostCluster.start();
    token = (await registerUser(edge())).token;
  }, 120_000);

  afterAll(async () => c?.close(), 60_000);

  // A test leaves the hosts as it found them, and fails if a process died by itself (tests kill
  // with signals; an exit code means a crash).
  afterEach(async () => {
    const died: string[] = [];
    for (const h of ['api1', 'api2', 'w1', 'w2'] as const) {
      const p = c.procs.get(h);
      if (!p || p.child.exitCode !== null || p.child.signalCode !== null) {
        if (p && p.child.exitCode !== null) died.push(`${h} exited ${p.child.exitCode}: ${p.output().slice(-2000)}`);
        await c.net.killHost(h);
        await (h.startsWith('w') ? c.startWorker(h as 'w1' | 'w2') : c.startApi(h as ApiName));
      }
    }
    if (died.length) throw new Error(`crashed: ${died.join('\n')}`);
  }, 60_000);

  /** Runs that print `lines` numbered lines, one every 50 ms, prefixed with their own tag. */
  async function startTalkers(n: number, lines: number) {
    const runs: { id: string; expected: string }[] = [];
    for (let i = 0; i < n; i++) {
      const code = `import time\nfor j in range(${lines}):\n    print(f"r${i} line {j}", flush=True)\n    time.sleep(0.05)`;
      const id = await startRun(c, token, 'python', code);
      runs.push({ id, expected: Array.from({ length: lines }, (_, j) => `r${i} line ${j}\n`).join('') });
    }
    return runs;
  }

  it('an API host killed while clients stream: they reconnect through the edge and get the rest by replay, no gap, no duplicate', async () => {
    // socket.io is pinned by client address (ip_hash): ask the edge where our sockets land.
    const probe = await fetch(`${c.url}/ws/?EIO=4&transport=polling`);
    await probe.text();
    const upstream = probe.headers.get('x-muscode-upstream');
    const victim = (['api1', 'api2'] as ApiName[]).find((a) => upstream === `${c.net.host(a).ip}:3000`);
    expect(victim, `socket.io upstream ${upstream}`).toBeDefined();

    const runs = await startTalkers(4, 80);
    const clients = runs.map((r) => new StreamClient(c.url, token, r.id));
    try {
      await until(() => clients.every((cl) => cl.events.filter((e) => e.name === 'execution:output').length >= 5), 'output on every client');
      await c.net.killHost(victim!);
      // REST goes on through the edge meanwhile (the other API host).
      const during = await startRun(c, token, 'python', 'print("during")');
      await until(() => clients.every((cl) => cl.done), 'every stream complete', 60_000);
      for (const [i, cl] of clients.entries()) {
        expect(cl.connects, 'reconnected').toBeGreaterThanOrEqual(2);
        // Contiguous seqs from 1, the whole output once, then complete last.
        expect(cl.events.map((e) => e.seq)).toEqual(cl.events.map((_, k) => k + 1));
        expect(cl.output()).toBe(runs[i]!.expected);
        expect(cl.events.at(-1)!.name).toBe('execution:complete');
        // The replay overlapped what the client had (and agreed with it): it was needed and de-duplicated.
        expect(cl.raw.length).toBeGreaterThan(cl.events.length);
        for (const e of cl.raw) expect(e).toEqual(cl.events[e.seq - 1]);
      }
      const done = await waitFinal(c, [...runs.map((r) => r.id), during]);
      expect(done.every((r) => r.status === 'completed')).toBe(true);
    } finally {
      for (const cl of clients) cl.close();
    }
  });

  async function startSquares(n: number, language = 'python', base = 0) {
    const runs: { id: string; expected: string }[] = [];
    for (let i = 0; i < n; i++) {
      const k = base + i;
      const code = language === 'bash' ? `echo $((${k} * ${k}))` : `import time\ntime.sleep(0.4)\nprint(${k} * ${k})`;
      runs.push({ id: await startRun(c, token, language, code), expected: `${k * k}\n` });
    }
    return runs;
  }

  function expectResults(done: Awaited<ReturnType<typeof waitFinal>>, runs: { id: string; expected: string }[]) {
    const byId = new Map(done.map((r) => [r.id, r]));
    expect(done).toHaveLength(runs.length);
    for (const r of runs) {
      const row = byId.get(r.id)!;
      expect([row.status, row.stdout], r.id).toEqual(['completed', r.expected]);
    }
  }

  it('Redis restarted empty under load: queued and running runs all complete, once, and streams work again', async () => {
    const runs = await startSquares(16);
    await until(async () => (await rows(c, runs.map((r) => r.id))).some((r) => r.status === 'running'), 'a run running');
    await c.restartRedis();
    const done = await waitFinal(c, runs.map((r) => r.id));
    expectResults(done, runs);
    // Recovered by itself: a new run streams through the edge (bus, socket.io adapter, queue).
    const [talker] = await startTalkers(1, 5);
    const cl = new StreamClient(c.url, token, talker!.id);
    try {
      await until(() => cl.done, 'a stream after the restart');
      expect(cl.output()).toBe(talker!.expected);
    } finally {
      cl.close();
    }
  });

  it('PostgreSQL restarted under load: every accepted run ends, with its own result', async () => {
    const runs = await startSquares(16);
    await until(async () => (await rows(c, runs.map((r) => r.id))).some((r) => r.status === 'running'), 'a run running');
    // Clients keep asking during the outage: a request may be refused (an error status), but a
    // run that was accepted (200 with an id) must end like the others.
    let restarting = true;
    const during: { id: string; expected: string }[] = [];
    const refused: string[] = [];
    const asking = (async () => {
      for (let k = 200; restarting; k++) {
        const res = await api<{ data: { executionId: string } }>(edge(), 'POST', '/api/v1/execute', {
          token,
          body: { language: 'python', code: `print(${k} * ${k})` },
        });
        if (res.status === 200) during.push({ id: res.body.data.executionId, expected: `${k * k}\n` });
        else refused.push(`${res.status} ${(res.body as unknown as { error?: { code?: string } }).error?.code}`);
        await sleep(100);
      }
    })();
    await c.restartPostgres(1_000);
    restarting = false;
    await asking;
    // Refused as a service being down (retry), not as a bug.
    expect(refused.every((s) => s === '503 SERVICE_UNAVAILABLE'), `refused with ${refused.join(',')}`).toBe(true);
    console.log(`postgres outage: ${during.length} runs accepted meanwhile, ${refused.length} refused (${[...new Set(refused)].join(', ')})`);
    const more = await startSquares(4, 'python', 100);
    const all = [...runs, ...during, ...more];
    const done = await waitFinal(c, all.map((r) => r.id));
    expectResults(done, all);
    // No process died of it (workers used to, on an unhandled rejection while the database was away).
    for (const h of ['api1', 'api2', 'w1', 'w2']) expect(c.procs.get(h)!.child.exitCode, `${h}: ${c.procs.get(h)!.output().slice(-2000)}`).toBeNull();
  });

  it('a burst of 1,000 runs through the edge on both workers: all complete, each with its own result', async () => {
    const n = 1000;
    const runs: { id: string; expected: string }[] = new Array(n);
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let k = next++; k < n; k = next++) {
          const id = await startRun(c, token, 'bash', `echo $((${k} * ${k}))`);
          runs[k] = { id, expected: `${k * k}\n` };
        }
      }),
    );
    const accepted = Date.now() - t0;
    const done = await waitFinal(c, runs.map((r) => r.id), 300_000);
    const total = Date.now() - t0;
    expectResults(done, runs);
    const perHost = new Map<string, number>();
    for (const r of done) perHost.set(c.hostOfWorker(r.worker_id)!, (perHost.get(c.hostOfWorker(r.worker_id)!) ?? 0) + 1);
    expect([...perHost.keys()].sort()).toEqual(['w1', 'w2']);
    const count = await c.sql<{ n: string }>('SELECT count(*) AS n FROM executions WHERE id = ANY($1::uuid[]) AND attempts = 1', [runs.map((r) => r.id)]);
    expect(Number(count[0]!.n)).toBe(n);
    console.log(`burst: ${n} runs accepted in ${accepted} ms, all final in ${total} ms (${((n * 1000) / total).toFixed(1)} runs/s); per host ${JSON.stringify(Object.fromEntries(perHost))}`);
    await sleep(0);
  }, 360_000);
});
