import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config/config.js';
import { api } from '../helpers/app.js';

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const [k, v] = line.split(':\t');
    if (k && v !== undefined) out[k] = v.trim();
  }
  return out;
}

function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((p) => {
      try {
        return status(p).PPid === String(pid);
      } catch {
        return false;
      }
    });
}

/**
 * `muscode serve` as users run it: the root supervisor keeps the sandboxes, and the process that
 * parses HTTP runs as SERVICE_USER with no capabilities.
 */
describe('privilege separation (bin/muscode serve)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-serve-'));
  let proc: ReturnType<typeof spawn>;
  let url = '';
  let output = '';

  beforeAll(async () => {
    proc = spawn(path.join(REPO_ROOT, 'bin/muscode'), ['serve', '--port', '0', '--data-dir', dataDir, '--anonymous-execute', '1', '--log-level', 'warn', '--sandbox-uid-base', '63500'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) {
          url = m[1]!;
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      proc.once('exit', (code) => reject(new Error(`serve exited ${code}: ${output}`)));
      setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 60_000).unref();
    });
  });

  afterAll(async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves HTTP from an unprivileged process; only the supervisor is root', async () => {
    const supervisor = status(proc.pid!);
    expect(supervisor.Uid!.split('\t')[0]).toBe('0');
    const kids = childrenOf(proc.pid!).filter((p) => status(p).Name === 'node' || status(p).Name === 'MainThread');
    expect(kids.length).toBe(1);
    const service = status(kids[0]!);
    const [ruid, euid, suid] = service.Uid!.split('\t');
    expect(Number(ruid)).toBeGreaterThan(0);
    expect(euid).toBe(ruid);
    expect(suid).toBe(ruid);
    expect(service.CapEff).toBe('0000000000000000');
    expect(service.Groups ?? '').not.toMatch(/\b0\b/);
    // The service's state is its own; the compile cache stays root's.
    expect(fs.statSync(path.join(dataDir, 'service')).uid).toBe(Number(ruid));
  });

  it('runs code through the supervisor', async () => {
    const res = await api<{ data: { status: string; output: string } }>({ url }, 'POST', '/api/v1/execute?wait=true', {
      body: { language: 'python', code: 'import os\nprint(os.getuid() != 0)' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'completed', output: 'True\n' });
    const health = await api<{ status: string; services: Record<string, string> }>({ url }, 'GET', '/api/v1/health');
    expect(health.body).toMatchObject({ status: 'healthy', services: { database: 'up', redis: 'disabled', sandbox: 'up' } });
  });

  it('SIGTERM shuts everything down cleanly', async () => {
    const pid = proc.pid!;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(`/run/muscode/${pid}-`);
    expect(fs.existsSync('/sys/fs/cgroup/memory/muscode') ? fs.readdirSync('/sys/fs/cgroup/memory/muscode').filter((n) => n.startsWith(`${pid}-`)) : []).toEqual([]);
  });
});
