import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const racket: LanguageDefinition = {
  id: 'racket',
  name: 'Racket',
  aliases: ['rkt'],
  extensions: ['.rkt'],
  sourceFile: 'main.rkt',
  version: { argv: ['/usr/bin/racket', '--version'], pattern: /Racket v(\d[\d.]*)/ },
  run: { argv: ['/usr/bin/racket', '{main}'] },
  // Racket's user directory (installed packages, preferences) in the box's /tmp.
  env: { HOME: '/tmp', PLTUSERHOME: '/tmp', PLTADDONDIR: '/tmp/racket' },
  binds: [{ source: '/etc/racket', dest: '/etc/racket' }],
  packages: ['racket'],
  requires: ['/usr/bin/racket', '/etc/racket'],
  limits: { run: { memoryBytes: 512 * 1024 * 1024 } },
  selfTest: {
    source: '#lang racket/base\n(define name (read-line))\n(printf "hello, ~a\\n" name)\n(printf "sum=~a\\n" (for/sum ([i (in-range 1 11)]) i))\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
