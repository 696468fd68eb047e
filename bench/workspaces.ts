/**
 * Workspaces benchmark (issue 11): start time of a workspace (environment set up until the
 * shell's first prompt), keystroke echo latency through the server (WebSocket -> pty -> bash ->
 * pty -> WebSocket), throughput of `cat` of a large file through the terminal with flow control,
 * and memory of an idle running workspace. Each figure is printed next to a baseline measured
 * in the same run (a bare bash in a pty outside any sandbox), as a ratio.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/workspaces.js [--runs 20]
 */
import { performance } from 'node:perf_hooks';
import pty from '@lydell/node-pty';
import { WebSocket } from 'ws';
import { Engine } from '../src/engine/runner/engine.js';
import { WorkspaceHost } from '../src/engine/sandbox/workspace-box.js';
import { startApiServer } from '../src/server/serve.js';
import { benchConfig, isMain, progress, requireRoot } from './common.js';
import { ms, quantile, ratio, median, textTable } from './stats.js';

const MiB = 2 ** 20;
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 20;

function firstOutput(p: { onData(cb: (d: string) => void): { dispose(): void } }, re: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    const d = p.onData((chunk) => {
      text += chunk;
      if (re.test(text)) {
        d.dispose();
        resolve();
      }
    });
  });
}

export async function runWorkspacesBench() {
  const { config, dispose } = benchConfig({ LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', RATE_LIMIT_API: '0', RATE_LIMIT_AUTH: '0', WORKSPACE_HOST_MAX: '64', WORKSPACE_USER_MAX: '64' });
  const host = new WorkspaceHost({
    runDir: `${config.SANDBOX_RUN_DIR}/ws-bench`,
    uidBase: 58000,
    capacity: 64,
    launcherPath: config.SANDBOX_LAUNCHER,
    bwrapPath: config.SANDBOX_BWRAP,
    cgroupVersion: config.CGROUP_VERSION,
    cgroupV2Root: config.CGROUP_V2_ROOT,
    limits: { memoryBytes: 512 * MiB, cpuCores: 0.5, processes: 256, diskBytes: 64 * MiB, openFiles: 1024, tmpBytes: 64 * MiB },
  });
  const PROMPT = /\$ $/;
  // Start: environment + shell until its first prompt; baseline: a bare bash -l in a pty.
  const start: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const box = host.start(`bench-${i}`);
    const term = box.spawnTerminal({ cols: 80, rows: 24 });
    await firstOutput(term, PROMPT);
    start.push(performance.now() - t0);
    await box.stop();
    t0 = performance.now();
    const b = pty.spawn('/bin/bash', ['--norc', '-i'], { cols: 80, rows: 24, env: { PATH: '/usr/bin:/bin', PS1: '$ ', HOME: '/tmp' } });
    await firstOutput(b, PROMPT);
    bare.push(performance.now() - t0);
    b.kill('SIGKILL');
  }
  progress(`start: median ${ms(median(start))}`);

  // Memory of idle running workspaces (bash waiting at its prompt), from their cgroups.
  const idle = [];
  for (let i = 0; i < 4; i++) {
    const box = host.start(`idle-${i}`);
    const term = box.spawnTerminal({ cols: 80, rows: 24 });
    await firstOutput(term, PROMPT);
    idle.push(box);
  }
  await new Promise((r) => setTimeout(r, 500));
  const memPer = idle.map((b) => b.memoryBytes());
  for (const b of idle) await b.stop();
  await host.close();

  // Echo latency and cat throughput through the server.
  const engine = Engine.create(config);
  const server = await startApiServer(config, engine, { pgliteDir: 'memory://', logger: false });
  const base = server.url;
  const reg = await (await fetch(`${base}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', username: 'benchws', password: 'correct horse battery' }) })).json() as { data: { token: string } };
  const token = reg.data.token;
  const post = async (url: string, body?: unknown) =>
    (await (await fetch(`${base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })).json()) as { data: { id: string } };
  const ws = (await post('/api/v1/workspaces', { language: 'python' })).data;
  await post(`/api/v1/workspaces/${ws.id}/start`);
  const sock = new WebSocket(`${base.replace('http', 'ws')}/api/v1/workspaces/${ws.id}/terminals/new/socket?token=${token}`);
  let onOut: (b: Buffer) => void = () => undefined;
  sock.on('message', (raw: Buffer) => {
    if (raw[0] !== 0x30) return;
    const body = raw.subarray(1);
    const ack = Buffer.alloc(5);
    ack[0] = 0x32;
    ack.writeUInt32BE(body.length, 1);
    sock.send(ack);
    onOut(body);
  });
  await new Promise((r) => sock.once('open', r));
  const send = (s: string) => sock.send(Buffer.concat([Buffer.from([0x30]), Buffer.from(s)]));
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve) => {
      let text = '';
      onOut = (b) => {
        text += b.toString('latin1');
        if (re.test(text)) resolve();
      };
    });
  await new Promise((r) => setTimeout(r, 500));
  // A line editor waiting for input echoes every key: type one letter, wait for it, erase it.
  const echo: number[] = [];
  for (let i = 0; i < 200; i++) {
    const key = String.fromCharCode(0x61 + (i % 26));
    const got = waitFor(new RegExp(key));
    const t0 = performance.now();
    send(key);
    await got;
    echo.push(performance.now() - t0);
    const gone = waitFor(/\x08/);
    send('\x7f');
    await gone;
  }
  progress(`echo: median ${ms(median(echo))}`);
  // cat of a 32 MiB file made in the workspace.
  const made = waitFor(/MADE/);
  send('head -c 33554432 /dev/zero | tr "\\0" a > big.txt; echo MA""DE\r');
  await made;
  let bytes = 0;
  const t0 = performance.now();
  const catDone = new Promise<void>((resolve) => {
    let tail = '';
    onOut = (b) => {
      bytes += b.length;
      tail = (tail + b.toString('latin1')).slice(-64);
      if (/CAT-DONE/.test(tail)) resolve();
    };
  });
  send('cat big.txt; echo CAT-""DONE\r');
  await catDone;
  const catMs = performance.now() - t0;
  sock.close();
  await server.close({ abort: true });
  await engine.close();
  dispose();
  return { start, bare, echo, catMs, catBytes: bytes, memPer };
}

export function formatWorkspacesBench(r: Awaited<ReturnType<typeof runWorkspacesBench>>): string {
  const rows = [
    ['start (env + first prompt)', ms(median(r.start)), ms(quantile(r.start, 0.95)), `bare bash in a pty ${ms(median(r.bare))}`, ratio(median(r.start) / median(r.bare))],
    ['echo through the server', ms(median(r.echo)), `p99 ${ms(quantile(r.echo, 0.99))}`, 'target median <= 10 ms', ''],
    ['cat 32 MiB through the terminal', `${((r.catBytes / MiB) / (r.catMs / 1000)).toFixed(1)} MiB/s`, ms(r.catMs), `${(r.catBytes / MiB).toFixed(1)} MiB received`, ''],
    ['memory per idle workspace (cgroup)', `${(median(r.memPer) / MiB).toFixed(1)} MiB`, '', 'bash at its prompt', ''],
  ];
  return textTable(['measure', 'median', 'p95 / other', 'baseline', 'ratio'], rows);
}

if (isMain(import.meta.url)) {
  requireRoot();
  const r = await runWorkspacesBench();
  console.log(formatWorkspacesBench(r));
}
