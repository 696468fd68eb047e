import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeSubmission } from '../../src/arena/judge/index.js';
import { loadProblemPackage } from '../../src/arena/packages/index.js';
import { useEngine } from '../helpers/engine.js';

/**
 * Kattis feedback files of a custom output validator (not interactive), read back from its
 * feedback dir by the engine: judgemessage.txt over what it printed, score.txt (absolute, the
 * test's worth) and score_multiplier.txt in scoring problems, ignored in pass-fail ones.
 * The submission prints an instruction; the validator obeys it.
 */
const ctx = useEngine();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-feedback-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const VALIDATOR = `import sys
fb = sys.argv[3]
words = sys.stdin.read().split()
kind, value = (words + ['', ''])[:2]
if kind == 'multiplier':
    open(fb + 'score_multiplier.txt', 'w').write(value)
if kind == 'score':
    open(fb + 'score.txt', 'w').write(value)
if kind == 'message':
    open(fb + 'judgemessage.txt', 'w').write('from the file')
print('printed on stdout')
sys.exit(43 if kind == 'reject' else 42)
`;

function makePackage(name: string, type: string): string {
  const dir = path.join(tmp, name);
  const w = (rel: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  };
  w('problem.yaml', `problem_format_version: 2023-07-draft\nname: Obey\ntype: ${type}\nlimits:\n  time_limit: 2\n`);
  w('output_validator/validate.py', VALIDATOR);
  w('data/sample/1.in', '\n');
  w('data/sample/1.ans', '\n');
  // Two secret tests in a sum group worth 100: each test is worth 50.
  for (const t of ['1', '2']) {
    w(`data/secret/${t}.in`, '\n');
    w(`data/secret/${t}.ans`, '\n');
  }
  return dir;
}

const scoring = makePackage('scoring', 'scoring');
const passFail = makePackage('pass-fail', 'pass-fail');

async function judge(dir: string, said: string) {
  const { problem, files } = loadProblemPackage(dir);
  return judgeSubmission({ engine: ctx.engine, problem, files, submission: { language: 'python', code: `print(${JSON.stringify(said)})\n` } });
}

describe('Kattis feedback files of a custom validator', () => {
  const table: [string, string, string, number | null, RegExp][] = [
    // package, output, verdict of secret/1, problem score, message
    ['scoring', 'multiplier 0.5', 'AC', 50, /^printed on stdout$/],
    ['scoring', 'score 20', 'AC', 40, /^printed on stdout$/],
    ['scoring', 'score 50', 'AC', 100, /^printed on stdout$/],
    ['scoring', 'message', 'AC', 100, /^from the file$/],
    ['scoring', 'reject', 'WA', 0, /^printed on stdout$/],
    ['scoring', 'score 51', 'JE', null, /outside 0..50/],
    ['scoring', 'multiplier -1', 'JE', null, /score_multiplier.txt must hold a number in 0..1/],
    ['scoring', 'score nan', 'JE', null, /score.txt must hold a number/],
    ['pass-fail', 'multiplier 0.5', 'AC', 1, /^printed on stdout$/],
    ['pass-fail', 'score 1000', 'AC', 1, /^printed on stdout$/],
  ];
  it.each(table)('%s: %s → %s', async (pkg, said, verdict, score, message) => {
    const r = await judge(pkg === 'scoring' ? scoring : passFail, said);
    const secret = r.tests.find((t) => t.name === 'secret/1')!;
    expect(secret.verdict).toBe(verdict);
    expect(secret.message).toMatch(message);
    if (score !== null) expect(r.score).toBeCloseTo(score, 6);
  });
});
