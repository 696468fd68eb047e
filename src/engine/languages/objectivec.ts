import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// GCC's Objective-C with the GNU runtime (libobjc): the language, not Apple's Foundation
// (NSString, NSLog need GNUstep, which is not installed).
export const objectivec: LanguageDefinition = {
  id: 'objectivec',
  name: 'Objective-C (GCC)',
  aliases: ['objc', 'gobjc'],
  extensions: ['.m'],
  sourceFile: 'main.m',
  shebang: 'blank',
  version: { argv: ['/usr/bin/gcc', '-dumpfullversion'], pattern: /(\S+)/ },
  compile: { argv: ['/usr/bin/gcc', '-x', 'objective-c', '-std=gnu11', '-O2', '-pipe', '-o', 'main', '{sources}', '-lobjc', '-lm'], sourceExtensions: ['.m'] },
  run: { argv: ['./main'] },
  packages: ['gobjc'],
  requires: ['/usr/bin/gcc', '/usr/lib/gcc/x86_64-linux-gnu/12/cc1obj'],
  selfTest: {
    source:
      '#import <objc/Object.h>\n#include <stdio.h>\n\n@interface Greeter : Object\n+ (void)greet:(const char *)name;\n@end\n\n' +
      '@implementation Greeter\n+ (void)greet:(const char *)name { printf("hello, %s\\n", name); }\n@end\n\n' +
      'int main(void) {\n  char name[64];\n  if (scanf("%63s", name) != 1) return 1;\n  [Greeter greet:name];\n' +
      '  int s = 0;\n  for (int i = 1; i <= 10; i++) s += i;\n  printf("sum=%d\\n", s);\n  return 0;\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
