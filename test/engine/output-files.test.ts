/**
 * Output files (issue 13, item 5) through the real sandbox, including hostile boxes: a symlink
 * to /etc/passwd, a FIFO, a symlinked directory, a file over the size bound, too many files.
 */
import { describe, expect, it } from 'vitest';
import { globToRegExp, mediaType } from '../../src/engine/runner/output-files.js';
import { OUTPUT_FILE_BYTES, OUTPUT_FILES_MAX } from '../../src/engine/types.js';
import { CallerError } from '../../src/errors.js';
import { out, runCode, useEngine } from '../helpers/engine.js';

describe('output file globs', () => {
  it('match within a segment, across directories with **, and nothing else', () => {
    const png = globToRegExp('*.png');
    expect(png.test('plot.png')).toBe(true);
    expect(png.test('out/plot.png')).toBe(false);
    expect(png.test('plot.pngx')).toBe(false);
    const deep = globToRegExp('**/*.csv');
    expect(['a.csv', 'out/a.csv', 'x/y/z.csv'].every((p) => deep.test(p))).toBe(true);
    expect(globToRegExp('out/data?.txt').test('out/data1.txt')).toBe(true);
    expect(globToRegExp('a+b(1).txt').test('a+b(1).txt')).toBe(true);
    expect(mediaType('x/plot.PNG')).toBe('image/png');
    expect(mediaType('main')).toBe('application/octet-stream');
  });
});

describe('output files in the sandbox', () => {
  const ctx = useEngine();

  it('returns the files a program wrote, with size and type; sources only when asked', async () => {
    const py =
      'import os\nos.makedirs("out", exist_ok=True)\nopen("out/a.csv", "w").write("x,y\\n1,2\\n")\n' +
      'open("pic.png", "wb").write(bytes(range(256)))\nopen("notes.txt", "w").write("n")\nprint("done")\n';
    const r = await runCode(ctx.engine, 'python', py, { outputFiles: ['*.png', 'out/*.csv'] });
    expect(out(r)).toBe('done\n');
    expect(r.refusedOutputFiles).toEqual([]);
    expect(r.outputFiles?.map((f) => [f.name, f.size, f.type])).toEqual([
      ['out/a.csv', 8, 'text/csv'],
      ['pic.png', 256, 'image/png'],
    ]);
    expect([...r.outputFiles![1]!.content]).toEqual([...Array(256).keys()]);
    const none = await runCode(ctx.engine, 'python', py);
    expect(none.outputFiles).toBeUndefined();
  });

  it('refuses a symlink to /etc/passwd, a FIFO, a symlinked directory and a huge file by name, following none', async () => {
    const py =
      'import os\nos.symlink("/etc/passwd", "passwd.txt")\nos.mkfifo("pipe.txt")\nos.symlink("/etc", "etc")\n' +
      `with open("huge.txt", "wb") as f:\n    f.truncate(${OUTPUT_FILE_BYTES + 1})\n` +
      'open("ok.txt", "w").write("fine")\nprint("left")\n';
    const r = await runCode(ctx.engine, 'python', py, { outputFiles: ['*.txt', 'etc/*', '**/passwd'] });
    expect(out(r), r.run?.stderr.toString()).toBe('left\n');
    expect(r.outputFiles?.map((f) => [f.name, f.content.toString()])).toEqual([['ok.txt', 'fine']]);
    expect(r.refusedOutputFiles).toEqual([
      { name: 'huge.txt', reason: 'too_large' },
      { name: 'passwd.txt', reason: 'symlink' },
      { name: 'pipe.txt', reason: 'not_regular_file' },
    ]);
    // The symlinked directory was never entered: nothing of /etc came back, not even by name.
    expect(JSON.stringify(r)).not.toMatch(/root:x:0/);
  });

  it('returns at most the bounded count and refuses the rest by name', async () => {
    const n = OUTPUT_FILES_MAX + 3;
    const py = `for i in range(${n}):\n    open(f"f{i:03d}.out", "w").write(str(i))\n`;
    const r = await runCode(ctx.engine, 'python', py, { outputFiles: ['*.out'] });
    expect(r.outputFiles).toHaveLength(OUTPUT_FILES_MAX);
    expect(r.refusedOutputFiles?.map((f) => f.reason)).toEqual(['too_many', 'too_many', 'too_many']);
  });

  it('refuses a pattern that leaves the box, before anything runs', async () => {
    for (const bad of ['../x', '/etc/passwd', 'a/../../b', '']) {
      await expect(runCode(ctx.engine, 'python', 'print(1)\n', { outputFiles: [bad] })).rejects.toBeInstanceOf(CallerError);
    }
  });
});
