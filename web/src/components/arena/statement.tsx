/**
 * A problem statement: Markdown + KaTeX (lib/arena/statement.ts), sanitised by DOMPurify before
 * it reaches the DOM (the statement is the author's text). Links open in a new tab without an
 * opener.
 */
import 'katex/dist/katex.min.css';
import DOMPurify from 'dompurify';
import { useMemo } from 'react';
import { renderStatement } from '../../lib/arena/statement';

const sanitize = (html: string): string =>
  DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true, mathMl: true, svg: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
    FORBID_ATTR: ['srcset'],
  });

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.getAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

export function Statement({ markdown }: { markdown: string }) {
  const html = useMemo(() => renderStatement(markdown, sanitize), [markdown]);
  return <div className="statement" data-testid="statement" dangerouslySetInnerHTML={{ __html: html }} />;
}
