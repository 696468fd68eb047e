import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeSubmission, type JudgeSubmission } from '../../src/arena/judge/index.js';
import { loadProblemPackage } from '../../src/arena/packages/index.js';
import { useEngine } from '../helpers/engine.js';

/**
 * Interactive judging end to end on the real engine: the Kattis exit-order rules with real
 * programs (test/fixtures/judge/interactive-guess, a C interactor), determinism over repeats,
 * an interactor that crashes (JE), a submission trying to read the interactor's data, and the
 * Kattis feedback files (judgemessage.txt, score.txt, score_multiplier.txt).
 */
const ctx = useEngine();
const FIX = path.join(import.meta.dirname, '../fixtures/judge/interactive-guess');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-interactive-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function submission(rel: string): JudgeSubmission {
  const language = rel.endsWith('.c') ? 'c' : 'python';
  return { language, files: [{ path: language === 'c' ? 'main.c' : 'main.py', content: fs.readFileSync(path.join(FIX, 'submissions', rel)) }] };
}

async function judge(sub: JudgeSubmission, dir = FIX) {
  const { problem, files } = loadProblemPackage(dir);
  return judgeSubmission({ engine: ctx.engine, problem, files, submission: sub });
}

/** A copy of the fixture with some files replaced. */
function variant(name: string, replace: Record<string, string>): string {
  const dir = path.join(tmp, name);
  fs.cpSync(FIX, dir, { recursive: true });
  for (const [rel, content] of Object.entries(replace)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const line = (r: Awaited<ReturnType<typeof judge>>) => `${r.verdict} ${r.firstFailure ?? '-'} ${r.tests.map((t) => t.verdict).join(',')}`;

describe('interactive judging (Kattis exit-order rules)', () => {
  it('accepts a correct binary search in C and in Python', async () => {
    for (const rel of ['accepted/search.c', 'accepted/search.py']) {
      const r = await judge(submission(rel));
      expect(r.verdict, rel).toBe('AC');
      expect(r.tests.every((t) => t.verdict === 'AC')).toBe(true);
      expect(r.tests.find((t) => t.name === 'secret/02-low')?.message).toBe('found in 19 queries');
    }
  });

  it('a crash after a correct answer is RTE', async () => {
    const r = await judge(submission('run_time_error/crash-after-answer.c'));
    expect(r.verdict).toBe('RTE');
    expect(r.tests[0]).toMatchObject({ name: 'sample/1', verdict: 'RTE', detail: 'signal SIGSEGV' });
  });

  it('an unflushed program that waits for a reply is TLE (no pty: the pair deadlocks until the wall limit)', async () => {
    const r = await judge(submission('time_limit_exceeded/unflushed.c'));
    expect(r.verdict).toBe('TLE');
    expect(r.tests[0]).toMatchObject({ verdict: 'TLE', detail: 'wall' });
  });

  it('an interactor that rejects first makes it WA even though the submission then hangs', async () => {
    const r = await judge(submission('wrong_answer/rejected-then-hangs.py'));
    expect(r.verdict).toBe('WA');
    expect(r.tests[0]).toMatchObject({ verdict: 'WA', message: 'query 1 out of range' });
  });

  it('a submission that exits early is WA (the interactor reads EOF)', async () => {
    const r = await judge(submission('wrong_answer/exits-early.py'));
    expect(r.verdict).toBe('WA');
    expect(r.tests[0]!.message).toBe('end of output after 0 queries');
  });

  it('too many queries is WA (the sample needs 7 of its 5)', async () => {
    const r = await judge(submission('wrong_answer/linear.py'));
    expect(r.verdict).toBe('WA');
    expect(r.firstFailure).toBe('sample/1');
  });

  it('a submission that spins is TLE, although the interactor then reads EOF and rejects', async () => {
    const r = await judge({ language: 'python', code: 'input()\nwhile True:\n    pass\n' });
    // cpu or wall: which limit comes first depends on the machine's load.
    expect(r.tests[0]).toMatchObject({ verdict: 'TLE' });
  });

  it('gives the same verdict every time (5 repeats of each rule)', async () => {
    const subs = ['run_time_error/crash-after-answer.c', 'wrong_answer/rejected-then-hangs.py', 'wrong_answer/exits-early.py', 'accepted/search.c', 'time_limit_exceeded/unflushed.c'];
    for (const rel of subs) {
      const first = line(await judge(submission(rel)));
      for (let i = 0; i < 4; i++) expect(line(await judge(submission(rel))), rel).toBe(first);
    }
  }, 120_000);

  it('an interactor that crashes, or exits with another code, is JE, never charged to the submission', async () => {
    const crash = variant('crash', { 'output_validator/interactor.c': 'int main(void) { int *p = 0; return *p; }\n' });
    let r = await judge(submission('accepted/search.c'), crash);
    expect(r.verdict).toBe('JE');
    expect(r.tests[0]!.message).toMatch(/^interactor: the checker was killed by SIGSEGV/);
    const exit1 = variant('exit1', { 'output_validator/interactor.c': '#include <stdio.h>\nint main(void) { puts("1"); return 1; }\n' });
    r = await judge(submission('accepted/search.c'), exit1);
    expect(r.verdict).toBe('JE');
    const broken = variant('broken', { 'output_validator/interactor.c': 'int main( {\n' });
    r = await judge(submission('accepted/search.c'), broken);
    expect(r.verdict).toBe('JE');
    expect(r.tests[0]!.message).toMatch(/^the interactor does not compile/);
  });

  it("the submission cannot read the interactor's input or answer file", async () => {
    // Were the secret readable, this would answer in one query and be accepted.
    const cheat = `
import os
n = int(input())
secret = None
for p in ["__judge/input", "/box/__judge/input", "../__judge/input", "__judge/answer"]:
    try:
        secret = open(p).read().split()[1]
        break
    except OSError:
        pass
if secret is not None:
    print("?", secret, flush=True)
    input()
`;
    const r = await judge({ language: 'python', code: cheat });
    expect(r.verdict).toBe('WA');
    expect(r.tests[0]!.message).toBe('end of output after 0 queries');
  });

  it('a compile error of the submission is CE', async () => {
    const r = await judge({ language: 'c', code: 'int main( {' });
    expect(r.verdict).toBe('CE');
  });
});

/** A scoring interactive problem whose interactor writes the score file the submission asks for. */
describe('Kattis feedback files of an interactor', () => {
  const interactor = `
import sys
fb = sys.argv[3]
req = sys.stdin.readline().split()
kind = req[0] if req else ''
value = req[1] if len(req) > 1 else ''
if kind == 'multiplier':
    open(fb + 'score_multiplier.txt', 'w').write(value)
elif kind == 'score':
    open(fb + 'score.txt', 'w').write(value)
elif kind == 'both':
    open(fb + 'score.txt', 'w').write(value)
    open(fb + 'score_multiplier.txt', 'w').write(value)
elif kind == 'link':
    import os
    os.symlink('/etc/shadow', fb + 'judgemessage.txt')
open(fb + 'judgemessage.txt', 'a').write('asked for ' + kind) if kind != 'link' else None
sys.exit(43 if kind == 'reject' else 42)
`;
  const dir = variant('scoring', {
    'problem.yaml': 'problem_format_version: 2023-07-draft\nname: Scored\ntype: scoring interactive\nlimits:\n  time_limit: 1\n',
    'output_validator/interactor.c': '',
    'output_validator/interactor.py': interactor,
  });
  fs.rmSync(path.join(dir, 'output_validator/interactor.c'));
  // One secret test, worth 100 (the 2023-07 default max_score of secret).
  for (const f of fs.readdirSync(path.join(dir, 'data/secret'))) if (!f.startsWith('01-')) fs.rmSync(path.join(dir, 'data/secret', f));

  const cases: [string, string, number | null, RegExp | string][] = [
    ['multiplier 0.25', 'AC', 25, 'asked for multiplier'],
    ['score 40', 'AC', 40, 'asked for score'],
    ['score 100', 'AC', 100, 'asked for score'],
    ['none', 'AC', 100, 'asked for none'],
    ['reject', 'WA', 0, 'asked for reject'],
    ['multiplier 1.5', 'JE', null, /score_multiplier.txt must hold a number in 0..1/],
    ['score 101', 'JE', null, /outside 0..100/],
    ['score abc', 'JE', null, /score.txt must hold a number/],
    ['both 1', 'JE', null, /both score.txt and score_multiplier.txt/],
    ['link', 'AC', 100, ''],
  ];
  it.each(cases)('%s → %s', async (ask, verdict, score, message) => {
    const r = await judge({ language: 'python', code: `print(${JSON.stringify(ask)}, flush=True)\n` }, dir);
    const secret = r.tests.find((t) => t.group !== 'sample')!;
    expect(secret.verdict).toBe(verdict);
    if (score !== null) expect(r.score).toBeCloseTo(score, 6);
    if (typeof message === 'string' && message) expect(secret.message).toBe(message);
    if (message instanceof RegExp) expect(secret.message).toMatch(message);
    // A link planted as judgemessage.txt is never followed: the message is not /etc/shadow's content.
    if (ask === 'link') expect(secret.message ?? '').not.toMatch(/root:/);
  });
});
