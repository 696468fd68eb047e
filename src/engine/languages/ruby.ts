import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const ruby: LanguageDefinition = {
  id: 'ruby',
  name: 'Ruby',
  aliases: ['rb'],
  extensions: ['.rb'],
  sourceFile: 'main.rb',
  version: { argv: ['/usr/bin/ruby', '--version'], pattern: /ruby (\S+)/ },
  run: { argv: ['/usr/bin/ruby', '{main}'] },
  env: { HOME: '/tmp', LANG: 'C.UTF-8' },
  requires: ['/usr/bin/ruby'],
  selfTest: {
    source: 'name = $stdin.gets.strip\nputs "hello, #{name}"\nputs "sum=#{(1..10).sum}"\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
