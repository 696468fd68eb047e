/**
 * The e2e tests' browser: Debian's Chromium (apt package `chromium`, installed by `make deps`)
 * driven by playwright-core. Never a downloaded browser. Playwright gives every launch a fresh
 * temporary profile (its own --user-data-dir), removed on close.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../src/config/config.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Builds web/dist when it is missing (make test builds it first; this is for a lone `vitest run`). */
export function ensureWebBuilt(): void {
  if (fs.existsSync(path.join(REPO_ROOT, 'web/dist/index.html'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** Replaces the editor's whole document (typed as one insertion: no auto-indent, no auto-close). */
export async function setCode(page: Page, code: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

export async function editorText(page: Page): Promise<string> {
  return page.$eval('.cm-content', (el) => Array.from(el.querySelectorAll('.cm-line'), (l) => l.textContent ?? '').join('\n'));
}

/**
 * Clicks Run and waits for the run it started (a new execution id) to finish; returns the verdict.
 */
export async function runAndWait(page: Page, timeoutMs = 30_000): Promise<string> {
  const before = await page.getAttribute('[data-testid=run-status]', 'data-execution');
  await page.click('[data-testid=run]');
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid=run-status]') as HTMLElement | null;
      if (!el) return false;
      if (el.dataset.phase === 'error') return true;
      return el.dataset.execution !== prev && el.dataset.execution !== '' && el.dataset.phase === 'done';
    },
    before,
    { timeout: timeoutMs },
  );
  const verdict = await page.getAttribute('[data-testid=result-bar] [data-verdict]', 'data-verdict').catch(() => null);
  return verdict ?? (await page.textContent('[data-testid=run-error]')) ?? 'none';
}

export const screenshotDir = path.join(REPO_ROOT, 'docs/screenshots');

/**
 * The README's screenshots are tracked files: a plain test run must leave `git status` clean, so
 * they are written only when asked (`make screenshots`, or MUSCODE_SCREENSHOTS=1). Otherwise the
 * page is still captured (the render is exercised) but the picture goes nowhere.
 */
export const SAVE_SCREENSHOTS = process.env.MUSCODE_SCREENSHOTS === '1';

export async function shot(page: Page, name: string): Promise<void> {
  if (!SAVE_SCREENSHOTS) {
    await page.screenshot();
    return;
  }
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}
