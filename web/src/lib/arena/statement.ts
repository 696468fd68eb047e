/**
 * Problem statements: Markdown with `$…$` (inline) and `$$…$$` (display) math, rendered with
 * marked and KaTeX, then sanitised. Math is taken out before Markdown sees it (so `_` and `*`
 * inside formulas are not emphasis), replaced by placeholders, and put back as KaTeX's HTML after
 * Markdown ran. Dollars in code spans and fenced code are left alone; `\$` is a literal dollar;
 * `$` followed by a space, or a closing `$` preceded by one or followed by a digit, is not math
 * ("costs $5 and $10" stays text), as in pandoc.
 *
 * The statement is the author's text: the final HTML always goes through `sanitize` (DOMPurify in
 * the browser; injected so that the pure parts are unit-tested in Node).
 */
import katex from 'katex';
import { Marked } from 'marked';

export interface MathSpan {
  tex: string;
  display: boolean;
}

const PH = (n: number) => `MUSCODEMATH${n}END`;
const PH_RE = /MUSCODEMATH(\d+)END/g;

/** Replaces math by placeholders; returns the text and the formulas in order. */
export function extractMath(markdown: string): { text: string; math: MathSpan[] } {
  const math: MathSpan[] = [];
  let out = '';
  let i = 0;
  const src = markdown;
  let atLineStart = true;
  let fence: string | null = null;
  while (i < src.length) {
    // Fenced code blocks (``` or ~~~ at the start of a line, up to 3 spaces in): copied as is.
    if (atLineStart) {
      const m = /^ {0,3}(`{3,}|~{3,})/.exec(src.slice(i, i + 64));
      if (m && (fence === null || (m[1]![0] === fence[0] && m[1]!.length >= fence.length))) {
        fence = fence === null ? m[1]! : null;
      }
      if (fence !== null || m) {
        const end = src.indexOf('\n', i);
        const stop = end === -1 ? src.length : end + 1;
        out += src.slice(i, stop);
        i = stop;
        atLineStart = true;
        continue;
      }
    }
    const c = src[i]!;
    atLineStart = false;
    if (c === '\n') {
      out += c;
      i++;
      atLineStart = true;
      continue;
    }
    if (c === '\\' && src[i + 1] === '$') {
      out += '\\$';
      i += 2;
      continue;
    }
    if (c === '`') {
      // A code span: from a run of backticks to the next run of the same length.
      let n = 1;
      while (src[i + n] === '`') n++;
      const run = '`'.repeat(n);
      const close = src.indexOf(run, i + n);
      if (close !== -1) {
        out += src.slice(i, close + n);
        i = close + n;
      } else {
        out += run;
        i += n;
      }
      continue;
    }
    if (c === '$' && src[i + 1] === '$') {
      const close = src.indexOf('$$', i + 2);
      if (close !== -1 && src.slice(i + 2, close).trim() !== '') {
        math.push({ tex: src.slice(i + 2, close).trim(), display: true });
        out += PH(math.length - 1);
        i = close + 2;
        continue;
      }
      out += '$$';
      i += 2;
      continue;
    }
    if (c === '$') {
      const close = findInlineClose(src, i + 1);
      if (close !== -1) {
        math.push({ tex: src.slice(i + 1, close), display: false });
        out += PH(math.length - 1);
        i = close + 1;
        continue;
      }
    }
    out += c;
    i++;
  }
  return { text: out, math };
}

function findInlineClose(src: string, from: number): number {
  const first = src[from];
  if (first === undefined || /\s/.test(first) || first === '$') return -1;
  for (let j = from; j < src.length; j++) {
    const ch = src[j]!;
    if (ch === '\\') {
      j++;
      continue;
    }
    // Inline math does not cross a blank line, nor into a code span.
    if ((ch === '\n' && src[j + 1] === '\n') || ch === '`') return -1;
    if (ch === '$') {
      if (/\s/.test(src[j - 1]!) || /[0-9]/.test(src[j + 1] ?? '')) continue;
      return j;
    }
  }
  return -1;
}

/** KaTeX's HTML (with MathML for screen readers); a bad formula shows its source in red, never throws. */
export function renderMath(m: MathSpan): string {
  return katex.renderToString(m.tex, { displayMode: m.display, throwOnError: false, output: 'htmlAndMathml', strict: 'ignore', trust: false, maxSize: 50, maxExpand: 1000 });
}

const marked = new Marked({ gfm: true, breaks: false, async: false });

export function renderStatement(markdown: string, sanitize: (html: string) => string): string {
  const { text, math } = extractMath(markdown);
  const html = marked.parse(text, { async: false }) as string;
  const withMath = html.replace(PH_RE, (whole, n: string) => {
    const m = math[Number(n)];
    return m ? renderMath(m) : whole;
  });
  return sanitize(withMath);
}
