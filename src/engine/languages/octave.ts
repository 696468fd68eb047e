import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const octave: LanguageDefinition = {
  id: 'octave',
  name: 'GNU Octave',
  aliases: ['matlab', 'm'],
  extensions: ['.m'],
  sourceFile: 'main.m',
  version: { argv: ['/usr/bin/octave-cli', '--version'], pattern: /version (\d[\d.]*)/ },
  run: { argv: ['/usr/bin/octave-cli', '--norc', '--no-history', '--quiet', '--no-window-system', '{main}'] },
  env: { HOME: '/tmp', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  packages: ['octave'],
  requires: ['/usr/bin/octave-cli'],
  limits: { run: { memoryBytes: 512 * 1024 * 1024 } },
  selfTest: {
    source: 'name = fgetl(stdin);\nprintf("hello, %s\\n", name);\nprintf("sum=%d\\n", sum(1:10));\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
