import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// GNU awk reads the program from the main file and the input from stdin; user arguments are
// awk operands (input files in the box, or var=value assignments).
export const awk: LanguageDefinition = {
  id: 'awk',
  name: 'AWK (GNU awk)',
  aliases: ['gawk'],
  extensions: ['.awk'],
  sourceFile: 'main.awk',
  version: { argv: ['/usr/bin/gawk', '--version'], pattern: /GNU Awk (\d+\.\d+\.\d+)/ },
  run: { argv: ['/usr/bin/gawk', '-f', '{main}'] },
  requires: ['/usr/bin/gawk'],
  selfTest: {
    source: 'NR == 1 { print "hello, " $1 }\nEND { s = 0; for (i = 1; i <= 10; i++) s += i; print "sum=" s }\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
