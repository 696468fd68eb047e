import { parse as parseYaml, YAMLParseError } from 'yaml';
import { invalid } from './errors.js';
import type { FileTree } from './file-tree.js';
import type { DefaultValidatorFlags, Program } from './model.js';

/** File extension → language id of this project's registry (src/engine/languages). */
const EXT_LANGUAGE: Record<string, string> = {
  '.c': 'c', '.cpp': 'cpp', '.cc': 'cpp', '.cxx': 'cpp', '.c++': 'cpp', '.C': 'cpp',
  '.py': 'python', '.py3': 'python', '.java': 'java', '.kt': 'kotlin', '.rs': 'rust', '.go': 'go',
  '.js': 'javascript', '.mjs': 'javascript', '.ts': 'typescript', '.rb': 'ruby', '.php': 'php',
  '.cs': 'csharp', '.hs': 'haskell', '.sh': 'bash', '.ctd': 'checktestdata', '.viva': 'viva',
};

export function languageOf(file: string): string | null {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  const ext = base.slice(dot);
  return EXT_LANGUAGE[ext] ?? EXT_LANGUAGE[ext.toLowerCase()] ?? null;
}

/** A program is a file, or a directory of files (Kattis §Programs). */
export function programAt(tree: FileTree, path: string): Program {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (tree.isDir(path)) {
    const files = tree.walkFiles(path);
    const langs = [...new Set(files.map(languageOf).filter((l): l is string => l !== null && l !== 'bash'))];
    const hasBuild = files.some((f) => /\/(build|run)$/.test(f));
    return { name, files, language: langs.length === 1 ? langs[0]! : hasBuild ? 'build-script' : (langs[0] ?? null) };
  }
  return { name: name.replace(/\.[^.]+$/, ''), files: [path], language: languageOf(path) };
}

/** Programs directly in a directory, in name order (README-like files skipped). */
export function programsIn(tree: FileTree, dir: string): Program[] {
  return tree
    .list(dir)
    .filter((n) => !/^(readme|license)(\.|$)/i.test(n) && !n.startsWith('.'))
    .map((n) => programAt(tree, `${dir}/${n}`));
}

export function readYaml(tree: FileTree, path: string): unknown {
  const text = tree.readText(path);
  try {
    return parseYaml(text, { maxAliasCount: 100 }) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw invalid(`${path}: malformed YAML${where}: ${(err as Error).message.split('\n')[0]}`, path, 'yaml');
  }
}

export function asMap(v: unknown, path: string, what: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${path}: ${what} must be a map`, path, 'yaml');
  return v as Record<string, unknown>;
}

export function num(v: unknown, path: string, key: string): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(`${path}: ${key} must be a number`, path, 'yaml');
  return n;
}

export function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

/** A string of words, or a list of strings (both spellings are found in packages). */
export function words(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => String(x));
  return String(v).split(/\s+/).filter((w) => w !== '');
}

/** Kattis default validator flags (problem.yaml `validator_flags`, group `output_validator_args`). */
export function parseDefaultFlags(flags: string[], caseSensitiveDefault: boolean, warnings: string[], where: string): DefaultValidatorFlags {
  const out: DefaultValidatorFlags = {
    caseSensitive: caseSensitiveDefault,
    spaceChangeSensitive: false,
    floatAbsoluteTolerance: null,
    floatRelativeTolerance: null,
  };
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    const eps = (): number => {
      const v = Number(flags[i + 1]);
      if (flags[i + 1] === undefined || !Number.isFinite(v) || v < 0) throw invalid(`${where}: ${f} needs a non-negative number`, where, 'flags');
      i++;
      return v;
    };
    if (f === 'case_sensitive') out.caseSensitive = true;
    else if (f === 'space_change_sensitive') out.spaceChangeSensitive = true;
    else if (f === 'float_absolute_tolerance') out.floatAbsoluteTolerance = eps();
    else if (f === 'float_relative_tolerance') out.floatRelativeTolerance = eps();
    else if (f === 'float_tolerance') {
      const e = eps();
      out.floatAbsoluteTolerance = e;
      out.floatRelativeTolerance = e;
    } else warnings.push(`${where}: unknown default validator flag ${f} ignored`);
  }
  return out;
}

export function slugify(name: string): string {
  const s = name.toLowerCase().replace(/\.(zip|kpp)$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s === '' ? 'problem' : s.slice(0, 64);
}
