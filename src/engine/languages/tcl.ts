import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// tclsh has no --version: the version is Debian's package version.
export const tcl: LanguageDefinition = {
  id: 'tcl',
  name: 'Tcl',
  aliases: ['tclsh'],
  extensions: ['.tcl'],
  sourceFile: 'main.tcl',
  version: { argv: ['/usr/bin/dpkg-query', '-W', '-f=${Version}', 'tcl8.6'], pattern: /^(\d+\.\d+\.\d+)/ },
  run: { argv: ['/usr/bin/tclsh8.6', '{main}'] },
  requires: ['/usr/bin/tclsh8.6'],
  selfTest: {
    source: 'gets stdin name\nputs "hello, $name"\nset s 0\nfor {set i 1} {$i <= 10} {incr i} { incr s $i }\nputs "sum=$s"\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
