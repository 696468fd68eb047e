import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

/**
 * SQLite: the program runs against a fresh in-memory database (nothing outlives the run), read
 * with `.read` so that stdin stays the program's input (`.import /dev/stdin t` loads it).
 */
export const sql: LanguageDefinition = {
  id: 'sql',
  name: 'SQL (SQLite)',
  aliases: ['sqlite', 'sqlite3'],
  extensions: ['.sql'],
  shebang: 'blank',
  sourceFile: 'main.sql',
  version: { argv: ['/usr/bin/sqlite3', '--version'], pattern: /^(\d[\d.]*)/ },
  run: { argv: ['/usr/bin/sqlite3', '-bail', '-batch', '-init', '/dev/null', ':memory:', ".read '/box/{main}'"] },
  env: { HOME: '/tmp' },
  packages: ['sqlite3'],
  requires: ['/usr/bin/sqlite3'],
  selfTest: {
    source:
      'CREATE TABLE input(line TEXT);\n.import /dev/stdin input\nSELECT \'hello, \' || line FROM input LIMIT 1;\n' +
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)\nSELECT \'sum=\' || sum(i) FROM n;\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
