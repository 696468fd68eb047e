import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InteractiveSide } from '../../src/engine/types.js';
import { useEngine } from '../helpers/engine.js';

/**
 * The engine's interactive operation with real programs in two real sandboxes: the relay, the
 * exit order (a reader sees EOF only after its writer's end is recorded), the pair's wall limit
 * (only the submission is killed), feedback files read back, and the separation of the two boxes.
 */
const ctx = useEngine();

const py = (code: string, extra: Partial<InteractiveSide> = {}): InteractiveSide => ({ language: 'python', files: [{ path: 'main.py', content: code }], ...extra });

// Asks for a number, expects its double; writes the judge message to the feedback dir.
const DOUBLER = `
import sys
n = int(open(sys.argv[1]).read())
print(n, flush=True)
line = sys.stdin.readline()
ok = line.strip() == str(2 * n)
open(sys.argv[3] + 'judgemessage.txt', 'w').write('got ' + repr(line.strip()))
if ok:
    open(sys.argv[3] + 'score_multiplier.txt', 'w').write('0.5')
sys.exit(42 if ok else 43)
`;

const interactor = (code: string) =>
  py(code, {
    args: ['data/input', 'data/answer', 'feedback/'],
    dataFiles: [
      { path: 'data/input', content: '21\n' },
      { path: 'data/answer', content: '42\n' },
    ],
    collectFiles: ['feedback/judgemessage.txt', 'feedback/score_multiplier.txt', 'feedback/score.txt'],
    limits: { cpuMs: 5000 },
  });

describe('Engine.runInteractive', () => {
  it('relays both ways and reads the feedback files back', async () => {
    const r = await ctx.engine.runInteractive({
      submission: py('n = int(input())\nprint(2 * n, flush=True)\n'),
      interactor: interactor(DOUBLER),
      wallMs: 4000,
    });
    expect(r.submission.run?.status).toBe('ok');
    expect(r.interactor.run?.exitCode).toBe(42);
    expect(r.submission.run?.stdout.toString()).toBe('42\n');
    expect(r.interactor.run?.stdout.toString()).toBe('21\n');
    const files = Object.fromEntries((r.interactor.files ?? []).map((f) => [f.path, f.content.toString()]));
    expect(files).toEqual({ 'feedback/judgemessage.txt': "got '42'", 'feedback/score_multiplier.txt': '0.5' });
    expect(typeof r.validatorExitedFirst).toBe('boolean');
  });

  it('an interactor that rejects is recorded first, even when the submission then dies of the EOF', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await ctx.engine.runInteractive({
        // Answers wrong, then waits for more: it reads EOF only after the interactor is recorded, then crashes.
        submission: py('import sys\nn = int(input())\nprint(n, flush=True)\nif sys.stdin.readline() == "":\n    raise SystemExit(3)\n'),
        interactor: interactor(DOUBLER),
        wallMs: 4000,
      });
      expect(r.interactor.run?.exitCode).toBe(43);
      expect(r.submission.run?.exitCode).toBe(3);
      expect(r.validatorExitedFirst).toBe(true);
    }
  });

  it('kills only the submission at the pair wall limit; the interactor then reads EOF', async () => {
    const r = await ctx.engine.runInteractive({
      submission: py('import time\ntime.sleep(60)\n'),
      interactor: interactor('import sys\nprint(1, flush=True)\nline = sys.stdin.readline()\nsys.exit(43 if line == "" else 42)\n'),
      wallMs: 1000,
    });
    expect(r.submission.run?.status).toBe('time_limit');
    expect(r.interactor.run?.status).toBe('runtime_error');
    expect(r.interactor.run?.exitCode).toBe(43);
    expect(r.validatorExitedFirst).toBe(false);
  });

  it('a submission that exits early: the interactor reads EOF after it is recorded', async () => {
    const r = await ctx.engine.runInteractive({
      submission: py('pass\n'),
      interactor: interactor(DOUBLER),
      wallMs: 4000,
    });
    expect(r.submission.run?.status).toBe('ok');
    expect(r.interactor.run?.exitCode).toBe(43);
    expect(r.validatorExitedFirst).toBe(false);
  });

  it('an interactor that writes after the submission ended is drained, not killed by SIGPIPE', async () => {
    const r = await ctx.engine.runInteractive({
      submission: py('pass\n'),
      interactor: interactor('import sys, time\ntime.sleep(0.3)\nfor i in range(20000):\n    sys.stdout.write("x" * 100 + "\\n")\nsys.stdout.flush()\nsys.exit(43)\n'),
      wallMs: 4000,
    });
    expect(r.interactor.run?.signal).toBeNull();
    expect(r.interactor.run?.exitCode).toBe(43);
  });

  it('a flooding submission is held back by a reader that does not read, then drained once it has ended', async () => {
    const r = await ctx.engine.runInteractive({
      // 64 MiB in all: far more than pipes and the relay hold; it blocks until the interactor ends.
      submission: py('import sys\nchunk = b"y" * 65536\nfor i in range(1024):\n    sys.stdout.buffer.write(chunk)\nsys.stdout.flush()\n'),
      interactor: interactor('import time, sys\ntime.sleep(0.5)\nsys.exit(43)\n'),
      wallMs: 20_000,
    });
    expect(r.interactor.run?.exitCode).toBe(43);
    expect(r.validatorExitedFirst).toBe(true);
    expect(r.submission.run?.status).toBe('ok');
    // Only the transcript's first 64 KiB are kept.
    expect(r.submission.run?.stdout.length).toBe(65536);
  });

  it("the submission cannot see the interactor's files", async () => {
    const r = await ctx.engine.runInteractive({
      submission: py(
        'import os, glob\nfound = [p for p in ["data/answer", "/box/data/answer"] if os.path.exists(p)]\nfound += [p for d in ["/box", "/tmp", "/home", "/root", "/var", "/run"] for p in glob.glob(d + "/**", recursive=True) if "answer" in p]\nprint(repr(found), flush=True)\n',
      ),
      interactor: interactor('import sys\nline = sys.stdin.readline()\nopen(sys.argv[3] + "judgemessage.txt", "w").write(line)\nsys.exit(42 if line.strip() == "[]" else 43)\n'),
      wallMs: 8000,
    });
    expect(r.submission.run?.stdout.toString()).toBe('[]\n');
    expect(r.interactor.run?.exitCode).toBe(42);
  });

  it('never follows a link the program planted on the way to a collected file', async () => {
    // The feedback dir is the program's: it swaps it for a link to the host's /etc.
    const r = await ctx.engine.run({
      language: 'python',
      files: [{ path: 'main.py', content: 'import os\nos.rename("feedback", "old")\nos.symlink("/etc", "feedback")\nos.symlink("/etc/passwd", "old/judgemessage.txt")\n' }],
      collectFiles: ['feedback/passwd', 'feedback/hostname', 'old/judgemessage.txt'],
    });
    expect(r.run?.status).toBe('ok');
    expect(r.files).toEqual([]);
  });

  it('leaves no descriptor of the engine process open after pairs that end every way', async () => {
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    for (const sub of ['pass\n', 'import sys\nprint(0, flush=True)\nsys.stdin.read()\n', 'import time\ntime.sleep(60)\n']) {
      await ctx.engine.runInteractive({ submission: py(sub), interactor: interactor(DOUBLER), wallMs: 1000 });
    }
    expect(fds()).toBeLessThanOrEqual(before);
  });

  it('does not run anything when a side does not compile', async () => {
    const r = await ctx.engine.runInteractive({
      submission: { language: 'c', files: [{ path: 'main.c', content: 'int main( { return 0; }' }] },
      interactor: interactor(DOUBLER),
      wallMs: 4000,
    });
    expect(r.submission.compile?.status).toBe('compile_error');
    expect(r.submission.run).toBeNull();
    expect(r.interactor.run).toBeNull();
    expect(r.validatorExitedFirst).toBeNull();
  });

  it('takes two slots at once and can be cancelled', async () => {
    const controller = new AbortController();
    const p = ctx.engine.runInteractive({
      submission: py('import time\ntime.sleep(60)\n'),
      interactor: interactor('import sys\nsys.stdin.read()\nsys.exit(43)\n'),
      wallMs: 30_000,
      signal: controller.signal,
    });
    // Both of the test engine's two slots are taken by the pair.
    await expect.poll(() => ctx.engine.stats.idle, { timeout: 10_000 }).toBe(0);
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(ctx.engine.stats.idle).toBe(2);
  });
});
