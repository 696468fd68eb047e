import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deriveTimeLimit } from '../../src/arena/judge/index.js';
import { processesOfUids } from '../helpers/engine.js';

/**
 * `muscode problem verify` as a user runs it (bin/muscode -> dist/), on copies of the judge
 * fixtures: one package whose programs are all in the right folders, and one where an accepted
 * program was filed under wrong_answer/.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin/muscode');
const MAIN_JS = path.join(REPO, 'dist/src/cli/main.js');
const FIX = path.join(REPO, 'test/fixtures/judge');
// testConfig() uses base and base+1 of this 16-uid block, cli.test.ts base+8 and +9; this file +12 and +13.
const UID_BASE = 61000 + (process.pid % 400) * 16 + 12;
const RUN_DIR = '/run/muscode';

let work: string;
let dataDir: string;
const pids: number[] = [];

function cli(...args: string[]) {
  const r = spawnSync(BIN, args, {
    cwd: work,
    encoding: 'utf8',
    timeout: 110_000,
    env: { ...process.env, DATA_DIR: dataDir, SANDBOX_SLOTS: '2', SANDBOX_UID_BASE: String(UID_BASE), SANDBOX_RUN_DIR: RUN_DIR },
  });
  if (r.error) throw r.error;
  if (r.pid) pids.push(r.pid);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function copyFixture(name: string): string {
  const dest = path.join(work, name);
  fs.cpSync(path.join(FIX, name), dest, { recursive: true });
  return dest;
}

/** The row of a program in the printed table, split into columns. */
function row(stdout: string, program: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`${program} `));
  expect(line, `no row for ${program} in:\n${stdout}`).toBeDefined();
  return line!.split(/\s{2,}/);
}

describe('muscode problem verify', () => {
  beforeAll(() => {
    if (!fs.existsSync(MAIN_JS)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'inherit' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-verify-'));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-verify-data-'));
  }, 300_000);

  afterEach(() => {
    expect(processesOfUids([UID_BASE, UID_BASE + 1])).toEqual([]);
    for (const pid of pids.splice(0)) {
      const boxes = fs.existsSync(RUN_DIR) ? fs.readdirSync(RUN_DIR).filter((n) => n.startsWith(`${pid}-`)) : [];
      expect(boxes).toEqual([]);
    }
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 0 when every program earns its folder, derives and prints the time limit', () => {
    const sum = copyFixture('sum-legacy');
    const validator = copyFixture('validator-kattis');
    const groups = copyFixture('groups-2025');
    const r = cli('problem', 'verify', sum, validator, groups);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // No time limit in sum-legacy: slowest AC x time_multiplier 2, rounded up to 1 s.
    expect(r.stdout).toMatch(/time limit: 1 s \(derived: slowest accepted test [\d.]+s x 2, rounded up to 1 s; time_limit_exceeded programs run under 1 x 1.5 s\)/);
    expect(r.stdout).toMatch(/time limit: 2 s \(from the package\)/);
    expect(row(r.stdout, 'accepted/sum.py').slice(0, 4)).toEqual(['accepted/sum.py', 'python', 'AC', 'AC']);
    expect(row(r.stdout, 'wrong_answer/minus.py').slice(0, 4)).toEqual(['wrong_answer/minus.py', 'python', 'WA', 'WA']);
    expect(row(r.stdout, 'time_limit_exceeded/spin.py').slice(0, 4)).toEqual(['time_limit_exceeded/spin.py', 'python', 'TLE', 'TLE']);
    expect(row(r.stdout, 'run_time_error/crash.py').slice(0, 4)).toEqual(['run_time_error/crash.py', 'python', 'RTE', 'RTE']);
    expect(row(r.stdout, 'wrong_answer/triple.py').at(-1)).toBe('ok');
    // partially_accepted with a submissions.yaml score.
    const pac = row(r.stdout, 'partially_accepted/small.py');
    expect([pac[2], pac[3], pac[5], pac[6]]).toEqual(['PAC 40..40', 'WA', '40/100', 'ok']);
    expect(r.stdout).not.toMatch(/MISMATCH/);
  });

  it('exits 1 and names the program when one is in the wrong folder', () => {
    const pkg = copyFixture('validator-kattis');
    fs.copyFileSync(path.join(pkg, 'submissions/accepted/double.py'), path.join(pkg, 'submissions/wrong_answer/also-double.py'));
    const r = cli('problem', 'verify', pkg);
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'wrong_answer/also-double.py').slice(2)).toEqual(['WA', 'AC', '0.00s', '1/1', 'MISMATCH: expected WA'].map((c, i) => (i === 2 ? expect.stringMatching(/^\d+\.\d\ds$/) : c)));
    expect(row(r.stdout, 'accepted/double.py').at(-1)).toBe('ok');
    expect(r.stdout).toMatch(/some submissions do NOT earn their expected verdicts/);
  });

  it('exits 1 when a partially accepted program scores outside its submissions.yaml range', () => {
    const pkg = copyFixture('groups-2025');
    fs.writeFileSync(path.join(pkg, 'submissions/submissions.yaml'), 'partially_accepted/small.py:\n  score: [50, 90]\n');
    const r = cli('problem', 'verify', pkg);
    expect(r.status).toBe(1);
    expect(row(r.stdout, 'partially_accepted/small.py').at(-1)).toBe('MISMATCH: score 40 outside 50..90');
  });

  it('says so when there is nothing to verify and no time limit to derive', () => {
    const r = cli('problem', 'verify', path.join(REPO, 'test/fixtures/problems/dmoj-batches'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/time limit: 2 s \(the judge's default: the package sets none and no accepted program derived one\)/);
    expect(r.stdout).toMatch(/no programs under submissions\/: nothing to verify/);
  });

  it('passes over a plain file that is not an archive (verify problems/* names the README) and runs generators first', () => {
    const readme = path.join(work, 'README.md');
    fs.writeFileSync(readme, '# not a package\n');
    const r = cli('problem', 'verify', readme, path.join(REPO, 'test/fixtures/problems/dmoj-generator'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${readme}: not a package (a folder, .zip or .kpp), skipped`);
    expect(r.stdout).toMatch(/dmoj-generator/);
    // The generator runs before judging: a broken one stops verify, naming the case.
    const broken = path.join(work, 'dmoj-generator-broken');
    fs.cpSync(path.join(REPO, 'test/fixtures/problems/dmoj-generator'), broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'gen.py'), 'import sys\nsys.exit(3)\n');
    const b = cli('problem', 'verify', broken);
    expect(b.status).toBe(65);
    expect(b.stderr).toMatch(/the generator failed on test case .*exited with code 3/);
  });

  it('exits 65 for a path that is not a package, 64 without a path', () => {
    expect(cli('problem', 'verify', path.join(work, 'nope')).status).toBe(65);
    expect(cli('problem', 'verify').status).toBe(64);
  });
});

describe('deriveTimeLimit (Kattis: slowest AC x multiplier, rounded up to the resolution)', () => {
  it('rounds up, never below one resolution step', () => {
    expect(deriveTimeLimit(30, 2, 1)).toBe(1);
    expect(deriveTimeLimit(600, 2, 1)).toBe(2);
    expect(deriveTimeLimit(500, 2, 1)).toBe(1);
    expect(deriveTimeLimit(1300, 3, 0.5)).toBe(4);
    expect(deriveTimeLimit(0, 5, 1)).toBe(1);
  });
});
