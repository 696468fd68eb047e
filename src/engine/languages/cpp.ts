import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const cpp: LanguageDefinition = {
  id: 'cpp',
  name: 'C++ (G++, C++17)',
  aliases: ['c++', 'g++', 'cxx'],
  extensions: ['.cpp', '.cc', '.cxx', '.hpp', '.hh'],
  shebang: 'blank',
  sourceFile: 'main.cpp',
  version: { argv: ['/usr/bin/g++', '-dumpfullversion'], pattern: /(\S+)/ },
  compile: {
    argv: ['/usr/bin/g++', '-O2', '-std=c++17', '-pipe', '-o', 'main', '{options}', '{sources}', '-lm'],
    sourceExtensions: ['.cpp', '.cc', '.cxx'],
  },
  run: { argv: ['./main'] },
  requires: ['/usr/bin/g++'],
  selfTest: {
    source:
      '#include <iostream>\n#include <numeric>\n#include <string>\n#include <vector>\nint main() {\n  std::string name;\n  std::cin >> name;\n' +
      '  std::cout << "hello, " << name << "\\n";\n  std::vector<int> v(10);\n  std::iota(v.begin(), v.end(), 1);\n' +
      '  std::cout << "sum=" << std::accumulate(v.begin(), v.end(), 0) << "\\n";\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
