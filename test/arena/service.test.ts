/**
 * The Arena's services against the real platform: PGlite + in-process queue (embedded) and
 * PostgreSQL + BullMQ + a worker (cluster), with the real sandbox judging.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arenaCompileChecks, problemFiles, problems, submissions, userQuotas, users } from '../../src/db/schema.js';
import type { ExecutionEvent } from '../../src/realtime/bus.js';
import type { AppContext, AuthUser } from '../../src/server/context.js';
import { type Mode, startTestServer, type TestServer } from '../helpers/app.js';
import { makeZip } from '../helpers/zip-writer.js';

const zipFiles = (items: { name: string; data: Buffer | string }[], o: { deflate?: boolean } = {}) =>
  makeZip(items.map((i) => ({ ...i, method: o.deflate ? 'deflate' : 'store' })));

const FIX = path.join(import.meta.dirname, '../fixtures');
const read = (rel: string) => fs.readFileSync(path.join(FIX, rel), 'utf8');

/** Hidden test data of the native problem: no view may ever contain these. */
const HIDDEN_IN = 'zq-hidden-input-913';
const HIDDEN_OUT = 'ZQ-HIDDEN-INPUT-913';
const UPPER = 'print(input().upper())';

async function makeUser(ctx: AppContext, username: string, role: string): Promise<AuthUser> {
  const [u] = await ctx.database.db
    .insert(users)
    .values({ email: `${username}@example.invalid`, username, passwordHash: 'x', role })
    .returning();
  return { id: u!.id, username, role };
}

/** A fixture folder as zip entries. */
function fixtureEntries(rel: string): { name: string; data: Buffer | string }[] {
  const entries: { name: string; data: Buffer | string }[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const f of fs.readdirSync(dir)) {
      const abs = path.join(dir, f);
      const r = prefix ? `${prefix}/${f}` : f;
      if (fs.statSync(abs).isDirectory()) walk(abs, r);
      else entries.push({ name: r, data: fs.readFileSync(abs) });
    }
  };
  walk(path.join(FIX, rel), '');
  return entries;
}

function expectNoHidden(view: unknown) {
  const json = JSON.stringify(view);
  expect(json).not.toContain(HIDDEN_IN);
  expect(json).not.toContain(HIDDEN_OUT);
}

for (const mode of ['embedded', 'cluster'] as Mode[]) {
  describe(`arena services (${mode})`, () => {
    let server: TestServer;
    let ctx: AppContext;
    let admin: AuthUser;
    let author: AuthUser;
    let alice: AuthUser;
    let bob: AuthUser;

    beforeAll(async () => {
      server = await startTestServer({ mode, config: { QUEUE_USER_WAITING_MAX: '50', ARENA_PACKAGE_MAX_UNPACKED_MB: '2' } });
      ctx = server.platform.ctx;
      admin = await makeUser(ctx, 'root', 'admin');
      author = await makeUser(ctx, 'writer', 'author');
      alice = await makeUser(ctx, 'alice', 'user');
      bob = await makeUser(ctx, 'bob', 'user');
    }, 60_000);
    afterAll(async () => server?.stop());

    const submit = (user: AuthUser, slug: string, code: string, kind: 'submission' | 'run' = 'submission') =>
      ctx.submissions.create(user, { problemSlug: slug, language: 'python', code }, { queueOwner: `u:${user.id}`, kind });
    const judged = async (user: AuthUser, slug: string, code: string, kind: 'submission' | 'run' = 'submission') => {
      const s = await submit(user, slug, code, kind);
      return ctx.submissions.waitForFinal(user, s.id, 60_000);
    };

    it('imports a Kattis folder (published) and shows it without hidden data', async () => {
      const r = await ctx.problems.importPackage(null, { dir: path.join(FIX, 'judge/sum-legacy') }, { publish: true });
      expect(r.created).toBe(true);
      expect(r.problem.slug).toBe('sum-legacy');
      // No time limit in the package: the default, with a warning.
      expect(r.problem.limits.timeMs).toBe(server.config.ARENA_DEFAULT_TIME_LIMIT_MS);
      expect(r.warnings.join('\n')).toMatch(/no time limit/);
      const seen = await ctx.problems.get(alice, 'sum-legacy');
      expect(seen.samples).toEqual([{ name: 'sample/1', kind: 'sample', input: '1 2\n', output: '3\n' }]);
      expect(seen.warnings).toBeUndefined();
      expect(JSON.stringify(seen)).not.toContain('10 20');
      const list = await ctx.problems.list(null, { page: 1, limit: 10 });
      expect(list.problems.map((p) => p.slug)).toContain('sum-legacy');
      // Stored in the database, every file of the package.
      const [row] = await ctx.database.db.select().from(problems).where(eq(problems.slug, 'sum-legacy'));
      const files = await ctx.database.db.select({ path: problemFiles.path }).from(problemFiles).where(eq(problemFiles.problemId, row!.id));
      expect(files.map((f) => f.path)).toContain('data/secret/3.ans');
      // Importing it again without replace: PROBLEM_EXISTS; with replace: version 2.
      await expect(ctx.problems.importPackage(null, { dir: path.join(FIX, 'judge/sum-legacy') })).rejects.toMatchObject({ code: 'PROBLEM_EXISTS' });
      const again = await ctx.problems.importPackage(null, { dir: path.join(FIX, 'judge/sum-legacy') }, { replace: true });
      expect(again.problem.version).toBe(2);
    });

    it('judges AC, WA, TLE, RTE and CE, with progress events on the bus', async () => {
      const events: ExecutionEvent[] = [];
      const s = await submit(alice, 'sum-legacy', read('judge/sum-legacy/submissions/accepted/sum.py'));
      expect(s.status).toBe('queued');
      const unsub = await ctx.bus.subscribe(s.id, (e) => events.push(e));
      const ac = await ctx.submissions.waitForFinal(alice, s.id, 60_000);
      await unsub();
      expect(ac).toMatchObject({ status: 'done', verdict: 'AC', testsDone: 4, testsTotal: 4 });
      expect(ac.tests.map((t) => `${t.name}:${t.visibility}:${t.verdict}`)).toEqual(['sample/1:sample:AC', 'secret/1:hidden:AC', 'secret/2:hidden:AC', 'secret/3:hidden:AC']);
      expect(ac.tests[0]).toMatchObject({ input: '1 2\n', expected: '3\n', output: '3\n' });
      expect(ac.tests[1]!.output).toBeUndefined();
      expect(ac.tests[1]!.input).toBeUndefined();
      expect(ac.files?.[0]?.content).toContain('print');
      const history = await ctx.bus.history(s.id);
      const all = [...history, ...events];
      expect(all.filter((e) => e.type === 'progress').length).toBeGreaterThanOrEqual(4);
      expect(all.some((e) => e.type === 'status' && e.status === 'running')).toBe(true);
      expect(all.some((e) => e.type === 'complete')).toBe(true);

      const wa = await judged(alice, 'sum-legacy', read('judge/sum-legacy/submissions/wrong_answer/minus.py'));
      expect(wa.verdict).toBe('WA');
      expect(wa.firstFailure).toBe('secret/1');
      const tle = await judged(alice, 'sum-legacy', 'while True: pass');
      expect(tle.verdict).toBe('TLE');
      const rte = await judged(alice, 'sum-legacy', 'raise SystemExit(3)');
      expect(rte.verdict).toBe('RTE');
      const ce = await ctx.submissions.create(alice, { problemSlug: 'sum-legacy', language: 'c', code: 'int main( { return 0; }' }, { queueOwner: `u:${alice.id}` });
      const ceDone = await ctx.submissions.waitForFinal(alice, ce.id, 60_000);
      expect(ceDone.verdict).toBe('CE');
      expect(ceDone.compileMessage).toBeTruthy();
      // Others do not see the submission; the list shows summaries without code.
      await expect(ctx.submissions.get(bob, s.id)).rejects.toMatchObject({ code: 'SUBMISSION_NOT_FOUND' });
      const list = await ctx.submissions.list(bob, { page: 1, limit: 50, problem: 'sum-legacy' });
      expect(list.pagination.total).toBe(5);
      const stats = (await ctx.problems.list(alice, { page: 1, limit: 10 })).problems.find((p) => p.slug === 'sum-legacy')!;
      expect(stats.stats).toMatchObject({ submissions: 5, accepted: 1, solvedBy: 1 });
      expect(stats.stats.fastestMs).toBe(ac.cpuMs); // the one AC is the fastest
      expect(stats.mark).toBe('solved');
    }, 180_000);

    it('never shows hidden test data, in any view or event', async () => {
      const events: ExecutionEvent[] = [];
      const p = await ctx.problems.create(author, {
        slug: 'upper',
        title: 'Upper',
        difficulty: 'easy',
        statement: 'Print the line in upper case.',
        tests: [
          { input: 'alpha\n', output: 'ALPHA\n', kind: 'sample' },
          { input: 'public-beta\n', output: 'PUBLIC-BETA\n', kind: 'public' },
          { input: `${HIDDEN_IN}\n`, output: `${HIDDEN_OUT}\n`, kind: 'hidden' },
        ],
      });
      expect(p.published).toBe(false);
      // A draft is the author's: 404 for others.
      await expect(ctx.problems.get(alice, 'upper')).rejects.toMatchObject({ code: 'PROBLEM_NOT_FOUND' });
      await expect(submit(alice, 'upper', UPPER)).rejects.toMatchObject({ code: 'PROBLEM_NOT_FOUND' });
      await ctx.problems.setPublished(author, 'upper', true);
      const detail = await ctx.problems.get(alice, 'upper');
      expect(detail.publicTests.map((t) => t.input)).toEqual(['public-beta\n']);
      expectNoHidden(detail);
      expectNoHidden(await ctx.problems.get(author, 'upper'));
      // A wrong answer on the hidden test: its message is the public form.
      // It prints the hidden answer, then more: a WA whose output holds the answer (never shown).
      const code = `s = input()\nprint(s.upper())\nif 'hidden' in s: print('extra')`;
      const sub = await submit(alice, 'upper', code);
      const unsub = await ctx.bus.subscribe(sub.id, (e) => events.push(e));
      const wa = await ctx.submissions.waitForFinal(alice, sub.id, 60_000);
      await unsub();
      expect(wa.verdict).toBe('WA');
      const hidden = wa.tests.find((t) => t.visibility === 'hidden')!;
      expect(hidden.message).toMatch(/^Wrong answer/);
      expect(wa.tests.find((t) => t.visibility === 'public')).toMatchObject({ input: 'public-beta\n', expected: 'PUBLIC-BETA\n', output: 'PUBLIC-BETA\n' });
      for (const view of [
        wa,
        await ctx.submissions.get(author, sub.id),
        await ctx.submissions.get(admin, sub.id),
        await ctx.submissions.list(alice, { page: 1, limit: 10, problem: 'upper' }),
        await ctx.problems.list(alice, { page: 1, limit: 10 }),
        await ctx.bus.history(sub.id),
        events,
      ]) {
        expectNoHidden(view);
      }
      // Stored rows too.
      const [row] = await ctx.database.db.select().from(submissions).where(eq(submissions.id, sub.id));
      expectNoHidden(row!.result);
    }, 120_000);

    it('a run is judged on samples only and never counted', async () => {
      const run = await judged(bob, 'upper', UPPER, 'run');
      expect(run.kind).toBe('run');
      expect(run.verdict).toBe('AC');
      expect(run.tests.map((t) => t.name)).toEqual(['sample/001']);
      const summary = (await ctx.problems.list(bob, { page: 1, limit: 10 })).problems.find((p) => p.slug === 'upper')!;
      expect(summary.mark).toBeNull();
      expect(summary.stats.submissions).toBe(1); // alice's WA only
      expect((await ctx.submissions.list(bob, { page: 1, limit: 10, problem: 'upper' })).pagination.total).toBe(1);
    }, 60_000);

    it('refuses a validator that does not compile (compiled on a worker in cluster mode), storing nothing', async () => {
      const entries = fixtureEntries('judge/validator-kattis');
      const broken = entries.map((e) => (e.name.startsWith('output_validators/') ? { name: e.name.replace(/\.[a-z]+$/, '.c'), data: 'int main( {' } : e));
      await expect(ctx.problems.importPackage(author, { zip: zipFiles(broken), filename: 'broken-validator.zip' })).rejects.toMatchObject({
        code: 'PACKAGE_VALIDATOR_COMPILE_ERROR',
        details: { path: 'output_validators/check/check.c' },
      });
      expect(await ctx.problems.bySlug('broken-validator')).toBeUndefined();
      // The same package with its validator intact imports, and the check left no row behind.
      const ok = await ctx.problems.importPackage(author, { zip: zipFiles(entries), filename: 'good-validator.zip' });
      expect(ok.warnings.join('\n')).not.toMatch(/not compiled/);
      expect(await ctx.database.db.select().from(arenaCompileChecks)).toEqual([]);
    }, 120_000);

    it('cancels a running submission, and rejudges it', async () => {
      const s = await submit(bob, 'sum-legacy', 'while True: pass');
      for (let i = 0; i < 200; i++) {
        const now = await ctx.submissions.get(bob, s.id);
        if (now.status !== 'queued') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const cancelled = await ctx.submissions.cancel(bob, s.id);
      expect(cancelled.status).toBe('cancelled');
      await expect(ctx.submissions.rejudge(bob, s.id)).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
      const again = await ctx.submissions.rejudge(admin, s.id);
      expect(again.status).toBe('queued');
      const final = await ctx.submissions.waitForFinal(admin, s.id, 60_000);
      expect(final.verdict).toBe('TLE');
      // Every final submission of the problem goes back to the queue (runs and verify programs are not rejudged).
      const total = (await ctx.submissions.list(admin, { page: 1, limit: 100, problem: 'sum-legacy' })).pagination.total;
      const { count } = await ctx.submissions.rejudgeProblem(admin, 'sum-legacy');
      expect(count).toBe(total);
      await expect(ctx.submissions.rejudgeProblem(author, 'sum-legacy')).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    }, 120_000);

    if (mode === 'cluster') return;

    it('IOI score: the best per group over two submissions', async () => {
      await ctx.problems.importPackage(null, { dir: path.join(FIX, 'judge/groups-2025') }, { publish: true });
      // Group 1-small (40, min) right; 2-large (60) wrong: 40.
      const small = await judged(alice, 'groups-2025', 'n = int(input())\nprint(n*(n+1)//2 if n < 100 else 0)');
      expect(small.score).toBe(40);
      // Then the other way round: 1-small wrong, so 2-large is skipped (require_pass): 0.
      const none = await judged(alice, 'groups-2025', 'print(0)');
      expect(none.score).toBe(0);
      const summary = (await ctx.problems.list(alice, { page: 1, limit: 20 })).problems.find((p) => p.slug === 'groups-2025')!;
      expect(summary).toMatchObject({ type: 'scoring', myScore: 40, maxScore: 100, mark: 'attempted' });
      const full = await judged(alice, 'groups-2025', 'n = int(input())\nprint(n*(n+1)//2)');
      expect(full.score).toBe(100);
      const after = (await ctx.problems.list(alice, { page: 1, limit: 20 })).problems.find((p) => p.slug === 'groups-2025')!;
      expect(after).toMatchObject({ myScore: 100, mark: 'solved' });
    }, 120_000);

    it('the reconciler re-queues a submission left judging by a dead process', async () => {
      const s = await judged(bob, 'sum-legacy', read('judge/sum-legacy/submissions/accepted/sum.py'));
      // As a process that died mid-judging leaves it: running, its lease expired, no queue job.
      await ctx.database.db
        .update(submissions)
        .set({ status: 'running', verdict: null, workerId: 'dead-worker', leaseUntil: new Date(Date.now() - 1000), attempts: 1 })
        .where(eq(submissions.id, s.id));
      await server.platform.reconciler!.runOnce();
      const final = await ctx.submissions.waitForFinal(bob, s.id, 60_000);
      expect(final).toMatchObject({ status: 'done', verdict: 'AC' });
    }, 60_000);

    it('imports every fixture package (Kattis versions, DMOJ with archived data, LaTeX, interactive)', async () => {
      for (const name of fs.readdirSync(path.join(FIX, 'problems')).sort()) {
        const r = await ctx.problems.importPackage(null, { dir: path.join(FIX, 'problems', name) });
        expect(r.problem.slug, name).toBe(name);
        const [row] = await ctx.database.db.select().from(problems).where(eq(problems.slug, name));
        const files = await ctx.database.db.select({ path: problemFiles.path }).from(problemFiles).where(eq(problemFiles.problemId, row!.id));
        // Every test file the model names is stored.
        const named = JSON.stringify(row!.model).match(/"(input|answer)":"[^"]+"/g) ?? [];
        for (const m of named) expect(files.map((f) => f.path), `${name}: ${m}`).toContain(m.split('":"')[1]!.slice(0, -1));
      }
    });

    it('runs a DMOJ generator once at import: its cases are stored and judged', async () => {
      const r = await ctx.problems.importPackage(null, { dir: path.join(FIX, 'problems/dmoj-generator') }, { publish: true, slug: 'dmoj-generated', replace: true });
      expect(r.warnings.join('\n')).not.toMatch(/generator/);
      const ok = await judged(alice, 'dmoj-generated', 'n = int(input())\nprint(n * n)\n');
      expect(ok).toMatchObject({ status: 'done', verdict: 'AC' });
      expect(ok.tests.length).toBe(4);
      expect(ok.tests.every((t) => t.verdict === 'AC')).toBe(true);
      const wrong = await judged(alice, 'dmoj-generated', 'n = int(input())\nprint(n * n if n < 1000 else 0)\n');
      expect(wrong.verdict).toBe('WA');
    }, 120_000);

    it('counts submissions against the execution quota', async () => {
      const carol = await makeUser(ctx, 'carol', 'user');
      await ctx.database.db.insert(userQuotas).values({ userId: carol.id, maxExecutionsDaily: 1 });
      const first = await submit(carol, 'sum-legacy', 'print(0)');
      await expect(submit(carol, 'sum-legacy', 'print(0)')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
      await ctx.submissions.waitForFinal(carol, first.id, 60_000);
      expect((await ctx.submissions.list(carol, { page: 1, limit: 10, user: 'me' })).pagination.total).toBe(1);
    }, 60_000);

    it('verify judges the package\'s own programs through the queue, uncounted', async () => {
      const before = (await ctx.problems.list(null, { page: 1, limit: 20 })).problems.find((p) => p.slug === 'sum-legacy')!.stats;
      await expect(ctx.problems.startVerify(author, 'sum-legacy')).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
      const started = await ctx.problems.startVerify(admin, 'sum-legacy');
      expect(started.map((r) => r.program).sort()).toEqual(['accepted/sum.py', 'run_time_error/crash.py', 'time_limit_exceeded/spin.py', 'wrong_answer/minus.py']);
      let rows = started;
      for (const r of started) if (r.submissionId) await ctx.submissions.waitForFinal(admin, r.submissionId, 60_000);
      rows = await ctx.problems.verifyTable(admin, 'sum-legacy');
      expect(rows.map((r) => `${r.program}:${r.verdict}:${r.ok}`).sort()).toEqual([
        'accepted/sum.py:AC:true',
        'run_time_error/crash.py:RTE:true',
        'time_limit_exceeded/spin.py:TLE:true',
        'wrong_answer/minus.py:WA:true',
      ]);
      // The package sets no time limit: the table says which one the accepted program derives.
      expect(rows.find((r) => r.program === 'accepted/sum.py')!.message).toMatch(/derived time limit \d+ s/);
      const after = (await ctx.problems.list(null, { page: 1, limit: 20 })).problems.find((p) => p.slug === 'sum-legacy')!.stats;
      expect(after).toEqual(before);
      expect((await ctx.submissions.list(admin, { page: 1, limit: 50, user: 'me' })).pagination.total).toBe(0);
    }, 120_000);

    it('refuses bad packages with a code naming the file, storing nothing', async () => {
      const before = (await ctx.database.db.select({ id: problems.id }).from(problems)).length;
      const cases: [string, Buffer, string][] = [
        ['escape.zip', zipFiles([{ name: '../evil/problem.yaml', data: 'name: x\n' }]), 'PACKAGE_UNSAFE_PATH'],
        ['yaml.zip', zipFiles([{ name: 'problem.yaml', data: 'name: [unclosed\n' }, { name: 'data/secret/1.in', data: '1' }, { name: 'data/secret/1.ans', data: '1' }]), 'PACKAGE_INVALID'],
        ['nodata.zip', zipFiles([{ name: 'problem.yaml', data: 'name: x\n' }]), 'PACKAGE_INVALID'],
        ['bomb.zip', zipFiles([{ name: 'problem.yaml', data: 'name: x\n' }, { name: 'data/secret/1.in', data: Buffer.alloc(3 * 2 ** 20) }], { deflate: true }), 'PACKAGE_TOO_LARGE'],
      ];
      for (const [name, zip, code] of cases) {
        await expect(ctx.problems.importPackage(author, { zip, filename: name }), name).rejects.toMatchObject({ code });
      }
      // Users cannot import.
      await expect(ctx.problems.importPackage(alice, { zip: zipFiles(fixtureEntries('judge/validator-kattis')), filename: 'v.zip' })).rejects.toMatchObject({
        code: 'FORBIDDEN_ROLE',
      });
      expect((await ctx.database.db.select({ id: problems.id }).from(problems)).length).toBe(before);
    }, 60_000);
  });
}

