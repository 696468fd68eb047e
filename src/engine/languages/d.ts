import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const d: LanguageDefinition = {
  id: 'd',
  name: 'D (GDC)',
  aliases: ['gdc', 'dlang'],
  extensions: ['.d'],
  sourceFile: 'main.d',
  shebang: 'native',
  version: { argv: ['/usr/bin/gdc', '-dumpfullversion'], pattern: /(\d+\.\d+\.\d+)/ },
  compile: { argv: ['/usr/bin/gdc', '-O2', '-pipe', '-o', 'main', '{sources}'] },
  run: { argv: ['./main'] },
  packages: ['gdc'],
  requires: ['/usr/bin/gdc'],
  selfTest: {
    source:
      'import std.stdio, std.string;\n\nvoid main() {\n    string name = readln().strip();\n    writeln("hello, ", name);\n' +
      '    int s = 0;\n    foreach (i; 1 .. 11) s += i;\n    writeln("sum=", s);\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
