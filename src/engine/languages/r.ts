import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const r: LanguageDefinition = {
  id: 'r',
  name: 'R',
  aliases: ['rscript', 'rlang'],
  extensions: ['.r', '.R'],
  sourceFile: 'main.R',
  version: { argv: ['/usr/bin/Rscript', '--version'], pattern: /version (\d[\d.]*)/ },
  run: { argv: ['/usr/bin/Rscript', '--no-init-file', '{main}'] },
  // R's site files live in /etc/R (/usr/lib/R/etc links there); one BLAS thread per run.
  env: { HOME: '/tmp', R_LIBS_USER: '/tmp/R', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  binds: [{ source: '/etc/R', dest: '/etc/R' }],
  packages: ['r-base-core'],
  requires: ['/usr/bin/Rscript', '/etc/R'],
  selfTest: {
    source: 'con <- file("stdin")\nname <- readLines(con, n = 1)\nclose(con)\ncat("hello, ", name, "\\n", sep = "")\ncat("sum=", sum(1:10), "\\n", sep = "")\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
