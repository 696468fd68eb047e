import type { LanguageDefinition } from './language.js';

/**
 * Judge0's "Multi-file program" (its language 89): the files of the program and two Bash
 * scripts, `compile` (optional) and `run`. The compile stage runs `bash ./compile` when the file
 * exists (its failure is a compile error, as in Judge0, and what it builds is cached like any
 * compile); the run stage runs `bash ./run` with the arguments. Both scripts may call any
 * toolchain of the sandbox's /usr (gcc, python3, ...).
 *
 * Unlisted (registry.ts INTERNAL_LANGUAGES): reachable by its id, for the Judge0 API, but not in
 * the language list, the self-test set or the web app's picker, where it would be Bash again.
 */
export const multifile: LanguageDefinition = {
  id: 'multifile',
  name: 'Multi-file program (compile and run scripts)',
  aliases: [],
  extensions: [],
  sourceFile: 'run',
  version: { argv: ['/usr/bin/bash', '--version'], pattern: /version (\d+\.\d+\.\d+)/ },
  // A fixed script (no user text reaches the shell as code but the files in the box).
  compile: { argv: ['/usr/bin/bash', '-c', 'if [ -f ./compile ]; then exec /usr/bin/bash ./compile; fi'] },
  run: { argv: ['/usr/bin/bash', '{main}'] },
  requires: ['/usr/bin/bash'],
  availableWith: 'bash',
  selfTest: {
    files: [{ path: 'compile', content: 'printf \'read -r name\\necho "hello, $name"\\n\' > greet.sh\n' }],
    source: 'bash greet.sh\ns=0\nfor i in $(seq 1 10); do s=$((s + i)); done\necho "sum=$s"\n',
    stdin: 'muscode\n',
    expected: 'hello, muscode\nsum=55\n',
  },
};
