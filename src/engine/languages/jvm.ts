/** What the JVM languages beyond Java share: Debian's OpenJDK 17 and flags for a small, fast start. */
export const JDK = '/usr/lib/jvm/java-17-openjdk-amd64';
export const JAVA = `${JDK}/bin/java`;
/** SerialGC keeps the thread count and footprint low; C1 only starts faster for short programs. */
export const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-Xss64m'];
export const JVM_BINDS = [{ source: '/etc/java-17-openjdk', dest: '/etc/java-17-openjdk' }];
/** The launcher scripts (kotlinc, scalac, groovy) find the JDK through JAVA_HOME; HOME is the box's /tmp. */
export const JVM_ENV = { JAVA_HOME: JDK, HOME: '/tmp', JAVA_OPTS: JVM_FLAGS.join(' ') };
/** Debian's package version (the JVM toolchains' own --version starts a JVM: about a second). */
export function debianVersion(pkg: string) {
  return { argv: ['/usr/bin/dpkg-query', '-W', '-f=${Version}', pkg], pattern: /^(?:\d+:)?(\d+(?:\.\d+)+)/ };
}
