import type { StageLimits } from '../types.js';

/**
 * A language is data (after DMOJ's executors): how to compile and run it, what it needs from
 * the host, and a self-test that CI runs through the real sandbox.
 *
 * argv templates: each entry is one argv element. Placeholders:
 *   "{main}"      the main file's path in the box (e.g. "main.py", "app/main.py")
 *   "{mainStem}"  the main file's path without extension (e.g. "Main")
 *   "{mainClass}" the stem with "/" as "." (Java: "app/Main.java" -> "app.Main")
 *   "{options}"   expands to the request's compile options (RunRequest.compileOptions), each as
 *                 one element; nothing when there are none. Compile templates only.
 *   "{sources}"   expands to every file whose extension is in `sourceExtensions` (sorted), each
 *                 as "./path"
 * An element that starts with "{main}" or "{mainStem}" is given as "./path" too ("{main}" ->
 * "./main.c"), so that a user-chosen name is never the first character of an argv element
 * (a leading "-" is an option and a leading "@" a response file to most toolchains). An
 * element such as "/box/{main}" is left as written. Nothing is ever passed through a shell.
 */
export interface LanguageDefinition {
  id: string;
  name: string;
  aliases: string[];
  /** File extensions (with dot) that select this language for `muscode run FILE`. */
  extensions: string[];
  /** Default main file name. */
  sourceFile: string;
  /** How to read the version from the host toolchain; the first capture group is the version. */
  version: { argv: string[]; pattern: RegExp };
  compile?: {
    argv: string[];
    /** Extensions fed to "{sources}". Defaults to `extensions`. */
    sourceExtensions?: string[];
  };
  run: { argv: string[] };
  env?: Record<string, string>;
  /** Extra read-only binds (host path -> sandbox path), e.g. /etc/php. */
  binds?: { source: string; dest: string }[];
  /**
   * Whether the toolchain accepts a `#!` first line ('native': Python, Ruby, PHP, Node, Rust,
   * tsc) or the engine must blank it ('blank': C, C++, Java, Go). Default 'native'.
   */
  shebang?: 'native' | 'blank';
  /**
   * For a single pasted file, what its content requires: the path (Java: the public class names
   * the file; undefined keeps the given one) and files to add (JavaScript and TypeScript with a
   * top-level await: a package.json that makes it an ES module). See pasted-source.ts.
   */
  pasted?: (source: string) => { mainFile?: string; files?: { path: string; content: string }[] };
  /**
   * The class to start, read from the main file, where the compiler does not tie it to the
   * file's name (Kotlin's "MainKt" facade, Scala's `object X extends App`). It fills
   * "{mainClass}"; undefined falls back to the file's stem.
   */
  mainClass?: (mainFile: string, source: string) => string | undefined;
  /** Files the engine adds when the user did not give them (e.g. Go's go.mod). */
  generatedFiles?: { path: string; content: string }[];
  /**
   * An unlisted language (registry.ts INTERNAL_LANGUAGES) is available where this listed one is
   * (the engine's language list, which callers check, holds only the listed ones).
   */
  availableWith?: string;
  /**
   * The Debian packages that provide it, for the languages beyond the core group (installed by
   * `make languages`; the Makefile's LANGUAGE_PACKAGES_ALL lists them, a test checks).
   */
  packages?: string[];
  /** Host paths that must exist for the language to be available. */
  requires: string[];
  limits?: { run?: Partial<StageLimits>; compile?: Partial<StageLimits> };
  selfTest: {
    files?: { path: string; content: string }[];
    source: string;
    stdin: string;
    args?: string[];
    expected: string;
  };
}

/** Self-tests share one contract: read a name from stdin, greet it, and print 1+...+10. */
export const SELF_TEST_STDIN = 'muscode\n';
export const SELF_TEST_EXPECTED = 'hello, muscode\nsum=55\n';
