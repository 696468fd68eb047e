/**
 * Compatibility APIs (issue 12): what the Judge0 and Piston translations cost on top of the
 * native API. The same python hello through `POST /api/v1/execute?wait=true`, Judge0's `POST
 * /judge0/submissions?wait=true` (default fields) and Piston's `POST /piston/api/v2/execute`,
 * interleaved, in embedded mode. Measured, not asserted.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/compat.js [--runs 50]
 */
import { Engine } from '../src/engine/runner/engine.js';
import { startApiServer } from '../src/server/serve.js';
import { benchConfig, isMain, progress, requireRoot, sampleInterleaved } from './common.js';
import { markdownTable, ms, summarize, textTable } from './stats.js';

const HELLO = 'print("hello")';

async function postJson(url: string, body: unknown, expectStatus: number): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== expectStatus) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function runCompatBench(runs: number): Promise<Record<'native' | 'judge0' | 'piston', number[]>> {
  requireRoot();
  const { config, dispose } = benchConfig({
    ANONYMOUS_EXECUTE: '1',
    RATE_LIMIT_API: '0',
    RATE_LIMIT_EXECUTE: '0',
    QUEUE_USER_WAITING_MAX: '0',
    QUEUE_USER_RUNNING_MAX: '0',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const engine = Engine.create(config);
  const server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
  try {
    const base = server.url;
    return await sampleInterleaved(
      {
        native: async () => void (await postJson(`${base}/api/v1/execute?wait=true`, { language: 'python', code: HELLO }, 200)),
        judge0: async () => void (await postJson(`${base}/judge0/submissions?wait=true`, { source_code: HELLO, language_id: 71 }, 201)),
        piston: async () => void (await postJson(`${base}/piston/api/v2/execute`, { language: 'python', version: '*', files: [{ content: HELLO }] }, 200)),
      },
      runs,
      3,
    );
  } finally {
    await server.close({ abort: true });
    await engine.close();
    dispose();
  }
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 50;
  progress(`compat: ${runs} interleaved runs of each API`);
  const samples = await runCompatBench(runs);
  const header = ['API', 'median', 'p90', 'min', 'max'];
  const rows = Object.entries(samples).map(([k, xs]) => {
    const s = summarize(xs);
    return [k, ms(s.median), ms(s.p90), ms(s.min), ms(s.max)];
  });
  console.log(process.argv.includes('--markdown') ? markdownTable(header, rows) : textTable(header, rows));
}
