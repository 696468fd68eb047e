import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const perl: LanguageDefinition = {
  id: 'perl',
  name: 'Perl',
  aliases: ['pl'],
  extensions: ['.pl', '.pm'],
  sourceFile: 'main.pl',
  version: { argv: ['/usr/bin/perl', '--version'], pattern: /\(v(\d+\.\d+\.\d+)\)/ },
  run: { argv: ['/usr/bin/perl', '{main}'] },
  // Modules next to the main file load with `use Util;` (the box's directory on @INC).
  env: { PERL5LIB: '/box' },
  requires: ['/usr/bin/perl'],
  selfTest: {
    source: 'my $name = <STDIN>;\nchomp $name;\nprint "hello, $name\\n";\nmy $s = 0;\n$s += $_ for 1 .. 10;\nprint "sum=$s\\n";\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
