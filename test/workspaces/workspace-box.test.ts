import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceHost } from '../../src/engine/sandbox/workspace-box.js';
import { waitFor } from '../helpers/async.js';
import { MiB, TermReader, processesOfUid, ptyMasters, testWorkspaceHost } from '../helpers/workspaces.js';

/**
 * The workspace environment against the real sandbox (issue 11 items 2 and 10): what the shell
 * sees, and that the terminal is no way out: TIOCSTI/TIOCLINUX (also with the upper bits of the
 * request set, CVE-2019-10063), fork and memory bombs, a full disk, and a stop that leaves no
 * process, mount or pty behind.
 */
describe('workspace sandbox', () => {
  let host: WorkspaceHost;
  let ptyBaseline: number;
  beforeAll(() => {
    ptyBaseline = ptyMasters();
    host = testWorkspaceHost({ diskBytes: 8 * MiB, processes: 64, memoryBytes: 128 * MiB });
  });
  afterAll(async () => {
    await host?.close();
  });

  it('gives a login shell at /workspace as the workspace uid, no network, read-only system, toolchains on PATH, job control', async () => {
    const box = host.start('basics');
    const t = new TermReader(box.spawnTerminal({ cols: 100, rows: 30 }));
    const id = await t.run('id -u; pwd; echo $HOME');
    expect(id).toContain(`${box.uid}\r\n/workspace\r\n/workspace`);
    expect(await t.run('touch /usr/x 2>&1; touch /etc/x 2>&1; echo hi > /workspace/a.txt; cat a.txt')).toMatch(/Read-only file system[\s\S]*hi/);
    expect(fs.readFileSync(path.join(box.dir, 'a.txt'), 'utf8')).toBe('hi\n');
    expect(await t.run('python3 -c "import socket; socket.create_connection((\'1.1.1.1\', 80), 2)" 2>&1 | tail -1')).toMatch(/unreachable|OSError/);
    expect(await t.run('python3 -c "import socket; print(socket.if_nameindex())"')).toContain("[(1, 'lo')]");
    expect(await t.run('python3 -c "import numpy, pandas, scipy, matplotlib; print(numpy.arange(3))"')).toContain('[0 1 2]');
    expect(await t.run('for c in node gcc git vim less grep sed bash; do command -v $c >/dev/null || echo missing $c; done')).not.toMatch(/^missing /m);
    // Job control: bash is in the pty's session (no --new-session), so `jobs`/`fg` work.
    expect(await t.run('sleep 30 & jobs')).toMatch(/\[1\]\+?\s+Running\s+sleep 30/);
    expect(await t.run('tty')).toMatch(/\/dev\/(pts\/\d+|console)/);
    // The CPU bandwidth limit is applied to the workspace's cgroup.
    const procs = box.cgroup.procsFiles.map((f) => path.dirname(f));
    const quota = procs.map((d) => [path.join(d, 'cpu.cfs_quota_us'), path.join(d, 'cpu.max')]).flat().find((f) => fs.existsSync(f));
    expect(quota && fs.readFileSync(quota, 'utf8')).toMatch(/^50000\b/);
    await box.stop();
  });

  it('TIOCSTI and TIOCLINUX fail with EPERM, also with the upper 32 bits of the request set', async () => {
    const box = host.start('tiocsti');
    const t = new TermReader(box.spawnTerminal({ cols: 80, rows: 24 }));
    const py = [
      'import fcntl, termios, os',
      'def t(name, fd, req, arg):',
      '    try:',
      '        fcntl.ioctl(fd, req, arg); print(name, "ok")',
      '    except OSError as e: print(name, "errno", e.errno)',
      't("sti", 0, termios.TIOCSTI, b"x")',
      't("sti_hi", 0, termios.TIOCSTI | (1 << 32), b"x")',
      't("sti_hi2", 0, termios.TIOCSTI | (0xffff << 32), b"x")',
      't("linux", 0, 0x541C, bytes([6]))',
      't("linux_hi", 0, 0x541C | (1 << 40), bytes([6]))',
      'fd = os.open("/dev/tty", os.O_RDWR)',
      't("sti_tty", fd, termios.TIOCSTI, b"x")',
      't("winsz", 0, termios.TIOCGWINSZ, bytes(8))',
    ].join('\n');
    fs.writeFileSync(path.join(box.dir, 'sti.py'), py);
    const out = await t.run('python3 sti.py');
    for (const k of ['sti', 'sti_hi', 'sti_hi2', 'linux', 'linux_hi', 'sti_tty']) expect(out, k).toContain(`${k} errno 1\r\n`);
    expect(out).toContain('winsz ok');
    await box.stop();
  });

  it('a fork bomb and a memory bomb are contained, the shell survives both, another workspace is unaffected', async () => {
    const box = host.start('bombs');
    const t = new TermReader(box.spawnTerminal({ cols: 80, rows: 24 }));
    const neighbour = host.start('neighbour');
    const n = new TermReader(neighbour.spawnTerminal({ cols: 80, rows: 24 }));
    await n.run('true');
    const fork = await t.run('python3 -c "\nimport os\nn=0\ntry:\n  while True:\n    if os.fork()==0:\n      import time; time.sleep(5); os._exit(0)\n    n+=1\nexcept OSError as e: print(\'stopped at\', n, e.errno)" 2>&1 | tail -1', 60_000);
    const m = /stopped at (\d+) 11/.exec(fork);
    expect(m, fork).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(64);
    const mem = await t.run('python3 -c "b=bytearray(400*1024*1024); print(len(b))"; echo rc=$?', 60_000);
    expect(mem).toMatch(/rc=(137|1)\b/);
    expect(mem).not.toContain('419430400');
    expect(await t.run('echo alive')).toContain('alive');
    // The neighbour's own limits were never touched: it forks and allocates as before.
    expect(await n.run('python3 -c "b=bytearray(64*1024*1024); print(len(b))"; for i in 1 2 3 4 5; do (true) & done; wait; echo ok-$((5*5))')).toMatch(/67108864[\s\S]*ok-25/);
    await neighbour.stop();
    await box.stop();
  });

  it('filling the disk stops at the workspace limit (ENOSPC or EFBIG), the host untouched', async () => {
    const box = host.start('disk');
    const t = new TermReader(box.spawnTerminal({ cols: 80, rows: 24 }));
    // ENOSPC from the tmpfs, or SIGXFSZ (153) from RLIMIT_FSIZE, whichever comes first.
    const out = await t.run('dd if=/dev/zero of=big bs=1M count=64 2>/dev/null; echo rc=$?', 60_000);
    expect(out).toMatch(/rc=(1|153)\b/);
    const size = fs.statSync(path.join(box.dir, 'big')).size;
    expect(size).toBeLessThanOrEqual(8 * MiB);
    // /tmp is a private tmpfs of its own size, not the host's.
    expect(await t.run('dd if=/dev/zero of=/tmp/big bs=1M count=64 2>/dev/null; echo rc=$?')).toMatch(/rc=(1|153)\b/);
    await box.stop();
  });

  it('stop kills every process (background, nohup, setsid), unmounts, and releases the ptys', async () => {
    const box = host.start('stop');
    const t1 = new TermReader(box.spawnTerminal({ cols: 80, rows: 24 }));
    const t2 = new TermReader(box.spawnTerminal({ cols: 80, rows: 24 }));
    await t1.run('nohup sleep 1000 >/dev/null 2>&1 & disown; setsid sleep 1000 & (trap "" HUP TERM; sleep 1000) & echo started');
    await t2.run('sleep 1000 & true');
    expect(ptyMasters()).toBeGreaterThanOrEqual(ptyBaseline + 2);
    expect(processesOfUid(box.uid).length).toBeGreaterThanOrEqual(6);
    const dir = box.dir;
    await box.stop();
    // Killed processes may linger a moment as zombies until the host's init reaps them.
    await waitFor('the killed processes to be reaped', () => processesOfUid(box.uid).length === 0).catch(() => undefined);
    expect(processesOfUid(box.uid)).toEqual([]);
    expect(box.pids()).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
    expect(host.leftovers()).toEqual({ boxes: 0, pids: [], mounts: [] });
    expect(ptyMasters()).toBe(ptyBaseline);
  });

  it('refuses a start over the host capacity with a clear error', async () => {
    const small = testWorkspaceHost({}, 1);
    try {
      small.start('one');
      expect(() => small.start('two')).toThrow(expect.objectContaining({ code: 'WORKSPACE_HOST_FULL' }));
      // Starting the same workspace again is the same environment.
      expect(small.start('one')).toBe(small.get('one'));
    } finally {
      await small.close();
    }
  });
});
