import { JVM_BINDS, JVM_ENV, debianVersion } from './jvm.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// Groovy runs a script, or the class with `static void main` when the file declares classes
// only; it does not tie the class to the file's name.
export const groovy: LanguageDefinition = {
  id: 'groovy',
  name: 'Groovy',
  aliases: ['gvy'],
  extensions: ['.groovy', '.gvy'],
  sourceFile: 'main.groovy',
  version: debianVersion('groovy'),
  run: { argv: ['/usr/share/groovy/bin/groovy', '{main}'] },
  env: JVM_ENV,
  binds: [...JVM_BINDS, { source: '/etc/groovy', dest: '/etc/groovy' }],
  packages: ['groovy'],
  requires: ['/usr/share/groovy/bin/groovy', '/etc/groovy'],
  limits: { run: { memoryBytes: 512 * 1024 * 1024 } },
  selfTest: {
    source: 'def name = System.in.newReader().readLine().trim()\nprintln "hello, $name"\nprintln "sum=${(1..10).sum()}"\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
