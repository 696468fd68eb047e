import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

const GUILE = '/usr/lib/x86_64-linux-gnu/guile/3.0/bin/guile';

export const scheme: LanguageDefinition = {
  id: 'scheme',
  name: 'Scheme (GNU Guile)',
  aliases: ['guile', 'scm'],
  extensions: ['.scm', '.ss'],
  shebang: 'blank',
  sourceFile: 'main.scm',
  version: { argv: [GUILE, '--version'], pattern: /Guile\)? (\d[\d.]*)/ },
  // No auto-compilation: it would write .go files to ~/.cache on every run.
  run: { argv: [GUILE, '--no-auto-compile', '-s', '{main}'] },
  env: { HOME: '/tmp', GUILE_AUTO_COMPILE: '0', XDG_CACHE_HOME: '/tmp/.cache' },
  packages: ['guile-3.0'],
  requires: [GUILE],
  selfTest: {
    source:
      '(use-modules (ice-9 rdelim))\n(define name (read-line))\n(display (string-append "hello, " name "\\n"))\n' +
      '(display (string-append "sum=" (number->string (apply + (iota 10 1))) "\\n"))\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
