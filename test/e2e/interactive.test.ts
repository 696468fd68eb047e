/**
 * The playground's interactive console in Debian's Chromium against the real server (embedded
 * mode, the real sandbox): a Python program that asks `input("name? ")` twice is answered by
 * typing into the running program, on a terminal (the prompts and the echo appear as in one).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app';
import { CI } from '../helpers/engine';
import { ensureWebBuilt, HAVE_CHROMIUM, launchChromium, setCode } from './browser';

// Under CI a missing Chromium is a failure (beforeAll throws), never a skip.
describe.skipIf(!HAVE_CHROMIUM && !CI)('playground interactive console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error('Chromium is missing: apt-get install chromium (make deps installs it)');
    ensureWebBuilt();
    server = await startTestServer({ mode: 'embedded', config: { ANONYMOUS_EXECUTE: '1' } });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1360, height: 820 } })).newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const output = () => page.textContent('[data-testid=output]').then((t) => t ?? '');
  const untilOutput = (text: string) =>
    page.waitForFunction((t) => (document.querySelector('[data-testid=output]')?.textContent ?? '').includes(t), text);

  it('answers two input() prompts typed into the console while the program runs', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=language]');
    await page.selectOption('[data-testid=language]', 'python');
    await setCode(page, 'a = input("name? ")\nb = input("name? ")\nprint(f"hello {a} and {b}")\n');
    await page.check('[data-testid=interactive]');
    expect(await page.isVisible('[data-testid=console-input]')).toBe(false); // only while a run is live
    await page.click('[data-testid=run]');

    await untilOutput('name? ');
    await page.fill('[data-testid=console-input]', 'Ada');
    await page.press('[data-testid=console-input]', 'Enter');
    // The terminal echoes the line, then the program asks again.
    await page.waitForFunction(() => (document.querySelector('[data-testid=output]')?.textContent ?? '').split('name? ').length === 3);
    await page.fill('[data-testid=console-input]', 'Bob');
    await page.press('[data-testid=console-input]', 'Enter');
    await untilOutput('hello Ada and Bob');
    await page.waitForSelector('[data-testid=run-status][data-phase=done]');
    expect((await output()).replaceAll('\r', '')).toContain('name? Ada\nname? Bob\nhello Ada and Bob');
    expect(await page.getAttribute('[data-testid=result-bar] [data-verdict]', 'data-verdict')).toBe('ok');
    // The console goes away with the run.
    expect(await page.isVisible('[data-testid=console-input]')).toBe(false);
  });

  it('Ctrl+C interrupts a program waiting for input', async () => {
    await setCode(page, 'try:\n    input("wait: ")\nexcept KeyboardInterrupt:\n    print("interrupted")\n');
    await page.click('[data-testid=run]');
    await untilOutput('wait: ');
    await page.click('[data-testid=run-console] button[title^=Interrupt]');
    await untilOutput('interrupted');
    await page.waitForSelector('[data-testid=run-status][data-phase=done]');
    expect(problems).toEqual([]);
  });
});
