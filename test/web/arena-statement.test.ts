/**
 * Statements (web/src/lib/arena/statement.ts): math taken out before Markdown, rendered by KaTeX,
 * dollars in code and money left alone. Sanitising is DOMPurify's job in the browser (the e2e test
 * checks that a statement's script does not run); here the sanitiser is checked to be applied last.
 */
import { describe, expect, it } from 'vitest';
import { extractMath, renderStatement } from '../../web/src/lib/arena/statement';

const same = (h: string) => h;

describe('statement math extraction', () => {
  it('finds inline and display math, leaving placeholders Markdown cannot touch', () => {
    const r = extractMath('Given $a_1, \\dots, a_n$ with $$\\sum_{i=1}^n a_i \\le 10^9$$ print *it*.');
    expect(r.math).toEqual([
      { tex: 'a_1, \\dots, a_n', display: false },
      { tex: '\\sum_{i=1}^n a_i \\le 10^9', display: true },
    ]);
    expect(r.text).toMatch(/^Given MUSCODEMATH0END with MUSCODEMATH1END print \*it\*\.$/);
  });

  it('leaves dollars in code spans, fenced code, escapes and money alone', () => {
    const md = ['Costs $5 and $10 today, `echo $HOME $x$`, and \\$y\\$.', '', '```sh', 'echo $a$', '```', 'but $x$ is math'].join('\n');
    const r = extractMath(md);
    expect(r.math).toEqual([{ tex: 'x', display: false }]);
    expect(r.text).toContain('Costs $5 and $10 today');
    expect(r.text).toContain('`echo $HOME $x$`');
    expect(r.text).toContain('echo $a$');
    expect(r.text).toContain('\\$y\\$');
  });

  it('inline math does not cross a blank line, nor start before a space', () => {
    expect(extractMath('a $b\n\nc$ d').math).toEqual([]);
    expect(extractMath('a $ b$').math).toEqual([]);
    expect(extractMath('$x$\n$y$').math).toHaveLength(2);
  });
});

describe('statement rendering', () => {
  it('renders Markdown and KaTeX (with MathML), math subscripts not taken for emphasis', () => {
    const html = renderStatement('# Sum\n\nRead $a_1$ and $b_2$, print $a_1 + b_2$.\n\n$$x^2$$\n\n| n | out |\n|---|---|\n| 1 | 2 |\n', same);
    expect(html).toContain('<h1>Sum</h1>');
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="katex-display"');
    expect(html).toContain('<math');
    expect(html).not.toContain('<em>');
    expect(html).toContain('<table>');
    expect(html).not.toContain('MUSCODEMATH');
  });

  it('a bad formula is shown as its source, it does not throw', () => {
    const html = renderStatement('Oops $\\frac{1$ here', same);
    expect(html).toContain('katex-error');
  });

  it('the sanitiser sees the final HTML, math included', () => {
    let seen = '';
    const out = renderStatement('Hi $x$ <img src=x onerror="alert(1)">', (h) => {
      seen = h;
      return 'CLEAN';
    });
    expect(out).toBe('CLEAN');
    expect(seen).toContain('class="katex"');
    expect(seen).toContain('onerror');
  });
});
