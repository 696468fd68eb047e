import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const nim: LanguageDefinition = {
  id: 'nim',
  name: 'Nim',
  aliases: ['nimlang'],
  extensions: ['.nim'],
  sourceFile: 'main.nim',
  version: { argv: ['/usr/bin/nim', '--version'], pattern: /Version (\d[\d.]*)/ },
  // Nim compiles to C and calls gcc; its cache goes to the compile box's /tmp.
  compile: { argv: ['/usr/bin/nim', 'compile', '-d:release', '--hints:off', '--verbosity:0', '--nimcache:/tmp/nimcache', '--out:main', '{main}'] },
  run: { argv: ['./main'] },
  env: { HOME: '/tmp', XDG_CONFIG_HOME: '/tmp/.config' },
  binds: [{ source: '/etc/nim', dest: '/etc/nim' }],
  packages: ['nim'],
  requires: ['/usr/bin/nim', '/etc/nim'],
  limits: { compile: { cpuMs: 30_000, wallMs: 60_000 } },
  selfTest: {
    source: 'let name = stdin.readLine()\necho "hello, ", name\nvar s = 0\nfor i in 1..10: s += i\necho "sum=", s\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
