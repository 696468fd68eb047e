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
