import path from 'node:path';
import { REPO_ROOT } from '../../config/config.js';
import { esModuleFiles } from './pasted-source.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// TypeScript 7's native compiler (a Go binary with its lib .d.ts files beside it) and
// @types/node come from our own node_modules, bound read-only into the sandbox.
const TSC_DIR = path.join(REPO_ROOT, 'node_modules/@typescript/typescript-linux-x64/lib');
const TYPES_DIR = path.join(REPO_ROOT, 'node_modules/@types');

export const typescript: LanguageDefinition = {
  id: 'typescript',
  name: 'TypeScript',
  aliases: ['ts'],
  extensions: ['.ts', '.mts', '.cts'],
  sourceFile: 'main.ts',
  // A pasted program with a top-level await (or, in JavaScript, import statements) is an ES module.
  pasted: (source) => ({ files: esModuleFiles(source, 'typescript') }),
  version: { argv: [path.join(TSC_DIR, 'tsc'), '--version'], pattern: /Version (\S+)/ },
  // Type errors are compile errors (--noEmitOnError). No package.json: nodenext emits CommonJS.
  compile: {
    argv: [
      '/opt/typescript/tsc',
      '--outDir',
      '.',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--esModuleInterop',
      '--skipLibCheck',
      '--noEmitOnError',
      '--pretty',
      'false',
      '--typeRoots',
      '/opt/types',
      '--types',
      'node',
      '{options}',
      '{sources}',
    ],
  },
  run: { argv: ['/usr/bin/node', '{mainStem}.js'] },
  binds: [
    { source: TSC_DIR, dest: '/opt/typescript' },
    { source: TYPES_DIR, dest: '/opt/types' },
  ],
  requires: [path.join(TSC_DIR, 'tsc'), path.join(TYPES_DIR, 'node'), '/usr/bin/node'],
  selfTest: {
    source:
      "import * as fs from 'fs';\nconst name: string = fs.readFileSync(0, 'utf8').split('\\n')[0];\n" +
      'console.log(`hello, ${name}`);\nconst s: number = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].reduce((a, b) => a + b, 0);\n' +
      'console.log(`sum=${s}`);\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
