import { esModuleFiles } from './pasted-source.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const javascript: LanguageDefinition = {
  id: 'javascript',
  name: 'JavaScript (Node.js)',
  aliases: ['js', 'node', 'nodejs'],
  extensions: ['.js', '.mjs', '.cjs'],
  sourceFile: 'main.js',
  // A pasted program with a top-level await (or, in JavaScript, import statements) is an ES module.
  pasted: (source) => ({ files: esModuleFiles(source, 'javascript') }),
  version: { argv: ['/usr/bin/node', '--version'], pattern: /v(\S+)/ },
  run: { argv: ['/usr/bin/node', '{main}'] },
  requires: ['/usr/bin/node'],
  selfTest: {
    source:
      "const name = require('fs').readFileSync(0, 'utf8').split('\\n')[0];\n" +
      'console.log(`hello, ${name}`);\n' +
      'let s = 0; for (let i = 1; i <= 10; i++) s += i;\nconsole.log(`sum=${s}`);\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
