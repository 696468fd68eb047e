import type { LanguageDefinition } from '../engine/languages/language.js';

/** What a starter prints; the tests run every language's starter and expect this line. */
export const STARTER_OUTPUT = 'Hello from MUSCode!\n';

/**
 * A new project's main file: a hello-world per language. The language list is the engine's
 * registry, not this table: a language added to the engine without an entry here starts from
 * its self-test program (runnable too, it greets the name it reads from stdin).
 */
const HELLO: Record<string, string> = {
  python: 'print("Hello from MUSCode!")\n',
  javascript: 'console.log("Hello from MUSCode!");\n',
  typescript: 'const greeting: string = "Hello from MUSCode!";\nconsole.log(greeting);\n',
  java: 'public class Main {\n  public static void main(String[] args) {\n    System.out.println("Hello from MUSCode!");\n  }\n}\n',
  c: '#include <stdio.h>\n\nint main(void) {\n  puts("Hello from MUSCode!");\n  return 0;\n}\n',
  cpp: '#include <iostream>\n\nint main() {\n  std::cout << "Hello from MUSCode!" << std::endl;\n  return 0;\n}\n',
  php: '<?php\necho "Hello from MUSCode!\\n";\n',
  go: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("Hello from MUSCode!")\n}\n',
  rust: 'fn main() {\n    println!("Hello from MUSCode!");\n}\n',
  ruby: 'puts "Hello from MUSCode!"\n',
  bash: 'echo "Hello from MUSCode!"\n',
  perl: 'print "Hello from MUSCode!\\n";\n',
  awk: 'BEGIN { print "Hello from MUSCode!" }\n',
  tcl: 'puts "Hello from MUSCode!"\n',
};

export function starterFile(lang: LanguageDefinition): { name: string; content: string } {
  return { name: lang.sourceFile, content: HELLO[lang.id] ?? lang.selfTest.source };
}
