import { describe, expect, it } from 'vitest';
import { kattisDefault, parseKattisFlags, type KattisOptions } from '../../src/arena/checkers/kattis-default.js';

/**
 * The Kattis default validator, run through package flags as a Kattis import does (so case-
 * insensitive unless `case_sensitive`). Groups of outputs that must be accepted or rejected
 * against one answer, in the spirit of the problemtools and BAPCtools validator suites. Where
 * BAPCtools' own validator goes beyond problemtools (it matches `-nan` to `nan`, `INF` to `inf`
 * under case_sensitive, and 1e-36 to 0 with tolerance 0), we follow problemtools.
 */
interface Group {
  flags: string;
  ans: string;
  ac: string[];
  wa: string[];
}

const GROUPS: Group[] = [
  { flags: '', ans: '', ac: [' ', '  ', ' \n', '\n', '\t', ' \t\n\t\n \t', '\r\n', '\v\f'], wa: ['\\n', '|', '.', 'a', '0', ' 0 ', '\0', '\u00a0'] },
  { flags: '', ans: 'A B', ac: ['A B', ' A  B \t\n', ' A B', 'A B ', 'a b', 'a\n B', 'A\r\nB\r\n'], wa: ['A B X', 'X A B', 'A B\nX', 'A B\n\n\n \n X', 'A C', 'A BB', 'B A', 'AB', '1 2'] },
  { flags: 'space_change_sensitive', ans: '', ac: [''], wa: [' ', '\n', '\t', ' \t\n', 'a', '0', '1.1'] },
  { flags: 'space_change_sensitive', ans: 'A B\n', ac: ['A B\n', 'a b\n'], wa: ['A B', 'A  B\n', 'A\tB\n', 'A B\r\n', ' A B\n', 'A B\n\n', 'A\nB\n'] },
  { flags: 'case_sensitive', ans: 'A B', ac: ['A B', ' A B', 'A\n B', 'A B\n'], wa: ['a b', ' A b', 'a\n B', 'A C', 'B A'] },
  { flags: 'float_absolute_tolerance 1 case_sensitive', ans: '10 11', ac: ['10 11', '10.1 11.9', '9 10', '11 10', '11 12', '1e1 1.1e1', '1E1 1.1E1', '0xa 0xb'], wa: ['10 9.99999999', '11.000000001 11', '10 11 12', '10', 'ten 11'] },
  { flags: 'float_relative_tolerance 0.5', ans: '10 20', ac: ['5 10', '15 30', '10 20', '10.0 20.0'], wa: ['4.999 20', '4.99999 10', '15.0001 20', '10 30.00001', '10 asdf', 'A B'] },
  { flags: 'float_tolerance 0.5', ans: '1000 0.001', ac: ['500 -0.499', '1500 0.501', '999.5 0.0005', '1000.5 0.0015'], wa: ['1000 0.001 X', 'X 1000 0.001', '499 -0.499', '500 -0.500', '1501 0.501', '1500 0.5010001', 'A', 'A B', 'A B C'] },
  { flags: 'float_tolerance 0.5', ans: 'A 1000', ac: ['A 1001', ' a 999'], wa: [' a 999a', 'B 1000'] },
  { flags: 'float_tolerance 0.5', ans: '1000A', ac: ['1000A', '1000a'], wa: ['1000.0a', '1000B', '1000'] },
  { flags: 'float_tolerance 0.5', ans: 'X1000', ac: ['X1000', 'x1000'], wa: ['x1000.0', 'y1000', 'x1.e43k5j'] },
  { flags: 'float_tolerance 0.5', ans: '0', ac: ['-0.5', '0.00', '0', '0.5', '-0', '+0', '.0', '0.'], wa: ['inf', '-inf', 'nan', '0.5000001', '1e400'] },
  { flags: 'float_tolerance 0.5 case_sensitive', ans: 'inf', ac: ['inf'], wa: ['INF', '-inf', 'nan', '0', '1', '1e400'] },
  { flags: 'float_tolerance 0.5 case_sensitive', ans: 'nan', ac: ['nan'], wa: ['NaN', '-nan', 'inf', '0'] },
  { flags: 'float_tolerance 0.5', ans: '-1', ac: ['-1', '-0.5', '-1.5'], wa: ['inf', '-inf', 'nan', '0', '1', '0.5', '1.5'] },
  { flags: '', ans: '0', ac: ['0'], wa: ['-0', '0.0', '0.000000000000000000000000000000000001'] },
  { flags: 'float_tolerance 0', ans: '0', ac: ['0', '-0', '0.0', '0e10'], wa: ['0.000000000000000000000000000000000001'] },
  { flags: '', ans: 'a', ac: ['a', 'A'], wa: ['a\0', 'a\0a', 'á'] },
];

describe('Kattis default validator through package flags', () => {
  for (const g of GROUPS) {
    const opts = parseKattisFlags(g.flags);
    it(`flags "${g.flags}", answer ${JSON.stringify(g.ans)}`, () => {
      expect(opts).not.toHaveProperty('error');
      for (const out of g.ac) expect([out, kattisDefault(out, g.ans, opts as KattisOptions).verdict]).toEqual([out, 'AC']);
      for (const out of g.wa) {
        const r = kattisDefault(out, g.ans, opts as KattisOptions);
        expect([out, r.verdict]).toEqual([out, 'WA']);
        expect(r.message).toMatch(/^Wrong answer on line \d+, token \d+/);
      }
    });
  }
});
