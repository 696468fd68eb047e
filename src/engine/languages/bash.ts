import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// Not interactive and not a login shell: no rc file is read, so HOME needs nothing in it.
export const bash: LanguageDefinition = {
  id: 'bash',
  name: 'Bash',
  aliases: ['sh', 'shell'],
  extensions: ['.sh', '.bash'],
  sourceFile: 'main.sh',
  version: { argv: ['/usr/bin/bash', '--version'], pattern: /version (\d+\.\d+\.\d+)/ },
  run: { argv: ['/usr/bin/bash', '{main}'] },
  requires: ['/usr/bin/bash'],
  selfTest: {
    source: 'read -r name\necho "hello, $name"\ns=0\nfor i in $(seq 1 10); do s=$((s + i)); done\necho "sum=$s"\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
