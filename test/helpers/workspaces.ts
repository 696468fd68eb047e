import fs from 'node:fs';
import type { IPty } from '@lydell/node-pty';
import { loadConfig } from '../../src/config/config.js';
import { WorkspaceHost, type WorkspaceLimits } from '../../src/engine/sandbox/workspace-box.js';

export const MiB = 2 ** 20;

/** A workspace host for one test file, on uids no run slot of a parallel test uses. */
export function testWorkspaceHost(limits: Partial<WorkspaceLimits> = {}, capacity = 4): WorkspaceHost {
  const c = loadConfig(process.env, {});
  return new WorkspaceHost({
    runDir: '/run/muscode-test-ws',
    uidBase: 64000 + (process.pid % 200) * 8,
    capacity,
    launcherPath: c.SANDBOX_LAUNCHER,
    bwrapPath: c.SANDBOX_BWRAP,
    cgroupVersion: c.CGROUP_VERSION,
    cgroupV2Root: c.CGROUP_V2_ROOT,
    limits: { memoryBytes: 512 * MiB, cpuCores: 0.5, processes: 128, diskBytes: 16 * MiB, openFiles: 512, tmpBytes: 16 * MiB, ...limits },
  });
}

/** Collects a pty's output and waits for patterns in it. */
export class TermReader {
  text = '';
  private waiters: { re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }[] = [];
  private mark = 0;

  constructor(readonly term: IPty) {
    term.onData((d) => {
      this.text += d;
      if (this.text.length > 4 * MiB) this.text = this.text.slice(-MiB);
      this.check();
    });
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      const m = w.re.exec(this.text.slice(w.from));
      if (m) w.resolve(m);
      return !m;
    });
  }

  /** Waits for `re` in the output written after the previous `run`/`expect`. */
  expect(re: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const from = this.mark;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} in terminal output:\n${this.text.slice(from).slice(-2000)}`)), timeoutMs);
      this.waiters.push({
        re,
        from,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      this.check();
    });
  }

  /** Types a command line and waits for a unique end marker; returns what it printed. */
  async run(cmd: string, timeoutMs = 20_000): Promise<string> {
    const id = Math.random().toString(36).slice(2, 8);
    this.mark = this.text.length;
    this.term.write(`${cmd}; echo "END-$?-${id}" | tr - =\r`);
    const m = await this.expect(new RegExp(`END=(\\d+)=${id}`), timeoutMs);
    const chunk = this.text.slice(this.mark);
    this.mark = this.text.length;
    return `${chunk.slice(0, chunk.indexOf(m[0]))}\nexit=${m[1]}`;
  }
}

/** Descriptors of this process open on /dev/ptmx: the pty masters still held. */
export function ptyMasters(): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === '/dev/ptmx') n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

export function processesOfUid(uid: number): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m && Number(m[1]) === uid) out.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** A terminal socket client speaking docs/workspaces.md's protocol; acknowledges output as it reads it. */
export class TermSocket {
  text = '';
  snapshot = '';
  hello: { terminalId: string; readOnly: boolean; cols: number; rows: number } | null = null;
  events: { type: string; written?: string[]; deleted?: string[]; rejected?: { rel: string; code: string }[] }[] = [];
  exit: unknown = null;
  closed: { code: number; reason: string } | null = null;
  /** Set false to stop acknowledging (a slow client). */
  ack = true;
  received = 0;
  private mark = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: import('ws').WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const type = raw[0];
      const body = raw.subarray(1);
      if (type === 0x30) {
        this.received += body.length;
        this.text += body.toString('utf8');
        if (this.text.length > 8 * MiB) this.text = this.text.slice(-MiB);
        if (this.ack) ws.send(Buffer.from([0x32, ...u32(body.length)]));
      } else if (type === 0x31) this.snapshot = body.toString('utf8');
      else if (type === 0x32) this.hello = JSON.parse(body.toString('utf8'));
      else if (type === 0x33) this.exit = JSON.parse(body.toString('utf8'));
      else if (type === 0x34) this.events.push(JSON.parse(body.toString('utf8')));
      for (const w of this.waiters) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters) w();
    });
  }

  static async open(url: string): Promise<TermSocket> {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(url);
    const t = new TermSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} ${res.statusMessage}`)));
      ws.once('error', reject);
    });
    return t;
  }

  /** Waits until `cond` holds (checked on every frame). */
  until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; output:\n${this.text.slice(-1500)}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  type(s: string): void {
    this.ws.send(Buffer.concat([Buffer.from([0x30]), Buffer.from(s, 'utf8')]));
  }

  resize(cols: number, rows: number): void {
    const b = Buffer.alloc(5);
    b[0] = 0x31;
    b.writeUInt16BE(cols, 1);
    b.writeUInt16BE(rows, 3);
    this.ws.send(b);
  }

  async run(cmd: string, timeoutMs = 20_000): Promise<string> {
    const id = Math.random().toString(36).slice(2, 8);
    this.mark = this.text.length;
    this.type(`${cmd}; echo "END-$?-${id}" | tr - =\r`);
    const re = new RegExp(`END=(\\d+)=${id}`);
    await this.until(() => re.test(this.text.slice(this.mark)), `the end of ${cmd}`, timeoutMs);
    const chunk = this.text.slice(this.mark);
    const m = re.exec(chunk)!;
    this.mark = this.text.length;
    return `${chunk.slice(0, m.index)}\nexit=${m[1]}`;
  }

  close(): void {
    this.ws.close();
  }
}

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
