/**
 * A duel end to end in Debian's Chromium against the real server (embedded mode, the real
 * sandbox): two people in two browser contexts open Duels and click "Find an opponent", are
 * matched, see the same problem, one gets AC first and wins, both see the result with the rating
 * change Glicko-2 gives; the leaderboard and the winner's profile chart show it.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEW_PLAYER, rateDuel } from '../../src/arena/ratings/glicko2';
import { api, startTestServer, type TestServer } from '../helpers/app';
import { PROGRAMS, sumPackage, uniqueSlug, uploadPackage, userWithRole, zipPackage } from '../helpers/arena';
import { CI } from '../helpers/engine';
import { ensureWebBuilt, HAVE_CHROMIUM, launchChromium, setCode } from './browser';

// Under CI a missing Chromium is a failure (beforeAll throws), never a skip.
describe.skipIf(!HAVE_CHROMIUM && !CI)('Duels in Chromium (two browsers)', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let title: string;

  const login = async (who: string, email: string, password: string): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(30_000);
    p.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
    await p.goto(`${server.url}/login`);
    await p.fill('#email', email);
    await p.fill('#password', password);
    await p.click('button[type=submit]');
    await p.waitForSelector('[data-testid=user-menu]');
    return p;
  };

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error('Chromium is missing: apt-get install chromium (make deps installs it)');
    ensureWebBuilt();
    server = await startTestServer({ mode: 'embedded' });
    browser = await launchChromium();
    const author = await userWithRole(server, 'author');
    const slug = uniqueSlug('duel-e2e');
    title = `Duel Sum ${slug}`;
    const res = await uploadPackage(server, author.token, zipPackage(sumPackage(title), slug), { filename: `${slug}.zip`, query: 'publish=true' });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${res.text}`);
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('both enqueue, are matched on the same problem, the first AC wins, ratings move as Glicko-2 says', async () => {
    const [ann, ben] = await Promise.all([userWithRole(server, 'user'), userWithRole(server, 'user')]);
    const a = await login('ann', ann.email, ann.password);
    const b = await login('ben', ben.email, ben.password);
    for (const p of [a, b]) {
      await p.click('[data-testid=nav-duels]');
      await p.waitForSelector('[data-testid=duel-find]');
    }
    await a.click('[data-testid=duel-find]');
    await a.waitForSelector('[data-testid=duel-waiting]');
    expect(Number(await a.textContent('[data-testid=duel-window]'))).toBeGreaterThanOrEqual(100);
    await b.click('[data-testid=duel-find]');
    for (const p of [a, b]) {
      await p.waitForURL(/\/duels\/[0-9a-f-]{36}$/);
      await p.waitForSelector('[data-testid=duel-timer]');
      await p.waitForSelector('.cm-content');
    }
    expect(a.url()).toBe(b.url());
    expect(await a.textContent('.problem-title')).toBe(title);
    expect(await b.textContent('.problem-title')).toBe(title);
    const matchId = a.url().split('/').pop()!;

    await a.selectOption('[data-testid=language]', 'python');
    await setCode(a, PROGRAMS.ac.code);
    await a.click('[data-testid=submit]');
    for (const p of [a, b]) await p.waitForSelector('[data-testid=duel-result]', { timeout: 60_000 });
    expect(await a.textContent('[data-testid=duel-result]')).toContain('You won');
    expect(await b.textContent('[data-testid=duel-result]')).toContain('You lost');

    const expected = rateDuel(NEW_PLAYER, NEW_PLAYER, 1);
    const m = await api<{ data: { winnerUserId: string; result: { ratings: Record<string, { after: { rating: number } }> } } }>(server, 'GET', `/api/v1/matches/${matchId}`);
    expect(m.body.data.winnerUserId).toBe(ann.userId);
    expect(m.body.data.result.ratings[ann.userId]!.after.rating).toBeCloseTo(expected.a.rating, 9);
    expect(m.body.data.result.ratings[ben.userId]!.after.rating).toBeCloseTo(expected.b.rating, 9);
    // Both rooms show the change, rounded.
    const deltaA = Math.round(expected.a.rating - 1500);
    for (const p of [a, b]) {
      await p.waitForFunction((d) => document.querySelector('[data-testid=duel-player] [data-testid=duel-delta]')?.textContent?.includes(d), `+${deltaA}`);
    }

    // The leaderboard and the winner's profile.
    await b.click('[data-testid=nav-leaderboard]');
    await b.waitForSelector('[data-testid=leaderboard-row]');
    const rows = await b.$$eval('[data-testid=leaderboard-row]', (rs) => rs.map((r) => [(r as HTMLElement).dataset.user, r.querySelector('[data-testid=leaderboard-rating]')?.textContent]));
    expect(rows).toEqual([
      [ann.username, `${Math.round(expected.a.rating)}?`],
      [ben.username, `${Math.round(expected.b.rating)}?`],
    ]);
    await a.goto(`${server.url}/profile`);
    await a.waitForSelector('[data-testid=rating-chart]');
    expect(await a.getAttribute('[data-testid=rating-chart] svg', 'aria-label')).toBe(`Rating history: 1500, ${Math.round(expected.a.rating)}`);
    expect(problems).toEqual([]);
  }, 180_000);
});
