import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const php: LanguageDefinition = {
  id: 'php',
  name: 'PHP',
  aliases: ['php8'],
  extensions: ['.php'],
  sourceFile: 'main.php',
  version: { argv: ['/usr/bin/php', '-v'], pattern: /PHP (\S+)/ },
  run: { argv: ['/usr/bin/php', '{main}'] },
  binds: [{ source: '/etc/php', dest: '/etc/php' }],
  requires: ['/usr/bin/php', '/etc/php'],
  selfTest: {
    source: '<?php\n$name = trim(fgets(STDIN));\necho "hello, $name\\n";\necho "sum=" . array_sum(range(1, 10)) . "\\n";\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
