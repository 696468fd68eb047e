/**
 * Compile cache: a C++ run whose compile misses the cache (a unique source: a comment with a
 * random number) against the same source again (a hit), both end to end through engine.run.
 * The baseline is g++ with the engine's own flags, run bare by Node in the same rounds, so the
 * sandbox's cost on a compile shows too. Each round: bare compile, miss, then hits.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpp } from '../src/engine/languages/cpp.js';
import { Engine } from '../src/engine/runner/engine.js';
import type { RunResult } from '../src/engine/types.js';
import { benchConfig, isMain, progress, requireRoot, spawnAndWait } from './common.js';
import { markdownTable, ms, ratio, type Summary, summarize, textTable } from './stats.js';

export interface CompileCacheOptions {
  /** Rounds; each compiles one new source (a miss) and runs it `hitsPerMiss` more times. */
  misses: number;
  hitsPerMiss: number;
}

export const DEFAULT_COMPILE_CACHE_OPTIONS: CompileCacheOptions = { misses: 10, hitsPerMiss: 5 };

export interface CompileCacheResult {
  options: CompileCacheOptions;
  /** End-to-end engine.run (compile + run), ms. */
  miss: Summary;
  hit: Summary;
  /** The compile stage's own wallMs as the engine reports it (whole ms; a hit is a cache read). */
  missCompileStage: Summary;
  hitCompileStage: Summary;
  /** Bare g++ with the engine's flags, spawned by Node. */
  bareCompile: Summary;
  /** miss / hit, end to end. */
  ratio: number;
}

const STDIN = 'muscode\n';
const EXPECTED = 'hello, muscode\nsum=55\n';

function check(r: RunResult, cached: boolean): void {
  if (r.compile?.status !== 'ok' || r.run?.status !== 'ok' || r.run.stdout.toString() !== EXPECTED) {
    throw new Error(`c++ run failed: compile ${r.compile?.status} run ${r.run?.status} ${r.compile?.stderr.toString().slice(0, 300)}`);
  }
  if (r.compile.cached !== cached) throw new Error(`expected a cache ${cached ? 'hit' : 'miss'}, got cached=${r.compile.cached}`);
}

export async function runCompileCache(opts: CompileCacheOptions = DEFAULT_COMPILE_CACHE_OPTIONS): Promise<CompileCacheResult> {
  const bc = benchConfig({ SANDBOX_SLOTS: '1' }, 40);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bench-cpp-'));
  let engine: Engine | null = null;
  try {
    engine = Engine.create(bc.config);
    const source = (nonce: string) => `// nonce ${nonce}\n${cpp.selfTest.source}`;
    const run = (src: string) => engine!.run({ language: 'cpp', files: [{ path: 'main.cpp', content: src }], stdin: STDIN });
    // The engine's compile argv, with the source in a temporary directory instead of the box.
    // (No compile options in these requests: "{options}" expands to nothing.)
    const bareArgv = cpp.compile!.argv.filter((a) => a !== '{options}').map((a) => (a === '{sources}' ? 'main.cpp' : a));
    const bareCompile = async (src: string) => {
      fs.writeFileSync(path.join(tmp, 'main.cpp'), src);
      await spawnAndWait(bareArgv[0]!, bareArgv.slice(1), { cwd: tmp, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    };

    // Warm-up: the compiler and headers into the page cache, the engine's version probe.
    progress('compile-cache: warm-up...');
    await bareCompile(source('warmup-bare'));
    check(await run(source(`warmup-${randomBytes(6).toString('hex')}`)), false);

    const miss: number[] = [];
    const hit: number[] = [];
    const missStage: number[] = [];
    const hitStage: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < opts.misses; round++) {
      progress(`compile-cache: round ${round + 1}/${opts.misses}: bare g++, a miss, ${opts.hitsPerMiss} hits...`);
      const src = source(randomBytes(8).toString('hex'));
      let t0 = performance.now();
      await bareCompile(src);
      bare.push(performance.now() - t0);
      t0 = performance.now();
      let r = await run(src);
      miss.push(performance.now() - t0);
      check(r, false);
      missStage.push(r.compile!.wallMs);
      for (let h = 0; h < opts.hitsPerMiss; h++) {
        t0 = performance.now();
        r = await run(src);
        hit.push(performance.now() - t0);
        check(r, true);
        hitStage.push(r.compile!.wallMs);
      }
    }
    const missS = summarize(miss);
    const hitS = summarize(hit);
    return {
      options: opts,
      miss: missS,
      hit: hitS,
      missCompileStage: summarize(missStage),
      hitCompileStage: summarize(hitStage),
      bareCompile: summarize(bare),
      ratio: missS.median / hitS.median,
    };
  } finally {
    await engine?.close();
    bc.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatCompileCache(r: CompileCacheResult, md = false): string {
  const table = md ? markdownTable : textTable;
  const row = (name: string, s: Summary) => [name, ms(s.median), ms(s.p90), ms(s.min), ms(s.max), String(s.n)];
  return [
    md ? '### Compile cache' : '== Compile cache ==',
    '',
    'C++ self-test program (iostream, numeric, string, vector), g++ -O2 -std=c++17.',
    '',
    table(
      ['what', 'median', 'p90', 'min', 'max', 'n'],
      [
        row('bare g++ (Node spawn, same flags)', r.bareCompile),
        row('engine.run, compile-cache miss (compile + run)', r.miss),
        row('engine.run, compile-cache hit (cache read + run)', r.hit),
        row('compile stage only (its wallMs), miss', r.missCompileStage),
        row('compile stage only (its wallMs, whole ms), hit', r.hitCompileStage),
      ],
    ),
    '',
    `a hit is ${ratio(r.ratio)} faster than a miss end to end (miss ${ms(r.miss.median)}, hit ${ms(r.hit.median)}, medians);`,
    `a sandboxed compile (miss) takes ${ratio(r.miss.median / r.bareCompile.median)} the bare g++ time.`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  requireRoot();
  const r = await runCompileCache();
  console.log(formatCompileCache(r, process.argv.includes('--markdown')));
}
