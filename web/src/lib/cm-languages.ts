/**
 * CodeMirror language support, loaded on demand: the playground's first load carries only the
 * editor core, and each language pack (parser, highlighting, indentation rules) arrives as its
 * own small chunk when that language is first shown.
 */
import { indentUnit, StreamLanguage, type LanguageSupport } from '@codemirror/language';
import type { Extension } from '@codemirror/state';

const loaders: Record<string, () => Promise<Extension>> = {
  python: async () => (await import('@codemirror/lang-python')).python(),
  javascript: async () => (await import('@codemirror/lang-javascript')).javascript(),
  typescript: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true }),
  java: async () => (await import('@codemirror/lang-java')).java(),
  c: async () => (await import('@codemirror/lang-cpp')).cpp(),
  cpp: async () => (await import('@codemirror/lang-cpp')).cpp(),
  php: async () => (await import('@codemirror/lang-php')).php(),
  go: async () => (await import('@codemirror/lang-go')).go(),
  rust: async () => (await import('@codemirror/lang-rust')).rust(),
  ruby: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/ruby')).ruby),
  bash: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/shell')).shell),
  perl: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/perl')).perl),
  tcl: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/tcl')).tcl),
  // The languages of `make languages`, through CodeMirror 5's modes (no language pack exists).
  // Near relatives where there is no mode: Elixir as Ruby, Nim as Python, Prolog as Erlang,
  // Racket as Scheme; Ada has none and shows as plain text.
  lua: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/lua')).lua),
  kotlin: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/clike')).kotlin),
  scala: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/clike')).scala),
  haskell: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/haskell')).haskell),
  ocaml: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/mllike')).oCaml),
  csharp: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/clike')).csharp),
  elixir: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/ruby')).ruby),
  erlang: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/erlang')).erlang),
  clojure: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/clojure')).clojure),
  racket: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/scheme')).scheme),
  commonlisp: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/commonlisp')).commonLisp),
  scheme: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/scheme')).scheme),
  d: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/d')).d),
  fortran: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/fortran')).fortran),
  pascal: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/pascal')).pascal),
  nim: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/python')).python),
  crystal: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/crystal')).crystal),
  r: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/r')).r),
  octave: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/octave')).octave),
  prolog: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/erlang')).erlang),
  cobol: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/cobol')).cobol),
  assembly: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/gas')).gas),
  groovy: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/groovy')).groovy),
  objectivec: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/clike')).objectiveC),
  sql: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/sql')).sqlite),
  forth: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/forth')).forth),
  json: async () => (await import('@codemirror/lang-javascript')).javascript(),
};

/** Indentation per language, as its community writes it (Go: tabs; Python, Java, C...: 4). */
const INDENT: Record<string, string> = {
  python: '    ',
  java: '    ',
  c: '    ',
  cpp: '    ',
  php: '    ',
  rust: '    ',
  go: '\t',
  javascript: '  ',
  typescript: '  ',
  ruby: '  ',
  bash: '  ',
  perl: '    ',
  tcl: '    ',
  awk: '    ',
  haskell: '  ',
  ocaml: '  ',
  elixir: '  ',
  erlang: '    ',
  clojure: '  ',
  racket: '  ',
  commonlisp: '  ',
  scheme: '  ',
  scala: '  ',
  kotlin: '    ',
  csharp: '    ',
  nim: '  ',
  crystal: '  ',
  r: '  ',
  ada: '   ',
  fortran: '  ',
  groovy: '    ',
  assembly: '        ',
};

const cache = new Map<string, Promise<Extension>>();

/** The editor extensions for a language (syntax + indentation); plain text when unknown. */
export function languageExtension(id: string): Promise<Extension> {
  let p = cache.get(id);
  if (!p) {
    const load = loaders[id];
    p = (load ? load() : Promise.resolve([] as Extension)).then((lang) => [lang as LanguageSupport | Extension, indentUnit.of(INDENT[id] ?? '  ')]);
    // A failed chunk load (offline) must not stick: the next attempt tries again.
    p.catch(() => cache.delete(id));
    cache.set(id, p);
  }
  return p;
}
