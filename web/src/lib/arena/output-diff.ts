/**
 * Expected against got, line by line, for a failed sample: what the diff view shows. Not a
 * minimal edit script (an off-by-one line would make every later line look "moved"): judges
 * compare line by line and token by token, so the view lines them up by number and marks, per
 * line, where the two first differ and whether only whitespace differs.
 */
export interface DiffRow {
  /** 1-based line number. */
  line: number;
  expected: string | null;
  got: string | null;
  same: boolean;
  /** Only spaces/tabs/carriage returns differ (a presentation difference). */
  whitespaceOnly: boolean;
  /** First differing character (0-based) when both lines exist and differ. */
  column: number | null;
}

export interface OutputDiff {
  rows: DiffRow[];
  /** Rows not included past `maxRows`. */
  omitted: number;
  /** The first differing line, or null when the outputs are the same line by line. */
  firstDifference: number | null;
  /** Both end (or both do not end) with a newline. */
  trailingNewlineDiffers: boolean;
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const squash = (s: string) => s.replace(/[ \t\r]+/g, ' ').trim();

function firstDiff(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/**
 * Lines up expected and got. Matching lines far from any difference are kept too (the view is
 * short: samples are small), up to `maxRows` rows; rows past the first difference's window are
 * counted in `omitted`.
 */
export function diffOutputs(expected: string, got: string, maxRows = 200): OutputDiff {
  const e = splitLines(expected);
  const g = splitLines(got);
  const n = Math.max(e.length, g.length);
  const rows: DiffRow[] = [];
  let firstDifference: number | null = null;
  for (let i = 0; i < n; i++) {
    const a = i < e.length ? e[i]! : null;
    const b = i < g.length ? g[i]! : null;
    const same = a !== null && b !== null && a === b;
    const whitespaceOnly = !same && a !== null && b !== null && squash(a) === squash(b);
    const column = !same && a !== null && b !== null ? firstDiff(a, b) : null;
    if (!same && firstDifference === null) firstDifference = i + 1;
    rows.push({ line: i + 1, expected: a, got: b, same, whitespaceOnly, column });
  }
  let start = 0;
  // Long outputs: show from a little before the first difference.
  if (rows.length > maxRows && firstDifference !== null && firstDifference > 5) start = Math.min(firstDifference - 4, rows.length - maxRows);
  const shown = rows.slice(start, start + maxRows);
  const endsE = expected.endsWith('\n');
  const endsG = got.endsWith('\n');
  return {
    rows: shown,
    omitted: rows.length - shown.length,
    firstDifference,
    trailingNewlineDiffers: expected !== '' && got !== '' && endsE !== endsG,
  };
}

/** A line's visible form: trailing spaces and tabs shown, so a whitespace-only difference can be seen. */
export function visibleWhitespace(line: string): string {
  return line.replace(/\t/g, '→').replace(/\r/g, '␍').replace(/ +$/, (m) => '·'.repeat(m.length));
}
