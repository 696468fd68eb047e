import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const ada: LanguageDefinition = {
  id: 'ada',
  name: 'Ada (GNAT)',
  aliases: ['gnat', 'adb'],
  extensions: ['.adb', '.ads'],
  sourceFile: 'main.adb',
  shebang: 'blank',
  version: { argv: ['/usr/bin/gnatmake', '--version'], pattern: /GNATMAKE (\d[\d.]*)/ },
  // gnatmake follows the `with` clauses to the other units in the box.
  compile: { argv: ['/usr/bin/gnatmake', '-q', '-O2', '-gnatwn', '-o', 'main', '{main}'] },
  run: { argv: ['./main'] },
  packages: ['gnat'],
  requires: ['/usr/bin/gnatmake'],
  selfTest: {
    source:
      'with Ada.Text_IO; use Ada.Text_IO;\n\nprocedure Main is\n   Name : constant String := Get_Line;\n   S : Integer := 0;\nbegin\n' +
      '   Put_Line ("hello, " & Name);\n   for I in 1 .. 10 loop\n      S := S + I;\n   end loop;\n   declare\n' +
      '      Img : constant String := Integer\'Image (S);\n   begin\n      Put_Line ("sum=" & Img (Img\'First + 1 .. Img\'Last));\n   end;\nend Main;\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
