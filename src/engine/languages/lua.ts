import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const lua: LanguageDefinition = {
  id: 'lua',
  name: 'Lua 5.4',
  aliases: ['lua5.4'],
  extensions: ['.lua'],
  sourceFile: 'main.lua',
  version: { argv: ['/usr/bin/lua5.4', '-v'], pattern: /Lua (\d\S*)/ },
  run: { argv: ['/usr/bin/lua5.4', '{main}'] },
  packages: ['lua5.4'],
  requires: ['/usr/bin/lua5.4'],
  selfTest: {
    source: 'local name = io.read("l")\nprint("hello, " .. name)\nlocal s = 0\nfor i = 1, 10 do s = s + i end\nprint("sum=" .. s)\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
