import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const forth: LanguageDefinition = {
  id: 'forth',
  name: 'Forth (Gforth)',
  aliases: ['gforth'],
  extensions: ['.fth', '.4th', '.fs'],
  shebang: 'blank',
  sourceFile: 'main.fth',
  version: { argv: ['/usr/bin/gforth', '--version'], pattern: /gforth (\d[\d.]*)/ },
  // Gforth's `#!` is a comment word only when a space follows it: a pasted shebang is blanked.
  // `-e bye` after the file: a program that does not end with `bye` would wait at the prompt.
  run: { argv: ['/usr/bin/gforth', '{main}', '-e', 'bye'] },
  env: { HOME: '/tmp' },
  packages: ['gforth'],
  requires: ['/usr/bin/gforth'],
  selfTest: {
    source:
      'create buf 64 allot\n: main\n  buf 64 stdin read-line throw drop\n  ." hello, " buf swap type cr\n' +
      '  0 11 1 do i + loop\n  ." sum=" 0 .r cr ;\nmain\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
