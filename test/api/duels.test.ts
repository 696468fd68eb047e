import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEW_PLAYER, rateDuel } from '../../src/arena/ratings/glicko2.js';
import type { RunningServer } from '../../src/server/serve.js';
import { api, type Mode, startExtraApi, startTestServer, type TestServer } from '../helpers/app.js';
import { PROGRAMS, sumPackage, uniqueSlug, uploadPackage, userWithRole, zipPackage } from '../helpers/arena.js';
import { connectSocket } from '../helpers/socket.js';

/**
 * Duels over real HTTP with the real judge (docs/api.md "Duels"): enqueue / dequeue poll, the
 * bad-input codes, the first full AC wins, ratings move exactly as Glicko-2 says, the leaderboard
 * cache follows, no immediate rematch, a deleted problem ends the duel without a rating change.
 * In cluster mode the two players use two API replicas (one Redis queue).
 */

type Envelope<T> = { success: boolean; data: T; error: { code: string; status: number; details?: Record<string, unknown> } };
interface Match {
  id: string;
  status: string;
  problem: { id: string; slug: string } | null;
  players: { userId: string; attempts: number; bestTestsPassed: number }[];
  winnerUserId: string | null;
  outcome: string | null;
  result: { ratings: Record<string, { before: { rating: number }; after: { rating: number; rd: number; volatility: number }; delta: number }> } | null;
}
interface Entry {
  id: string;
  rank: number;
  rating: number;
  games: number;
}

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const connect = (url: string, token?: string) => connectSocket(url, token);

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`Duels API (${mode})`, () => {
    let server: TestServer;
    let other: RunningServer;
    let author: Awaited<ReturnType<typeof userWithRole>>;
    let alice: Awaited<ReturnType<typeof userWithRole>>;
    let bob: Awaited<ReturnType<typeof userWithRole>>;
    let slug: string;
    let matchId: string;

    beforeAll(async () => {
      server = await startTestServer({ mode, config: { SANDBOX_SLOTS: '2' } });
      other = mode === 'cluster' ? await startExtraApi(server) : server;
      [author, alice, bob] = await Promise.all([userWithRole(server, 'author'), userWithRole(server, 'user'), userWithRole(server, 'user')]);
      slug = uniqueSlug('duel-sum');
      const res = await uploadPackage(server, author.token, zipPackage(sumPackage(`Sum ${slug}`), slug), { filename: `${slug}.zip`, query: 'publish=true' });
      if (res.status !== 201) throw new Error(`import failed: ${res.status} ${res.text}`);
    }, 120_000);
    afterAll(async () => {
      if (other !== server) await other?.close();
      await server?.stop();
    });

    it('bad input: dequeue without enqueue, enqueue twice, bad body', async () => {
      const d = await api<Envelope<unknown>>(server, 'POST', '/api/v1/match/dequeue', { token: alice.token });
      expect(d.status).toBe(409);
      expect(d.body.error.code).toBe('NOT_QUEUED');
      expect((await api(server, 'POST', '/api/v1/match/enqueue', { body: { mode: 'duel' } })).status).toBe(401);
      const bad = await api<Envelope<unknown>>(server, 'POST', '/api/v1/match/enqueue', { token: alice.token, body: { mode: 'Bad Mode!' } });
      expect(bad.status).toBe(400);
      const e1 = await api<Envelope<{ status: string; window: number }>>(server, 'POST', '/api/v1/match/enqueue', { token: alice.token, body: { mode: 'duel' } });
      expect(e1.status).toBe(200);
      expect(e1.body.data).toEqual({ status: 'queued', window: 100 });
      // Twice, even through the other replica.
      const e2 = await api<Envelope<unknown>>(other, 'POST', '/api/v1/match/enqueue', { token: alice.token, body: { mode: 'duel' } });
      expect(e2.status).toBe(409);
      expect(e2.body.error.code).toBe('ALREADY_QUEUED');
      const wait = await api<Envelope<{ status: string; waitedMs: number; window: number }>>(server, 'POST', '/api/v1/match/dequeue', { token: alice.token });
      expect(wait.status).toBe(202);
      expect(wait.body.data.status).toBe('waiting');
      expect(wait.body.data.window).toBeGreaterThanOrEqual(100);
    });

    it('two players (on two replicas in cluster mode) are matched on the same problem', async () => {
      const e = await api(other, 'POST', '/api/v1/match/enqueue', { token: bob.token, body: { mode: 'duel', languages: ['python'] } });
      expect(e.status).toBe(200);
      const b = await api<Envelope<{ matchId: string; problemId: string }>>(other, 'POST', '/api/v1/match/dequeue', { token: bob.token });
      expect(b.status).toBe(200);
      const a = await api<Envelope<{ matchId: string; problemId: string }>>(server, 'POST', '/api/v1/match/dequeue', { token: alice.token });
      expect(a.status).toBe(200);
      expect(a.body.data).toEqual(b.body.data);
      matchId = a.body.data.matchId;
      const m = await api<Envelope<Match & { languages: string[] }>>(server, 'GET', `/api/v1/matches/${matchId}`, { token: alice.token });
      expect(m.body.data).toMatchObject({ status: 'active', problem: { id: a.body.data.problemId, slug }, languages: ['python'], winnerUserId: null });
      expect(m.body.data.players.map((p) => p.userId).sort()).toEqual([alice.userId, bob.userId].sort());
      const again = await api<Envelope<unknown>>(server, 'POST', '/api/v1/match/enqueue', { token: alice.token, body: { mode: 'duel' } });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('ALREADY_IN_MATCH');
    });

    it('only players submit, in the duel languages; progress shows tests passed, not code', async () => {
      const stranger = await userWithRole(server, 'user');
      const s = await api<Envelope<unknown>>(server, 'POST', `/api/v1/matches/${matchId}/submissions`, { token: stranger.token, body: PROGRAMS.ac });
      expect(s.status).toBe(403);
      expect(s.body.error.code).toBe('NOT_A_PLAYER');
      const c = await api<Envelope<unknown>>(server, 'POST', `/api/v1/matches/${matchId}/submissions`, { token: bob.token, body: PROGRAMS.acC });
      expect(c.status).toBe(400);
      expect(c.body.error.code).toBe('LANGUAGE_NOT_ALLOWED');
      const wa = await api<Envelope<{ id: string }>>(other, 'POST', `/api/v1/matches/${matchId}/submissions`, { token: bob.token, body: PROGRAMS.waHidden });
      expect(wa.status, JSON.stringify(wa.body)).toBe(201);
      const m = await until(
        async () => (await api<Envelope<Match>>(server, 'GET', `/api/v1/matches/${matchId}`, { token: alice.token })).body.data,
        (v) => v.players.find((p) => p.userId === bob.userId)!.attempts === 1,
      );
      // The sample passes, both hidden tests fail.
      expect(m.players.find((p) => p.userId === bob.userId)).toMatchObject({ attempts: 1, bestTestsPassed: 1 });
      expect(m.status).toBe('active');
      expect(JSON.stringify(m)).not.toContain('print(');
    });

    it('the first full AC wins and both ratings move as Glicko-2 says; the leaderboard follows', async () => {
      const before = await api<Envelope<Entry[]>>(server, 'GET', '/api/v1/leaderboard/top');
      expect(before.status).toBe(200);
      expect(before.body.data.find((e) => e.id === alice.userId)).toBeUndefined();
      // Bob follows the duel on the socket (the other replica in cluster mode).
      const socket = await connect(other.url, bob.token);
      const events: { name: string; match: Match }[] = [];
      for (const name of ['match:progress', 'match:result']) socket.on(name, (d: { match: Match }) => events.push({ name, match: d.match }));
      const bad = await socket.emitWithAck('subscribe:match', { matchId: '00000000-0000-4000-8000-000000000000' });
      expect(bad.error.code).toBe('MATCH_NOT_FOUND');
      const sub = await socket.emitWithAck('subscribe:match', { matchId });
      expect(sub.status).toBe('active');
      const ac = await api(server, 'POST', `/api/v1/matches/${matchId}/submissions`, { token: alice.token, body: PROGRAMS.ac });
      expect(ac.status).toBe(201);
      const m = await until(
        async () => (await api<Envelope<Match>>(other, 'GET', `/api/v1/matches/${matchId}`, { token: bob.token })).body.data,
        (v) => v.status === 'finished',
      );
      expect(m).toMatchObject({ winnerUserId: alice.userId, outcome: 'ac' });
      await until(
        () => Promise.resolve(events),
        (ev) => ev.some((e) => e.name === 'match:result'),
      );
      socket.disconnect();
      const result = events.find((e) => e.name === 'match:result')!.match;
      expect(result).toMatchObject({ status: 'finished', winnerUserId: alice.userId, outcome: 'ac' });
      expect(result.players.find((p) => p.userId === alice.userId)!.bestTestsPassed).toBe(3);
      const expected = rateDuel(NEW_PLAYER, NEW_PLAYER, 1);
      expect(m.result!.ratings[alice.userId]!.after.rating).toBeCloseTo(expected.a.rating, 9);
      expect(m.result!.ratings[bob.userId]!.after.rating).toBeCloseTo(expected.b.rating, 9);
      expect(m.result!.ratings[alice.userId]!.after.rd).toBeCloseTo(expected.a.rd, 9);
      expect(m.result!.ratings[alice.userId]!.delta).toBeGreaterThan(0);
      // The cached top (read above, before the duel) was invalidated: both now, in order.
      const top = await api<Envelope<Entry[]>>(other, 'GET', '/api/v1/leaderboard/top');
      const ranks = top.body.data.filter((e) => e.id === alice.userId || e.id === bob.userId);
      expect(ranks.map((e) => [e.id, e.rating, e.games])).toEqual([
        [alice.userId, Math.round(expected.a.rating), 1],
        [bob.userId, Math.round(expected.b.rating), 1],
      ]);
      const hist = await api<Envelope<{ rating: number; history: { matchId: string; rating: number }[] }>>(server, 'GET', `/api/v1/users/${bob.username}/rating`);
      expect(hist.body.data.rating).toBeCloseTo(expected.b.rating, 9);
      expect(hist.body.data.history).toEqual([expect.objectContaining({ matchId, rating: expected.b.rating })]);
      // A finished duel cannot be forfeited or played.
      const f = await api<Envelope<unknown>>(server, 'POST', `/api/v1/matches/${matchId}/forfeit`, { token: bob.token });
      expect(f.status).toBe(409);
      expect(f.body.error.code).toBe('MATCH_FINISHED');
      const late = await api<Envelope<unknown>>(server, 'POST', `/api/v1/matches/${matchId}/submissions`, { token: bob.token, body: PROGRAMS.ac });
      expect(late.body.error.code).toBe('MATCH_FINISHED');
    });

    it('no immediate rematch: the same two players wait', async () => {
      for (const u of [alice, bob]) expect((await api(server, 'POST', '/api/v1/match/enqueue', { token: u.token, body: { mode: 'duel' } })).status).toBe(200);
      const d = await api(other, 'POST', '/api/v1/match/dequeue', { token: alice.token });
      expect(d.status).toBe(202);
      for (const u of [alice, bob]) expect((await api<Envelope<{ left: boolean }>>(other, 'POST', '/api/v1/match/leave', { token: u.token })).body.data.left).toBe(true);
      expect((await api(server, 'POST', '/api/v1/match/dequeue', { token: bob.token })).status).toBe(409);
    });

    it('forfeit loses; a deleted problem ends a duel without a rating change; unknown duel 404', async () => {
      const [carol, dave, erin, frank] = await Promise.all([0, 1, 2, 3].map(() => userWithRole(server, 'user')));
      const duel = async (x: typeof carol, y: typeof carol) => {
        await api(server, 'POST', '/api/v1/match/enqueue', { token: x.token, body: { mode: 'duel' } });
        await api(other, 'POST', '/api/v1/match/enqueue', { token: y.token, body: { mode: 'duel' } });
        const r = await api<Envelope<{ matchId: string }>>(server, 'POST', '/api/v1/match/dequeue', { token: x.token });
        expect(r.status).toBe(200);
        return r.body.data.matchId;
      };
      const m1 = await duel(carol!, dave!);
      const f = await api<Envelope<Match>>(server, 'POST', `/api/v1/matches/${m1}/forfeit`, { token: carol!.token });
      expect(f.status).toBe(200);
      expect(f.body.data).toMatchObject({ status: 'finished', outcome: 'forfeit', winnerUserId: dave!.userId });
      expect(f.body.data.result!.ratings[carol!.userId]!.delta).toBeLessThan(0);

      const m2 = await duel(erin!, frank!);
      const got = await api<Envelope<Match>>(server, 'GET', `/api/v1/matches/${m2}`);
      const del = await api(server, 'DELETE', `/api/v1/problems/${got.body.data.problem!.slug}`, { token: author.token });
      expect(del.status).toBe(200);
      const s = await api<Envelope<unknown>>(other, 'POST', `/api/v1/matches/${m2}/submissions`, { token: erin!.token, body: PROGRAMS.ac });
      expect(s.status).toBe(409);
      expect(s.body.error.code).toBe('MATCH_PROBLEM_DELETED');
      const after = await api<Envelope<Match>>(server, 'GET', `/api/v1/matches/${m2}`);
      expect(after.body.data).toMatchObject({ status: 'finished', outcome: 'problem_deleted', winnerUserId: null, problem: null });
      const r = await api<Envelope<{ games: number; rating: number }>>(server, 'GET', `/api/v1/users/${erin!.username}/rating`);
      expect(r.body.data).toMatchObject({ games: 0, rating: 1500 });
      const nf = await api<Envelope<unknown>>(server, 'GET', '/api/v1/matches/00000000-0000-4000-8000-000000000000');
      expect(nf.status).toBe(404);
      expect(nf.body.error.code).toBe('MATCH_NOT_FOUND');
    });

    it('leaderboard snapshots: today exists (taken at startup), another date is 404', async () => {
      const today = await api<Envelope<{ date: string; entries: unknown[] }>>(server, 'GET', '/api/v1/leaderboard/snapshot/today');
      expect(today.status).toBe(200);
      expect(today.body.data.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const same = await api<Envelope<{ date: string }>>(other, 'GET', `/api/v1/leaderboard/snapshot/${today.body.data.date}`);
      expect(same.body.data.date).toBe(today.body.data.date);
      const none = await api<Envelope<unknown>>(server, 'GET', '/api/v1/leaderboard/snapshot/2001-01-01');
      expect(none.status).toBe(404);
      expect(none.body.error.code).toBe('SNAPSHOT_NOT_FOUND');
      expect((await api(server, 'GET', '/api/v1/leaderboard/snapshot/yesterday')).status).toBe(400);
    });
  });
}
