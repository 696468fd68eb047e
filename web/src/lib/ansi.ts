/**
 * ANSI escape sequences in program output, as a terminal would show them: SGR colours (the 16
 * basic ones, 256-colour and 24-bit), bold, dim, italic, underline, inverse and reset become
 * styles; every other escape sequence (cursor moves, erase line, OSC titles and links) is
 * removed, so no ESC byte ever reaches the screen.
 *
 * Pure and tiny on purpose (no dependency for ~60 lines). The output is plain text segments
 * with a style; the panel renders them as text nodes (never innerHTML), so program output
 * cannot inject markup. The style carries over from one call to the next (output arrives in
 * chunks), and a sequence cut at the end of a chunk is returned as `pending` to be prefixed to
 * the next one.
 */
export interface AnsiStyle {
  /** 0-15 (a theme colour class), or a CSS colour string for 256-colour and 24-bit. */
  fg?: number | string;
  bg?: number | string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface AnsiSegment {
  text: string;
  style: AnsiStyle;
}

export const PLAIN: AnsiStyle = Object.freeze({});

// CSI (ESC [ params intermediates final), OSC (ESC ] ... BEL or ESC \), other two-byte escapes,
// and lone C0 controls a terminal would not print (keeps \t \n \r \b).
// eslint-disable-next-line no-control-regex
const SEQUENCE = /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[ -/]*[0-~]|[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;
// An escape sequence that the end of the text cut short.
// eslint-disable-next-line no-control-regex
const UNFINISHED = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[PX^_][^\x1b]*|[ -/]*)?$/;

/** The colour of a 256-colour index, as CSS (0-15 stay indexes: they follow the theme). */
export function color256(n: number): number | string {
  if (n < 16) return n;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

/** Applies one SGR parameter list ("1;31", "38;5;208", "" = reset) to a style. */
export function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  const p = params === '' ? [0] : params.split(/[;:]/).map((x) => (x === '' ? 0 : Number(x)));
  let s: AnsiStyle = { ...style };
  for (let i = 0; i < p.length; i++) {
    const n = p[i]!;
    if (n === 0) s = {};
    else if (n === 1) s.bold = true;
    else if (n === 2) s.dim = true;
    else if (n === 3) s.italic = true;
    else if (n === 4) s.underline = true;
    else if (n === 7) s.inverse = true;
    else if (n === 22) s.bold = s.dim = undefined;
    else if (n === 23) s.italic = undefined;
    else if (n === 24) s.underline = undefined;
    else if (n === 27) s.inverse = undefined;
    else if (n >= 30 && n <= 37) s.fg = n - 30;
    else if (n >= 90 && n <= 97) s.fg = n - 90 + 8;
    else if (n === 39) s.fg = undefined;
    else if (n >= 40 && n <= 47) s.bg = n - 40;
    else if (n >= 100 && n <= 107) s.bg = n - 100 + 8;
    else if (n === 49) s.bg = undefined;
    else if (n === 38 || n === 48) {
      let c: number | string | undefined;
      if (p[i + 1] === 5 && p[i + 2] !== undefined) {
        c = color256(Math.min(255, Math.max(0, p[i + 2]!)));
        i += 2;
      } else if (p[i + 1] === 2 && p[i + 4] !== undefined) {
        const [r, g, b] = [p[i + 2]!, p[i + 3]!, p[i + 4]!].map((x) => Math.min(255, Math.max(0, x)));
        c = `rgb(${r},${g},${b})`;
        i += 4;
      } else break; // malformed: ignore the rest, as terminals do
      if (n === 38) s.fg = c;
      else s.bg = c;
    }
  }
  for (const k of Object.keys(s) as (keyof AnsiStyle)[]) if (s[k] === undefined) delete s[k];
  return s;
}

/**
 * Splits `text` (prefixed with the previous call's `pending`) into styled segments, starting
 * from `style`. Returns the style at the end and any unfinished sequence at the very end.
 */
export function parseAnsi(text: string, style: AnsiStyle = PLAIN, pending = ''): { segments: AnsiSegment[]; style: AnsiStyle; pending: string } {
  let src = pending + text;
  let tail = '';
  const cut = UNFINISHED.exec(src);
  if (cut && cut[0]) {
    tail = cut[0];
    src = src.slice(0, cut.index);
  }
  const segments: AnsiSegment[] = [];
  let at = 0;
  let cur = style;
  const push = (t: string) => {
    if (!t) return;
    const last = segments[segments.length - 1];
    if (last && last.style === cur) last.text += t;
    else segments.push({ text: t, style: cur });
  };
  SEQUENCE.lastIndex = 0;
  for (let m = SEQUENCE.exec(src); m; m = SEQUENCE.exec(src)) {
    push(src.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[2] === 'm') cur = applySgr(cur, m[1] ?? '');
  }
  push(src.slice(at));
  return { segments, style: cur, pending: tail };
}

/** True when the text has anything for parseAnsi to do (the common case is plain text). */
export function hasEscapes(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x07\x0b\x0c\x0e-\x1f\x7f]/.test(text);
}

/** Only the text, every sequence removed (for downloads and copies). */
export function stripAnsi(text: string): string {
  return parseAnsi(text).segments.map((s) => s.text).join('');
}
