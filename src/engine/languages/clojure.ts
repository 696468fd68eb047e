import { JAVA, JVM_BINDS, JVM_ENV, JVM_FLAGS, debianVersion } from './jvm.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

const JAR = '/usr/share/java/clojure-1.11.jar';

export const clojure: LanguageDefinition = {
  id: 'clojure',
  name: 'Clojure',
  aliases: ['clj'],
  extensions: ['.clj'],
  sourceFile: 'main.clj',
  version: debianVersion('clojure'),
  // The JVM straight away (Debian's /usr/bin/clojure wraps it in rlwrap when it finds one).
  run: { argv: [JAVA, ...JVM_FLAGS, '-cp', `${JAR}:.`, 'clojure.main', '{main}'] },
  env: JVM_ENV,
  binds: JVM_BINDS,
  packages: ['clojure'],
  requires: [JAR, JAVA],
  limits: { run: { memoryBytes: 512 * 1024 * 1024 } },
  selfTest: {
    source:
      '(require \'[clojure.string :as str])\n(let [name (str/trim (read-line))]\n  (println (str "hello, " name))\n' +
      '  (println (str "sum=" (reduce + (range 1 11)))))\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
