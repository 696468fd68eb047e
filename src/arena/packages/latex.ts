/**
 * LaTeX problem statements (problemtools' `problem_statement/problem.<lang>.tex`) to Markdown
 * with `$…$` math, for the common subset only, and never by running LaTeX: a package is
 * untrusted input and TeX can read files and loop forever. Math is copied untouched (KaTeX renders
 * it in the browser). Anything not understood is kept as its text and reported in `warnings`,
 * so an author sees what to fix instead of a silently mangled statement.
 */

export interface LatexConversion {
  markdown: string;
  /** The argument of `\problemname{…}`, converted; null if absent. */
  name: string | null;
  warnings: string[];
}

const SECTION_LEVEL: Record<string, string> = { section: '##', subsection: '###', subsubsection: '####' };
/** Commands dropped with their (empty) effect: spacing, font size and switches. */
const DROPPED = new Set([
  'noindent', 'medskip', 'bigskip', 'smallskip', 'vfill', 'hfill', 'centering', 'raggedright', 'clearpage', 'newpage',
  'bf', 'it', 'tt', 'rm', 'sf', 'em', 'tiny', 'scriptsize', 'footnotesize', 'small', 'normalsize', 'large', 'Large', 'LARGE',
  'huge', 'Huge', 'nextsample', 'remainingsamples', 'sampletable', 'protect', 'relax', 'par',
]);
/** Commands whose single argument is kept as plain text. */
const TEXT_ARG = new Set(['underline', 'textsc', 'textrm', 'textsf', 'textnormal', 'mbox', 'text', 'textup', 'sout', 'uline']);
const SYMBOLS: Record<string, string> = {
  ldots: '…', dots: '…', textellipsis: '…', textendash: '–', textemdash: '—', LaTeX: 'LaTeX', TeX: 'TeX',
  '%': '%', '&': '&', '#': '#', _: '\\_', '$': '\\$', '{': '{', '}': '}', ' ': ' ', ',': '\u2009', textbackslash: '\\\\',
  textasciitilde: '~', textasciicircum: '^', S: '§', copyright: '©', '-': '',
};
const IGNORED_ENVS = new Set(['figure', 'wrapfigure', 'table']);

export function latexToMarkdown(src: string, constants: Record<string, string> = {}): LatexConversion {
  const warnings: string[] = [];
  const warn = (w: string): void => {
    if (!warnings.includes(w)) warnings.push(w);
  };
  const slots: string[] = [];
  const hold = (md: string): string => `\u0000${slots.push(md) - 1}\u0000`;

  // 1. Verbatim first: nothing inside it is LaTeX (not even %).
  let text = src.replace(/\r\n?/g, '\n').replace(/\u0000/g, '');
  text = text.replace(/\\begin\{(verbatim|lstlisting)\}(?:\[[^\]]*\])?\n?([\s\S]*?)\\end\{\1\}/g, (_m, _env: string, body: string) =>
    `\n\n${hold(`\`\`\`\n${body.replace(/\n$/, '')}\n\`\`\``)}\n\n`,
  );
  text = text.replace(/\\verb([^a-zA-Z\s])(.*?)\1/g, (_m, _d: string, body: string) => hold(code(body)));
  // 2. Comments: an unescaped % to the end of the line, and the newline with it (TeX's rule).
  text = text.replace(/(^|[^\\])%[^\n]*(\n[ \t]*)?/g, '$1');
  // 3. Math, kept verbatim. Display first so that $$ is not read as two empty inline maths.
  text = text.replace(/\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]/g, (_m, a?: string, b?: string) => `\n\n${hold(`$$${(a ?? b ?? '').trim()}$$`)}\n\n`);
  text = text.replace(/\\begin\{(equation\*?|align\*?|displaymath)\}([\s\S]*?)\\end\{\1\}/g, (_m, _e: string, body: string) =>
    `\n\n${hold(`$$${body.trim()}$$`)}\n\n`,
  );
  text = text.replace(/(^|[^\\])\$((?:\\\$|[^$])+?)\$/g, (_m, pre: string, body: string) => `${pre}${hold(`$${body}$`)}`);
  text = text.replace(/\\\(([\s\S]+?)\\\)/g, (_m, body: string) => hold(`$${body}$`));

  let name: string | null = null;
  const lists: ('itemize' | 'enumerate' | 'description')[] = [];
  let listStart = false;

  // 4. Commands and environments, left to right.
  const convert = (s: string): string => {
    let out = '';
    let i = 0;
    const readGroup = (): string | null => {
      let j = i;
      while (j < s.length && /[ \t\n]/.test(s[j]!)) j++;
      if (s[j] !== '{') return null;
      let depth = 0;
      for (let k = j; k < s.length; k++) {
        if (s[k] === '\\') {
          k++;
          continue;
        }
        if (s[k] === '{') depth++;
        else if (s[k] === '}' && --depth === 0) {
          i = k + 1;
          return s.slice(j + 1, k);
        }
      }
      i = s.length;
      warn('unbalanced braces');
      return s.slice(j + 1);
    };
    const readOptional = (): string | null => {
      if (s[i] !== '[') return null;
      const end = s.indexOf(']', i);
      if (end < 0) return null;
      const v = s.slice(i + 1, end);
      i = end + 1;
      return v;
    };
    while (i < s.length) {
      const c = s[i]!;
      if (c === '\\') {
        const m = /^\\([a-zA-Z]+\*?|.)/.exec(s.slice(i, i + 64));
        if (!m) {
          i++;
          continue;
        }
        const cmd = m[1]!;
        i += m[0].length;
        if (cmd === '\\') {
          readOptional();
          out += '  \n';
          while (s[i] === ' ' || s[i] === '\t') i++;
          if (s[i] === '\n') i++;
          continue;
        }
        const bare = cmd.replace(/\*$/, '');
        if (bare in SYMBOLS) {
          out += SYMBOLS[bare];
          if (/^[a-zA-Z]/.test(bare) && s.slice(i, i + 2) === '{}') i += 2;
          continue;
        }
        if (DROPPED.has(bare)) {
          if (s.slice(i, i + 2) === '{}') i += 2;
          continue;
        }
        if (bare === 'problemname') {
          const arg = readGroup();
          name = arg === null ? null : inline(convert(arg));
          continue;
        }
        if (bare in SECTION_LEVEL) {
          const arg = readGroup() ?? '';
          out += `\n\n${SECTION_LEVEL[bare]} ${inline(convert(arg))}\n\n`;
          continue;
        }
        if (bare === 'emph' || bare === 'textit') {
          out += wrap('*', convert(readGroup() ?? ''));
          continue;
        }
        if (bare === 'textbf') {
          out += wrap('**', convert(readGroup() ?? ''));
          continue;
        }
        if (bare === 'texttt') {
          out += code(restore(convert(readGroup() ?? ''), slots).replace(/\\([*_`])/g, '$1'));
          continue;
        }
        if (TEXT_ARG.has(bare)) {
          out += convert(readGroup() ?? '');
          continue;
        }
        if (bare === 'url') {
          const u = readGroup() ?? '';
          out += `<${u}>`;
          continue;
        }
        if (bare === 'href') {
          const u = readGroup() ?? '';
          const t = convert(readGroup() ?? '');
          out += `[${inline(t)}](${u})`;
          continue;
        }
        if (bare === 'constant') {
          const k = (readGroup() ?? '').trim();
          if (k in constants) out += constants[k];
          else {
            warn(`\\constant{${k}} is not defined in problem.yaml; kept as its name`);
            out += k;
          }
          continue;
        }
        if (bare === 'illustration') {
          readGroup();
          const file = readGroup();
          readGroup();
          warn(`\\illustration{${file ?? ''}} ignored (images are not imported yet)`);
          continue;
        }
        if (bare === 'includegraphics') {
          readOptional();
          const file = readGroup();
          warn(`\\includegraphics{${file ?? ''}} ignored (images are not imported yet)`);
          continue;
        }
        if (bare === 'footnote') {
          out += ` (${inline(convert(readGroup() ?? ''))})`;
          continue;
        }
        if (bare === 'label' || bare === 'vspace' || bare === 'hspace') {
          readGroup();
          continue;
        }
        if (bare === 'item') {
          const opt = readOptional();
          const kind = lists[lists.length - 1];
          const indent = '  '.repeat(Math.max(0, lists.length - 1));
          if (kind === undefined) warn('\\item outside a list');
          const bullet = kind === 'enumerate' ? '1.' : '-';
          out = out.replace(/\s+$/, '');
          out += listStart && lists.length === 1 ? '\n\n' : '\n';
          listStart = false;
          out += `${indent}${bullet} ${opt !== null ? `**${inline(convert(opt))}** ` : ''}`;
          while (s[i] === ' ' || s[i] === '\n') i++;
          continue;
        }
        if (bare === 'begin') {
          const env = (readGroup() ?? '').trim();
          readOptional();
          if (env === 'itemize' || env === 'enumerate' || env === 'description') {
            lists.push(env);
            listStart = true;
          } else if (env === 'Input' || env === 'Output' || env === 'Interaction') {
            out += `\n\n## ${env}\n\n`;
          } else if (env === 'quote' || env === 'quotation') {
            out += '\n\n> ';
          } else if (IGNORED_ENVS.has(env)) {
            warn(`\\begin{${env}} kept as its text (floats are not imported)`);
          } else if (env === 'tabular') {
            readGroup();
            warn('\\begin{tabular} kept as its text (tables are not converted yet)');
          } else if (env !== 'center' && env !== 'flushleft' && env !== 'flushright' && env !== 'samepage') {
            warn(`unknown environment ${env} kept as its text`);
          }
          continue;
        }
        if (bare === 'end') {
          const env = (readGroup() ?? '').trim();
          if (env === 'itemize' || env === 'enumerate' || env === 'description') {
            lists.pop();
            out += '\n\n';
          } else out += '\n\n';
          continue;
        }
        if (/^[a-zA-Z]/.test(bare)) {
          warn(`unknown command \\${bare} kept as its text`);
          // Its arguments, if any, are text the reader should still see.
          let arg = readGroup();
          while (arg !== null) {
            out += convert(arg);
            arg = readGroup();
          }
          continue;
        }
        out += cmd; // an escaped character we do not know: keep it
        continue;
      }
      if (c === '{' || c === '}') {
        i++;
        continue;
      }
      if (c === '~') {
        out += '\u00a0';
        i++;
        continue;
      }
      if (s.startsWith('``', i)) {
        out += '“';
        i += 2;
        continue;
      }
      if (s.startsWith("''", i)) {
        out += '”';
        i += 2;
        continue;
      }
      if (s.startsWith('---', i)) {
        out += '—';
        i += 3;
        continue;
      }
      if (s.startsWith('--', i)) {
        out += '–';
        i += 2;
        continue;
      }
      if (c === '*' || c === '`' || c === '_') {
        out += `\\${c}`; // would be Markdown syntax
        i++;
        continue;
      }
      out += c;
      i++;
    }
    return out;
  };

  // Whitespace is tidied before the held verbatim and math come back, so they stay untouched.
  let md = convert(text)
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : l.replace(/[ \t]+$/g, (t) => (t === '  ' ? t : '')).replace(/^[ \t]+(?=[^ \t\-0-9])/, '')))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  md = restore(md, slots);
  return { markdown: `${md}\n`, name: name === null ? null : restore(name, slots), warnings };
}

function restore(s: string, slots: string[]): string {
  // Slots may hold slots (a \verb inside a list item is held, then the item text is converted).
  let out = s;
  for (let n = 0; n < 3 && out.includes('\u0000'); n++) out = out.replace(/\u0000(\d+)\u0000/g, (_m, k: string) => slots[Number(k)] ?? '');
  return out;
}

function inline(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function wrap(mark: string, s: string): string {
  const t = s.trim();
  return t === '' ? '' : `${mark}${t}${mark}`;
}

function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${s}${fence}`;
}
