import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { instancePid, processAlive, reachableByOthers } from '../../src/engine/host.js';

describe('host helpers', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-host-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reachableByOthers needs o+x on every parent (a checkout under a 0700 home is not)', () => {
    const open = path.join(root, 'open', 'app');
    const closed = path.join(root, 'closed', 'app');
    fs.mkdirSync(open, { recursive: true });
    fs.mkdirSync(closed, { recursive: true });
    fs.chmodSync(root, 0o755);
    fs.chmodSync(path.join(root, 'open'), 0o755);
    fs.chmodSync(path.join(root, 'closed'), 0o700);
    expect(reachableByOthers(path.join(open, 'file'))).toBe(true);
    expect(reachableByOthers(path.join(closed, 'file'))).toBe(false);
    fs.chmodSync(path.join(root, 'closed'), 0o711);
    expect(reachableByOthers(path.join(closed, 'file'))).toBe(true);
  });

  it('reads the pid of an instance name and tells live pids from dead ones', () => {
    expect(instancePid('1234-abcd')).toBe(1234);
    expect(instancePid('slot-0')).toBeNull();
    expect(instancePid('0-x')).toBeNull();
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 7)).toBe(false);
  });
});
