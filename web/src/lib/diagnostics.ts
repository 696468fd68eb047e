/**
 * Line numbers out of compiler and interpreter messages, so that the output panel can list
 * "line 3: expected ';'" and the editor can mark the line. One pattern per toolchain family;
 * anything not recognised simply stays in the raw text shown next to it.
 */
export interface Diagnostic {
  /** As the toolchain wrote it, without a leading "./" or the sandbox's "/box/". */
  file: string | null;
  line: number;
  column: number | null;
  severity: 'error' | 'warning';
  message: string;
}

const clean = (f: string) => f.replace(/^(\.\/|\/box\/)/, '');
const sev = (s: string | undefined): 'error' | 'warning' => (s && /warn/i.test(s) ? 'warning' : 'error');

/** Each pattern turns one match into a diagnostic; tried in order on every line. */
const LINE_PATTERNS: { re: RegExp; make(m: RegExpMatchArray): Diagnostic }[] = [
  // gcc, g++, go, clang: file:line:col: [error|warning:] message
  {
    re: /^([^\s:()]+\.[A-Za-z0-9]+):(\d+):(\d+):\s*(?:(fatal error|error|warning)\s*:\s*)?(.*)$/,
    make: (m) => ({ file: clean(m[1]!), line: +m[2]!, column: +m[3]!, severity: sev(m[4]), message: m[5]!.trim() }),
  },
  // tsc: file(line,col): error TS1005: message
  {
    re: /^([^\s:()]+\.[A-Za-z0-9]+)\((\d+),(\d+)\):\s*(error|warning)\s*(?:TS\d+:\s*)?(.*)$/,
    make: (m) => ({ file: clean(m[1]!), line: +m[2]!, column: +m[3]!, severity: sev(m[4]), message: m[5]!.trim() }),
  },
  // javac, ruby: file:line: [error:|warning:] message
  {
    re: /^([^\s:()]+\.(?:java|rb|php|py|js|ts)):(\d+):\s*(?:(error|warning)\s*:\s*)?(.*)$/,
    make: (m) => ({ file: clean(m[1]!), line: +m[2]!, column: null, severity: sev(m[3]), message: m[4]!.trim() }),
  },
  // php: "PHP Parse error:  syntax error, unexpected ... in /box/main.php on line 3"
  {
    re: /^(?:PHP )?(Parse error|Fatal error|Warning)\s*:\s*(.*?) in (\S+) on line (\d+)/,
    make: (m) => ({ file: clean(m[3]!), line: +m[4]!, column: null, severity: sev(m[1]), message: `${m[1]}: ${m[2]!.trim()}` }),
  },
];

/**
 * Finds the diagnostics in a toolchain's output. Multi-line formats (rustc's "error: msg" then
 * "--> file:line:col", Python's traceback "File ..., line N" then the exception line) are
 * handled by looking at neighbouring lines.
 */
export function parseDiagnostics(text: string | null | undefined): Diagnostic[] {
  if (!text) return [];
  const lines = text.split(/\r?\n/);
  const out: Diagnostic[] = [];
  let rustHead: { severity: 'error' | 'warning'; message: string } | null = null;
  // Python's innermost user frame, or Node's "/box/main.js:3" head line: the location of the
  // exception line that follows.
  let pendingAt: { file: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const rh = /^(error|warning)(?:\[E\d+\])?:\s*(.*)$/.exec(line);
    if (rh) {
      rustHead = { severity: sev(rh[1]), message: rh[2]!.trim() };
      continue;
    }
    const arrow = /^\s*-->\s*([^:\s]+):(\d+):(\d+)/.exec(line);
    if (arrow && rustHead) {
      out.push({ file: clean(arrow[1]!), line: +arrow[2]!, column: +arrow[3]!, ...rustHead });
      rustHead = null;
      continue;
    }
    const py = /^\s*File "([^"]+)", line (\d+)/.exec(line);
    if (py) {
      // The innermost frame in the user's files wins; library frames are skipped.
      if (!py[1]!.startsWith('/usr/')) pendingAt = { file: clean(py[1]!), line: +py[2]! };
      continue;
    }
    const nodeHead = /^(\S+\.(?:js|mjs|cjs|ts)):(\d+)$/.exec(line);
    if (nodeHead) {
      pendingAt = { file: clean(nodeHead[1]!), line: +nodeHead[2]! };
      continue;
    }
    if (pendingAt && /^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b/.test(line)) {
      out.push({ file: pendingAt.file, line: pendingAt.line, column: null, severity: 'error', message: line.trim() });
      pendingAt = null;
      continue;
    }
    for (const p of LINE_PATTERNS) {
      const m = line.match(p.re);
      if (m) {
        out.push(p.make(m));
        break;
      }
    }
  }
  // One entry per position and message (some compilers repeat themselves).
  const seen = new Set<string>();
  return out.filter((d) => {
    const k = `${d.file}:${d.line}:${d.column}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Splits an argument line the way a shell would for plain words and quotes:
 * `a "b c" 'd e' f\ g` -> [a, b c, d e, f g]. No variables, globs or escapes beyond `\`.
 */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}
