import { JAVA, JVM_BINDS, JVM_ENV, JVM_FLAGS, debianVersion } from './jvm.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';
import { scalaMainClass } from './pasted-jvm.js';

const LIB = '/usr/share/scala-2.11/lib';

export const scala: LanguageDefinition = {
  id: 'scala',
  name: 'Scala 2.11',
  aliases: ['scalac'],
  extensions: ['.scala'],
  sourceFile: 'main.scala',
  shebang: 'blank',
  version: debianVersion('scala'),
  compile: { argv: ['/usr/bin/scalac', '-nowarn', '-d', '.', '{sources}'] },
  // scalac does not tie the object to the file's name: the object with main is read from the source.
  mainClass: scalaMainClass,
  run: { argv: [JAVA, ...JVM_FLAGS, '-cp', `.:${LIB}/scala-library.jar`, '{mainClass}'] },
  env: JVM_ENV,
  binds: JVM_BINDS,
  packages: ['scala'],
  requires: ['/usr/bin/scalac', `${LIB}/scala-library.jar`, JAVA],
  limits: { compile: { cpuMs: 30_000, wallMs: 60_000, memoryBytes: 1536 * 1024 * 1024 }, run: { memoryBytes: 512 * 1024 * 1024 } },
  selfTest: {
    source: 'object Main extends App {\n  val name = scala.io.StdIn.readLine().trim\n  println(s"hello, $name")\n  println(s"sum=${(1 to 10).sum}")\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
