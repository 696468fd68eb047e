import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const ocaml: LanguageDefinition = {
  id: 'ocaml',
  name: 'OCaml',
  aliases: ['ml', 'ocamlopt'],
  extensions: ['.ml'],
  shebang: 'blank',
  sourceFile: 'main.ml',
  version: { argv: ['/usr/bin/ocamlopt', '-version'], pattern: /(\d+\.\d+\.\d+)/ },
  // The main file only: ocamlopt needs modules in dependency order, which a file list does not give.
  compile: { argv: ['/usr/bin/ocamlopt', '-O2', '-o', 'main', '{main}'] },
  run: { argv: ['./main'] },
  env: { HOME: '/tmp' },
  packages: ['ocaml-nox'],
  requires: ['/usr/bin/ocamlopt'],
  selfTest: {
    source:
      'let () =\n  let name = input_line stdin in\n  print_endline ("hello, " ^ name);\n  let s = ref 0 in\n' +
      '  for i = 1 to 10 do s := !s + i done;\n  Printf.printf "sum=%d\\n" !s\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
