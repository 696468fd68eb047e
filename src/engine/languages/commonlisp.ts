import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const commonlisp: LanguageDefinition = {
  id: 'commonlisp',
  name: 'Common Lisp (SBCL)',
  aliases: ['sbcl', 'lisp', 'cl'],
  extensions: ['.lisp', '.lsp', '.cl'],
  sourceFile: 'main.lisp',
  version: { argv: ['/usr/bin/sbcl', '--version'], pattern: /SBCL (\d[\d.]*\d)/ },
  // --script: no init files, no debugger (an error ends the run with a backtrace on stderr).
  run: { argv: ['/usr/bin/sbcl', '--script', '{main}'] },
  env: { HOME: '/tmp', SBCL_HOME: '/usr/lib/sbcl' },
  packages: ['sbcl'],
  requires: ['/usr/bin/sbcl', '/usr/lib/sbcl/sbcl.core'],
  selfTest: {
    source: '(let ((name (read-line)))\n  (format t "hello, ~a~%" name)\n  (format t "sum=~a~%" (loop for i from 1 to 10 sum i)))\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
