/**
 * Side by side against a peer (issue 15): the same python hello through any HTTP execution API,
 * each driven by an adapter for its shape, interleaved with bare `python3` spawned by Node, in
 * one run. Prints medians, and ratios to bare and to the first target. Measured, not asserted.
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/peer.js --self                       # our server, through its three shapes
 *   node dist/bench/peer.js --target ours=muscode:http://127.0.0.1:8080 --token <bearer> \
 *                           --target piston=piston:http://127.0.0.1:2000 [--runs 50] [--markdown]
 *
 * Shapes: `muscode` (POST /api/v1/execute?wait=true), `piston` (Piston v2: POST /api/v2/execute),
 * `judge0` (POST /submissions?wait=true, language_id 71 = Python 3). A target's URL is the base
 * its paths hang from (our own compatibility layers: <server>/piston and <server>/judge0).
 */
import { isMain, progress, sampleInterleaved, spawnAndWait } from './common.js';
import { startOpenServer } from './open-server.js';
import { markdownTable, ms, ratio, summarize, textTable } from './stats.js';

const HELLO = 'print("hello")';

export type Shape = 'muscode' | 'piston' | 'judge0';

export interface Target {
  name: string;
  shape: Shape;
  base: string;
  token?: string;
}

async function postJson(url: string, body: unknown, token: string | undefined): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** One run of the hello through `t`; throws unless it printed "hello" (timing a failure measures nothing). */
export async function runThrough(t: Target): Promise<void> {
  let stdout: unknown;
  let status: number;
  if (t.shape === 'muscode') {
    const r = await postJson(`${t.base}/api/v1/execute?wait=true`, { language: 'python', code: HELLO }, t.token);
    status = r.status;
    const d = (r.json as { data?: { stdout?: unknown; output?: unknown } }).data;
    stdout = d?.stdout ?? d?.output;
  } else if (t.shape === 'piston') {
    const r = await postJson(`${t.base}/api/v2/execute`, { language: 'python', version: '*', files: [{ content: HELLO }] }, t.token);
    status = r.status;
    stdout = (r.json as { run?: { stdout?: unknown } }).run?.stdout;
  } else {
    const r = await postJson(`${t.base}/submissions?base64_encoded=false&wait=true`, { source_code: HELLO, language_id: 71 }, t.token);
    status = r.status;
    stdout = (r.json as { stdout?: unknown }).stdout;
  }
  if (status >= 300 || typeof stdout !== 'string' || !stdout.includes('hello')) {
    throw new Error(`${t.name}: HTTP ${status}, stdout ${JSON.stringify(stdout)}`);
  }
}

export async function runPeerBench(targets: Target[], runs: number): Promise<Record<string, number[]>> {
  const variants: Record<string, () => Promise<void>> = {
    'bare python3': () => spawnAndWait('/usr/bin/python3', ['-c', HELLO]),
  };
  for (const t of targets) variants[t.name] = () => runThrough(t);
  return sampleInterleaved(variants, runs, 3);
}

export function formatPeer(samples: Record<string, number[]>, md: boolean): string {
  const names = Object.keys(samples);
  const bare = summarize(samples['bare python3']!).median;
  const first = names[1] ? summarize(samples[names[1]]!).median : NaN;
  const rows = names.map((k) => {
    const s = summarize(samples[k]!);
    return [k, ms(s.median), ms(s.p90), ratio(s.median / bare), k === 'bare python3' ? '' : ratio(s.median / first)];
  });
  const header = ['python hello through', 'median', 'p90', 'vs bare', `vs ${names[1] ?? '-'}`];
  return (md ? markdownTable : textTable)(header, rows);
}

function parseTargets(argv: string[]): Target[] {
  const out: Target[] = [];
  const token = argv.includes('--token') ? argv[argv.indexOf('--token') + 1] : undefined;
  argv.forEach((a, i) => {
    if (a !== '--target') return;
    const m = /^([^=]+)=(muscode|piston|judge0):(https?:\/\/.+)$/.exec(argv[i + 1] ?? '');
    if (!m) throw new Error(`--target name=muscode|piston|judge0:http://host:port, got ${argv[i + 1]}`);
    out.push({ name: m[1]!, shape: m[2] as Shape, base: m[3]!.replace(/\/$/, ''), token: m[2] === 'muscode' ? token : undefined });
  });
  return out;
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 50;
  let targets = parseTargets(argv);
  let close = async () => {};
  if (argv.includes('--self') || targets.length === 0) {
    // Our embedded server, anonymous runs on and no limits in the way, through all three shapes.
    const server = await startOpenServer();
    targets = [
      { name: 'muscode (native API)', shape: 'muscode', base: server.url },
      { name: 'muscode (Piston v2 shape)', shape: 'piston', base: `${server.url}/piston` },
      { name: 'muscode (Judge0 shape)', shape: 'judge0', base: `${server.url}/judge0` },
      ...targets,
    ];
    close = () => server.close();
  }
  try {
    for (const t of targets) await runThrough(t); // fail fast on a wrong URL or shape
    progress(`peer: ${runs} interleaved runs of bare python and ${targets.map((t) => t.name).join(', ')}`);
    console.log(formatPeer(await runPeerBench(targets, runs), argv.includes('--markdown')));
  } finally {
    await close();
  }
}
