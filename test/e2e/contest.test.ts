/**
 * A contest end to end in Chromium (embedded mode, real sandbox): two users in two browser
 * contexts join a running ICPC contest whose problem is a draft; one opens problem A from the
 * contest page and submits through it; the other, watching the contest page, sees the solver's
 * cell turn solved live (socket `contest:scoreboard`), with the minute of the AC.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startTestServer, type TestServer } from '../helpers/app';
import { PROGRAMS, sumPackage, uniqueSlug, uploadPackage, userWithRole, zipPackage } from '../helpers/arena';
import { CI } from '../helpers/engine';
import { ensureWebBuilt, HAVE_CHROMIUM, launchChromium, screenshotDir, setCode } from './browser';

describe.skipIf(!HAVE_CHROMIUM && !CI)('Contests in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let contest: string;

  const login = async (who: { email: string; password: string }): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(30_000);
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await p.goto(`${server.url}/login`);
    await p.fill('#email', who.email);
    await p.fill('#password', who.password);
    await p.click('button[type=submit]');
    await p.waitForSelector('[data-testid=user-menu]');
    return p;
  };

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error('Chromium is missing: apt-get install chromium (make deps installs it)');
    ensureWebBuilt();
    fs.mkdirSync(screenshotDir, { recursive: true });
    server = await startTestServer({ mode: 'embedded' });
    browser = await launchChromium();
    const author = await userWithRole(server, 'author');
    const problem = uniqueSlug('sum');
    const up = await uploadPackage(server, author.token, zipPackage(sumPackage(`Sum ${problem}`), problem), { filename: `${problem}.zip` });
    if (up.status !== 201) throw new Error(`import failed: ${up.status}`);
    contest = uniqueSlug('cup');
    const res = await api(server, 'POST', '/api/v1/contests', {
      token: author.token,
      body: { slug: contest, title: 'The Browser Cup', format: 'icpc', startsAt: new Date(Date.now() - 10 * 60_000).toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), problems: [problem] },
    });
    if (res.status !== 201) throw new Error(`contest: ${res.status} ${JSON.stringify(res.body)}`);
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('two participants join; one submits from the contest’s problem page; the other’s board updates live', async () => {
    const [solver, rival] = await Promise.all([registerUser(server), registerUser(server)]);
    const watcher = await login(rival);
    await watcher.click('[data-testid=nav-contests]');
    await watcher.click(`text=The Browser Cup`);
    await watcher.click('[data-testid=join-contest]');
    await watcher.waitForSelector('[data-testid=contest-problems]');
    expect(await watcher.textContent('[data-testid=contest-clock]')).toMatch(/^Ends in /);

    const page = await login(solver);
    await page.goto(`${server.url}/contests/${contest}`);
    await page.click('[data-testid=join-contest]');
    await page.click('[data-testid=contest-problems] a');
    await page.waitForSelector('.cm-content');
    await page.selectOption('[data-testid=language]', 'python');
    await setCode(page, PROGRAMS.ac.code);
    await page.click('[data-testid=submit]');
    await page.waitForSelector('[data-testid=submission-verdict][data-verdict=AC]', { timeout: 60_000 });

    // The watcher never reloaded: the cell arrives over the socket.
    const cell = `[data-testid="cell-${solver.username}-A"]`;
    await watcher.waitForFunction((sel) => /^\+\s*\d+′$/.test(document.querySelector(sel)?.textContent?.trim() ?? ''), cell, { timeout: 30_000 });
    expect(await watcher.getAttribute(cell, 'class')).toContain('cell-first');
    await watcher.screenshot({ path: path.join(screenshotDir, 'contest-scoreboard.png') });
    expect(problems).toEqual([]);
  }, 180_000);
});
