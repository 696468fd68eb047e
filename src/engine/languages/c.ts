import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const c: LanguageDefinition = {
  id: 'c',
  name: 'C (GCC, C17)',
  aliases: ['gcc', 'c17'],
  extensions: ['.c', '.h'],
  shebang: 'blank',
  sourceFile: 'main.c',
  version: { argv: ['/usr/bin/gcc', '-dumpfullversion'], pattern: /(\S+)/ },
  compile: { argv: ['/usr/bin/gcc', '-O2', '-std=c17', '-pipe', '-o', 'main', '{options}', '{sources}', '-lm'], sourceExtensions: ['.c'] },
  run: { argv: ['./main'] },
  requires: ['/usr/bin/gcc'],
  selfTest: {
    source:
      '#include <stdio.h>\nint main(void) {\n  char name[64];\n  if (scanf("%63s", name) != 1) return 1;\n' +
      '  printf("hello, %s\\n", name);\n  int s = 0;\n  for (int i = 1; i <= 10; i++) s += i;\n  printf("sum=%d\\n", s);\n  return 0;\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
