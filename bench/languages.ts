/**
 * Per-language hello latency and memory: each language's self-test program through the engine
 * (engine.run, compile cache warm: what a user's second run costs) against the bare toolchain
 * (the same run command in a host directory, no sandbox), alternating in each round; then
 * `import numpy, pandas` in the sandbox against bare. Figures for docs/languages.md and
 * docs/performance.md; nothing is asserted.
 *
 *   node dist/bench/languages.js [--rounds R] [--markdown] [LANG...]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LanguageDefinition } from '../src/engine/languages/language.js';
import type { LimitTable } from '../src/engine/limits.js';
import { Engine } from '../src/engine/runner/engine.js';
import { expandArgv, prepareJob } from '../src/engine/runner/job.js';
import { starterFile } from '../src/projects/starters.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { markdownTable, median, ms, ratio, textTable } from './stats.js';

export interface LanguageRow {
  id: string;
  version: string;
  engineMs: number;
  bareMs: number;
  engineMemMb: number;
  bareMemMb: number;
}

export interface NumpyFigures {
  engineMs: number;
  bareMs: number;
  engineImportMs: number;
  bareImportMs: number;
  engineImportCpuMs: number;
  bareImportCpuMs: number;
}

interface Bare {
  dir: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

/** Runs argv with stdin under /usr/bin/time; resolves wall ms and max RSS (MB). */
function timed(argv: readonly string[], stdin: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; memMb: number; out: string }> {
  return new Promise((resolve, reject) => {
    // stdin from a file, as the engine gives it (a socket, Node's default, cannot be opened as
    // /dev/stdin, which SQLite's `.import /dev/stdin` does).
    const input = path.join(cwd, '.stdin');
    fs.writeFileSync(input, stdin);
    const fd = fs.openSync(input, 'r');
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'MUSCODE_RSS %M', ...argv], { cwd, env, stdio: [fd, 'pipe', 'pipe'] });
    fs.closeSync(fd);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const rss = /MUSCODE_RSS (\d+)/.exec(err);
      if (code !== 0 || !rss) reject(new Error(`${argv.join(' ')}: exit ${code}: ${err.slice(0, 500)}`));
      else resolve({ ms, memMb: Number(rss[1]) / 1024, out });
    });
  });
}

/** A new project's hello (the core languages), else the self-test program (it reads a name from stdin). */
function helloFiles(def: LanguageDefinition): { path: string; content: string }[] {
  return [{ path: def.sourceFile, content: starterFile(def).content }, ...(def.selfTest.files ?? [])];
}

/** The hello's files in a host directory, compiled there once; the run command to time. */
async function prepareBare(limits: LimitTable, def: LanguageDefinition): Promise<Bare> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `muscode-bare-${def.id}-`));
  const job = prepareJob({ language: def.id, files: helloFiles(def) }, def, limits);
  for (const f of job.files) {
    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), f.data, { mode: f.mode });
  }
  // The box is /box in the sandbox; here it is the directory.
  // and a bind's destination (TypeScript's /opt/typescript) is its host source.
  const host = (a: string) => (def.binds ?? []).reduce((x, b) => (b.source === b.dest ? x : x.replaceAll(b.dest, b.source)), a.replaceAll('/box/', `${dir}/`));
  const here = (argv: string[]) => argv.map(host);
  const env: NodeJS.ProcessEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' };
  for (const [k, v] of Object.entries(def.env ?? {})) env[k] = host(v);
  if (def.compile) await timed(here(expandArgv(def.compile.argv, job, def.compile.sourceExtensions ?? def.extensions)), '', dir, env);
  return { dir, argv: here(expandArgv(def.run.argv, job, def.extensions)), env };
}

export async function runLanguagesBench(rounds: number, only: readonly string[] = []): Promise<{ rows: LanguageRow[]; numpy: NumpyFigures }> {
  const { config, dispose } = benchConfig({ SANDBOX_SLOTS: '1' }, 24);
  const engine = Engine.create(config);
  const rows: LanguageRow[] = [];
  let numpy: NumpyFigures = { engineMs: 0, bareMs: 0, engineImportMs: 0, bareImportMs: 0, engineImportCpuMs: 0, bareImportCpuMs: 0 };
  try {
    for (const def of engine.languages.definitions) {
      if (only.length && !only.includes(def.id)) continue;
      if (engine.languages.unavailableReason(def)) {
        progress(`languages: ${def.id} is not installed, skipped`);
        continue;
      }
      const req = { language: def.id, files: helloFiles(def), stdin: def.selfTest.stdin };
      await engine.run(req); // warms the compile cache
      let bare: Bare;
      try {
        bare = await prepareBare(config.limits, def);
      } catch (err) {
        progress(`languages: ${def.id}: no bare figure (${(err as Error).message.slice(0, 200)})`);
        continue;
      }
      const e: number[] = [];
      const em: number[] = [];
      const b: number[] = [];
      const bm: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        const r = await engine.run(req);
        e.push(performance.now() - t0);
        if (r.run?.status !== 'ok') throw new Error(`${def.id}: ${r.run?.status} ${r.run?.stderr.toString().slice(0, 300)}`);
        em.push(r.run.memoryKb / 1024);
        const x = await timed(bare.argv, def.selfTest.stdin, bare.dir, bare.env);
        b.push(x.ms);
        bm.push(x.memMb);
      }
      fs.rmSync(bare.dir, { recursive: true, force: true });
      rows.push({ id: def.id, version: (await engine.languages.version(def)) ?? '?', engineMs: median(e), bareMs: median(b), engineMemMb: median(em), bareMemMb: median(bm) });
      progress(`languages: ${def.id} ${ms(median(e))} vs ${ms(median(b))}`);
    }
    if (!only.length || only.includes('numpy')) {
      // The import alone, timed inside the program, and the whole run around it.
      const code =
        'import time\nt, c = time.perf_counter(), time.process_time()\nimport numpy, pandas\n' +
        'print(round((time.perf_counter() - t) * 1000, 1), round((time.process_time() - c) * 1000, 1))\n';
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-bare-numpy-'));
      fs.writeFileSync(path.join(dir, 'main.py'), code);
      const py = engine.languages.get('python');
      const e: number[] = [];
      const ei: number[] = [];
      const ec: number[] = [];
      const b: number[] = [];
      const bi: number[] = [];
      const bc: number[] = [];
      const split = (s: string | undefined) => (s ?? '').trim().split(' ').map(Number) as [number, number];
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        const r = await engine.run({ language: 'python', files: [{ path: 'main.py', content: code }] });
        e.push(performance.now() - t0);
        const [w, c] = split(r.run?.stdout.toString());
        ei.push(w);
        ec.push(c);
        const x = await timed(['/usr/bin/python3', '-B', 'main.py'], '', dir, { PATH: '/usr/bin:/bin', HOME: '/tmp', ...py.env, MPLCONFIGDIR: dir });
        b.push(x.ms);
        const [bw, bcpu] = split(x.out);
        bi.push(bw);
        bc.push(bcpu);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      numpy = { engineMs: median(e), bareMs: median(b), engineImportMs: median(ei), bareImportMs: median(bi), engineImportCpuMs: median(ec), bareImportCpuMs: median(bc) };
    }
  } finally {
    await engine.close();
    dispose();
  }
  return { rows, numpy };
}

if (isMain(import.meta.url)) {
  requireRoot();
  const i = process.argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 5;
  const only = process.argv.slice(2).filter((a, k, all) => !a.startsWith('--') && all[k - 1] !== '--rounds');
  const { rows, numpy } = await runLanguagesBench(rounds, only);
  const table = process.argv.includes('--markdown') ? markdownTable : textTable;
  console.log(`Hello per language (a new project's starter; the self-test program where there is none), median of ${rounds}: engine.run with a warm compile cache against the bare run command; memory is the run cgroup's peak against the bare process's max RSS.`);
  console.log(
    table(
      ['language', 'version', 'engine', 'bare', 'engine / bare', 'engine memory MB', 'bare max RSS MB'],
      rows.map((r) => [r.id, r.version, ms(r.engineMs), ms(r.bareMs), ratio(r.engineMs / r.bareMs), r.engineMemMb.toFixed(1), r.bareMemMb.toFixed(1)]),
    ),
  );
  if (numpy.engineMs) {
    console.log('\n`import numpy, pandas` (Python), median: the import timed inside the program, and the whole run.');
    console.log(
      table(
        ['', 'sandbox (engine.run)', 'bare', 'ratio'],
        [
          ['import numpy, pandas (wall)', ms(numpy.engineImportMs), ms(numpy.bareImportMs), ratio(numpy.engineImportMs / numpy.bareImportMs)],
          ['import numpy, pandas (CPU)', ms(numpy.engineImportCpuMs), ms(numpy.bareImportCpuMs), ratio(numpy.engineImportCpuMs / numpy.bareImportCpuMs)],
          ['whole run', ms(numpy.engineMs), ms(numpy.bareMs), ratio(numpy.engineMs / numpy.bareMs)],
        ],
      ),
    );
  }
}
