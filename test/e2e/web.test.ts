/**
 * The web app end to end, in Debian's Chromium against the real server (embedded mode: PGlite,
 * in-process queue, the real sandbox) on a free port: register → sign in → playground run of
 * Python with stdin, output streaming in → an infinite loop ends with time_limit → a project
 * with two files → run → public → a second user forks it and runs the fork. Screenshots of the
 * main screens go to docs/screenshots/ (used in the README).
 *
 * One browser, one page per user, tests in order (each builds on the previous one's state).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/app';
import { CI } from '../helpers/engine';
import { editorText, ensureWebBuilt, HAVE_CHROMIUM, launchChromium, runAndWait, setCode, shot } from './browser';

// Each run has its own database (PGlite in memory), so fixed names are fine (and the screenshots stable).
const alice = { email: 'ada@example.com', username: 'ada', password: 'correct horse battery', fullName: 'Ada Lovelace' };
const bob = { email: 'grace@example.com', username: 'grace_hopper', password: 'battery staple horse', fullName: 'Grace Hopper' };
const projectName = 'Greeter';
const TOKEN_SECONDS = 4;

// Under CI a missing Chromium is a failure (beforeAll throws), never a skip.
describe.skipIf(!HAVE_CHROMIUM && !CI)('web app in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let page: Page;
  let projectUrl = '';
  const problems: string[] = [];

  const watch = (p: Page, who: string) => {
    p.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
    p.on('console', (m) => {
      // A 4xx the app handles (and shows) is logged by the browser as a failed resource; anything
      // else (a CSP violation, an exception) is a problem.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`${who} console: ${m.text()}`);
    });
  };
  const newUserPage = async (who: string) => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 820 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    watch(p, who);
    return p;
  };

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error('Chromium is missing: apt-get install chromium (make deps installs it)');
    ensureWebBuilt();
    // Access tokens live 4 s here (15 min by default): the whole journey keeps meeting expired
    // tokens, so it also proves that silent refreshes never get in the way.
    server = await startTestServer({ mode: 'embedded', config: { ANONYMOUS_EXECUTE: '1', JWT_EXPIRATION: `${TOKEN_SECONDS}s` } });
    browser = await launchChromium();
    page = await newUserPage('alice');
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('serves the app at / with its CSP, and an unknown page shows the 404 page', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    await page.goto(`${server.url}/no/such/page`);
    await page.waitForSelector('[data-testid=not-found]');
    expect(await page.textContent('h1')).toBe('Page not found');
  });

  it('registers, signs out, signs in; a reload keeps the session through the refresh cookie', async () => {
    await page.goto(`${server.url}/register`);
    // A taken username is shown next to its field, not as raw JSON.
    await api(server, 'POST', '/api/v1/auth/register', { body: { email: 'someone.else@example.com', username: alice.username, password: alice.password } });
    await page.fill('#email', alice.email);
    await page.fill('#username', alice.username);
    await page.fill('#fullName', alice.fullName);
    await page.fill('#password', alice.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#username-error');
    expect(await page.textContent('#username-error')).toMatch(/taken/i);
    alice.username = 'ada_lovelace';
    await page.fill('#username', alice.username);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=user-menu]');
    expect(await page.textContent('[data-testid=user-menu]')).toBe(alice.username);

    await page.click('[data-testid=logout]');
    await page.waitForSelector('text=Sign in');
    await page.goto(`${server.url}/login`);
    await page.fill('#email', alice.email);
    await page.fill('#password', 'wrong password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=error]');
    expect(await page.textContent('[data-testid=error]')).toBe('Wrong email or password.');
    await page.fill('#password', alice.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=user-menu]');

    // The access token lived in memory only: after a reload, the httpOnly cookie brings it back.
    await page.reload();
    await page.waitForSelector('[data-testid=user-menu]');
    const cookies = await page.context().cookies();
    const refresh = cookies.find((c) => c.name === 'muscode_refresh');
    expect(refresh?.httpOnly).toBe(true);
    expect(refresh?.path).toBe('/api/v1/auth');
    expect(await page.evaluate(() => document.cookie)).not.toContain('muscode_refresh');
  });

  it('playground: Python with stdin, output streams in before the run ends, stderr stands out', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.cm-editor');
    await page.selectOption('[data-testid=language]', 'python');
    const options = await page.$$eval('[data-testid=language] option', (os) => os.map((o) => o.textContent ?? ''));
    expect(options.length).toBeGreaterThanOrEqual(10);
    expect(options.find((o) => o.startsWith('Python'))).toMatch(/\(3\.\d+/); // the version is shown

    await setCode(
      page,
      [
        'import sys, time',
        'name = input()',
        'print(f"hello {name}", flush=True)',
        'print("careful: stderr", file=sys.stderr, flush=True)',
        'time.sleep(1.5)',
        'print("done", flush=True)',
        '',
      ].join('\n'),
    );
    await page.fill('#stdin', 'muscode');
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => document.querySelector('[data-testid=output]')?.textContent?.includes('hello muscode'));
    // Streaming: the first line is on screen while the program is still sleeping.
    const midway = await page.evaluate(() => ({
      text: document.querySelector('[data-testid=output]')!.textContent,
      phase: (document.querySelector('[data-testid=run-status]') as HTMLElement).dataset.phase,
    }));
    expect(midway.text).not.toContain('done');
    expect(midway.phase).toBe('running');
    await page.waitForSelector('[data-testid=result-bar] [data-verdict=ok]');
    expect(await page.textContent('[data-testid=output]')).toBe('hello muscode\ncareful: stderr\ndone\n');
    const stderr = page.locator('[data-stream=stderr]');
    expect(await stderr.textContent()).toBe('careful: stderr\n');
    const colours = await page.evaluate(() => {
      const c = (sel: string) => getComputedStyle(document.querySelector(sel)!).color;
      return { out: c('[data-stream=stdout]'), err: c('[data-stream=stderr]') };
    });
    expect(colours.err).not.toBe(colours.out);
    expect(await page.textContent('[data-testid=exit-code]')).toBe('0');
    expect(await page.textContent('[data-testid=wall-time]')).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(await page.textContent('[data-testid=memory]')).toMatch(/(KB|MB)$/);

    // Run → first output byte of a python hello, by the Performance API (printed, not asserted).
    await setCode(page, 'print("hello")\n');
    expect(await runAndWait(page)).toBe('ok');
    const firstOutputMs = await page.evaluate(() => performance.getEntriesByName('muscode:run-to-first-output').at(-1)?.duration ?? -1);
    expect(firstOutputMs).toBeGreaterThan(0);
    console.log(`[web e2e] Run click -> first output byte, python hello: ${firstOutputMs.toFixed(1)} ms`);

    // The code survives a reload (local storage), Ctrl+Enter runs it.
    await page.reload();
    await page.waitForSelector('.cm-editor');
    expect(await editorText(page)).toBe('print("hello")\n');
    await page.click('.cm-content');
    const before = await page.getAttribute('[data-testid=run-status]', 'data-execution');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=run-status]') as HTMLElement;
      return el.dataset.execution !== prev && el.dataset.phase === 'done';
    }, before);
    expect(await page.textContent('[data-testid=output]')).toBe('hello\n');
    await setCode(page, 'import sys\n\nname = sys.stdin.readline().strip() or "world"\nprint(f"Hello, {name}!")\nfor i in range(1, 4):\n    print(f"step {i}")\n');
    await page.fill('#stdin', 'Ada');
    expect(await runAndWait(page)).toBe('ok');
    await shot(page, 'playground');
  });

  it('playground: Show files returns a matplotlib PNG shown inline and a CSV to download; Timeline draws a chart', async () => {
    // A matplotlib chart (scientific Python is in every Python run), a CSV, and a symlink that is refused by name.
    await setCode(
      page,
      [
        'import os',
        'import matplotlib.pyplot as plt',
        'plt.plot([1, 2, 3], [1, 4, 9])',
        'plt.savefig("plot.png")',
        'open("data.csv", "w").write("x,y\\n1,2\\n")',
        'os.symlink("/etc/passwd", "leak.txt")',
        'print(sum(i * i for i in range(2_000_000)))',
        '',
      ].join('\n'),
    );
    await page.check('[data-testid=show-files]');
    expect(await page.inputValue('[data-testid=output-globs]')).toBe('*.png, *.svg, *.csv, *.txt');
    await page.check('[data-testid=ask-timeline]');
    expect(await runAndWait(page)).toBe('ok');
    await page.waitForSelector('[data-testid=output-image]');
    // The chart decoded (the CSP lets data: images through): a broken one has naturalWidth 0;
    // matplotlib's default figure is 6.4 x 4.8 inches at 100 dpi.
    expect(await page.$eval('[data-testid=output-image]', (img) => (img as HTMLImageElement).naturalWidth)).toBe(640);
    expect(await page.getAttribute('[data-testid=output-file][data-name="data.csv"]', 'data-display')).toBe('text');
    expect(await page.getAttribute('[data-testid=output-file][data-name="data.csv"] a[download]', 'download')).toBe('data.csv');
    expect(await page.textContent('[data-testid=refused-files]')).toContain('leak.txt');
    expect(await page.isVisible('[data-testid=timeline] svg')).toBe(true);
    await page.uncheck('[data-testid=show-files]');
    await page.uncheck('[data-testid=ask-timeline]');
  });

  it('an infinite loop can be stopped, and with a 1 s CPU limit ends with time_limit', async () => {
    await setCode(page, 'while True:\n    pass\n');
    await page.fill('#time-limit', '5');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=run-status][data-phase=running]');
    await page.click('[data-testid=stop]');
    await page.waitForSelector('[data-testid=result-bar] [data-verdict=cancelled]');

    await page.fill('#time-limit', '1');
    expect(await runAndWait(page)).toBe('time_limit');
    expect(await page.textContent('[data-testid=run-status]')).toBe('time limit'); // p1: the badge's words
    expect(await page.textContent('[data-testid=exit-code]')).toBe('SIGKILL');
    await page.fill('#time-limit', '');
  });

  it('a compile error lists its line numbers, and the editor marks the line', async () => {
    await page.selectOption('[data-testid=language]', 'c');
    await setCode(page, '#include <stdio.h>\nint main(void) {\n  int x = ;\n  return 0;\n}\n');
    expect(await runAndWait(page)).toBe('compile_error');
    const listed = await page.textContent('[data-testid=compile-error] .diagnostics');
    expect(listed).toContain('main.c, line 3:11');
    expect(await page.isVisible('[data-testid=output]')).toBe(false); // p2: no empty box under it
    expect(await page.textContent('[data-testid=run-status]')).toBe('compile error');
    await page.waitForSelector('.cm-lint-marker-error');
    await page.click('[data-testid=compile-error] .diagnostics button');
    const activeLine = await page.$eval('.cm-activeLine', (el) => el.textContent);
    expect(activeLine).toBe('  int x = ;');
    await page.selectOption('[data-testid=language]', 'python');
  });

  it('two tabs whose tokens expired: a burst of 401s in both is refreshed silently, nobody is signed out', async () => {
    const page2 = await page.context().newPage(); // same browser profile: shared cookie, locks, channel
    try {
      await twoTabs(page2);
    } finally {
      await page2.close();
      // The first tab was in the background (its timers throttled): bring it back.
      await page.bringToFront();
    }
  });

  async function twoTabs(page2: Page) {
    watch(page2, 'alice-tab2');
    page2.setDefaultTimeout(20_000);
    await page2.goto(`${server.url}/projects`);
    await page2.waitForSelector('[data-testid=user-menu]');
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=user-menu]');
    const refreshes: { status: number }[] = [];
    const unauthorized: string[] = [];
    for (const p of [page, page2]) {
      p.on('response', (r) => {
        if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push({ status: r.status() });
        else if (r.status() === 401) unauthorized.push(r.url());
      });
    }
    // Both tabs' access tokens are now expired (the app refreshes ahead of time only 10 s after
    // getting a token, so with 4 s tokens the requests below meet 401s).
    await page.waitForTimeout(TOKEN_SECONDS * 1000 + 2000);
    // Both tabs open the profile at once: each sends several requests with its expired token.
    await Promise.all([page.click('[data-testid=user-menu]'), page2.click('[data-testid=user-menu]')]);
    await Promise.all([page.waitForSelector('[data-testid=recent-executions]'), page2.waitForSelector('[data-testid=recent-executions]')]);
    expect(unauthorized.length).toBeGreaterThanOrEqual(2);
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    expect(refreshes.every((r) => r.status === 200)).toBe(true);
    // One refresh shared by every caller of a tab, and the other tab takes the broadcast token
    // or refreshes after it under the lock: never one per refused request.
    expect(refreshes.length).toBeLessThanOrEqual(2);
    expect(await page.textContent('[data-testid=user-menu]')).toBe(alice.username);
    expect(await page2.textContent('[data-testid=user-menu]')).toBe(alice.username);
  }

  it('the profile shows the statistics and recent executions', async () => {
    await page.click('[data-testid=user-menu]');
    await page.waitForSelector('[data-testid=recent-executions]');
    expect(await page.textContent('[data-testid=profile-name]')).toBe(alice.fullName);
    expect(Number(await page.textContent('[data-testid=stat-total]'))).toBeGreaterThanOrEqual(6);
    expect(await page.locator('[data-testid=recent-executions] tbody tr').count()).toBeGreaterThanOrEqual(6);
    await shot(page, 'profile');
  });

  it('the profile creates an API key (shown once) that works on the API, and revokes it', async () => {
    await page.fill('#key-name', 'CI pipeline');
    await page.click('form[aria-label="Create an API key"] button[type=submit]');
    const key = (await page.textContent('[data-testid=new-api-key] code'))!.trim();
    expect(key).toMatch(/^mck_[A-Za-z0-9_-]{43}$/);
    await page.waitForSelector('[data-testid=api-keys] tbody tr');
    expect(await page.textContent('[data-testid=api-keys]')).toContain('CI pipeline');
    // The list shows the prefix only.
    expect(await page.textContent('[data-testid=api-keys]')).not.toContain(key);
    const me = await api<{ data: { username: string } }>(server, 'GET', '/api/v1/auth/me', { token: key });
    expect(me.status).toBe(200);
    expect(me.body.data.username).toBe(alice.username);
    await page.click('button[aria-label="Revoke CI pipeline"]');
    await page.waitForSelector('[data-testid=api-keys] >> text=revoked');
    expect((await api(server, 'GET', '/api/v1/auth/me', { token: key })).status).toBe(401);
  });

  it('a project with two files: create, add a file, save with Ctrl+S, run, make it public and a template', async () => {
    await page.goto(`${server.url}/projects`);
    await page.click('[data-testid=new-project]');
    // m5: an empty name is caught here, in words, tied to the field; nothing is sent.
    const creates: string[] = [];
    const onRequest = (r: { url(): string; method(): string }) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/projects')) creates.push(r.url());
    };
    page.on('request', onRequest);
    await page.fill('#name', '   ');
    await page.click('button[type=submit]');
    await page.waitForSelector('#name-error');
    expect(await page.textContent('#name-error')).toBe('Name is required.');
    expect(await page.getAttribute('#name-error', 'role')).toBe('alert');
    expect(await page.getAttribute('#name', 'aria-describedby')).toBe('name-error');
    expect(await page.getAttribute('#name', 'aria-invalid')).toBe('true');
    expect(creates).toEqual([]);
    await page.fill('#name', projectName);
    expect(await page.locator('#name-error').count()).toBe(0);
    await page.fill('#description', 'Says hi, with a helper module');
    await page.selectOption('#language', 'python');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=project-name]');
    page.off('request', onRequest);
    expect(creates).toHaveLength(1);
    projectUrl = page.url();
    expect(projectUrl).toMatch(/\/projects\/[0-9a-f-]{36}$/);
    await page.waitForSelector('[data-testid="file-main.py"]');

    await page.click('[data-testid=new-file]');
    await page.fill('[data-testid=explorer-input]', 'util.py');
    await page.press('[data-testid=explorer-input]', 'Enter');
    await page.waitForSelector('[data-testid="tab-util.py"]');
    await setCode(page, 'def greet(name):\n    return f"hi {name} from util"\n');
    await page.waitForSelector('[data-testid=unsaved]');
    await page.keyboard.press('Control+S');
    await page.waitForSelector('[data-testid=notice]:has-text("Saved")');
    expect(await page.locator('[data-testid=unsaved]').count()).toBe(0);

    await page.click('[data-testid="tab-main.py"]');
    await setCode(page, 'from util import greet\n\nprint(greet(input()))\n');
    await page.fill('#p-stdin', 'ada');
    expect(await runAndWait(page)).toBe('ok'); // saves main.py first, then runs the stored files
    expect(await page.textContent('[data-testid=output]')).toBe('hi ada from util\n');
    expect(await page.locator('[data-testid=unsaved]').count()).toBe(0);

    // Private so far: not readable without an account.
    const id = projectUrl.split('/').at(-1)!;
    expect((await api(server, 'GET', `/api/v1/projects/${id}`)).status).toBe(404);
    await page.selectOption('[data-testid=visibility]', 'public');
    await expect.poll(async () => (await api(server, 'GET', `/api/v1/projects/${id}`)).status).toBe(200);
    await page.click('[data-testid=is-template]'); // checked once the server agreed
    await expect.poll(async () => (await api<{ data: { isTemplate: boolean } }>(server, 'GET', `/api/v1/projects/${id}`)).body.data.isTemplate).toBe(true);

    // Everything was saved: a reload shows both files with their content.
    await page.reload();
    await page.click('[data-testid="file-util.py"]');
    await page.waitForSelector('[data-testid="tab-util.py"]');
    expect(await editorText(page)).toBe('def greet(name):\n    return f"hi {name} from util"\n');
    await page.click('[data-testid="tab-main.py"]');
    await page.fill('#p-stdin', 'ada');
    expect(await runAndWait(page)).toBe('ok');
    await shot(page, 'project');
  });

  it('a second user finds it among the public projects, stars, comments and forks it; the fork runs; so does a project from it as a template', async () => {
    const p2 = await newUserPage('bob');
    await p2.goto(`${server.url}/register`);
    await p2.fill('#email', bob.email);
    await p2.fill('#username', bob.username);
    await p2.fill('#password', bob.password);
    await p2.click('button[type=submit]');
    await p2.waitForSelector('[data-testid=user-menu]');

    await p2.goto(`${server.url}/projects?scope=public`);
    await p2.fill('#project-search', projectName);
    await p2.press('#project-search', 'Enter');
    await p2.waitForSelector(`[data-testid=project-card]:has-text("${projectName}")`);
    expect(await p2.locator('[data-testid=project-card]').count()).toBe(1);
    await shot(p2, 'projects');
    await p2.click('[data-testid=project-card]');
    await p2.waitForSelector('[data-testid=fork]');
    // Not the owner: read-only, no visibility switch, no explorer actions.
    expect(await p2.locator('[data-testid=visibility]').count()).toBe(0);
    expect(await p2.locator('[data-testid=new-file]').count()).toBe(0);
    expect(await p2.getAttribute('.cm-content', 'aria-readonly')).toBe('true');
    expect(await p2.textContent('[data-testid=read-only-note]')).toBe('Read-only: fork the project to change your own copy.');

    await p2.click('[data-testid=star]');
    await p2.waitForSelector('[data-testid=star][aria-pressed=true]');
    await p2.click('[data-testid=comments-tab]');
    await p2.fill('#comment-text', 'Nice helper!');
    await p2.click('button:has-text("Post comment")');
    await p2.waitForSelector('[data-testid=comment]:has-text("Nice helper!")');

    await p2.click('[data-testid=fork]');
    await p2.waitForFunction((orig) => location.pathname !== orig && /\/projects\/[0-9a-f-]{36}$/.test(location.pathname), new URL(projectUrl).pathname);
    await p2.waitForSelector(`text=@${bob.username}`);
    await p2.waitForSelector('[data-testid="file-util.py"]');
    expect(await p2.locator('[data-testid=visibility]').count()).toBe(1); // bob owns the fork
    await p2.fill('#p-stdin', 'bob');
    expect(await runAndWait(p2)).toBe('ok');
    expect(await p2.textContent('[data-testid=output]')).toBe('hi bob from util\n');

    // The project is also a template: a new project can start from it.
    await p2.goto(`${server.url}/projects/new`);
    await p2.waitForSelector(`#template option:has-text("Template: ${projectName}")`, { state: 'attached' });
    await p2.fill('#name', 'From the template');
    await p2.selectOption('#template', { label: `Template: ${projectName} (python)` });
    await p2.click('button[type=submit]');
    await p2.waitForSelector('[data-testid=project-name]:has-text("From the template")');
    await p2.waitForSelector('[data-testid="file-util.py"]');
    await p2.fill('#p-stdin', 'grace');
    expect(await runAndWait(p2)).toBe('ok');
    expect(await p2.textContent('[data-testid=output]')).toBe('hi grace from util\n');
  });

  it('the explorer: folders, a file in one, rename, move (file and folder), delete; the program follows', async () => {
    await page.goto(projectUrl);
    await page.waitForSelector('[data-testid="file-util.py"]');
    const id = projectUrl.split('/').at(-1)!;
    const paths = async () =>
      (await api<{ data: { files: { enginePath: string }[] } }>(server, 'GET', `/api/v1/projects/${id}`)).body.data.files.map((f) => f.enginePath).sort();
    const action = async (hoverOn: string, label: string, value?: string) => {
      await page.hover(hoverOn);
      await page.click(`[aria-label="${label}"]`);
      if (value !== undefined) {
        await page.fill('[data-testid=explorer-input]', value);
        await page.press('[data-testid=explorer-input]', 'Enter');
        await page.waitForSelector('[data-testid=explorer-input]', { state: 'detached' });
      }
    };
    await page.click('[data-testid=new-folder]');
    await page.fill('[data-testid=explorer-input]', 'lib');
    await page.press('[data-testid=explorer-input]', 'Enter');
    await page.waitForSelector('[data-testid="dir-/lib"]');
    await action('[data-testid="dir-/lib"]', 'New file in /lib', 'extra.py');
    await page.waitForSelector('[data-testid="file-lib/extra.py"]');
    await action('[data-testid="file-lib/extra.py"]', 'Rename extra.py', 'helpers.py');
    await page.waitForSelector('[data-testid="file-lib/helpers.py"]');
    await action('[data-testid="file-util.py"]', 'Move util.py', '/lib');
    await page.waitForSelector('[data-testid="file-lib/util.py"]');
    expect(await paths()).toEqual(['lib/helpers.py', 'lib/util.py', 'main.py']);
    await action('[data-testid="dir-/lib"]', 'Rename folder /lib', 'pkg');
    await page.waitForSelector('[data-testid="file-pkg/util.py"]');
    page.once('dialog', (d) => void d.accept());
    await action('[data-testid="file-pkg/helpers.py"]', 'Delete helpers.py');
    await page.waitForSelector('[data-testid="file-pkg/helpers.py"]', { state: 'detached' });
    expect(await paths()).toEqual(['main.py', 'pkg/util.py']);

    await page.click('[data-testid="file-main.py"]');
    await setCode(page, 'from pkg.util import greet\n\nprint(greet(input()))\n');
    await page.fill('#p-stdin', 'ada');
    expect(await runAndWait(page)).toBe('ok');
    expect(await page.textContent('[data-testid=output]')).toBe('hi ada from util\n');
  });

  it('keyboard: a hint for leaving the editor, the shortcuts help with "?", a link to the API docs', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.cm-editor');
    // m6: the editor names its hint, and the hint says Esc then Tab; and it works.
    const hintId = await page.getAttribute('.cm-content', 'aria-describedby');
    expect(await page.textContent(`#${hintId}`)).toContain('press Esc then Tab');
    await page.click('.cm-content');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('stdin'); // the next field
    // p3: "?" outside a text field opens the shortcuts; Ctrl+Enter is listed.
    await page.click('[data-testid=intro]');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid=shortcuts][open]');
    expect(await page.textContent('[data-testid=shortcuts]')).toContain('Ctrl+Enter');
    await page.click('[data-testid=shortcuts] button:has-text("Close")');
    expect(await page.locator('[data-testid=shortcuts][open]').count()).toBe(0);
    // "?" typed in the editor is just a character.
    await page.click('.cm-content');
    await page.keyboard.press('End');
    await page.keyboard.type('?');
    expect(await page.locator('[data-testid=shortcuts][open]').count()).toBe(0);
    await page.keyboard.press('Backspace');
    // p4, p9: the app links to the API docs, and says what it is.
    expect(await page.getAttribute('[data-testid=docs-link]', 'href')).toBe('/docs');
    expect((await fetch(`${server.url}/docs`)).status).toBeLessThan(400);
    expect(await page.textContent('[data-testid=intro]')).toContain('no account needed');
  });

  it('dark theme, and no page error or console error anywhere', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.cm-editor');
    await page.click('[data-testid=theme-toggle]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await setCode(page, 'import sys\n\nname = sys.stdin.readline().strip() or "world"\nprint(f"Hello, {name}!")\nfor i in range(1, 4):\n    print(f"step {i}")\n');
    await page.fill('#stdin', 'Ada');
    expect(await runAndWait(page)).toBe('ok');
    await shot(page, 'playground-dark');
    // p8: the dark theme's line numbers (diagnostic targets) have at least 4.5:1 contrast.
    const contrast = await page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const num = document.querySelector('.cm-lineNumbers .cm-gutterElement:not(.cm-activeLineGutter)') ?? document.querySelector('.cm-lineNumbers .cm-gutterElement')!;
      const fg = getComputedStyle(num).color;
      const bg = getComputedStyle(document.querySelector('.cm-gutters')!).backgroundColor;
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      return (a! + 0.05) / (b! + 0.05);
    });
    console.log(`[web e2e] dark line numbers contrast: ${contrast.toFixed(2)}:1`);
    expect(contrast).toBeGreaterThanOrEqual(4.5);
    await page.click('[data-testid=theme-toggle]');
    expect(problems).toEqual([]);
  });
});
