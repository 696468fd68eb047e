import fs from 'node:fs';
import { ErrorCodes, SystemError } from '../../errors.js';
import type { CgroupDriver } from './cgroup.js';
import { CgroupV1Driver } from './v1.js';
import { CgroupV2Driver } from './v2.js';

export interface CgroupSelection {
  /** "auto" picks v1 when the memory, pids and cpuacct v1 controllers are mounted, else v2. */
  version: 'auto' | '1' | '2';
  /** v1: also join the cpu controller, for a CPU bandwidth limit (workspaces; runs do without). */
  cpuBandwidth?: boolean;
  /** v2 only: the delegated cgroup under which MUSCode creates its own. */
  v2Root: string;
  prefix: string;
}

/** Finds v1 controller mount points from /proc/self/mountinfo (`cgroup` filesystems). */
export function findV1Mounts(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')) {
  const found: Record<string, string> = {};
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fstype, , superOpts] = right.split(' ');
    if (fstype !== 'cgroup' || !superOpts) continue;
    const mountPoint = left.split(' ')[4];
    if (!mountPoint) continue;
    for (const opt of superOpts.split(',')) {
      if ((opt === 'memory' || opt === 'pids' || opt === 'cpuacct' || opt === 'cpu') && !found[opt]) found[opt] = mountPoint;
    }
  }
  return found.memory && found.pids && found.cpuacct
    ? { memory: found.memory, pids: found.pids, cpuacct: found.cpuacct, ...(found.cpu && { cpu: found.cpu }) }
    : null;
}

/** Fails at startup when no usable cgroup is found: runs never start unconfined. */
export function createCgroupDriver(sel: CgroupSelection): CgroupDriver {
  if (sel.version !== '2') {
    const mounts = findV1Mounts();
    if (mounts) return new CgroupV1Driver({ mounts, prefix: sel.prefix, cpuBandwidth: sel.cpuBandwidth });
    if (sel.version === '1') {
      throw new SystemError(ErrorCodes.cgroupUnavailable, 'cgroup v1 memory, pids and cpuacct controllers are not mounted');
    }
  }
  return new CgroupV2Driver({ root: sel.v2Root, prefix: sel.prefix });
}
