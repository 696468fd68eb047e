import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// /usr/bin/fpc goes through /etc/alternatives; the versioned driver is the same program.
const FPC = '/usr/bin/x86_64-linux-gnu-fpc-3.2.2';

export const pascal: LanguageDefinition = {
  id: 'pascal',
  name: 'Pascal (Free Pascal)',
  aliases: ['fpc', 'pas', 'delphi'],
  extensions: ['.pas', '.pp', '.dpr'],
  sourceFile: 'main.pas',
  shebang: 'blank',
  version: { argv: [FPC, '-iV'], pattern: /(\d+\.\d+\.\d+)/ },
  // -l-: no banner, -v0: no notes (errors still print); units are found in the box (-Fu.).
  compile: { argv: [FPC, '-O2', '-l-', '-v0ew', '-Fu.', '-omain', '{main}'] },
  run: { argv: ['./main'] },
  // The compiler's configuration (unit paths) lives in /etc.
  binds: [{ source: '/etc/fpc-3.2.2.cfg', dest: '/etc/fpc.cfg' }],
  packages: ['fp-compiler'],
  requires: [FPC, '/etc/fpc-3.2.2.cfg'],
  selfTest: {
    source:
      "program Main;\nvar\n  name: string;\n  i, s: integer;\nbegin\n  readln(name);\n  writeln('hello, ', name);\n" +
      "  s := 0;\n  for i := 1 to 10 do s := s + i;\n  writeln('sum=', s);\nend.\n",
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
