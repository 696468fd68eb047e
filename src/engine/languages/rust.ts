import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const rust: LanguageDefinition = {
  id: 'rust',
  name: 'Rust',
  aliases: ['rs', 'rustc'],
  extensions: ['.rs'],
  sourceFile: 'main.rs',
  // Debian's rustc by absolute path (a rustup shim on PATH would want a home directory).
  version: { argv: ['/usr/bin/rustc', '--version'], pattern: /rustc (\S+)/ },
  // Other files are reached through `mod` declarations from the main file.
  compile: { argv: ['/usr/bin/rustc', '-O', '--edition', '2021', '-o', 'main', '{options}', '{main}'] },
  run: { argv: ['./main'] },
  requires: ['/usr/bin/rustc'],
  selfTest: {
    source:
      'use std::io::Read;\n\nfn main() {\n    let mut input = String::new();\n    std::io::stdin().read_to_string(&mut input).unwrap();\n' +
      '    let name = input.trim();\n    println!("hello, {}", name);\n    let s: i32 = (1..=10).sum();\n    println!("sum={}", s);\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
