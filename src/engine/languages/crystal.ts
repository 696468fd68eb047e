import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const crystal: LanguageDefinition = {
  id: 'crystal',
  name: 'Crystal',
  aliases: ['cr'],
  extensions: ['.cr'],
  sourceFile: 'main.cr',
  version: { argv: ['/usr/bin/crystal', '--version'], pattern: /Crystal (\d[\d.]*)/ },
  // Crystal compiles its whole prelude on every build (seconds of CPU for hello): its cache in
  // the compile box's /tmp, one worker so that it stays within the compile stage's processes.
  compile: { argv: ['/usr/bin/crystal', 'build', '--no-debug', '--threads', '1', '-o', 'main', '{main}'] },
  run: { argv: ['./main'] },
  env: { HOME: '/tmp', CRYSTAL_CACHE_DIR: '/tmp/crystal' },
  packages: ['crystal'],
  requires: ['/usr/bin/crystal'],
  limits: { compile: { cpuMs: 30_000, wallMs: 60_000, memoryBytes: 2048 * 1024 * 1024 } },
  selfTest: {
    source: 'name = gets.not_nil!.strip\nputs "hello, #{name}"\nputs "sum=#{(1..10).sum}"\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
