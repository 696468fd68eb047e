/**
 * Output written in tiny pieces reaches the live-output callbacks in batches (red-team L3): the
 * number of callback calls is bounded, and the bytes are exactly the bytes written, in order,
 * per stream. Counted, never timed.
 */
import { describe, expect, it } from 'vitest';
import { OutputCoalescer } from '../../src/engine/sandbox/output-coalescer.js';
import { runCode, useEngine } from '../helpers/engine.js';

describe('output coalescing', () => {
  const ctx = useEngine();

  it('100k one-byte writes on each stream reach the callbacks in fewer than 1000 chunks, exactly and in order', async () => {
    // A sleep every other write keeps the pipe nearly empty whenever the engine reads it, so
    // without coalescing nearly every byte would be its own chunk.
    const src = `#include <time.h>
#include <unistd.h>
int main(void) {
  struct timespec ts = {0, 1000};
  for (int i = 0; i < 100000; i++) {
    char o = 'a' + i % 26, e = 'A' + i % 26;
    if (write(1, &o, 1) != 1 || write(2, &e, 1) != 1) return 1;
    if (i & 1) nanosleep(&ts, 0);
  }
  return 0;
}
`;
    const outChunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    const r = await runCode(ctx.engine, 'c', src, {
      limits: { cpuMs: 15_000, wallMs: 30_000 },
      onStdout: (c) => outChunks.push(Buffer.from(c)),
      onStderr: (c) => errChunks.push(Buffer.from(c)),
    });
    expect(r.run?.status, r.run?.message).toBe('ok');
    const expected = (base: number) => Buffer.from(Array.from({ length: 100_000 }, (_, i) => base + (i % 26)));
    expect(Buffer.concat(outChunks).equals(expected(0x61))).toBe(true);
    expect(Buffer.concat(errChunks).equals(expected(0x41))).toBe(true);
    expect(r.run!.stdout.equals(expected(0x61))).toBe(true);
    expect(outChunks.length).toBeGreaterThan(0);
    expect(outChunks.length).toBeLessThan(1000);
    expect(errChunks.length).toBeLessThan(1000);
  });

  it('the coalescer flushes at its byte threshold, on its timer and on flush(), keeping order within and across streams', async () => {
    const got: string[] = [];
    const c = new OutputCoalescer([(b) => got.push(`o:${b}`), (b) => got.push(`e:${b}`)], 4, 10);
    c.push(0, Buffer.from('a'));
    c.push(1, Buffer.from('X'));
    c.push(0, Buffer.from('b'));
    expect(got).toEqual([]);
    c.push(0, Buffer.from('cd')); // 4 bytes pending on stdout: both streams flush, oldest first
    expect(got).toEqual(['o:abcd', 'e:X']);
    c.push(1, Buffer.from('Y'));
    c.push(0, Buffer.from('e'));
    await new Promise((resolve) => setTimeout(resolve, 30)); // the timer: stderr's byte came first
    expect(got).toEqual(['o:abcd', 'e:X', 'e:Y', 'o:e']);
    c.push(0, Buffer.from('f'));
    c.push(0, Buffer.alloc(0));
    c.flush();
    c.flush();
    expect(got).toEqual(['o:abcd', 'e:X', 'e:Y', 'o:e', 'o:f']);
  });

  it('a stream without a callback is not buffered', () => {
    const got: string[] = [];
    const c = new OutputCoalescer([undefined, (b) => got.push(b.toString())], 4, 10);
    c.push(0, Buffer.from('abcdefgh'));
    c.push(1, Buffer.from('z'));
    c.flush();
    expect(got).toEqual(['z']);
  });
});
