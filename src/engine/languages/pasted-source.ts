/**
 * Code as people paste it: from an editor on Windows (CRLF, a UTF-8 BOM), from a script with a
 * shebang line, or a Java file whose class is not called Main. None of these should decide
 * whether a program compiles.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A source file as its toolchain wants it: no UTF-8 BOM (javac calls it an illegal character,
 * PHP prints it), LF line ends, and a shebang line blanked where `#!` is not valid syntax (C,
 * C++, Java, Go). The line is emptied, not removed, so that diagnostics keep their line numbers.
 */
export function normalizeSource(data: Buffer, shebang: 'native' | 'blank'): Buffer {
  let buf = data.subarray(0, 3).equals(BOM) ? data.subarray(3) : data;
  if (!buf.includes(0x0d)) {
    if (shebang === 'native' || !isShebang(buf)) return buf === data ? data : Buffer.from(buf);
  }
  let text = buf.toString('latin1').replaceAll('\r\n', '\n');
  if (shebang === 'blank' && isShebang(buf)) {
    const nl = text.indexOf('\n');
    text = nl === -1 ? '' : text.slice(nl);
  }
  // latin1 round-trips every byte, so a file in any encoding comes back as it was.
  buf = Buffer.from(text, 'latin1');
  return buf;
}

// "#![" is a Rust inner attribute, not a shebang (the rule rustc itself uses).
function isShebang(buf: Buffer): boolean {
  return buf[0] === 0x23 && buf[1] === 0x21 && buf[2] !== 0x5b;
}

/**
 * Java's rules, read from a pasted single file: the file must be named after its public
 * top-level class (in its package's directory), and the launcher runs the class that has
 * `main`. Returns the path the file must have ("FizzBuzz.java", "com/acme/App.java"), or
 * undefined when the source does not say (then the given name stays).
 *
 * Comments, strings, character literals and text blocks are blanked first so that a class
 * named in a comment or a string never counts. Only top-level types are considered (brace
 * depth 0); the one named is, in order: the public one (javac requires it to name the file),
 * else the only one that declares a `static void main`.
 */
export function javaMainFile(source: string): string | undefined {
  const code = blankJavaLiterals(source);
  const pkg = /^\s*package\s+([\p{L}_$][\p{L}\p{N}_$]*(?:\s*\.\s*[\p{L}_$][\p{L}\p{N}_$]*)*)\s*;/u.exec(code)?.[1]?.replace(/\s+/g, '');
  const types: { name: string; isPublic: boolean; hasMain: boolean }[] = [];
  const decl = /((?:\b(?:public|protected|private|abstract|final|static|sealed|non-sealed|strictfp)\s+|@[\p{L}_$][\p{L}\p{N}_$.]*\s*)*)\b(class|interface|enum|record)\s+([\p{L}_$][\p{L}\p{N}_$]*)/uy;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0 && /[\p{L}@_$]/u.test(c!) && (i === 0 || !/[\p{L}\p{N}_$.]/u.test(code[i - 1]!))) {
      decl.lastIndex = i;
      const m = decl.exec(code);
      if (!m) continue;
      const bodyStart = code.indexOf('{', decl.lastIndex);
      if (bodyStart === -1) break;
      const bodyEnd = matchingBrace(code, bodyStart);
      const body = code.slice(bodyStart, bodyEnd);
      types.push({
        name: m[3]!,
        isPublic: /\bpublic\b/.test(m[1] ?? ''),
        hasMain: declaresMain(body),
      });
      i = bodyEnd;
    }
  }
  const chosen = types.find((t) => t.isPublic) ?? (types.filter((t) => t.hasMain).length === 1 ? types.find((t) => t.hasMain) : undefined);
  if (!chosen) return undefined;
  return `${pkg ? `${pkg.replaceAll('.', '/')}/` : ''}${chosen.name}.java`;
}

/**
 * A `static … void main(` in a class body. Looked for from each `void main(` backwards to the
 * start of its declaration (bounded), never by a regex that could backtrack over the whole body.
 */
function declaresMain(body: string): boolean {
  for (const m of body.matchAll(/\bvoid[ \t\r\n]+main[ \t\r\n]*\(/g)) {
    const before = body.slice(Math.max(0, m.index - 300), m.index);
    const decl = before.slice(Math.max(before.lastIndexOf(';'), before.lastIndexOf('{'), before.lastIndexOf('}')) + 1);
    if (/\bstatic\b/.test(decl)) return true;
  }
  return false;
}

function matchingBrace(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return i;
  }
  return code.length - 1;
}

/** Comments and literals replaced by spaces (same length, so offsets stay). */
export function blankJavaLiterals(s: string): string {
  return s.replace(/\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*|"""[\s\S]*?(?:"""|$)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?/g, (m) => m.replace(/[^\n]/g, ' '));
}

/**
 * Node runs a .js file as CommonJS unless a package.json says "module", and CommonJS refuses a
 * top-level `await` (and, in JavaScript, `import` statements): pasted programs have both. A
 * program that uses CommonJS itself (`require`, `module.exports`, `__dirname`) stays CommonJS.
 * Only for a single file: in a project, ESM would change how its relative imports resolve.
 */
export function esModuleFiles(source: string, language: 'javascript' | 'typescript'): { path: string; content: string }[] {
  const code = blankJsLiterals(source);
  if (/\brequire\s*\(|\bmodule\.exports\b|\bexports\.|__dirname|__filename/.test(code)) return [];
  const esm = /\bawait\b/.test(code) || (language === 'javascript' && /^[ \t]*(?:import[ \t]*[\w{*'"]|export\s)/m.test(code));
  return esm ? [{ path: 'package.json', content: '{ "type": "module" }\n' }] : [];
}

function blankJsLiterals(s: string): string {
  return s.replace(/\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*|`(?:\\[\s\S]|[^`\\])*`?|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?/g, (m) => m.replace(/[^\n]/g, ' '));
}
