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

  it('the coalescer flushes at its byte threshold, on its timer and on flush(), keeping order', async () => {
    const got: string[] = [];
    const c = new OutputCoalescer((b) => got.push(b.toString()), 4, 10);
    c.push(Buffer.from('a'));
    c.push(Buffer.from('b'));
    expect(got).toEqual([]);
    c.push(Buffer.from('cd')); // 4 bytes pending: flushed at once
    expect(got).toEqual(['abcd']);
    c.push(Buffer.from('e'));
    await new Promise((resolve) => setTimeout(resolve, 30)); // the timer
    expect(got).toEqual(['abcd', 'e']);
    c.push(Buffer.from('f'));
    c.push(Buffer.alloc(0));
    c.flush();
    c.flush();
    expect(got).toEqual(['abcd', 'e', 'f']);
  });
});
