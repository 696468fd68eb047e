/**
 * Which class the JVM must start, read from the main file, for the JVM languages whose compilers
 * do not tie it to the file's name: Kotlin (a top-level `fun main` lives in the file's facade
 * class "MainKt"; `object X { @JvmStatic fun main }` is X) and Scala (`object X extends App`, or
 * an object with `def main`). Java needs the file named after the class instead (javaMainFile).
 */
import { blankJavaLiterals } from './pasted-source.js';

const IDENT = /^[\p{L}_$][\p{L}\p{N}_$]*(?:\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u;

export function kotlinMainClass(mainFile: string, source: string): string | undefined {
  const code = blankJavaLiterals(source);
  const prefix = packagePrefix(code);
  const top = topLevel(code);
  if (/(?:^|[\s;])(?:suspend\s+)?fun\s+main\s*\(/.test(top.text)) {
    // @file:JvmName("X") renames the facade; it is a string, so read from the source as given.
    const named = /@file\s*:\s*JvmName\s*\(\s*"([^"\\]+)"\s*\)/.exec(source)?.[1];
    const base = mainFile.slice(mainFile.lastIndexOf('/') + 1).replace(/\.kts?$/, '');
    const facade = named ?? `${base.charAt(0).toUpperCase()}${base.slice(1).replace(/[^\p{L}\p{N}_$]/gu, '_')}Kt`;
    return checked(prefix + facade);
  }
  const holder = top.bodies.find((b) => /^(?:object|class)$/.test(b.kind) && /\bfun\s+main\s*\(/.test(b.body));
  return holder ? checked(prefix + holder.name) : undefined;
}

export function scalaMainClass(_mainFile: string, source: string): string | undefined {
  const code = blankJavaLiterals(source);
  const prefix = packagePrefix(code);
  const top = topLevel(code);
  const holder = top.bodies.find((b) => b.kind === 'object' && (/\bextends\s+App\b/.test(b.header) || /\bdef\s+main\s*\(/.test(b.body)));
  return holder ? checked(prefix + holder.name) : undefined;
}

function packagePrefix(code: string): string {
  const pkg = /^\s*package\s+([\p{L}_$][\p{L}\p{N}_$]*(?:\s*\.\s*[\p{L}_$][\p{L}\p{N}_$]*)*)\s*(?:;|$)/mu.exec(code)?.[1]?.replace(/\s+/g, '');
  return pkg ? `${pkg}.` : '';
}

function checked(name: string): string | undefined {
  return IDENT.test(name) ? name : undefined;
}

/**
 * The text at brace depth 0 (bodies removed) and each top-level object/class with its header
 * (up to its opening brace) and body. Linear: one pass over the characters.
 */
function topLevel(code: string): { text: string; bodies: { kind: string; name: string; header: string; body: string }[] } {
  let text = '';
  const bodies: { kind: string; name: string; header: string; body: string }[] = [];
  const decl = /\b(object|class|trait|interface)\s+([\p{L}_$][\p{L}\p{N}_$]*)/gu;
  let i = 0;
  while (i < code.length) {
    const open = code.indexOf('{', i);
    const segment = open === -1 ? code.slice(i) : code.slice(i, open);
    text += segment;
    if (open === -1) break;
    let depth = 0;
    let end = open;
    for (; end < code.length; end++) {
      if (code[end] === '{') depth++;
      else if (code[end] === '}' && --depth === 0) break;
    }
    // The declaration this body belongs to: the last one in the segment before the brace.
    let last: RegExpExecArray | null = null;
    decl.lastIndex = 0;
    for (let m = decl.exec(segment); m; m = decl.exec(segment)) last = m;
    if (last) bodies.push({ kind: last[1]!, name: last[2]!, header: segment.slice(last.index), body: code.slice(open, end + 1) });
    text += ' ';
    i = end + 1;
  }
  return { text, bodies };
}
