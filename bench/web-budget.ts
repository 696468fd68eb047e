/**
 * `make bench-web` (node dist/bench/web-budget.js [--markdown] [--runs N]): the web app's two
 * budgets, measured, never asserted (the machine is shared; a missed budget is printed as such).
 *
 * 1. First load of the playground, editor included: <= 500 KB of gzipped JavaScript. Measured
 *    in Chromium: every script the page loads until the network is idle (the entry chunk and
 *    the Python language pack, Python being the default language), each counted at its gzip
 *    size (the .gz that `make web` writes next to it); what the server actually sent (brotli,
 *    when the browser accepts it) is printed too.
 * 2. Run click -> first output byte of a python hello, <= 150 ms in embedded mode: read from the
 *    page's Performance API (`muscode:run-to-first-output`, marked by the app itself on the click
 *    and on the first output event), after warm-up runs, median of N.
 *
 * It starts its own server (embedded mode, PGlite in memory, the real sandbox, 127.0.0.1 on a
 * free port) and drives Debian's Chromium (/usr/bin/chromium) with playwright-core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from '../src/config/config.js';
import { Engine } from '../src/engine/runner/engine.js';
import { startApiServer } from '../src/server/serve.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { markdownTable, ms, summarize, textTable } from './stats.js';

export const JS_BUDGET_BYTES = 500 * 1024;
export const FIRST_OUTPUT_BUDGET_MS = 150;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DIST = path.join(REPO_ROOT, 'web/dist');

function gzipSizeOf(file: string): number {
  const gz = `${file}.gz`;
  return fs.existsSync(gz) ? fs.statSync(gz).size : zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

export interface WebBudget {
  scripts: { file: string; gzipBytes: number; rawBytes: number; sentBytes: number; encoding: string }[];
  gzipTotal: number;
  sentTotal: number;
  firstOutputMs: number[];
}

export async function runWebBudget(runs = 20, warmup = 3): Promise<WebBudget> {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('web/dist is missing: run `make web` first');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const { config, dispose } = benchConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ANONYMOUS_EXECUTE: '1',
    RATE_LIMIT_API: '0',
    RATE_LIMIT_EXECUTE: '0',
    RATE_LIMIT_AUTH: '0',
    QUOTA_EXECUTIONS_DAILY: '0',
    QUOTA_EXECUTIONS_MONTHLY: '0',
    SANDBOX_SLOTS: '2',
  });
  const engine = Engine.create(config);
  const server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const responses: Promise<WebBudget['scripts'][number] | null>[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      responses.push(
        (async () => {
          const url = new URL(res.url());
          const file = path.join(DIST, url.pathname);
          const sizes = await res.request().sizes();
          const headers = await res.allHeaders();
          return {
            file: url.pathname,
            gzipBytes: gzipSizeOf(file),
            rawBytes: fs.statSync(file).size,
            sentBytes: sizes.responseBodySize,
            encoding: headers['content-encoding'] ?? 'identity',
          };
        })().catch(() => null),
      );
    });
    progress('web budget: loading the playground in Chromium');
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.cm-editor');
    await page.waitForLoadState('networkidle');
    const scripts = (await Promise.all(responses)).filter((s): s is NonNullable<typeof s> => s !== null);

    progress(`web budget: ${warmup} warm-up runs, then ${runs} measured runs of a python hello`);
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('print("hello")\n');
    const firstOutputMs: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const before = await page.getAttribute('[data-testid=run-status]', 'data-execution');
      await page.click('[data-testid=run]');
      await page.waitForFunction(
        (prev) => {
          const el = document.querySelector('[data-testid=run-status]') as HTMLElement | null;
          return !!el && el.dataset.execution !== prev && el.dataset.phase === 'done';
        },
        before,
        { timeout: 30_000 },
      );
      const d = await page.evaluate(() => performance.getEntriesByName('muscode:run-to-first-output').at(-1)?.duration ?? -1);
      if (d < 0) throw new Error('no muscode:run-to-first-output measure: the run printed nothing?');
      if (i >= warmup) firstOutputMs.push(d);
    }
    return {
      scripts,
      gzipTotal: scripts.reduce((n, s) => n + s.gzipBytes, 0),
      sentTotal: scripts.reduce((n, s) => n + s.sentBytes, 0),
      firstOutputMs,
    };
  } finally {
    await browser.close();
    await server.close({ abort: true });
    await engine.close();
    dispose();
  }
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

export function formatWebBudget(r: WebBudget, md: boolean): string {
  const s = summarize(r.firstOutputMs);
  const status = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const summary = [
    ['playground first load, JavaScript (gzip)', kb(r.gzipTotal), `<= ${kb(JS_BUDGET_BYTES)}`, status(r.gzipTotal <= JS_BUDGET_BYTES)],
    ['  as sent by the server (brotli when accepted)', kb(r.sentTotal), '', ''],
    [`Run click -> first output, python hello (median of ${s.n})`, ms(s.median), `<= ${FIRST_OUTPUT_BUDGET_MS} ms`, status(s.median <= FIRST_OUTPUT_BUDGET_MS)],
    ['  p90 / min / max', `${ms(s.p90)} / ${ms(s.min)} / ${ms(s.max)}`, '', ''],
  ];
  const files = r.scripts.map((f) => [f.file, kb(f.rawBytes), kb(f.gzipBytes), `${kb(f.sentBytes)} (${f.encoding})`]);
  const h1 = ['figure', 'measured', 'budget', 'status'];
  const h2 = ['script loaded by the playground', 'raw', 'gzip', 'sent'];
  const table = md ? markdownTable : textTable;
  return [
    md ? '### Web app budgets' : '== Web app budgets ==',
    '',
    `${md ? '- ' : ''}${os.availableParallelism()} cores, Node ${process.version}, Chromium at ${CHROMIUM}, embedded mode; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    '',
    table(h1, summary),
    '',
    table(h2, files),
  ].join('\n');
}

// Run directly: `node dist/bench/web-budget.js [--markdown] [--runs N]`.
if (isMain(import.meta.url)) {
  requireRoot();
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) || 20 : 20;
  const result = await runWebBudget(runs);
  console.log(formatWebBudget(result, process.argv.includes('--markdown')));
}
