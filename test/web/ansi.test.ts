/**
 * The ANSI parser (web/src/lib/ansi.ts): SGR styles carried across chunks, every other escape
 * sequence removed, sequences cut at a chunk boundary completed by the next chunk.
 */
import { describe, expect, it } from 'vitest';
import { applySgr, color256, hasEscapes, parseAnsi, PLAIN, stripAnsi } from '../../web/src/lib/ansi';

const ESC = '\x1b';

describe('parseAnsi', () => {
  it('plain text is one plain segment', () => {
    const r = parseAnsi('hello\nworld\n');
    expect(r.segments).toEqual([{ text: 'hello\nworld\n', style: PLAIN }]);
    expect(r.pending).toBe('');
    expect(hasEscapes('hello\tworld\r\n')).toBe(false);
  });

  it('colours, bold and reset', () => {
    const r = parseAnsi(`${ESC}[31mred${ESC}[0m plain ${ESC}[1;32mbold green${ESC}[22m green${ESC}[m.`);
    expect(r.segments.map((s) => [s.text, s.style])).toEqual([
      ['red', { fg: 1 }],
      [' plain ', {}],
      ['bold green', { bold: true, fg: 2 }],
      [' green', { fg: 2 }],
      ['.', {}],
    ]);
    expect(r.style).toEqual({});
  });

  it('bright, background, 256 colours and 24-bit', () => {
    expect(applySgr({}, '91;104')).toEqual({ fg: 9, bg: 12 });
    expect(applySgr({}, '38;5;208')).toEqual({ fg: 'rgb(255,135,0)' });
    expect(applySgr({}, '48;5;244')).toEqual({ bg: 'rgb(128,128,128)' });
    expect(applySgr({}, '38;2;10;20;300')).toEqual({ fg: 'rgb(10,20,255)' });
    expect(applySgr({ fg: 1, bg: 2 }, '39;49')).toEqual({});
    expect(applySgr({}, '38;5')).toEqual({}); // malformed: ignored
    expect(color256(3)).toBe(3);
    expect(color256(16)).toBe('rgb(0,0,0)');
    expect(color256(231)).toBe('rgb(255,255,255)');
  });

  it('removes every other escape sequence and stray control characters, keeps tabs and newlines', () => {
    const text = `${ESC}[2K${ESC}[1A${ESC}[?25lclear${ESC}]0;a title${ESC}\\ and ${ESC}]8;;http://x${ESC}\\link${ESC}]8;;${ESC}\\ ${ESC}(B${ESC}=ok\x07\x00\t\n`;
    expect(stripAnsi(text)).toBe('clear and link ok\t\n');
    expect(stripAnsi(`bell${ESC}]0;t\x07after`)).toBe('bellafter');
  });

  it('markup in the output stays text (the panel renders text nodes)', () => {
    expect(parseAnsi(`${ESC}[1m<img src=x onerror=alert(1)>`).segments).toEqual([{ text: '<img src=x onerror=alert(1)>', style: { bold: true } }]);
  });

  it('the style carries over to the next chunk, and a sequence cut in two is completed', () => {
    const a = parseAnsi(`${ESC}[33myel`);
    const b = parseAnsi(`low${ESC}[`, a.style, a.pending);
    expect(b.segments).toEqual([{ text: 'low', style: { fg: 3 } }]);
    expect(b.pending).toBe(`${ESC}[`);
    const c = parseAnsi(`0mdone`, b.style, b.pending);
    expect(c.segments).toEqual([{ text: 'done', style: {} }]);
    const d = parseAnsi(`x${ESC}`);
    expect(d.segments).toEqual([{ text: 'x', style: {} }]);
    expect(d.pending).toBe(ESC);
  });

  it('a long output with many sequences parses in one pass', () => {
    const line = `${ESC}[32mok${ESC}[0m ${'x'.repeat(50)}\n`;
    const r = parseAnsi(line.repeat(20_000));
    expect(r.segments).toHaveLength(40_000);
    expect(r.segments.map((s) => s.text).join('')).toBe(`ok ${'x'.repeat(50)}\n`.repeat(20_000));
  });
});
