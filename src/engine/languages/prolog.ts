import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const prolog: LanguageDefinition = {
  id: 'prolog',
  name: 'Prolog (SWI-Prolog)',
  aliases: ['swipl', 'swi-prolog'],
  extensions: ['.pro', '.prolog'],
  sourceFile: 'main.pl',
  version: { argv: ['/usr/bin/swipl', '--version'], pattern: /version (\d[\d.]*)/ },
  // Loads the program (its `:- initialization(main, main).` runs it) and halts instead of
  // starting the interactive top level, which would read the program's stdin as queries.
  run: { argv: ['/usr/bin/swipl', '--quiet', '--no-packs', '-t', 'halt', '{main}'] },
  env: { HOME: '/tmp', XDG_CONFIG_HOME: '/tmp/.config', XDG_DATA_HOME: '/tmp/.local' },
  packages: ['swi-prolog-nox'],
  requires: ['/usr/bin/swipl'],
  selfTest: {
    source:
      ':- initialization(main, main).\n\nmain :-\n    read_line_to_string(user_input, Name),\n    format("hello, ~w~n", [Name]),\n' +
      '    numlist(1, 10, L),\n    sum_list(L, S),\n    format("sum=~w~n", [S]).\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
