import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/serve.js';
import { api, type Mode, startExtraApi, startTestServer, type TestServer } from '../helpers/app.js';
import { HIDDEN, PROGRAMS, sumPackage, uniqueSlug, uploadPackage, userWithRole, zipPackage } from '../helpers/arena.js';
import { connectSocket } from '../helpers/socket.js';
import { waitFor } from '../helpers/async.js';

/**
 * Submissions over real HTTP and socket.io, judged by the real sandbox (docs/api.md "Arena"):
 * every verdict with ?wait=true and its per-test table, the list's filters and paging, cancel,
 * rejudge, Run, the socket events with replay, rate limits and quotas, and the hidden tests'
 * data absent from every response and event of the whole flow.
 */

type Envelope<T> = { success: boolean; data: T; error: { code: string; message: string; status: number; retryAfter?: number; details?: Record<string, unknown> } };
interface TestRow {
  index: number;
  name: string;
  group: string;
  visibility: 'sample' | 'public' | 'hidden';
  verdict: string;
  score: number;
  cpuMs: number | null;
  wallMs: number | null;
  memoryKb: number | null;
  detail?: string;
  message?: string;
  input?: string;
  expected?: string;
  output?: string;
}
interface View {
  id: string;
  kind: 'submission' | 'run';
  problemSlug: string;
  userId: string;
  username: string;
  language: string;
  status: string;
  verdict: string | null;
  score: number;
  maxScore: number;
  testsDone: number;
  testsTotal: number;
  tests: TestRow[];
  compileMessage?: string;
  firstFailure?: string;
  files?: { name: string; content: string }[];
}
interface Ev {
  name: string;
  seq: number;
  data: Record<string, unknown>;
}

/** What the hidden tests hold, and what a program printed on them: none of it may leave the server. */
const SECRETS = [HIDDEN.a, HIDDEN.b, HIDDEN.sum, HIDDEN.c, HIDDEN.d, HIDDEN.sum2, '2907568524', '5029384749'];

/** The accepted program also ships in the package, so that verify has something to judge. */
const packageWithSubmissions = (title: string) => ({ ...sumPackage(title), 'submissions/accepted/sum.py': PROGRAMS.ac.code, 'submissions/wrong_answer/diff.py': PROGRAMS.waHidden.code });

const connect = (url: string, token?: string) => connectSocket(url, token);

const until = (check: () => boolean | Promise<boolean>, ms = 60_000) => waitFor('the condition', check, ms);

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`Arena submissions API (${mode})`, () => {
    let server: TestServer;
    /** Cluster: sockets connect to a second API instance (events travel through Redis). */
    let other: RunningServer | undefined;
    let author: Awaited<ReturnType<typeof userWithRole>>;
    let solver: Awaited<ReturnType<typeof userWithRole>>;
    let stranger: Awaited<ReturnType<typeof userWithRole>>;
    let slug: string;
    const sockets: Socket[] = [];
    /** Every response body and socket event of the flow, searched for hidden data at the end. */
    const seen: string[] = [];

    const call = async <T>(method: string, url: string, opts: Parameters<typeof api>[3] = {}) => {
      const res = await api<T>(server, method, url, opts);
      seen.push(JSON.stringify(res.body));
      return res;
    };
    const submit = (token: string, program: { language: string; code: string }, wait = true, problem = slug) =>
      call<Envelope<View>>('POST', `/api/v1/submissions${wait ? '?wait=true' : ''}`, { token, body: { problemSlug: problem, ...program } });
    const socketUrl = () => (other ?? server).url;
    const record = (socket: Socket) => {
      const events: Ev[] = [];
      for (const name of ['submission:status', 'submission:progress', 'submission:complete', 'submission:error']) {
        socket.on(name, (data: Record<string, unknown>) => {
          seen.push(JSON.stringify(data));
          events.push({ name, seq: data.seq as number, data });
        });
      }
      return events;
    };
    const openSocket = async (token: string) => {
      const s = await connect(socketUrl(), token);
      sockets.push(s);
      return s;
    };

    beforeAll(async () => {
      // Submissions count against the execute limit: 20 a minute per user here (each test uses its own users).
      server = await startTestServer({ mode, config: { RATE_LIMIT_EXECUTE: '20', SANDBOX_SLOTS: '2' } });
      if (mode === 'cluster') other = await startExtraApi(server);
      [author, solver, stranger] = await Promise.all([userWithRole(server, 'author'), userWithRole(server, 'user'), userWithRole(server, 'user')]);
      slug = uniqueSlug('sum');
      const res = await uploadPackage<Envelope<unknown>>(server, author.token, zipPackage(packageWithSubmissions(`Sum ${slug}`), slug), {
        filename: `${slug}.zip`,
        query: 'publish=true',
      });
      seen.push(res.text);
      if (res.status !== 201) throw new Error(`import failed: ${res.status} ${res.text}`);
    }, 120_000);
    afterAll(async () => {
      for (const s of sockets) s.disconnect();
      await other?.close();
      await server?.stop();
    });

    it('the problem view shows the sample, never the hidden tests', async () => {
      const res = await call<Envelope<{ samples: { input: string; output: string }[]; publicTests: unknown[] }>>('GET', `/api/v1/problems/${slug}`, { token: solver.token });
      expect(res.status).toBe(200);
      expect(res.body.data.samples).toEqual([expect.objectContaining({ input: '2 3\n', output: '5\n' })]);
      expect(res.body.data.publicTests).toEqual([]);
    });

    it('AC in two languages with ?wait=true: the per-test table, data only for the sample', async () => {
      for (const program of [PROGRAMS.ac, PROGRAMS.acC]) {
        const res = await submit(solver.token, program);
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        const v = res.body.data;
        expect(v).toMatchObject({ kind: 'submission', problemSlug: slug, userId: solver.userId, status: 'done', verdict: 'AC', testsDone: 3, testsTotal: 3 });
        expect(v.score).toBe(v.maxScore);
        expect(v.files).toEqual([expect.objectContaining({ content: program.code })]);
        expect(v.tests.map((t) => [t.index, t.visibility, t.verdict])).toEqual([
          [1, 'sample', 'AC'],
          [2, 'hidden', 'AC'],
          [3, 'hidden', 'AC'],
        ]);
        const [sample, ...hidden] = v.tests;
        expect(sample).toMatchObject({ input: '2 3\n', expected: '5\n', output: '5\n' });
        for (const t of v.tests) {
          expect(t.cpuMs).not.toBeNull();
          expect(t.wallMs).not.toBeNull();
          expect(t.memoryKb).not.toBeNull();
        }
        for (const t of hidden) {
          expect(t).not.toHaveProperty('input');
          expect(t).not.toHaveProperty('expected');
          expect(t).not.toHaveProperty('output');
        }
      }
    }, 180_000);

    it('WA on a hidden test: the public message only, no data', async () => {
      const res = await submit(solver.token, PROGRAMS.waHidden);
      const v = res.body.data;
      expect(v).toMatchObject({ status: 'done', verdict: 'WA' });
      expect(v.firstFailure).toBe(v.tests[1]!.name);
      expect(v.tests[1]).toMatchObject({ visibility: 'hidden', verdict: 'WA', message: 'Wrong answer on line 1, token 1' });
      expect(v.tests[2]!.verdict).toBe('SK');
    }, 120_000);

    it('WA on the sample: where it differs, expected against got, and the outputs', async () => {
      const res = await submit(solver.token, PROGRAMS.waSample);
      const v = res.body.data;
      expect(v).toMatchObject({ status: 'done', verdict: 'WA', firstFailure: 'sample/1' });
      expect(v.tests[0]).toMatchObject({ visibility: 'sample', verdict: 'WA', input: '2 3\n', expected: '5\n', output: '6\n' });
      expect(v.tests[0]!.message).toMatch(/line 1, token 1/);
      expect(v.tests[0]!.message).toBe('Wrong answer on line 1, token 1: expected "5", got "6"');
      expect(v.tests.slice(1).map((t) => t.verdict)).toEqual(['SK', 'SK']);
    }, 120_000);

    it("the sample row shows the program's output, a hidden row never (even the failing one)", async () => {
      const res = await submit(solver.token, PROGRAMS.waHidden);
      expect(res.body.data.verdict).toBe('WA');
      expect(res.body.data.tests[0]).toMatchObject({ visibility: 'sample', verdict: 'AC', output: '5\n' });
      // Hidden rows never carry one, even on a wrong answer.
      expect(res.body.data.tests.slice(1).every((t) => !('output' in t))).toBe(true);
    }, 120_000);

    it('TLE, RTE (with its exit code), CE (with the compiler output) and MLE', async () => {
      const [tle, rte, ce, mle] = await Promise.all([PROGRAMS.tle, PROGRAMS.rte, PROGRAMS.ce, PROGRAMS.mle].map((p) => submit(solver.token, p)));
      expect(tle!.body.data).toMatchObject({ status: 'done', verdict: 'TLE', firstFailure: 'sample/1' });
      expect(['cpu', 'wall']).toContain(tle!.body.data.tests[0]!.detail);
      expect(rte!.body.data).toMatchObject({ status: 'done', verdict: 'RTE' });
      expect(rte!.body.data.tests[0]!.detail).toBe('exit 3');
      expect(ce!.body.data).toMatchObject({ status: 'done', verdict: 'CE' });
      expect(ce!.body.data.compileMessage).toMatch(/error/);
      expect(mle!.body.data).toMatchObject({ status: 'done', verdict: 'MLE' });
      expect(['oom', 'near-limit']).toContain(mle!.body.data.tests[0]!.detail);
    }, 240_000);

    it("GET /problems: the caller's mark (solved, attempted, none) and the acceptance figures", async () => {
      const loser = await userWithRole(server, 'user');
      expect((await submit(loser.token, PROGRAMS.waHidden)).body.data.verdict).toBe('WA');
      type Row = { slug: string; mark: string | null; stats: { submissions: number; accepted: number; acceptanceRate: number | null; solvedBy: number } };
      const row = async (token?: string) => {
        const res = await call<Envelope<{ problems: Row[] }>>('GET', `/api/v1/problems?q=${slug}`, { token });
        expect(res.status).toBe(200);
        return res.body.data.problems.find((p) => p.slug === slug)!;
      };
      expect((await row(solver.token)).mark).toBe('solved');
      expect((await row(loser.token)).mark).toBe('attempted');
      expect((await row(stranger.token)).mark).toBeNull();
      const anon = await row();
      expect(anon.mark).toBeNull();
      expect(anon.stats.solvedBy).toBe(1);
      expect(anon.stats.accepted).toBe(2);
      expect(anon.stats.submissions).toBeGreaterThanOrEqual(8);
      expect(anon.stats.acceptanceRate).toBeCloseTo(anon.stats.accepted / anon.stats.submissions, 5);
    }, 120_000);

    it('GET /submissions/{id}: the owner, the author and admins; others 404 SUBMISSION_NOT_FOUND', async () => {
      const mine = (await submit(solver.token, PROGRAMS.ac)).body.data;
      const asOwner = await call<Envelope<View>>('GET', `/api/v1/submissions/${mine.id}`, { token: solver.token });
      expect(asOwner.status).toBe(200);
      expect(asOwner.body.data.tests).toHaveLength(3);
      const asAuthor = await call<Envelope<View>>('GET', `/api/v1/submissions/${mine.id}`, { token: author.token });
      expect(asAuthor.status).toBe(200);
      for (const token of [stranger.token, undefined]) {
        const res = await call<Envelope<View>>('GET', `/api/v1/submissions/${mine.id}`, { token });
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('SUBMISSION_NOT_FOUND');
      }
      const unknown = await call<Envelope<View>>('GET', '/api/v1/submissions/00000000-0000-4000-8000-000000000000', { token: solver.token });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('SUBMISSION_NOT_FOUND');
    }, 120_000);

    it('GET /submissions: filters by problem, user, verdict and kind, paged, newest first', async () => {
      const all = await call<Envelope<{ submissions: View[]; pagination: { total: number; pages: number } }>>('GET', `/api/v1/submissions?problem=${slug}&user=me&limit=100`, {
        token: solver.token,
      });
      expect(all.status).toBe(200);
      const subs = all.body.data.submissions;
      // Two AC, WA hidden twice, WA sample, TLE, RTE, CE, MLE, one more AC (the tests above).
      expect(subs.length, JSON.stringify(subs.map((x) => [x.verdict, x.status, x.kind]))).toBe(10);
      expect(subs.every((s) => s.userId === solver.userId && s.problemSlug === slug && s.kind === 'submission')).toBe(true);
      expect(subs.every((s) => !('tests' in s) && !('files' in s))).toBe(true);
      const ac = await call<Envelope<{ submissions: View[] }>>('GET', `/api/v1/submissions?problem=${slug}&user=${solver.username}&verdict=AC`);
      expect(ac.body.data.submissions.map((s) => s.verdict)).toEqual(['AC', 'AC', 'AC']);
      const page = await call<Envelope<{ submissions: View[]; pagination: { total: number; page: number; limit: number; pages: number } }>>(
        'GET',
        `/api/v1/submissions?problem=${slug}&user=me&limit=4&page=3`,
        { token: solver.token },
      );
      expect(page.body.data.pagination).toEqual({ total: 10, page: 3, limit: 4, pages: 3 });
      expect(page.body.data.submissions.map((s) => s.id)).toEqual(subs.slice(8).map((s) => s.id));
      const runs = await call<Envelope<{ submissions: View[] }>>('GET', `/api/v1/submissions?problem=${slug}&user=me&kind=run`, { token: solver.token });
      expect(runs.body.data.submissions).toEqual([]);
      const bad = await call<Envelope<unknown>>('GET', '/api/v1/submissions?verdict=MAYBE');
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    });

    it('Run: on the samples (kind run, never counted) or on custom stdin (an execution)', async () => {
      const onSamples = await call<Envelope<View>>('POST', `/api/v1/problems/${slug}/run?wait=true`, { token: solver.token, body: PROGRAMS.waSample });
      expect(onSamples.status).toBe(201);
      expect(onSamples.body.data).toMatchObject({ kind: 'run', status: 'done', verdict: 'WA', testsTotal: 1 });
      expect(onSamples.body.data.tests).toHaveLength(1);
      const custom = await call<Envelope<{ status: string; output: string }>>('POST', `/api/v1/problems/${slug}/run?wait=true`, {
        token: solver.token,
        body: { ...PROGRAMS.ac, stdin: '40 2\n' },
      });
      expect(custom.status).toBe(200);
      expect(custom.body.data).toMatchObject({ status: 'completed', output: '42\n' });
      const subs = await call<Envelope<{ pagination: { total: number } }>>('GET', `/api/v1/submissions?problem=${slug}&kind=run`, { token: solver.token });
      expect(subs.body.data.pagination.total).toBe(1);
      const both = await call<Envelope<unknown>>('POST', `/api/v1/problems/${slug}/run`, { token: solver.token, body: { language: 'python' } });
      expect(both.status).toBe(400);
      expect(both.body.error.code).toBe('VALIDATION_ERROR');
    }, 120_000);

    it('socket: a subscriber after completion replays every event from seq 1', async () => {
      const done = (await submit(solver.token, PROGRAMS.ac)).body.data;
      const socket = await openSocket(solver.token);
      const events = record(socket);
      const ack = await socket.timeout(10_000).emitWithAck('subscribe:submission', { submissionId: done.id });
      expect(ack).toMatchObject({ status: 'done' });
      await until(() => events.some((e) => e.name === 'submission:complete'));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const progress = events.filter((e) => e.name === 'submission:progress');
      expect(progress.map((e) => e.data.testsDone)).toEqual([1, 2, 3]);
      expect(progress.map((e) => (e.data.test as TestRow).verdict)).toEqual(['AC', 'AC', 'AC']);
      expect(events.filter((e) => e.name === 'submission:status').map((e) => e.data.status)).toEqual(expect.arrayContaining(['queued', 'done']));
      const complete = events.at(-1)!;
      expect(complete.name).toBe('submission:complete');
      expect((complete.data.result as View).verdict).toBe('AC');
      expect((complete.data.result as View).tests).toHaveLength(3);
    }, 120_000);

    it('socket: live progress in order while judging, then complete', async () => {
      const socket = await openSocket(solver.token);
      const events = record(socket);
      const started = (await submit(solver.token, PROGRAMS.slow, false)).body.data;
      expect(['queued', 'compiling', 'running']).toContain(started.status); // the queue may start it at once
      const ack = (await socket.timeout(10_000).emitWithAck('subscribe:submission', { submissionId: started.id })) as { status: string; seq: number };
      expect(ack.status).not.toBe('done'); // three tests of 0.4 s each have not finished yet
      await until(() => events.some((e) => e.name === 'submission:complete'));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const progress = events.filter((e) => e.name === 'submission:progress');
      expect(progress.map((e) => e.data.testsDone)).toEqual([1, 2, 3]);
      expect(progress.every((e) => e.data.submissionId === started.id && e.data.testsTotal === 3)).toBe(true);
      expect((events.at(-1)!.data.result as View).verdict).toBe('AC');
      await socket.timeout(5000).emitWithAck('unsubscribe:submission', { submissionId: started.id });
    }, 120_000);

    it('socket: others may not follow a submission (SUBMISSION_NOT_FOUND); a bad id is VALIDATION_ERROR', async () => {
      const mine = (await submit(solver.token, PROGRAMS.ac)).body.data;
      const socket = await openSocket(stranger.token);
      const events = record(socket);
      const ack = (await socket.timeout(10_000).emitWithAck('subscribe:submission', { submissionId: mine.id })) as { error?: { code: string } };
      seen.push(JSON.stringify(ack));
      expect(ack.error?.code).toBe('SUBMISSION_NOT_FOUND');
      const bad = (await socket.timeout(10_000).emitWithAck('subscribe:submission', { submissionId: 'not-a-uuid' })) as { error?: { code: string } };
      expect(bad.error?.code).toBe('VALIDATION_ERROR');
      const anon = await openSocket('');
      const anonAck = (await anon.timeout(10_000).emitWithAck('subscribe:submission', { submissionId: mine.id })) as { error?: { code: string } };
      expect(anonAck.error?.code).toBe('SUBMISSION_NOT_FOUND');
      // The author of the problem may follow it.
      const authorSocket = await openSocket(author.token);
      const authorEvents = record(authorSocket);
      expect(await authorSocket.timeout(10_000).emitWithAck('subscribe:submission', { submissionId: mine.id })).toMatchObject({ status: 'done' });
      await until(() => authorEvents.some((e) => e.name === 'submission:complete'));
      expect(events).toEqual([]);
    }, 120_000);

    it('cancel: the owner cancels a running submission; others cannot; a finished one is 409', async () => {
      const sleeper = { language: 'python', code: 'import time\ntime.sleep(20)\n' };
      const started = (await submit(solver.token, sleeper, false)).body.data;
      const foreign = await call<Envelope<unknown>>('DELETE', `/api/v1/submissions/${started.id}`, { token: stranger.token });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('SUBMISSION_NOT_FOUND');
      const cancelled = await call<Envelope<View>>('DELETE', `/api/v1/submissions/${started.id}`, { token: solver.token });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.data.status).toBe('cancelled');
      expect(cancelled.body.data.verdict).toBeNull();
      const again = await call<Envelope<unknown>>('DELETE', `/api/v1/submissions/${started.id}`, { token: solver.token });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('NOT_CANCELLABLE');
    }, 60_000);

    it('rejudge: one (the author; a user is 403 FORBIDDEN_ROLE) and all of a problem', async () => {
      const p2 = uniqueSlug('rejudge');
      const imp = await uploadPackage<Envelope<unknown>>(server, author.token, zipPackage(sumPackage(`Rejudge ${p2}`), p2), { filename: `${p2}.zip`, query: 'publish=true' });
      expect(imp.status).toBe(201);
      const a = (await submit(solver.token, PROGRAMS.ac, true, p2)).body.data;
      const b = (await submit(solver.token, PROGRAMS.waHidden, true, p2)).body.data;
      const byUser = await call<Envelope<unknown>>('POST', `/api/v1/submissions/${a.id}/rejudge`, { token: solver.token });
      expect(byUser.status).toBe(403);
      expect(byUser.body.error.code).toBe('FORBIDDEN_ROLE');
      const one = await call<Envelope<View>>('POST', `/api/v1/submissions/${a.id}/rejudge`, { token: author.token });
      expect(one.status).toBe(200);
      expect(['queued', 'compiling', 'running']).toContain(one.body.data.status);
      const final = async (id: string) => {
        let v: View | undefined;
        await until(async () => {
          v = (await call<Envelope<View>>('GET', `/api/v1/submissions/${id}`, { token: solver.token })).body.data;
          return v.status === 'done';
        });
        return v!;
      };
      expect((await final(a.id)).verdict).toBe('AC');
      const all = await call<Envelope<{ count: number }>>('POST', `/api/v1/problems/${p2}/rejudge`, { token: author.token });
      expect(all.status).toBe(200);
      expect(all.body.data).toEqual({ count: 2 });
      expect((await final(a.id)).verdict).toBe('AC');
      expect((await final(b.id)).verdict).toBe('WA');
      const allByUser = await call<Envelope<unknown>>('POST', `/api/v1/problems/${p2}/rejudge`, { token: solver.token });
      expect(allByUser.status).toBe(403);
    }, 180_000);

    it('verify: the package submissions judged against their folders (author only)', async () => {
      const start = await call<Envelope<{ rows: { program: string }[] }>>('POST', `/api/v1/problems/${slug}/verify`, { token: author.token });
      expect(start.status, JSON.stringify(start.body)).toBe(200);
      expect(start.body.data.rows.map((r) => r.program).sort()).toEqual(['accepted/sum.py', 'wrong_answer/diff.py']);
      let rows: { program: string; ok: boolean | null; verdict: string | null }[] = [];
      await until(async () => {
        rows = (await call<Envelope<{ rows: typeof rows }>>('GET', `/api/v1/problems/${slug}/verify`, { token: author.token })).body.data.rows;
        return rows.every((r) => r.ok !== null);
      }, 120_000);
      expect(rows.map((r) => [r.program, r.verdict, r.ok]).sort()).toEqual([
        ['accepted/sum.py', 'AC', true],
        ['wrong_answer/diff.py', 'WA', true],
      ]);
      const byUser = await call<Envelope<unknown>>('GET', `/api/v1/problems/${slug}/verify`, { token: solver.token });
      expect(byUser.status).toBe(403);
    }, 180_000);

    it('rate limit: the 21st submission in a minute is 429 RATE_LIMITED with Retry-After', async () => {
      const spammer = await userWithRole(server, 'user');
      // The limit counts requests before they are read: invalid bodies count too, and cost no sandbox.
      for (let i = 0; i < 20; i++) {
        const res = await call<Envelope<unknown>>('POST', '/api/v1/submissions', { token: spammer.token, body: { problemSlug: slug } });
        expect(res.status).toBe(400);
      }
      const res = await call<Envelope<unknown>>('POST', '/api/v1/submissions', { token: spammer.token, body: { problemSlug: slug, ...PROGRAMS.ac } });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('RATE_LIMITED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.body.error.retryAfter).toBe(Number(res.headers.get('retry-after')));
    });

    it('quota: past the daily quota a submission is 429 QUOTA_EXCEEDED with Retry-After, and nothing is stored', async () => {
      const q = await userWithRole(server, 'user');
      await server.platform.ctx.database.query('INSERT INTO user_quotas (user_id, max_executions_daily) VALUES ($1, 1) ON CONFLICT (user_id) DO UPDATE SET max_executions_daily = 1', [q.userId]);
      expect((await submit(q.token, PROGRAMS.ac, false)).status).toBe(201);
      const res = await submit(q.token, PROGRAMS.ac, false);
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('QUOTA_EXCEEDED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const list = await call<Envelope<{ pagination: { total: number } }>>('GET', '/api/v1/submissions?user=me', { token: q.token });
      expect(list.body.data.pagination.total).toBe(1);
    });

    it('hidden data is absent from every response and event of the flow', async () => {
      // Errors and lists too: the problem as anonymous, its list entry, a bad submission.
      await call('GET', `/api/v1/problems?q=${slug}`);
      await call('POST', '/api/v1/submissions', { token: solver.token, body: { problemSlug: slug, language: 'cobol', code: 'x' } });
      await call('GET', `/api/v1/submissions?problem=${slug}&limit=100`);
      expect(seen.length).toBeGreaterThan(40);
      const all = seen.join('\n');
      // The flow did happen: the sample's data is there.
      expect(all).toContain('2 3\\n');
      for (const secret of SECRETS) expect(all.includes(secret), `hidden value ${secret} leaked`).toBe(false);
    });
  });
}
