import { javaMainFile } from './pasted-source.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// Debian's OpenJDK 17 by absolute path: /usr/bin/java may point at another JDK via alternatives.
const JDK = '/usr/lib/jvm/java-17-openjdk-amd64';

export const java: LanguageDefinition = {
  id: 'java',
  name: 'Java (OpenJDK 17)',
  aliases: ['jdk', 'java17'],
  extensions: ['.java'],
  sourceFile: 'Main.java',
  shebang: 'blank',
  // Pasted `public class FizzBuzz`: the file becomes FizzBuzz.java and the class run FizzBuzz.
  pasted: (source) => ({ mainFile: javaMainFile(source) }),
  version: { argv: [`${JDK}/bin/javac`, '-version'], pattern: /javac (\S+)/ },
  // -proc:none: no annotation processors, so no user code runs at compile time.
  compile: { argv: [`${JDK}/bin/javac`, '-proc:none', '-encoding', 'UTF-8', '-J-XX:+UseSerialGC', '-J-Xshare:auto', '-d', '.', '{options}', '{sources}'] },
  // The class to run is the main file's stem; SerialGC keeps thread count and startup low.
  // The class name is user-chosen and cannot be given as "./name": the launcher would read a
  // leading "-" as an option and "@" as a file of options, so expandArgv refuses both (and so
  // does prepareJob). This JDK's launcher does not accept -disable-@files.
  run: { argv: [`${JDK}/bin/java`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss64m', '-cp', '.', '{mainClass}'] },
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
