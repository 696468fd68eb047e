/**
 * Issue 11's "Done when", in Chromium against the real server and sandbox: a new user opens a
 * project as a workspace, runs numpy/pandas/scipy in the terminal, `echo hi > a.txt` appears in
 * the file tree, an edit in the editor is what `cat` prints, a reload finds the terminal as it
 * was with a running `sleep` still alive, and a matplotlib PNG opens as an image.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startTestServer, type TestServer } from '../helpers/app';
import { CI } from '../helpers/engine';
import { ensureWebBuilt, HAVE_CHROMIUM, launchChromium, setCode, shot } from './browser';

describe.skipIf(!HAVE_CHROMIUM && !CI)('workspace in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const term = () => page.locator('[data-testid=terminal]:not([hidden])');
  const screen = () => term().locator('.xterm-rows').innerText();
  const typeInTerminal = async (line: string) => {
    await term().click();
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  };
  const waitScreen = (re: RegExp) =>
    page.waitForFunction(
      (src) => new RegExp(src).test(document.querySelector('[data-testid=terminal]:not([hidden]) .xterm-rows')?.textContent ?? ''),
      re.source,
      { timeout: 30_000 },
    );
  const terminalReady = () => page.waitForSelector('[data-testid=terminal]:not([hidden]):not([data-terminal-id=new])[data-state=open]');

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error('Chromium is missing: apt-get install chromium (make deps installs it)');
    ensureWebBuilt();
    server = await startTestServer({ mode: 'embedded', config: { WORKSPACE_SYNC_INTERVAL_MS: '1000' } });
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens a project as a workspace, runs numpy in the terminal, files both ways, reload, matplotlib PNG', async () => {
    const user = await registerUser(server);
    const p = await api<{ data: { id: string } }>(server, 'POST', '/api/v1/projects', { token: user.token, body: { name: 'Science', language: 'python' } });
    expect(p.status).toBe(201);
    await page.goto(`${server.url}/login`);
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=user-menu]');
    await page.goto(`${server.url}/projects/${p.body.data.id}`);
    await page.click('[data-testid=open-workspace]');
    await page.waitForURL(/\/workspaces\/[0-9a-f-]{36}$/);
    await page.waitForSelector('[data-testid=ws-status]:text("running")');
    await terminalReady();

    await typeInTerminal('python3 -c "import numpy, pandas, scipy; print(numpy.arange(3))"');
    await waitScreen(/\[0 1 2\]/);

    await typeInTerminal('echo hi > a.txt');
    await page.waitForSelector('[data-testid=ws-file][data-path="a.txt"]');
    await page.click('[data-testid=ws-file][data-path="a.txt"]');
    await page.waitForFunction(() => document.querySelector('.cm-content')?.textContent === 'hi');
    await setCode(page, 'edited in the browser\n');
    await page.click('[data-testid=ws-save]');
    await page.waitForSelector('[data-testid=notice]:text("Saved a.txt")');
    await typeInTerminal('cat a.txt');
    await waitScreen(/edited in the browser/);

    await typeInTerminal('sleep 1000 & S=$!; echo started-$S');
    await waitScreen(/started-\d+/);
    const before = await screen();
    await page.reload();
    await terminalReady();
    await waitScreen(/started-\d+/);
    expect(await screen()).toContain(before.match(/started-\d+/)![0]);
    await typeInTerminal('kill -0 $S && echo ALIVE-$((40+2))');
    await waitScreen(/ALIVE-42/);

    // The Run button runs the main file (the project's starter) in the terminal.
    await page.click('[data-testid=ws-run]');
    await waitScreen(/Hello from MUSCode!/);

    await typeInTerminal('python3 -c "import matplotlib.pyplot as plt; plt.plot([1, 4, 9]); plt.savefig(\'plot.png\')"');
    await page.waitForSelector('[data-testid=ws-file][data-path="plot.png"]', { timeout: 60_000 });
    await page.click('[data-testid=ws-file][data-path="plot.png"]');
    const img = await page.waitForSelector('[data-testid=ws-image]');
    await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 100, img);
    await shot(page, 'workspace');
    await page.goto(`${server.url}/workspaces`);
    await page.waitForSelector('[data-testid=ws-list] >> text=Science');
    expect(problems).toEqual([]);
  });
});
