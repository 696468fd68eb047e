import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/serve.js';
import { api, type Mode, startExtraApi, startTestServer, type TestServer } from '../helpers/app.js';
import { PROGRAMS, sumPackage, uniqueSlug, uploadPackage, userWithRole, zipPackage } from '../helpers/arena.js';
import { connectSocket } from '../helpers/socket.js';
import { waitFor } from '../helpers/async.js';

/**
 * Contests over real HTTP and socket.io, judged by the real sandbox (docs/arena.md "Contests"):
 * create, the hidden draft problem, join (twice: 409), submit outside the window (before the
 * start, after the end) and without joining, the ICPC board with its freeze as others see it,
 * the owner's full view, a rejudge giving the same board, virtual participation after the end,
 * the IOI board, statistics, and the live `contest:scoreboard` events (in cluster mode from
 * another API replica than the one that took the submission).
 */

type Envelope<T> = { success: boolean; data: T; error: { code: string; message: string; status: number } };
interface Detail {
  slug: string;
  phase: string;
  me: { virtual: boolean; startsAt: string; endsAt: string } | null;
  problems: { label: string; slug: string }[];
  participants: number;
}
interface Cell {
  solved: boolean;
  tries: number;
  pending: number;
  minute: number | null;
  penalty: number;
  frozen: boolean;
}
interface Board {
  format: 'icpc' | 'ioi';
  frozen: boolean;
  problems: string[];
  rows: { rank: number; username: string; solved?: number; penalty?: number; total?: number; virtual: boolean; cells: Record<string, Cell & { score?: number }> }[];
}

const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

const connect = (url: string, token?: string) => connectSocket(url, token);

const until = (check: () => boolean | Promise<boolean>, ms = 60_000) => waitFor('the condition', check, ms);

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`Arena contests API (${mode})`, () => {
    let server: TestServer;
    let other: RunningServer | undefined;
    let author: Awaited<ReturnType<typeof userWithRole>>;
    let solver: Awaited<ReturnType<typeof userWithRole>>;
    let rival: Awaited<ReturnType<typeof userWithRole>>;
    let problem: string;
    let contest: string;
    const sockets: Socket[] = [];

    const call = <T>(method: string, url: string, token?: string, body?: unknown) => api<Envelope<T>>(server, method, url, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
    const board = async (token: string, slug = contest) => {
      const res = await call<Board>('GET', `/api/v1/contests/${slug}/scoreboard`, token);
      expect(res.status).toBe(200);
      return res.body.data;
    };
    const row = (b: Board, username: string) => b.rows.find((r) => r.username === username)!;
    const create = async (body: Record<string, unknown>) => {
      const slug = uniqueSlug('contest');
      const res = await call<Detail>('POST', '/api/v1/contests', author.token, { slug, title: `Contest ${slug}`, format: 'icpc', problems: [problem], ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return slug;
    };

    beforeAll(async () => {
      server = await startTestServer({ mode, config: { RATE_LIMIT_EXECUTE: '60', SANDBOX_SLOTS: '2' } });
      if (mode === 'cluster') other = await startExtraApi(server);
      [author, solver, rival] = await Promise.all([userWithRole(server, 'author'), userWithRole(server, 'user'), userWithRole(server, 'user')]);
      problem = uniqueSlug('sum');
      // A draft: only the contest makes it visible, to its participants, while it runs.
      const res = await uploadPackage(server, author.token, zipPackage(sumPackage(`Sum ${problem}`), problem), { filename: `${problem}.zip` });
      if (res.status !== 201) throw new Error(`import failed: ${res.status}`);
      // Running for 10 minutes, 70 in all, frozen for the last 65: every submission here is in the freeze.
      contest = await create({ startsAt: minutesFromNow(-10), endsAt: minutesFromNow(60), freezeMinutes: 65 });
    }, 120_000);
    afterAll(async () => {
      for (const s of sockets) s.disconnect();
      await other?.close();
      await server?.stop();
    });

    it('only authors create; a slug is taken once; bad windows are refused', async () => {
      expect((await call('POST', '/api/v1/contests', solver.token, { slug: uniqueSlug('c'), title: 't', format: 'icpc', startsAt: minutesFromNow(1), endsAt: minutesFromNow(2), problems: [] })).status).toBe(403);
      const dup = await call('POST', '/api/v1/contests', author.token, { slug: contest, title: 't', format: 'icpc', startsAt: minutesFromNow(1), endsAt: minutesFromNow(2), problems: [] });
      expect([dup.status, dup.body.error.code]).toEqual([409, 'CONTEST_EXISTS']);
      const back = await call('POST', '/api/v1/contests', author.token, { slug: uniqueSlug('c'), title: 't', format: 'icpc', startsAt: minutesFromNow(2), endsAt: minutesFromNow(1), problems: [] });
      expect([back.status, back.body.error.code]).toEqual([400, 'CONTEST_INVALID']);
      const list = await call<{ contests: { slug: string; phase: string }[] }>('GET', '/api/v1/contests');
      expect(list.body.data.contests).toContainEqual(expect.objectContaining({ slug: contest, phase: 'running' }));
    });

    it('a running contest’s draft problem is hidden from non-participants; joining shows it; joining twice is 409', async () => {
      const before = await call<Detail>('GET', `/api/v1/contests/${contest}`, solver.token);
      expect(before.body.data).toMatchObject({ phase: 'running', me: null, problems: [] });
      expect((await call('GET', `/api/v1/contests/${contest}/problems/A`, solver.token)).status).toBe(404);
      const notJoined = await call('POST', `/api/v1/contests/${contest}/submissions`, solver.token, { problem: 'A', ...PROGRAMS.ac });
      expect([notJoined.status, notJoined.body.error.code]).toEqual([403, 'CONTEST_NOT_JOINED']);
      const joined = await call<Detail>('POST', `/api/v1/contests/${contest}/join`, solver.token);
      expect(joined.status).toBe(200);
      expect(joined.body.data.me).toMatchObject({ virtual: false });
      expect(joined.body.data.problems).toEqual([expect.objectContaining({ label: 'A', slug: problem })]);
      const again = await call('POST', `/api/v1/contests/${contest}/join`, solver.token);
      expect([again.status, again.body.error.code]).toEqual([409, 'CONTEST_ALREADY_JOINED']);
      const statement = await call<{ slug: string; samples: unknown[] }>('GET', `/api/v1/contests/${contest}/problems/A`, solver.token);
      expect(statement.status).toBe(200);
      expect(statement.body.data.slug).toBe(problem);
      // The problem itself stays a draft outside the contest.
      expect((await call('GET', `/api/v1/problems/${problem}`, solver.token)).status).toBe(404);
      expect((await call('POST', `/api/v1/contests/${contest}/join`, rival.token)).status).toBe(200);
    });

    let waId = '';
    it('WA then AC: the ICPC board (penalty = minute + 20), frozen for others, whole for oneself and the owner; live events', async () => {
      const socket = await connect((other ?? server).url, author.token);
      sockets.push(socket);
      const events: Board[] = [];
      socket.on('contest:scoreboard', (e: { slug: string; scoreboard: Board }) => {
        if (e.slug === contest) events.push(e.scoreboard);
      });
      const ack = (await socket.emitWithAck('subscribe:contest', { slug: contest })) as { scoreboard?: Board; error?: unknown };
      expect(ack.scoreboard?.rows.map((r) => r.username).sort()).toEqual([rival.username, solver.username].sort());

      const wa = await call<{ id: string; verdict: string }>('POST', `/api/v1/contests/${contest}/submissions?wait=true`, solver.token, { problem: 'A', ...PROGRAMS.waHidden });
      expect([wa.status, wa.body.data.verdict]).toEqual([201, 'WA']);
      waId = wa.body.data.id;
      const ce = await call<{ verdict: string }>('POST', `/api/v1/contests/${contest}/submissions?wait=true`, solver.token, { problem: 'a', ...PROGRAMS.ce });
      expect(ce.body.data.verdict).toBe('CE');
      const ac = await call<{ verdict: string }>('POST', `/api/v1/contests/${contest}/submissions?wait=true`, solver.token, { problem: problem, ...PROGRAMS.ac });
      expect(ac.body.data.verdict).toBe('AC');

      const own = await board(solver.token);
      expect(own.frozen).toBe(true);
      const mine = row(own, solver.username);
      expect(mine).toMatchObject({ rank: 1, solved: 1 });
      expect(mine.cells.A).toMatchObject({ solved: true, tries: 2, frozen: false });
      expect(mine.cells.A!.minute).toBeGreaterThanOrEqual(10);
      expect(mine.cells.A!.penalty).toBe(mine.cells.A!.minute! + 20);
      // The rival sees the solver's tries as pending (the freeze), the owner sees everything.
      const theirs = await board(rival.token);
      expect(row(theirs, solver.username)).toMatchObject({ solved: 0, penalty: 0, cells: { A: { solved: false, pending: 3, frozen: true } } });
      expect(row(theirs, solver.username).rank).toBe(row(theirs, rival.username).rank); // 0 solved each: a shared rank
      const owners = await board(author.token);
      expect(owners.frozen).toBe(false);
      expect(row(owners, solver.username)).toMatchObject({ rank: 1, solved: 1, penalty: mine.penalty });
      expect(row(owners, rival.username).rank).toBe(2);
      // Live: the owner's socket got a board with the AC.
      await until(() => events.some((b) => row(b, solver.username)?.solved === 1));
      // Statistics are frozen for others, whole for the owner.
      const stats = await call<{ problems: { label: string; submissions: number; accepted: number; solvedBy: number; fastestMs: number | null }[] }>('GET', `/api/v1/contests/${contest}/stats`, author.token);
      expect(stats.body.data.problems).toEqual([expect.objectContaining({ label: 'A', submissions: 2, accepted: 1, solvedBy: 1 })]);
      expect(stats.body.data.problems[0]!.fastestMs).toBeGreaterThan(10 * 60_000);
      // The global figures of the problem leave out a running contest's submissions (they would
      // show what the freeze hides).
      const global = await call<{ problems: { slug: string; stats: { submissions: number; solvedBy: number; fastestMs: number | null } }[] }>('GET', `/api/v1/problems?drafts=true&q=${problem}`, author.token);
      expect(global.body.data.problems.find((p) => p.slug === problem)!.stats).toEqual({ submissions: 0, accepted: 0, acceptanceRate: null, solvedBy: 0, fastestMs: null });
    }, 120_000);

    it('a rejudge gives the same board', async () => {
      const before = await board(author.token);
      const rj = await call('POST', `/api/v1/submissions/${waId}/rejudge`, author.token);
      expect(rj.status).toBe(200);
      await until(async () => (await call<{ status: string }>('GET', `/api/v1/submissions/${waId}`, author.token)).body.data.status === 'done');
      expect(await board(author.token)).toEqual({ ...before, now: expect.any(String) });
    }, 120_000);

    it('before the start and after the end: CONTEST_NOT_STARTED, CONTEST_ENDED; after the end a join is virtual', async () => {
      const upcoming = await create({ startsAt: minutesFromNow(60), endsAt: minutesFromNow(120) });
      expect((await call<Detail>('GET', `/api/v1/contests/${upcoming}`, solver.token)).body.data.problems).toEqual([]);
      expect((await call('POST', `/api/v1/contests/${upcoming}/join`, solver.token)).status).toBe(200);
      const early = await call('POST', `/api/v1/contests/${upcoming}/submissions`, solver.token, { problem: 'A', ...PROGRAMS.ac });
      expect([early.status, early.body.error.code]).toEqual([409, 'CONTEST_NOT_STARTED']);

      // A live participant whose contest ends (the owner moves the end): no more submissions.
      const running = await create({ startsAt: minutesFromNow(-30), endsAt: minutesFromNow(30) });
      expect((await call('POST', `/api/v1/contests/${running}/join`, solver.token)).status).toBe(200);
      expect((await call('PATCH', `/api/v1/contests/${running}`, author.token, { endsAt: minutesFromNow(-1) })).status).toBe(200);
      const late = await call('POST', `/api/v1/contests/${running}/submissions`, solver.token, { problem: 'A', ...PROGRAMS.ac });
      expect([late.status, late.body.error.code]).toEqual([409, 'CONTEST_ENDED']);

      // Joining after the end: a virtual window of the contest's length from now.
      const virt = await call<Detail>('POST', `/api/v1/contests/${running}/join`, rival.token);
      expect(virt.body.data.me?.virtual).toBe(true);
      const len = new Date(virt.body.data.me!.endsAt).getTime() - new Date(virt.body.data.me!.startsAt).getTime();
      expect(len).toBe(29 * 60_000 + (len % 60_000)); // about 29 minutes (the end was set a minute ago)
      const ok = await call<{ verdict: string }>('POST', `/api/v1/contests/${running}/submissions?wait=true`, rival.token, { problem: 'A', ...PROGRAMS.ac });
      expect(ok.body.data.verdict).toBe('AC');
      const b = await board(solver.token, running);
      expect(b.frozen).toBe(false);
      expect(row(b, rival.username)).toMatchObject({ rank: 1, virtual: true, solved: 1, penalty: 0 });
    }, 120_000);

    it('a running contest’s submissions stay out of the public list (a published problem), except for their owner', async () => {
      const open = uniqueSlug('sum');
      const up = await uploadPackage(server, author.token, zipPackage(sumPackage(`Sum ${open}`), open), { filename: `${open}.zip`, query: 'publish=true' });
      expect(up.status).toBe(201);
      const c = await create({ problems: [open], startsAt: minutesFromNow(-5), endsAt: minutesFromNow(60) });
      expect((await call('POST', `/api/v1/contests/${c}/join`, solver.token)).status).toBe(200);
      const s = await call<{ id: string }>('POST', `/api/v1/contests/${c}/submissions?wait=true`, solver.token, { problem: 'A', ...PROGRAMS.ac });
      expect(s.status).toBe(201);
      const ids = async (token?: string) => (await call<{ submissions: { id: string }[] }>('GET', `/api/v1/submissions?problem=${open}`, token)).body.data.submissions.map((x) => x.id);
      expect(await ids(rival.token)).not.toContain(s.body.data.id);
      expect(await ids()).not.toContain(s.body.data.id);
      expect(await ids(solver.token)).toContain(s.body.data.id);
      // After the end it is an ordinary submission again.
      expect((await call('PATCH', `/api/v1/contests/${c}`, author.token, { endsAt: minutesFromNow(-1) })).status).toBe(200);
      expect(await ids(rival.token)).toContain(s.body.data.id);
    }, 120_000);

    it('an IOI contest sums the best scores; invite-only contests are hidden from others', async () => {
      const ioi = await create({ format: 'ioi', startsAt: minutesFromNow(-5), endsAt: minutesFromNow(60) });
      expect((await call('POST', `/api/v1/contests/${ioi}/join`, solver.token)).status).toBe(200);
      expect((await call<{ verdict: string }>('POST', `/api/v1/contests/${ioi}/submissions?wait=true`, solver.token, { problem: 'A', ...PROGRAMS.waHidden })).body.data.verdict).toBe('WA');
      const b = await board(rival.token, ioi);
      expect(b.format).toBe('ioi');
      const r = row(b, solver.username);
      expect(r.cells.A!.tries).toBe(1);
      expect(r.total).toBe(r.cells.A!.score);

      const secret = await create({ visibility: 'invite', invited: [rival.username], startsAt: minutesFromNow(-5), endsAt: minutesFromNow(60) });
      expect((await call('GET', `/api/v1/contests/${secret}`, solver.token)).body.error.code).toBe('CONTEST_NOT_FOUND');
      expect((await call('POST', `/api/v1/contests/${secret}/join`, solver.token)).status).toBe(404);
      expect((await call('POST', `/api/v1/contests/${secret}/join`, rival.token)).status).toBe(200);
    }, 120_000);
  });
}
