/**
 * The Arena end to end, in Debian's Chromium against the real server (embedded mode: PGlite, the
 * in-process queue, the real sandbox): an author uploads a problem package (a zip built here),
 * reads the verify table and publishes it; a new user opens Problems, opens the problem (math
 * rendered by KaTeX, the statement's own script never runs), copies a sample, runs on the samples,
 * runs with custom input, solves it in Python (watching the per-test verdicts arrive) and in C++,
 * then fails on purpose with WA (the diff view shows expected against got), TLE, MLE and RTE, each
 * with its verdict and a message; My submissions lists and filters them; hidden test data is on no
 * page; the problem page works at 375 px.
 *
 * One browser, tests in order (each builds on the previous one's state).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/app';
import { CI } from '../helpers/engine';
import { makeZip } from '../helpers/zip-writer';
import { editorText, ensureWebBuilt, HAVE_CHROMIUM, launchChromium, screenshotDir, setCode } from './browser';

const SLUG = 'e2e-sum';
// Hidden tests' data: these strings must never reach the browser.
const HIDDEN_IN = '424242424242 171717171717';
const HIDDEN_ANS = '595959595959';

const SUM_PY = 'import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))\n';
const SUM_CPP = [
  '#include <iostream>',
  'int main() {',
  '    long long n, x, s = 0;',
  '    std::cin >> n;',
  '    for (long long i = 0; i < n; i++) { std::cin >> x; s += x; }',
  '    std::cout << s << std::endl;',
  '}',
  '',
].join('\n');
/** Correct, and slow enough per test that the table visibly fills in one test at a time. */
const SLOW_SUM_PY = 'import sys, time\ntime.sleep(0.4)\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))\n';

function packageZip(): Buffer {
  const statement = [
    'Given $n$ integers $a_1, \\dots, a_n$, print their sum $S$:',
    '',
    '$$S = \\sum_{i=1}^{n} a_i$$',
    '',
    '## Input',
    '',
    'The first line holds $n$ ($1 \\le n \\le 10^5$), the second the $n$ integers, each with $|a_i| \\le 10^{12}$.',
    '',
    '<img src="x" onerror="window.__statementScript = 1"><script>window.__statementScript = 2</script>',
    '',
  ].join('\n');
  const secret: [string, string][] = [
    ['01-one', '1\n7\n'],
    ['02-hidden', `2\n${HIDDEN_IN}\n`],
    ['03-neg', '3\n-1 -2 -3\n'],
    ['04-zero', '2\n0 0\n'],
    ['05-big', '2\n1000000000000 1000000000000\n'],
  ];
  const sum = (input: string) => String(input.split(/\s+/).filter(Boolean).slice(1).map(BigInt).reduce((a, b) => a + b, 0n));
  return makeZip([
    {
      name: `${SLUG}/problem.yaml`,
      data: ['problem_format_version: 2025-09', 'name: Sum of Numbers', 'keywords: [easy, math]', 'limits:', '  time_limit: 1.0', '  memory: 128', ''].join('\n'),
    },
    { name: `${SLUG}/statement/problem.en.md`, data: statement },
    { name: `${SLUG}/data/sample/1.in`, data: '3\n1 2 3\n' },
    { name: `${SLUG}/data/sample/1.ans`, data: '6\n' },
    { name: `${SLUG}/data/sample/2.in`, data: '2\n-5 5\n' },
    { name: `${SLUG}/data/sample/2.ans`, data: '0\n' },
    ...secret.flatMap(([name, input]) => [
      { name: `${SLUG}/data/secret/${name}.in`, data: input },
      { name: `${SLUG}/data/secret/${name}.ans`, data: `${sum(input)}\n` },
    ]),
    { name: `${SLUG}/submissions/accepted/sum.py`, data: SUM_PY },
    { name: `${SLUG}/submissions/wrong_answer/off_by_one.py`, data: SUM_PY.replace('print(sum(', 'print(1 + sum(') },
  ]);
}

// Under CI a missing Chromium is a failure (beforeAll throws), never a skip.
describe.skipIf(!HAVE_CHROMIUM && !CI)('Arena in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let page: Page;
  const problems: string[] = [];
  const author = { email: 'author@example.com', username: 'problem_author', password: 'author password 123' };
  const solver = { email: 'solver@example.com', username: 'new_solver', password: 'solver password 123' };

  const newPage = async (who: string) => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(30_000);
    p.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
    // DOMPurify parses the statement in an inert document (DOMParser), where Chromium still
    // reports the fixture's `onerror` as a blocked inline handler (nothing runs there: no scripting,
    // and the CSP). So that console message is not counted; instead, every element the page's own
    // document ever holds is checked for an inline handler attribute.
    await p.addInitScript(() => {
      const w = window as unknown as { __inlineHandlers: string[] };
      w.__inlineHandlers = [];
      const check = (n: Node) => {
        if (!(n instanceof Element)) return;
        for (const el of [n, ...Array.from(n.querySelectorAll('*'))]) {
          for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name)) w.__inlineHandlers.push(`<${el.tagName.toLowerCase()} ${a.name}>`);
        }
      };
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'attributes') check(r.target);
          r.addedNodes.forEach(check);
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    p.on('console', (m) => {
      if (m.type() !== 'error' || /Failed to load resource/.test(m.text())) return;
      if (/^Executing inline event handler violates/.test(m.text())) return; // see above
      problems.push(`${who} console: ${m.text()}`);
    });
    return p;
  };

  /** Clicks a judge button and waits for that submission (a new id) to be final; returns its view's verdict. */
  const judge = async (button: 'run-samples' | 'submit'): Promise<string> => {
    const before = await page.evaluate(() => (document.querySelector('[data-testid=submission]') as HTMLElement | null)?.dataset.id ?? '');
    await page.click(`[data-testid=${button}]`);
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('[data-testid=submission]') as HTMLElement | null;
        return !!el && el.dataset.id !== prev && el.dataset.final === 'true' && !!document.querySelector('[data-testid=submission-verdict]');
      },
      before,
      { timeout: 60_000 },
    );
    return (await page.getAttribute('[data-testid=submission-verdict]', 'data-verdict')) ?? 'none';
  };

  /** The message of the first failing test's row. */
  const firstFailureMessage = async (verdict: string) => page.textContent(`[data-testid=test-row][data-verdict=${verdict}] [data-testid=test-message]`);

  const shot = (name: string) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });

  const selectLanguage = async (id: string) => {
    await page.selectOption('[data-testid=language]', id);
    await page.waitForSelector('.cm-content');
  };

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error('Chromium is missing: apt-get install chromium (make deps installs it)');
    ensureWebBuilt();
    fs.mkdirSync(screenshotDir, { recursive: true });
    server = await startTestServer({ mode: 'embedded' });
    browser = await launchChromium();
    page = await newPage('author');
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('an author uploads a package zip, sees the verify table, and publishes the problem', async () => {
    const reg = await api(server, 'POST', '/api/v1/auth/register', { body: author });
    expect(reg.status).toBe(201);
    // What `bin/muscode user role EMAIL author` does; the role is in the next token.
    await server.platform.ctx.database.query(`UPDATE users SET role = 'author' WHERE email = $1`, [author.email]);
    await page.goto(`${server.url}/login`);
    await page.fill('#email', author.email);
    await page.fill('#password', author.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=user-menu]');
    await page.click('[data-testid=nav-author]');
    await page.waitForSelector('[data-testid=package-file]');

    await page.setInputFiles('[data-testid=package-file]', { name: `${SLUG}.zip`, mimeType: 'application/zip', buffer: packageZip() });
    await page.click('[data-testid=upload]');
    await page.waitForSelector('[data-testid=import-result]');
    expect(await page.textContent('[data-testid=import-result]')).toContain('a draft');
    await page.waitForSelector(`[data-testid=my-problem][data-slug=${SLUG}][data-published=false]`);
    // A draft is not there for anyone else.
    expect((await api(server, 'GET', `/api/v1/problems/${SLUG}`)).status).toBe(404);

    // The verify table: the package's own submissions, judged, each earning its folder's verdict.
    await page.waitForSelector('[data-testid=verify]');
    await page.click('[data-testid=verify-start]');
    await page.waitForSelector('[data-testid=verify-summary]', { timeout: 90_000 });
    const rows = await page.$$eval('[data-testid=verify-row]', (rs) => rs.map((r) => [r.querySelector('td')?.textContent ?? '', (r as HTMLElement).dataset.ok]));
    expect(rows).toHaveLength(2);
    expect(rows.every(([, ok]) => ok === 'true')).toBe(true);
    expect(await page.textContent('[data-testid=verify-summary]')).toMatch(/All 2 programs/);
    await shot('arena-author');

    await page.click(`[data-testid=my-problem][data-slug=${SLUG}] [data-testid=publish]`);
    await page.waitForSelector(`[data-testid=my-problem][data-slug=${SLUG}][data-published=true]`);
    expect((await api(server, 'GET', `/api/v1/problems/${SLUG}`)).status).toBe(200);
  });

  it('a new user opens Problems and the problem: math rendered, the statement cannot run script, samples copy', async () => {
    page = await newPage('solver');
    await page.goto(`${server.url}/register`);
    await page.fill('#email', solver.email);
    await page.fill('#username', solver.username);
    await page.fill('#password', solver.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=user-menu]');

    await page.click('[data-testid=nav-problems]');
    await page.waitForSelector(`[data-testid=problem-row][data-slug=${SLUG}]`);
    expect(await page.textContent(`[data-testid=problem-row][data-slug=${SLUG}]`)).toContain('Sum of Numbers');
    await page.click(`[data-testid=problem-row][data-slug=${SLUG}] a`);
    await page.waitForSelector('[data-testid=statement] .katex');
    expect(await page.$$eval('[data-testid=statement] .katex', (e) => e.length)).toBeGreaterThanOrEqual(5);
    expect(await page.$('[data-testid=statement] .katex-display')).not.toBeNull();
    expect(await page.evaluate(() => (window as unknown as { __statementScript?: number }).__statementScript)).toBeUndefined();
    expect(await page.evaluate(() => (window as unknown as { __inlineHandlers: string[] }).__inlineHandlers)).toEqual([]);
    expect(await page.$('[data-testid=statement] script, [data-testid=statement] [onerror]')).toBeNull();
    expect(await page.textContent('[data-testid=limits]')).toMatch(/1\.00 s[\s\S]*128 MB/);

    expect(await page.$$eval('[data-testid=sample]', (e) => e.length)).toBe(2);
    await page.click('[data-testid=sample] [data-testid=copy]');
    await page.waitForSelector('[data-testid=sample] [data-testid=copy]:has-text("Copied")');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('3\n1 2 3\n');
  });

  it('runs on the samples (a table, not counted) and with custom input (the output)', async () => {
    await selectLanguage('python');
    await setCode(page, SUM_PY);
    expect(await judge('run-samples')).toBe('AC');
    const rows = await page.$$eval('[data-testid=test-row]', (rs) => rs.map((r) => [(r as HTMLElement).dataset.visibility, (r as HTMLElement).dataset.verdict]));
    expect(rows).toEqual([
      ['sample', 'AC'],
      ['sample', 'AC'],
    ]);
    expect(await page.$('[data-testid=submission-link]')).toBeNull();

    await page.click('[data-testid=tab-custom]');
    await page.fill('[data-testid=custom-stdin]', '4\n10 20 30 40\n');
    await page.click('[data-testid=run-custom]');
    await page.waitForFunction(() => document.querySelector('[data-testid=output]')?.textContent?.includes('100'));
    await page.click('[data-testid=tab-judge]');
  });

  it('solves it in Python, the per-test verdicts arriving one by one; the code is kept per language', async () => {
    await setCode(page, SLOW_SUM_PY);
    // Every state the table goes through: how many rows have a verdict.
    await page.evaluate(() => {
      const w = window as unknown as { __filled: number[]; __obs?: MutationObserver };
      w.__filled = [];
      w.__obs?.disconnect();
      w.__obs = new MutationObserver(() => {
        const n = document.querySelectorAll('[data-testid=test-row]:not([data-verdict=pending])').length;
        const total = document.querySelectorAll('[data-testid=test-row]').length;
        const last = w.__filled.at(-1);
        if (n !== last && total > 0) w.__filled.push(n);
      });
      w.__obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-verdict'] });
    });
    expect(await judge('submit')).toBe('AC');
    const verdicts = await page.$$eval('[data-testid=test-row]', (rs) => rs.map((r) => (r as HTMLElement).dataset.verdict));
    expect(verdicts).toEqual(Array(7).fill('AC'));
    const filled = await page.evaluate(() => (window as unknown as { __filled: number[] }).__filled);
    // Partly filled tables were on screen before the whole one.
    expect(filled.filter((n) => n > 0 && n < 7).length).toBeGreaterThanOrEqual(2);
    expect(filled.at(-1)).toBe(7);
    expect(await page.textContent('[data-testid=tests-done]')).toContain('7 / 7');
    await shot('arena-problem');

    // The last code per problem and language survives a reload.
    await page.reload();
    await page.waitForSelector('.cm-content');
    expect(await page.inputValue('[data-testid=language]')).toBe('python');
    expect(await editorText(page)).toBe(SLOW_SUM_PY);
  });

  it('solves it in C++ too, and the problem is marked solved', async () => {
    await selectLanguage('cpp');
    await setCode(page, SUM_CPP);
    expect(await judge('submit')).toBe('AC');
    await page.click('[data-testid=nav-problems]');
    await page.waitForSelector(`[data-testid=problem-row][data-slug=${SLUG}] [data-mark=solved]`);
    await page.click(`[data-testid=problem-row][data-slug=${SLUG}] a`);
    await page.waitForSelector('.cm-content');
    expect(await page.inputValue('[data-testid=language]')).toBe('cpp');
  });

  it('fails on purpose: WA with the diff of expected against got', async () => {
    await selectLanguage('python');
    await setCode(page, SUM_PY.replace('print(sum(', 'print(1 + sum('));
    expect(await judge('run-samples')).toBe('WA');
    await page.waitForSelector('[data-testid=diff]');
    const changed = await page.$$eval('[data-testid=diff] [data-testid=diff-row][data-same=false] td', (tds) => tds.map((t) => t.textContent));
    expect(changed.slice(0, 3)).toEqual(['1', '6', '7']);
    await page.locator('[data-testid=diff]').scrollIntoViewIfNeeded();
    await shot('arena-diff');

    expect(await judge('submit')).toBe('WA');
    expect(await page.textContent('[data-testid=submission-status]')).toBe('Wrong answer');
    expect((await firstFailureMessage('WA'))?.trim()).not.toBe('');
    await page.waitForSelector('[data-testid=test-row][data-verdict=WA] ~ tr [data-testid=diff], [data-testid=diff]');
  });

  it('fails on purpose: TLE, MLE, RTE and CE, each with its verdict and a message', async () => {
    await setCode(page, 'while True:\n    pass\n');
    expect(await judge('submit')).toBe('TLE');
    expect(await page.textContent('[data-testid=submission-status]')).toBe('Time limit exceeded');
    expect(await firstFailureMessage('TLE')).toMatch(/time|limit/i);

    // Each block is written (a fresh bytearray may be untouched zero pages that never count).
    await setCode(page, 'a = []\nwhile True:\n    a.append(b"x" * (1 << 20))\n');
    expect(await judge('submit')).toBe('MLE');
    expect(await page.textContent('[data-testid=submission-status]')).toBe('Memory limit exceeded');
    expect(await firstFailureMessage('MLE')).toMatch(/memory|limit|allocation/i);

    await setCode(page, 'import sys\nn = int(input())\nprint(n // 0)\n');
    expect(await judge('submit')).toBe('RTE');
    expect(await page.textContent('[data-testid=submission-status]')).toBe('Run-time error');
    expect(await firstFailureMessage('RTE')).toMatch(/exit code 1|signal|ZeroDivision/i);

    // And a compile error: no tests, the compiler's output with the line.
    await selectLanguage('cpp');
    await setCode(page, 'int main() { return missing; }\n');
    expect(await judge('submit')).toBe('CE');
    expect(await page.textContent('[data-testid=submission-status]')).toBe('Compile error');
    expect(await page.textContent('[data-testid=compile-output]')).toMatch(/missing/);
    // No test ran: none is shown as pending (nor as passed).
    expect(await page.$$eval('[data-testid=test-row]', (rs) => rs.filter((r) => (r as HTMLElement).dataset.verdict !== 'SK').length)).toBe(0);
    await selectLanguage('python');
  });

  it('hidden test data is on no page (problem, submission)', async () => {
    const check = async () => {
      const html = await page.content();
      expect(html).not.toContain(HIDDEN_ANS);
      expect(html).not.toContain(HIDDEN_IN);
      expect(html).not.toContain('171717171717');
    };
    await check();
    await page.click('[data-testid=submission-link]');
    await page.waitForSelector('[data-testid=tests]');
    await check();
    await page.goto(`${server.url}/problems/${SLUG}`);
    await page.waitForSelector('[data-testid=statement]');
    await check();
  });

  it('My submissions lists them, filters by verdict, and opens one with its table and code', async () => {
    await page.click('[data-testid=nav-submissions]');
    await page.waitForSelector('[data-testid=submission-row]');
    const verdicts = await page.$$eval('[data-testid=submission-row]', (rs) => rs.map((r) => (r as HTMLElement).dataset.verdict).sort());
    expect(verdicts).toEqual(['AC', 'AC', 'CE', 'MLE', 'RTE', 'TLE', 'WA']);
    await shot('arena-submissions');
    await page.selectOption('[data-testid=verdict-filter]', 'WA');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=submission-row]').length === 1);
    expect(await page.getAttribute('[data-testid=submission-row]', 'data-verdict')).toBe('WA');
    await page.click('[data-testid=submission-row] a');
    await page.waitForSelector('[data-testid=tests]');
    expect(await page.getAttribute('[data-testid=submission-verdict]', 'data-verdict')).toBe('WA');
    expect(await editorText(page)).toContain('print(1 + sum(');
  });

  it('works at 375 px: no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const url of [`/problems/${SLUG}`, '/problems', '/submissions']) {
      await page.goto(`${server.url}${url}`);
      await page.waitForSelector(url === '/problems' ? '[data-testid=problems]' : url === '/submissions' ? '[data-testid=submissions]' : '[data-testid=statement] .katex');
      const m = await page.evaluate(() => {
        const main = document.querySelector('main')!;
        return { page: document.scrollingElement!.scrollWidth, main: main.scrollWidth - main.clientWidth };
      });
      expect(m.page, `${url}: page width`).toBeLessThanOrEqual(375);
      if (url === `/problems/${SLUG}`) await shot('phone-arena-problem');
      expect(m.main, `${url}: main scrolls sideways`).toBeLessThanOrEqual(0);
    }
    expect(await page.evaluate(() => (window as unknown as { __inlineHandlers: string[] }).__inlineHandlers)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
