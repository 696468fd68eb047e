import { JAVA, JVM_BINDS, JVM_ENV, JVM_FLAGS, debianVersion } from './jvm.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';
import { kotlinMainClass } from './pasted-jvm.js';

const LIB = '/usr/share/kotlin/kotlinc/lib';

export const kotlin: LanguageDefinition = {
  id: 'kotlin',
  name: 'Kotlin',
  aliases: ['kt', 'kotlinc'],
  extensions: ['.kt'],
  sourceFile: 'main.kt',
  shebang: 'blank',
  version: debianVersion('kotlin'),
  // Classes in the box (no -include-runtime: copying the 3 MB runtime into every jar costs a
  // second); the run puts the standard library on the class path.
  // The compiler's JVM straight away, as /usr/bin/kotlinc starts it but without its
  // `-noverify` (deprecated since JDK 13: a warning in every compile's output) and its bash.
  compile: {
    argv: [
      JAVA, ...JVM_FLAGS, '-cp', `${LIB}/kotlin-preloader.jar`, 'org.jetbrains.kotlin.preloading.Preloader',
      '-cp', `${LIB}/kotlin-compiler.jar`, 'org.jetbrains.kotlin.cli.jvm.K2JVMCompiler',
      '-kotlin-home', '/usr/share/kotlin/kotlinc', '-nowarn', '-d', '.', '{sources}',
    ],
  },
  // The class that holds main: "MainKt" for a top-level `fun main` in main.kt, "X" for an
  // `object X { @JvmStatic fun main }` (read from the source: kotlinMainClass).
  mainClass: kotlinMainClass,
  run: { argv: [JAVA, ...JVM_FLAGS, '-cp', `.:${LIB}/kotlin-stdlib.jar:${LIB}/kotlin-stdlib-jdk8.jar:${LIB}/kotlin-stdlib-jdk7.jar`, '{mainClass}'] },
  env: JVM_ENV,
  binds: JVM_BINDS,
  packages: ['kotlin'],
  requires: [`${LIB}/kotlin-compiler.jar`, `${LIB}/kotlin-stdlib.jar`, JAVA],
  // kotlinc is a JVM that loads a 40 MB compiler: seconds of CPU even for hello.
  limits: { compile: { cpuMs: 30_000, wallMs: 60_000, memoryBytes: 1536 * 1024 * 1024 }, run: { memoryBytes: 512 * 1024 * 1024 } },
  selfTest: {
    source: 'fun main() {\n    val name = readLine()!!.trim()\n    println("hello, $name")\n    println("sum=${(1..10).sum()}")\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
