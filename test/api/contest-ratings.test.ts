import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateContest } from '../../src/arena/ratings/contest-ratings.js';
import { NEW_PLAYER } from '../../src/arena/ratings/glicko2.js';
import { contests } from '../../src/db/schema.js';
import { api, startTestServer, type TestServer } from '../helpers/app.js';
import { PROGRAMS, sumPackage, uniqueSlug, uploadPackage, userWithRole, zipPackage } from '../helpers/arena.js';

/**
 * Rated contests over real HTTP, judged by the real sandbox (docs/arena.md "Ratings and duels"):
 * three live participants with scripted submissions and a virtual one, the contest ended by a
 * PATCH of its end; the first scoreboard read applies the ratings as rateContest says, a second
 * read changes nothing, the profile shows the contest's history entry, the virtual participant
 * and an unrated contest move nothing.
 */

type Envelope<T> = { success: boolean; data: T; error: { code: string; message: string; status: number } };
interface Profile {
  rating: number;
  rd: number;
  volatility: number;
  games: number;
  history: { matchId: string | null; contestId: string | null; rating: number; rd: number; delta: number }[];
}
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

describe('Rated contests (embedded)', () => {
  let server: TestServer;
  let author: Awaited<ReturnType<typeof userWithRole>>;
  let users: Awaited<ReturnType<typeof userWithRole>>[];
  let problem: string;
  const call = <T>(method: string, url: string, token?: string, body?: unknown) => api<Envelope<T>>(server, method, url, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
  const profile = async (username: string) => {
    const res = await call<Profile>('GET', `/api/v1/users/${username}/rating`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };
  const submit = async (slug: string, token: string, program: { language: string; code: string }, verdict: string) => {
    const res = await call<{ verdict: string }>('POST', `/api/v1/contests/${slug}/submissions?wait=true`, token, { problem: 'A', ...program });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.verdict).toBe(verdict);
  };

  beforeAll(async () => {
    // A slow matchmaking tick, so that the scoreboard read (not the periodic check) applies ratings.
    server = await startTestServer({ mode: 'embedded', config: { RATE_LIMIT_EXECUTE: '60', SANDBOX_SLOTS: '2', MATCHMAKING_INTERVAL_MS: '60000' } });
    author = await userWithRole(server, 'author');
    users = await Promise.all([0, 1, 2, 3].map(() => userWithRole(server, 'user')));
    problem = uniqueSlug('sum');
    const res = await uploadPackage(server, author.token, zipPackage(sumPackage(`Sum ${problem}`), problem), { filename: `${problem}.zip` });
    if (res.status !== 201) throw new Error(`import failed: ${res.status}`);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('only the first read after the end applies ratings; virtual participants do not count', async () => {
    const [first, second, third, late] = users as [typeof author, typeof author, typeof author, typeof author];
    const slug = uniqueSlug('rated');
    const created = await call<{ rated: boolean }>('POST', '/api/v1/contests', author.token, { slug, title: 'Rated', format: 'icpc', rated: true, startsAt: minutesFromNow(-10), endsAt: minutesFromNow(60), problems: [problem] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.rated).toBe(true);
    for (const u of [first, second, third]) expect((await call('POST', `/api/v1/contests/${slug}/join`, u.token)).status).toBe(200);
    // first: AC; second: WA then AC (a penalty); third: WA only.
    await submit(slug, first.token, PROGRAMS.ac, 'AC');
    await submit(slug, second.token, PROGRAMS.waHidden, 'WA');
    await submit(slug, second.token, PROGRAMS.ac, 'AC');
    await submit(slug, third.token, PROGRAMS.waHidden, 'WA');
    const [stale] = await server.platform.ctx.database.db.select().from(contests).where(eq(contests.slug, slug));
    expect(stale!.ratingsAppliedAt).toBeNull();
    // A running contest's read applies nothing.
    expect((await call('GET', `/api/v1/contests/${slug}/scoreboard`, first.token)).status).toBe(200);
    expect((await profile(first.username)).history).toEqual([]);

    expect((await call('PATCH', `/api/v1/contests/${slug}`, author.token, { endsAt: minutesFromNow(-1) })).status).toBe(200);
    // A virtual participant who beats everybody: never rated.
    expect((await call<{ me: { virtual: boolean } }>('POST', `/api/v1/contests/${slug}/join`, late.token)).body.data.me.virtual).toBe(true);
    await submit(slug, late.token, PROGRAMS.ac, 'AC');

    // Two reads at once and the periodic check: the guarded UPDATE lets one of them apply.
    const [board, other] = await Promise.all([
      call<{ rows: { username: string; rank: number; virtual: boolean }[] }>('GET', `/api/v1/contests/${slug}/scoreboard`, first.token),
      call('GET', `/api/v1/contests/${slug}/scoreboard`, third.token),
      server.platform.ctx.contests.applyDueRatings(),
    ]);
    expect([board.status, other.status]).toEqual([200, 200]);
    const ranks = Object.fromEntries(board.body.data.rows.map((r) => [r.username, r.rank]));
    expect(ranks[late.username]).toBe(1);
    const expected = new Map(rateContest([first, second, third].map((u) => ({ userId: u.username, rank: ranks[u.username]!, rating: { ...NEW_PLAYER } }))).map((c) => [c.userId, c]));
    for (const u of [first, second, third]) {
      const p = await profile(u.username);
      const e = expected.get(u.username)!;
      expect(p.rating).toBeCloseTo(e.after.rating, 6);
      expect(p.rd).toBeCloseTo(e.after.rd, 6);
      expect(p.history).toHaveLength(1);
      expect(p.history[0]).toMatchObject({ matchId: null, contestId: expect.any(String) });
      expect(p.history[0]!.delta).toBeCloseTo(e.delta, 6);
    }
    expect(expected.get(first.username)!.delta).toBeGreaterThan(0);
    expect(expected.get(third.username)!.delta).toBeLessThan(0);
    expect((await profile(late.username)).history).toEqual([]);

    // A second read (and the periodic check) changes nothing; nor does a replica that read the
    // row before the first applied (a stale row: only the guarded UPDATE stops it).
    const before = await Promise.all([first, second, third].map((u) => profile(u.username)));
    expect((await call('GET', `/api/v1/contests/${slug}/scoreboard`, second.token)).status).toBe(200);
    await server.platform.ctx.contests.applyDueRatings();
    expect(await server.platform.ctx.contests.applyRatings({ ...stale!, endsAt: new Date(Date.now() - 60_000) })).toBeNull();
    const after = await Promise.all([first, second, third].map((u) => profile(u.username)));
    expect(after).toEqual(before);
  }, 180_000);

  it('an unrated contest moves nothing', async () => {
    const slug = uniqueSlug('unrated');
    const [a, b] = users as [typeof author, typeof author];
    const created = await call<{ rated: boolean }>('POST', '/api/v1/contests', author.token, { slug, title: 'Unrated', format: 'icpc', startsAt: minutesFromNow(-10), endsAt: minutesFromNow(60), problems: [problem] });
    expect(created.body.data.rated).toBe(false);
    for (const u of [a, b]) expect((await call('POST', `/api/v1/contests/${slug}/join`, u.token)).status).toBe(200);
    await submit(slug, a.token, PROGRAMS.ac, 'AC');
    await submit(slug, b.token, PROGRAMS.waHidden, 'WA');
    const before = await Promise.all([a, b].map((u) => profile(u.username)));
    expect((await call('PATCH', `/api/v1/contests/${slug}`, author.token, { endsAt: minutesFromNow(-1) })).status).toBe(200);
    expect((await call('GET', `/api/v1/contests/${slug}/scoreboard`, a.token)).status).toBe(200);
    expect(await Promise.all([a, b].map((u) => profile(u.username)))).toEqual(before);
  }, 120_000);
});
