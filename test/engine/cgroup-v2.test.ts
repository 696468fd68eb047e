import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCgroupDriver, findV1Mounts } from '../../src/engine/cgroups/detect.js';
import { CgroupV2Driver } from '../../src/engine/cgroups/v2.js';
import { ErrorCodes, SystemError } from '../../src/errors.js';

/**
 * The cgroup v2 driver cannot run on this cgroup v1 host, so it is tested against a fake
 * cgroupfs in a temp directory. The fake does what the kernel does where the driver depends on
 * it: mkdir of a cgroup creates its interface files, with the controller files only of the
 * controllers the parent enabled in cgroup.subtree_control; rmdir removes the interface files
 * but refuses (EBUSY) a cgroup that has child cgroups or member processes.
 */

const MiB = 1024 * 1024;
const ALL_CONTROLLERS = 'cpuset cpu io memory hugetlb pids rdma misc';

function controllerFiles(enabled: string[]): Record<string, string> {
  const files: Record<string, string> = { 'cgroup.controllers': `${enabled.join(' ')}\n`, 'cgroup.subtree_control': '', 'cgroup.procs': '', 'cgroup.kill': '' };
  if (enabled.includes('memory')) {
    Object.assign(files, {
      'memory.max': 'max\n',
      'memory.swap.max': 'max\n',
      'memory.peak': '0\n',
      'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n',
    });
  }
  if (enabled.includes('pids')) Object.assign(files, { 'pids.max': 'max\n', 'pids.events': 'max 0\n' });
  if (enabled.includes('cpu')) Object.assign(files, { 'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n' });
  return files;
}

/** Controllers a parent passes down: what was written to its subtree_control ("+memory +pids"). */
function delegated(parent: string): string[] {
  const text = fs.readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8');
  return text.split(/\s+/).filter((t) => t.startsWith('+')).map((t) => t.slice(1));
}

function populate(dir: string, enabled: string[]): void {
  for (const [name, content] of Object.entries(controllerFiles(enabled))) fs.writeFileSync(path.join(dir, name), content);
}

describe('cgroup v2 driver (fake cgroupfs)', () => {
  let tmp: string;
  let root: string;
  const realMkdir = fs.mkdirSync.bind(fs);
  const realRmdir = fs.rmdirSync.bind(fs);

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-cg2-'));
    root = path.join(tmp, 'muscode');
    realMkdir(root);
    populate(root, ALL_CONTROLLERS.split(' '));
    const inFake = (p: fs.PathLike) => path.resolve(String(p)).startsWith(`${tmp}/`);

    vi.spyOn(fs, 'mkdirSync').mockImplementation(((p: fs.PathLike, opts?: fs.MakeDirectoryOptions) => {
      if (!inFake(p)) return realMkdir(p, opts);
      const created: string[] = [];
      for (let d = path.resolve(String(p)); !fs.existsSync(d); d = path.dirname(d)) created.unshift(d);
      const r = realMkdir(p, opts);
      for (const d of created) populate(d, delegated(path.dirname(d)));
      return r;
    }) as typeof fs.mkdirSync);

    vi.spyOn(fs, 'rmdirSync').mockImplementation(((p: fs.PathLike, opts?: fs.RmDirOptions) => {
      if (!inFake(p)) return realRmdir(p, opts);
      const dir = String(p);
      const entries = fs.readdirSync(dir, { withFileTypes: true });
      const procs = path.join(dir, 'cgroup.procs');
      if (entries.some((e) => e.isDirectory()) || (fs.existsSync(procs) && fs.readFileSync(procs, 'utf8').trim() !== '')) {
        throw Object.assign(new Error(`EBUSY: resource busy, rmdir '${dir}'`), { code: 'EBUSY' });
      }
      for (const e of entries) fs.unlinkSync(path.join(dir, e.name));
      return realRmdir(dir, opts);
    }) as typeof fs.rmdirSync);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  // The engine's own prefix shape: "muscode/<pid>-<rand>", two levels below the root.
  const prefix = 'muscode/1234-abcdef';
  const base = () => path.join(root, prefix);
  const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

  it('enables memory, pids and cpu at every level down to its base', () => {
    const d = new CgroupV2Driver({ root, prefix });
    expect(d.version).toBe(2);
    for (const dir of [root, path.join(root, 'muscode'), base()]) {
      expect(read(dir, 'cgroup.subtree_control').split(/\s+/).sort()).toEqual(['+cpu', '+memory', '+pids']);
    }
  });

  it('refuses to start with CGROUP_UNAVAILABLE when a controller is not delegated', () => {
    fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu io pids\n');
    let err: unknown;
    try {
      new CgroupV2Driver({ root, prefix });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe(ErrorCodes.cgroupUnavailable);
    expect((err as SystemError).message).toMatch(/memory/);
  });

  it('refuses to start when the root is not a cgroup', () => {
    const err = (() => {
      try {
        createCgroupDriver({ version: '2', v2Root: path.join(tmp, 'nothing-here'), prefix });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe(ErrorCodes.cgroupUnavailable);
  });

  it('createCgroupDriver picks v2 when asked for it', () => {
    const d = createCgroupDriver({ version: '2', v2Root: root, prefix });
    expect(d).toBeInstanceOf(CgroupV2Driver);
    expect(d.version).toBe(2);
  });

  it('acquire gives a fresh cgroup per run whose procsFiles is its cgroup.procs', () => {
    const d = new CgroupV2Driver({ root, prefix });
    const a = d.acquire(0);
    const b = d.acquire(0);
    expect(a.procsFiles).toHaveLength(1);
    expect(path.basename(a.procsFiles[0]!)).toBe('cgroup.procs');
    const dirA = path.dirname(a.procsFiles[0]!);
    const dirB = path.dirname(b.procsFiles[0]!);
    expect(path.dirname(dirA)).toBe(base());
    expect(dirA).not.toBe(dirB);
    expect(fs.statSync(dirA).isDirectory()).toBe(true);
  });

  it('prepare writes the memory, swap and pids limits', () => {
    const cg = new CgroupV2Driver({ root, prefix }).acquire(1);
    const dir = path.dirname(cg.procsFiles[0]!);
    cg.prepare({ memoryBytes: 128 * MiB, processes: 42 });
    expect(read(dir, 'memory.max')).toBe(String(128 * MiB));
    expect(read(dir, 'memory.swap.max')).toBe('0');
    expect(read(dir, 'pids.max')).toBe('42');
  });

  it('usage() parses cpu.stat, memory.peak, memory.events and pids.events', () => {
    const cg = new CgroupV2Driver({ root, prefix }).acquire(0);
    const dir = path.dirname(cg.procsFiles[0]!);
    fs.writeFileSync(path.join(dir, 'cpu.stat'), 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 0\n');
    fs.writeFileSync(path.join(dir, 'memory.peak'), `${100 * MiB}\n`);
    // "max 3" in memory.events is the memory.max event count, not an OOM kill.
    fs.writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n');
    fs.writeFileSync(path.join(dir, 'pids.events'), 'max 2\n');
    expect(cg.cpuNs()).toBe(1_234_567_000);
    expect(cg.usage()).toEqual({ cpuNs: 1_234_567_000, memoryPeakBytes: 100 * MiB, oomKills: 1, pidsLimitHits: 2 });
  });

  it('usage() of an untouched cgroup is all zero', () => {
    const cg = new CgroupV2Driver({ root, prefix }).acquire(0);
    expect(cg.usage()).toEqual({ cpuNs: 0, memoryPeakBytes: 0, oomKills: 0, pidsLimitHits: 0 });
  });

  it('usage() does not throw without memory.peak (kernels before 5.19)', () => {
    const cg = new CgroupV2Driver({ root, prefix }).acquire(0);
    fs.unlinkSync(path.join(path.dirname(cg.procsFiles[0]!), 'memory.peak'));
    expect(cg.usage().memoryPeakBytes).toBe(0);
  });

  it('pids() reads cgroup.procs and leftoverPids() covers live cgroups only', () => {
    const d = new CgroupV2Driver({ root, prefix });
    const cg = d.acquire(0);
    fs.writeFileSync(cg.procsFiles[0]!, '4242\n4343\n');
    expect(cg.pids()).toEqual([4242, 4343]);
    expect(d.leftoverPids()).toEqual([4242, 4343]);
    fs.writeFileSync(cg.procsFiles[0]!, '');
    expect(d.leftoverPids()).toEqual([]);
  });

  it('killAll writes cgroup.kill only when no process is to be kept', async () => {
    const cg = new CgroupV2Driver({ root, prefix }).acquire(0);
    const kill = path.join(path.dirname(cg.procsFiles[0]!), 'cgroup.kill');
    await cg.killAll(process.pid);
    expect(read(kill)).toBe('');
    await cg.killAll();
    expect(read(kill)).toBe('1');
  });

  it('release removes the run cgroup', () => {
    const d = new CgroupV2Driver({ root, prefix });
    const cg = d.acquire(0);
    const dir = path.dirname(cg.procsFiles[0]!);
    d.release(cg);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(base())).toBe(true);
  });

  it('close removes live run cgroups, its base and the intermediate level it created', async () => {
    const d = new CgroupV2Driver({ root, prefix });
    d.release(d.acquire(0));
    d.acquire(1);
    await d.close();
    expect(fs.existsSync(base())).toBe(false);
    expect(fs.existsSync(path.join(root, 'muscode'))).toBe(false);
    // The delegated root itself is not ours to remove.
    expect(fs.existsSync(path.join(root, 'cgroup.controllers'))).toBe(true);
  });

  it('close leaves an intermediate level another instance still uses', async () => {
    const a = new CgroupV2Driver({ root, prefix });
    const b = new CgroupV2Driver({ root, prefix: 'muscode/5678-fedcba' });
    b.acquire(0);
    await a.close();
    expect(fs.existsSync(base())).toBe(false);
    expect(fs.existsSync(path.join(root, 'muscode', '5678-fedcba'))).toBe(true);
    await b.close();
    expect(fs.existsSync(path.join(root, 'muscode'))).toBe(false);
  });
});

describe('findV1Mounts', () => {
  const hybrid = [
    '22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
    '25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
    '26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
    '27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd',
    '31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory',
    '32 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids',
    '33 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,cpu,cpuacct',
    // A tmpfs whose mount point merely contains a controller name is not a cgroup.
    '40 28 0:40 / /run/memory rw,nosuid,nodev - tmpfs tmpfs rw,size=1024k',
    '',
  ].join('\n');

  it('finds the memory, pids, cpuacct (and cpu, for bandwidth limits) controllers of a hybrid hierarchy', () => {
    expect(findV1Mounts(hybrid)).toEqual({
      memory: '/sys/fs/cgroup/memory',
      pids: '/sys/fs/cgroup/pids',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
      cpu: '/sys/fs/cgroup/cpu,cpuacct',
    });
  });

  it('handles lines without optional fields and co-mounted controllers', () => {
    const text = '30 25 0:27 / /cg rw,relatime - cgroup none rw,memory,pids,cpuacct\n';
    expect(findV1Mounts(text)).toEqual({ memory: '/cg', pids: '/cg', cpuacct: '/cg' });
  });

  it('returns null when a controller is missing', () => {
    const noPids = hybrid.split('\n').filter((l) => !l.includes('rw,pids')).join('\n');
    expect(findV1Mounts(noPids)).toBeNull();
  });

  it('returns null on a pure cgroup v2 host', () => {
    const v2 = '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';
    expect(findV1Mounts(v2)).toBeNull();
  });
});
