import { describe, expect, it } from 'vitest';
import { MuscodeError, SystemError } from '../../src/errors.js';
import { kattisDefault, parseKattisFlags, parseKattisFloat, type KattisOptions } from '../../src/arena/checkers/kattis-default.js';
import { standard } from '../../src/arena/checkers/standard.js';
import { identical } from '../../src/arena/checkers/identical.js';
import { rstripped, type RstrippedOptions } from '../../src/arena/checkers/rstripped.js';
import { floats, type FloatsOptions } from '../../src/arena/checkers/floats.js';
import { sorted, type SortedOptions } from '../../src/arena/checkers/sorted.js';
import { linecount } from '../../src/arena/checkers/linecount.js';
import { CHECKER_NAMES, loadChecker } from '../../src/arena/checkers/registry.js';
import { publicMessage, type CheckResult } from '../../src/arena/checkers/types.js';

/** A row: output, answer, expected verdict, and optionally what the WA must say. */
interface Row<O> {
  out: string | Buffer;
  ans: string | Buffer;
  opts?: O;
  v: 'AC' | 'WA';
  pe?: boolean;
  at?: { line: number; token: number };
  says?: RegExp;
}

function runTable<O>(name: string, fn: (o: string | Buffer, a: string | Buffer, opts?: O) => CheckResult, rows: Row<O>[]) {
  describe(name, () => {
    it.each(rows.map((r, i) => [i, r] as const))('row %i', (_i, r) => {
      const res = fn(r.out, r.ans, r.opts);
      expect(res.verdict, res.message).toBe(r.v);
      if (r.v === 'WA') {
        expect(res.message).toMatch(/^(\d+ of \d+ lines correct.*\. )?Wrong answer on line \d+, token \d+/);
        expect(res.detail === 'presentation', `presentation hint: ${res.message}`).toBe(r.pe ?? false);
        if (r.at) expect({ line: res.at?.line, token: res.at?.token }).toEqual(r.at);
        if (r.says) expect(res.message).toMatch(r.says);
      } else {
        expect(res.detail).toBeUndefined();
      }
    });
  });
}

const K = (o: KattisOptions = {}) => o;

runTable<KattisOptions>('Kattis default validator', kattisDefault, [
  // plain tokens, whitespace lenient
  { out: '1 2 3\n', ans: '1 2 3\n', v: 'AC' },
  { out: '1 2 3', ans: '1 2 3\n', v: 'AC' }, // missing final newline
  { out: '  1\t2\n\n3  \n\n', ans: '1 2 3', v: 'AC' },
  { out: '1\r\n2\r\n', ans: '1\n2\n', v: 'AC' }, // CRLF
  { out: '1\n2\n3', ans: '1 2 3', v: 'AC' }, // line structure does not matter
  { out: '', ans: '', v: 'AC' },
  { out: ' \n\t', ans: '', v: 'AC' },
  { out: '', ans: '1', v: 'WA', at: { line: 1, token: 1 }, says: /expected "1", got end of output/ },
  { out: '1 2', ans: '1 2 3', v: 'WA', says: /expected "3", got end of output/ },
  { out: '1 2 3 4', ans: '1 2 3', v: 'WA', at: { line: 1, token: 4 }, says: /trailing output: expected end of output, got "4"/ },
  { out: '1 2\n3\n7\n', ans: '1 2\n3\n', v: 'WA', at: { line: 3, token: 1 } },
  { out: '1 2\n3 5\n', ans: '1 2\n3 4\n', v: 'WA', at: { line: 2, token: 2 }, says: /expected "4", got "5"/ },
  { out: '12', ans: '1 2', v: 'WA', pe: true },
  { out: '1 2', ans: '12', v: 'WA', pe: true },
  // case: native problems are case-sensitive by default, Kattis imports are not
  { out: 'YES', ans: 'yes', v: 'WA', pe: true, says: /expected "yes", got "YES"/ },
  { out: 'YES', ans: 'yes', opts: K({ case_sensitive: false }), v: 'AC' },
  { out: 'Straße', ans: 'STRASSE', opts: K({ case_sensitive: false }), v: 'WA' },
  { out: 'É', ans: 'é', opts: K({ case_sensitive: false }), v: 'WA', pe: true }, // ASCII folding only (C locale)
  { out: 'é ü 日本', ans: 'é ü 日本', v: 'AC' },
  { out: 'é ü 日本', ans: 'é ü 日本語', v: 'WA', says: /expected "日本語", got "日本"/ },
  { out: 'a\u00a0b', ans: 'a b', v: 'WA' }, // a non-breaking space is not whitespace
  { out: Buffer.from([0xff, 0x20, 0x31]), ans: Buffer.from([0xfe, 0x20, 0x31]), v: 'WA', at: { line: 1, token: 1 } }, // invalid UTF-8 is compared as bytes
  { out: Buffer.from([0xff]), ans: Buffer.from([0xff]), v: 'AC' },
  // space_change_sensitive
  { out: '1 2\n', ans: '1 2\n', opts: K({ space_change_sensitive: true }), v: 'AC' },
  { out: '1  2\n', ans: '1 2\n', opts: K({ space_change_sensitive: true }), v: 'WA', pe: true, says: /whitespace differs/ },
  { out: '1 2', ans: '1 2\n', opts: K({ space_change_sensitive: true }), v: 'WA', pe: true },
  { out: '1 2\n\n', ans: '1 2\n', opts: K({ space_change_sensitive: true }), v: 'WA', pe: true },
  { out: '1 2\r\n', ans: '1 2\n', opts: K({ space_change_sensitive: true }), v: 'WA', pe: true },
  { out: ' 1 2\n', ans: '1 2\n', opts: K({ space_change_sensitive: true }), v: 'WA', pe: true, at: { line: 1, token: 1 } },
  { out: '', ans: '', opts: K({ space_change_sensitive: true }), v: 'AC' },
  { out: '\n', ans: '', opts: K({ space_change_sensitive: true }), v: 'WA', pe: true },
  { out: '1 3\n', ans: '1 2\n', opts: K({ space_change_sensitive: true }), v: 'WA', at: { line: 1, token: 2 } },
  // float tolerance: absolute, relative, either
  { out: '1.0', ans: '1', v: 'WA' }, // no tolerance: text compare
  { out: '1.0', ans: '1', opts: K({ float_absolute_tolerance: 0 }), v: 'AC' },
  { out: '0.1000001', ans: '0.1', opts: K({ float_absolute_tolerance: 1e-6 }), v: 'AC' },
  { out: '0.100001', ans: '0.1', opts: K({ float_absolute_tolerance: 1e-6 }), v: 'WA' }, // boundary: the doubles differ by 1.0000000000288e-6
  { out: '0.75', ans: '0.5', opts: K({ float_absolute_tolerance: 0.25 }), v: 'AC' }, // exact boundary (binary fractions)
  { out: '0.7500001', ans: '0.5', opts: K({ float_absolute_tolerance: 0.25 }), v: 'WA' },
  { out: '0.625', ans: '0.5', opts: K({ float_relative_tolerance: 0.25 }), v: 'AC' }, // exact relative boundary
  { out: '0.1000011', ans: '0.1', opts: K({ float_absolute_tolerance: 1e-6 }), v: 'WA', says: /over the tolerance/ },
  { out: '1000001', ans: '1000000', opts: K({ float_absolute_tolerance: 1e-6 }), v: 'WA' },
  { out: '1000001', ans: '1000000', opts: K({ float_relative_tolerance: 1e-6 }), v: 'AC' },
  { out: '1000002', ans: '1000000', opts: K({ float_relative_tolerance: 1e-6 }), v: 'WA' },
  { out: '0.0000001', ans: '0', opts: K({ float_relative_tolerance: 1e-6 }), v: 'WA' }, // relative to 0 is exact
  { out: '0.0000001', ans: '0', opts: K({ float_tolerance: 1e-6 }), v: 'AC' }, // either suffices
  { out: '1000001', ans: '1000000', opts: K({ float_tolerance: 1e-6 }), v: 'AC' },
  { out: '1000003', ans: '1000000', opts: K({ float_tolerance: 1e-6 }), v: 'WA' },
  { out: '-0', ans: '0', opts: K({ float_tolerance: 1e-9 }), v: 'AC' },
  { out: '-0', ans: '0', v: 'WA' },
  { out: '-0.0', ans: '0.0', opts: K({ float_absolute_tolerance: 0 }), v: 'AC' },
  { out: '1e3', ans: '1000', opts: K({ float_tolerance: 1e-9 }), v: 'AC' },
  { out: '0x10', ans: '16', opts: K({ float_tolerance: 1e-9 }), v: 'AC' }, // strtod reads hex floats
  { out: '0x1.8p1', ans: '3', opts: K({ float_tolerance: 1e-9 }), v: 'AC' },
  { out: '1e', ans: '1', opts: K({ float_tolerance: 1e-9 }), v: 'WA', says: /expected a number/ },
  { out: 'abc', ans: '1.5', opts: K({ float_tolerance: 1e-6 }), v: 'WA', says: /expected a number/ },
  { out: 'nan', ans: '1.5', opts: K({ float_tolerance: 1e6 }), v: 'WA', says: /expected a number/ },
  { out: 'NaN', ans: '0', opts: K({ float_tolerance: 1e300 }), v: 'WA' },
  { out: 'inf', ans: '1e308', opts: K({ float_tolerance: 1e300 }), v: 'WA' },
  { out: '-inf', ans: '-1e308', opts: K({ float_relative_tolerance: 1 }), v: 'WA' },
  { out: '1e400', ans: '1e308', opts: K({ float_relative_tolerance: 1 }), v: 'WA' }, // overflows to inf
  { out: 'inf', ans: 'inf', opts: K({ float_tolerance: 1e-6 }), v: 'AC' }, // not a float on the answer side: compared as text
  { out: 'Yes 1.5', ans: 'yes 1.50000001', opts: K({ case_sensitive: false, float_tolerance: 1e-6 }), v: 'AC' }, // mixed tokens
  { out: '123456789012345678901234567890', ans: '123456789012345678901234567890', v: 'AC' }, // huge: text
  { out: '123456789012345678901234567891', ans: '123456789012345678901234567890', v: 'WA' },
  { out: '123456789012345678901234567891', ans: '123456789012345678901234567890', opts: K({ float_relative_tolerance: 1e-9 }), v: 'AC' },
  { out: '1.7976931348623157e308', ans: '1.7976931348623157e308', opts: K({ float_tolerance: 0 }), v: 'AC' },
  { out: '1e-400', ans: '0', opts: K({ float_absolute_tolerance: 0 }), v: 'AC' }, // underflow to 0
]);

describe('Kattis default validator: details', () => {
  it('truncates long tokens to about 64 characters on each side', () => {
    const res = kattisDefault('b'.repeat(10_000), 'a'.repeat(10_000));
    expect(res.expected).toBe(JSON.stringify(`${'a'.repeat(63)}…`));
    expect(res.got).toBe(JSON.stringify(`${'b'.repeat(63)}…`));
    expect(res.message.length).toBeLessThan(250);
  });

  it('truncates by characters, never inside a UTF-8 sequence', () => {
    const res = kattisDefault('ж'.repeat(100), 'я'.repeat(100));
    expect(res.expected).toBe(JSON.stringify(`${'я'.repeat(63)}…`));
    expect(res.message).not.toContain('\ufffd');
  });

  it('escapes control characters in excerpts', () => {
    const res = kattisDefault('a\u0000b', 'ab');
    expect(res.got).toBe('"a\\u0000b"');
  });

  it('reports the answer line when it differs from the output line', () => {
    const res = kattisDefault('1\n2\n3\n4', '1 2 3 5');
    expect(res.at).toEqual({ line: 4, token: 1, answerLine: 1 });
    expect(res.message).toContain('(answer line 1)');
  });

  it('handles a million tokens', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i).join(' ');
    expect(kattisDefault(big, big).verdict).toBe('AC');
    const res = kattisDefault(`${big} 1`, big);
    expect(res.verdict).toBe('WA');
    expect(res.at).toEqual({ line: 1, token: 1_000_001 }); // answerLine only when it differs
  });

  it('reads package flags, case-insensitive unless case_sensitive', () => {
    expect(parseKattisFlags('')).toEqual({ case_sensitive: false });
    expect(parseKattisFlags('case_sensitive space_change_sensitive')).toEqual({ case_sensitive: true, space_change_sensitive: true });
    expect(parseKattisFlags(['float_tolerance', '1e-6'])).toEqual({ case_sensitive: false, float_tolerance: 1e-6 });
    expect(parseKattisFlags('float_relative_tolerance')).toEqual({ error: 'float_relative_tolerance needs a non-negative number' });
    expect(parseKattisFlags('float_absolute_tolerance nan')).toHaveProperty('error');
    expect(parseKattisFlags('ignore_case')).toEqual({ error: 'unknown flag "ignore_case"' });
    const opts = parseKattisFlags('float_absolute_tolerance 0.01') as KattisOptions;
    expect(kattisDefault('YES 1.005', 'yes 1', opts).verdict).toBe('AC');
  });

  it('parses floats as strtod does, refusing inf and nan', () => {
    const table: [string, number | null][] = [
      ['1', 1], ['-1.5', -1.5], ['+.5', 0.5], ['5.', 5], ['1E-3', 0.001], ['0x1p-2', 0.25], ['-0X.8', -0.5],
      ['inf', null], ['-Infinity', null], ['nan', null], ['1e999', null], ['1,5', null], ['', null], ['.', null],
      ['0x', null], ['1e+', null], ['--1', null], ['1_000', null],
    ];
    for (const [s, v] of table) expect([s, parseKattisFloat(s)]).toEqual([s, v]);
  });
});

runTable<Record<string, never>>('DMOJ standard', standard, [
  { out: '1 2\n3\n', ans: '1 2\n3\n', v: 'AC' },
  { out: '1 2\n3', ans: '1 2\n3\n', v: 'AC' },
  { out: '\n\n  1   2  \n\n\n3\t\n\n', ans: '1 2\n3', v: 'AC' }, // blank lines and trailing spaces ignored
  { out: '1 2\r\n3\r\n', ans: '1 2\n3\n', v: 'AC' },
  { out: '1\t\v\f2', ans: '1 2', v: 'AC' },
  { out: '1\n2', ans: '1 2', v: 'WA', pe: true, at: { line: 2, token: 1 }, says: /expected this token on the previous line/ },
  { out: '1 2', ans: '1\n2', v: 'WA', pe: true, at: { line: 1, token: 2 }, says: /expected a new line before this token/ },
  { out: '1\r2', ans: '1 2', v: 'WA', pe: true }, // \r is a line break for DMOJ
  { out: 'Yes', ans: 'yes', v: 'WA', pe: true },
  { out: '', ans: '', v: 'AC' },
  { out: '\n', ans: '', v: 'AC' },
  { out: '', ans: '0', v: 'WA', says: /got end of output/ },
  { out: '0', ans: '', v: 'WA', says: /trailing output/ },
  { out: '1 2 3', ans: '1 2', v: 'WA', at: { line: 1, token: 3 } },
  { out: '1 2\n3 4\n5 7', ans: '1 2\n3 4\n5 6', v: 'WA', at: { line: 3, token: 2 }, says: /expected "6", got "7"/ },
  { out: '1.0', ans: '1', v: 'WA' },
  { out: '-0', ans: '0', v: 'WA' },
  { out: 'naïve café', ans: 'naïve café', v: 'AC' },
  { out: 'naïve cafe', ans: 'naïve café', v: 'WA', at: { line: 1, token: 2 }, says: /expected "café", got "cafe"/ },
]);

runTable<Record<string, never>>('DMOJ identical', identical, [
  { out: 'a b\n', ans: 'a b\n', v: 'AC' },
  { out: '', ans: '', v: 'AC' },
  { out: 'a b', ans: 'a b\n', v: 'WA', pe: true, at: { line: 1, token: 2 }, says: /expected "b\\n", got "b"/ },
  { out: 'a b\r\n', ans: 'a b\n', v: 'WA', pe: true, says: /expected "b\\n", got "b\\r\\n"/ },
  { out: 'a  b\n', ans: 'a b\n', v: 'WA', pe: true, at: { line: 1, token: 1 }, says: /expected "a b\\n", got "a  b\\n"/ },
  { out: 'A b\n', ans: 'a b\n', v: 'WA', pe: true },
  { out: 'x\ny\nz 1 2\n', ans: 'x\ny\nz 1 3\n', v: 'WA', at: { line: 3, token: 3 }, says: /expected "3\\n", got "2\\n"/ },
  { out: 'x\ny\n', ans: 'x\ny\nz\n', v: 'WA', at: { line: 3, token: 1 }, says: /expected "z\\n", got end of output/ },
  { out: '', ans: 'a', v: 'WA', says: /got end of output/ },
  { out: 'a', ans: '', v: 'WA', says: /expected end of output, got "a"/ },
  { out: 'Ω', ans: 'Ω', v: 'AC' },
  { out: Buffer.from('é', 'utf8'), ans: Buffer.from('é', 'latin1'), v: 'WA' },
]);

runTable<RstrippedOptions>('DMOJ rstripped', rstripped, [
  { out: 'a b\nc\n', ans: 'a b\nc\n', v: 'AC' },
  { out: 'a b   \nc\t\n', ans: 'a b\nc', v: 'AC' },
  { out: 'a b\r\nc\r\n', ans: 'a b\nc\n', v: 'AC' },
  { out: 'a b\nc\n\n\n', ans: 'a b\nc', v: 'AC' }, // trailing empty lines
  { out: 'a b\nc', ans: 'a b\nc\n', v: 'AC' },
  { out: '  a b\nc', ans: 'a b\nc', v: 'WA', pe: true, at: { line: 1, token: 1 } }, // leading space counts
  { out: 'a  b\nc', ans: 'a b\nc', v: 'WA', pe: true, at: { line: 1, token: 1 }, says: /expected "a b", got "a  b"/ },
  { out: 'a b\n\nc', ans: 'a b\nc', v: 'WA', pe: true, at: { line: 2, token: 1 } }, // an empty line in the middle counts
  { out: 'a b\n\nc', ans: 'a b\nc', opts: { filter_new_line: true }, v: 'AC' },
  { out: 'a b\nc\nd', ans: 'a b\nc', v: 'WA', at: { line: 3, token: 1 }, says: /extra line/ },
  { out: 'a b', ans: 'a b\nc', v: 'WA', at: { line: 2, token: 1 }, says: /missing line: expected "c", got end of output/ },
  { out: 'a b x', ans: 'a b c', v: 'WA', at: { line: 1, token: 3 }, says: /expected "c", got "x"/ },
  { out: '', ans: '', v: 'AC' },
  { out: '\n\n', ans: '', v: 'AC' },
  { out: '', ans: 'x', v: 'WA' },
]);

runTable<FloatsOptions>('DMOJ floats', floats, [
  { out: '1.0000001\n', ans: '1\n', v: 'AC' },
  { out: '1.000001', ans: '1', v: 'AC' }, // |diff| = 1e-6 in decimal, below in binary
  { out: '1.0000011', ans: '1', v: 'WA', says: /over the tolerance/ },
  { out: '0.000001', ans: '0', v: 'AC' }, // absolute boundary
  { out: '0.0000011', ans: '0', v: 'WA' },
  { out: '1000000.5', ans: '1000000', v: 'AC' }, // relative in default mode
  { out: '1000001.5', ans: '1000000', v: 'WA' },
  { out: '1000000.5', ans: '1000000', opts: { error_mode: 'absolute' }, v: 'WA' },
  { out: '1000000.5', ans: '1000000', opts: { error_mode: 'relative' }, v: 'AC' },
  { out: '0.0000005', ans: '0', opts: { error_mode: 'relative' }, v: 'WA' },
  { out: '0.0000005', ans: '0', opts: { error_mode: 'absolute' }, v: 'AC' },
  { out: '3.14', ans: '3.14159', opts: { precision: 2 }, v: 'AC' },
  { out: '3.13', ans: '3.14159', opts: { precision: 2 }, v: 'AC' }, // default mode: relative 0.0037 suffices
  { out: '3.13', ans: '3.14159', opts: { precision: 2, error_mode: 'absolute' }, v: 'WA' },
  { out: '3', ans: '3.4', opts: { precision: 0 }, v: 'AC' },
  { out: 'abc 0.68 def 0.7', ans: 'abc 0.68 def 0.70', v: 'AC' }, // mixed tokens
  { out: 'ABC 0.68', ans: 'abc 0.68', v: 'WA', pe: true }, // words exact
  { out: 'nan', ans: 'nan', v: 'WA', says: /NaN and infinity never match/ },
  { out: 'nan', ans: '1', v: 'WA' },
  { out: 'inf', ans: 'inf', opts: { error_mode: 'relative' }, v: 'WA' },
  { out: '1e309', ans: '1e308', opts: { error_mode: 'relative' }, v: 'WA' },
  { out: 'x', ans: '1', v: 'WA', says: /expected a number/ },
  { out: '-0', ans: '0', v: 'AC' },
  { out: '1 2\n\n3\n', ans: '1 2\n3', v: 'AC' }, // blank lines dropped
  { out: '1 2\r\n3\r\n', ans: '1 2\n3', v: 'AC' },
  { out: '1\n2 3', ans: '1 2\n3', v: 'WA', pe: true, at: { line: 1, token: 2 }, says: /expected 2 tokens on the line, got 1/ },
  { out: '1 2', ans: '1 2\n3', v: 'WA', at: { line: 2, token: 1 }, says: /missing line/ },
  { out: '1 2\n3\n4', ans: '1 2\n3', v: 'WA', at: { line: 3, token: 1 }, says: /extra line/ },
  { out: '', ans: '', v: 'AC' },
  { out: '123456789012345678901234567890', ans: '1.2345678901234568e29', v: 'AC' },
]);

describe('DMOJ floats aliases', () => {
  it('floatsabs and floatsrel fix the error mode', () => {
    expect(loadChecker('floatsabs').check('1000000.5', '1000000').verdict).toBe('WA');
    expect(loadChecker('floatsrel').check('1000000.5', '1000000').verdict).toBe('AC');
    expect(loadChecker('floatsrel', { error_mode: 'absolute' }).options.error_mode).toBe('relative');
  });
});

runTable<SortedOptions>('DMOJ sorted', sorted, [
  { out: 'b\na\nc\n', ans: 'a\nb\nc\n', v: 'AC' },
  { out: 'b 1\na  2\n', ans: 'a 2\nb 1', v: 'AC' }, // spacing inside a line does not matter
  { out: 'b 1\na 2\n', ans: 'a 2\nb 1\n\n', v: 'AC' },
  { out: '1 b\na 2\n', ans: 'a 2\nb 1', v: 'WA', at: { line: 1, token: 1 }, says: /expected "b 1", got "1 b"/ },
  { out: 'a\na\nb', ans: 'a\nb\nb', v: 'WA', at: { line: 2, token: 1 } }, // multisets
  { out: 'a\nb', ans: 'a\nb\nc', v: 'WA', says: /missing/ },
  { out: 'a\nb\nc\nd', ans: 'a\nb\nc', v: 'WA', at: { line: 4, token: 1 }, says: /the output has 4 lines, the answer 3/ },
  { out: '3 1 2', ans: '1 2 3', v: 'WA', pe: false },
  { out: '3 1 2', ans: '1 2 3', opts: { split_on: 'whitespace' }, v: 'AC' },
  { out: '3\n1 2', ans: '1 2 3', opts: { split_on: 'whitespace' }, v: 'AC' },
  { out: '3 1 4', ans: '1 2 3', opts: { split_on: 'whitespace' }, v: 'WA', at: { line: 1, token: 3 }, says: /expected "2", got "4"/ },
  { out: '', ans: '', v: 'AC' },
  { out: '', ans: 'a', v: 'WA' },
]);

describe('DMOJ linecount (partial)', () => {
  const cases: { out: string; ans: string; v: 'AC' | 'WA'; score?: number; map?: string }[] = [
    { out: 'a\nb\nc', ans: 'a\nb\nc', v: 'AC' },
    { out: ' a \nb\n\nc\n', ans: 'a\nb\nc', v: 'AC' },
    { out: 'a\nx\nc', ans: 'a\nb\nc', v: 'WA', score: 2 / 3, map: '✓✗✓' },
    { out: 'a', ans: 'a\nb\nc\nd', v: 'WA', score: 0.25, map: '✓✗✗✗' },
    { out: '', ans: 'a\nb', v: 'WA', score: 0, map: '✗✗' },
    { out: 'a\nb\nc', ans: 'a\nb', v: 'WA', score: 0 }, // more lines than the answer
    { out: '', ans: '', v: 'AC' },
    { out: 'A\nb', ans: 'a\nb', v: 'WA', score: 0.5 },
  ];
  it.each(cases.map((c, i) => [i, c] as const))('row %i', (_i, c) => {
    const r = linecount(c.out, c.ans);
    expect(r.verdict, r.message).toBe(c.v);
    if (c.v === 'WA') {
      expect(r.score).toBeCloseTo(c.score!, 12);
      if (c.map) expect(r.message).toContain(`(${c.map})`);
      expect(r.message).toMatch(/Wrong answer on line \d+, token \d+/);
    } else expect(r.score).toBeUndefined();
  });

  it('says where the first wrong line is, and can leave the map out', () => {
    const r = linecount('a\nx\nc', 'a\nb\nc', { feedback: false });
    expect(r.message).toBe('2 of 3 lines correct. Wrong answer on line 2, token 1: expected "b", got "x"');
    expect(r.at).toEqual({ line: 2, token: 1 });
  });
});

describe('checker registry', () => {
  it('knows every built-in name', () => {
    expect([...CHECKER_NAMES].sort()).toEqual(
      ['default', 'exact', 'floats', 'floatsabs', 'floatsrel', 'identical', 'linecount', 'lines', 'rstripped', 'sorted', 'standard', 'tokens', 'unordered'].sort(),
    );
    for (const name of CHECKER_NAMES) {
      const c = loadChecker(name);
      expect(c.check('1 2\n', '1 2\n').verdict).toBe('AC');
      expect(c.check('1 3\n', '1 2\n').verdict).toBe('WA');
      expect(c.partial).toBe(name === 'linecount');
    }
  });

  it('binds options once and validates them', () => {
    const c = loadChecker('default', { case_sensitive: false, float_tolerance: 1e-3 });
    expect(c.check('YES 0.1004', 'yes 0.1').verdict).toBe('AC');
    expect(c.options).toEqual({ case_sensitive: false, space_change_sensitive: false, float_tolerance: 1e-3 });
    expect(Object.isFrozen(c.options)).toBe(true);
  });

  it('throws a system error on an unknown name', () => {
    const e = catchError(() => loadChecker('wcmp'));
    expect(e).toBeInstanceOf(SystemError);
    expect(e.code).toBe('UNKNOWN_CHECKER');
    expect(e.message).toContain('"wcmp"');
    expect(catchError(() => loadChecker('__proto__')).code).toBe('UNKNOWN_CHECKER');
    expect(catchError(() => loadChecker('toString')).code).toBe('UNKNOWN_CHECKER');
  });

  it('throws a system error on bad options', () => {
    for (const [name, opts] of [
      ['default', { case_sensitve: true }],
      ['default', { float_tolerance: -1 }],
      ['floats', { precision: 'six' }],
      ['floats', { error_mode: 'loose' }],
      ['sorted', { split_on: 'words' }],
      ['standard', { anything: 1 }],
    ] as const) {
      const e = catchError(() => loadChecker(name, opts as Record<string, unknown>));
      expect(e).toBeInstanceOf(SystemError);
      expect([name, e.code]).toEqual([name, 'INVALID_JUDGE_CONFIG']);
    }
  });

  it('gives a public message without answer excerpts', () => {
    const r = loadChecker('standard').check('1 2\nSECRET_OUT', '1 2\nSECRET_ANS');
    expect(r.message).toContain('SECRET_ANS');
    expect(publicMessage(r)).toBe('Wrong answer at line 2, token 1');
    expect(publicMessage(loadChecker('standard').check('A', 'a'))).toBe('Wrong answer at line 1, token 1 (only whitespace or letter case differ)');
    expect(publicMessage({ verdict: 'AC', message: 'x' })).toBe('Accepted');
  });
});

function catchError(fn: () => unknown): MuscodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MuscodeError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('text helpers', () => {
  it('numbers lines the same way everywhere: \\n, \\r\\n and a lone \\r each end one line', async () => {
    const { splitLines, locate, tokenize } = await import('../../src/arena/checkers/text.js');
    const { tokenLines } = await import('../../src/arena/checkers/floats.js');
    const s = 'a b\r\nc\rd\n\n  e f\n';
    expect(splitLines(s).map((l) => [l.number, l.text])).toEqual([[1, 'a b'], [2, 'c'], [3, 'd'], [4, ''], [5, '  e f'], [6, '']]);
    expect(tokenLines(s).map((l) => [l.number, l.tokens.map((t) => t.text)])).toEqual([[1, ['a', 'b']], [2, ['c']], [3, ['d']], [5, ['e', 'f']]]);
    for (const t of tokenize(s)) {
      const line = tokenLines(s).find((l) => l.tokens.some((x) => x.start === t.start))!;
      expect(locate(s, t.start).line).toBe(line.number);
      expect(s.slice(t.start, t.start + t.text.length)).toBe(t.text);
    }
    expect(locate(s, s.indexOf('f'))).toEqual({ line: 5, token: 2 });
  });

  it('accepts a byte-identical output in every checker, except floats where NaN never matches', () => {
    const samples = ['', '\n', 'nan', 'inf -inf', '1e400', 'a\u0000b', ' x \r\n y ', 'NaN 1'];
    for (const name of CHECKER_NAMES.filter((n) => !n.startsWith('floats'))) {
      for (const s of samples) expect([name, s, loadChecker(name).check(s, s).verdict]).toEqual([name, s, 'AC']);
    }
    expect(loadChecker('floats').check('nan', 'nan').verdict).toBe('WA');
  });
});
