import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// Debian's OpenJDK 17 by absolute path: /usr/bin/java may point at another JDK via alternatives.
const JDK = '/usr/lib/jvm/java-17-openjdk-amd64';

export const java: LanguageDefinition = {
  id: 'java',
  name: 'Java (OpenJDK 17)',
  aliases: ['jdk', 'java17'],
  extensions: ['.java'],
  sourceFile: 'Main.java',
  version: { argv: [`${JDK}/bin/javac`, '-version'], pattern: /javac (\S+)/ },
  // -proc:none: no annotation processors, so no user code runs at compile time.
  compile: { argv: [`${JDK}/bin/javac`, '-proc:none', '-encoding', 'UTF-8', '-J-XX:+UseSerialGC', '-J-Xshare:auto', '-d', '.', '{sources}'] },
  // The class to run is the main file's stem; SerialGC keeps thread count and startup low.
  // -disable-@files: the class name is user-chosen, and the launcher reads "@name" as a file
  // of JVM options (prepareJob refuses such names too).
  run: { argv: [`${JDK}/bin/java`, '-disable-@files', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss64m', '-cp', '.', '{mainClass}'] },
  binds: [{ source: '/etc/java-17-openjdk', dest: '/etc/java-17-openjdk' }],
  requires: [`${JDK}/bin/javac`, `${JDK}/bin/java`, '/etc/java-17-openjdk'],
  limits: { run: { processes: 64 } },
  selfTest: {
    source:
      'import java.util.Scanner;\n\npublic class Main {\n  public static void main(String[] args) {\n' +
      '    Scanner in = new Scanner(System.in);\n    String name = in.next();\n    System.out.println("hello, " + name);\n' +
      '    int s = 0;\n    for (int i = 1; i <= 10; i++) s += i;\n    System.out.println("sum=" + s);\n  }\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
