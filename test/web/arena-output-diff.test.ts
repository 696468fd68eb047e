/** The diff view's lines (web/src/lib/arena/output-diff.ts): expected against got, line by line. */
import { describe, expect, it } from 'vitest';
import { diffOutputs, splitLines, visibleWhitespace } from '../../web/src/lib/arena/output-diff';

describe('output diff', () => {
  it('splits lines, a final newline ending the last line rather than adding an empty one', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\nb')).toEqual(['a', 'b']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
  });

  it('marks the first differing line and column', () => {
    const d = diffOutputs('3\n1 2 3\n', '3\n1 2 4\n');
    expect(d.firstDifference).toBe(2);
    expect(d.rows.map((r) => r.same)).toEqual([true, false]);
    expect(d.rows[1]).toMatchObject({ expected: '1 2 3', got: '1 2 4', column: 4, whitespaceOnly: false });
  });

  it('a missing or an extra line is a row with null on one side', () => {
    const short = diffOutputs('a\nb\nc\n', 'a\n');
    expect(short.rows.map((r) => [r.expected, r.got])).toEqual([
      ['a', 'a'],
      ['b', null],
      ['c', null],
    ]);
    expect(short.firstDifference).toBe(2);
    const long = diffOutputs('a\n', 'a\nextra\n');
    expect(long.rows[1]).toMatchObject({ expected: null, got: 'extra', same: false, column: null });
  });

  it('whitespace-only differences are flagged, and trailing spaces can be seen', () => {
    const d = diffOutputs('1 2\n', '1  2 \n');
    expect(d.rows[0]).toMatchObject({ same: false, whitespaceOnly: true });
    expect(visibleWhitespace('1  2 ')).toBe('1  2·');
    expect(visibleWhitespace('a\tb\r')).toBe('a→b␍');
  });

  it('the same outputs have no difference; a missing final newline is reported apart', () => {
    expect(diffOutputs('x\ny\n', 'x\ny\n').firstDifference).toBeNull();
    const d = diffOutputs('x\n', 'x');
    expect(d.firstDifference).toBeNull();
    expect(d.trailingNewlineDiffers).toBe(true);
  });

  it('long outputs are cut to a window around the first difference', () => {
    const exp = Array.from({ length: 1000 }, (_, i) => String(i)).join('\n');
    const got = exp.replace('\n700\n', '\n7000\n');
    const d = diffOutputs(exp, got, 50);
    expect(d.rows).toHaveLength(50);
    expect(d.omitted).toBe(950);
    expect(d.firstDifference).toBe(701);
    expect(d.rows.some((r) => r.line === 701 && !r.same)).toBe(true);
  });
});
