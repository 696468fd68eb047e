/** Small building blocks: error notes, loading states, verdict badges. */
import { type ReactNode, useEffect } from 'react';
import { Link } from 'react-router';
import { ApiError, describeError } from '../api/errors';

/** A readable error next to where it happened (never raw JSON). */
export function ErrorNote({ error, children, onRetry }: { error: unknown; children?: ReactNode; onRetry?: () => void }) {
  if (!error) return null;
  const needsSignIn = error instanceof ApiError && (error.code === 'UNAUTHORIZED' || error.code === 'TOKEN_EXPIRED');
  return (
    <div className="note note-error" role="alert" data-testid="error">
      <span>{describeError(error)}</span>
      {needsSignIn && (
        <>
          {' '}
          <Link to="/login">Sign in</Link> or <Link to="/register">create an account</Link>.
        </>
      )}
      {children}
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export const VERDICT_TEXT: Record<string, string> = {
  ok: 'OK',
  runtime_error: 'runtime error',
  time_limit: 'time limit',
  memory_limit: 'memory limit',
  output_limit: 'output limit',
  compile_error: 'compile error',
  internal_error: 'internal error',
  cancelled: 'cancelled',
};

export function VerdictBadge({ verdict }: { verdict: string | null }) {
  if (!verdict) return <span className="badge">–</span>;
  const tone = verdict === 'ok' ? 'ok' : verdict === 'runtime_error' || verdict === 'cancelled' ? 'warn' : 'bad';
  return (
    <span className={`badge badge-${tone}`} data-verdict={verdict}>
      {VERDICT_TEXT[verdict] ?? verdict}
    </span>
  );
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatKb(kb: number | null | undefined): string {
  if (kb === null || kb === undefined) return '–';
  if (kb < 1) return `${Math.round(kb * 1024)} B`;
  if (kb < 10) return `${kb.toFixed(1).replace(/\.0$/, '')} KB`;
  if (kb < 1024) return `${Math.round(kb)} KB`;
  return `${(kb / 1024).toFixed(1)} MB`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function Pager({ page, pages, onPage }: { page: number; pages: number; onPage(p: number): void }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" className="btn btn-small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" className="btn btn-small" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}

/** The tab's title for a page ("Projects · MUSCode"). */
export function useTitle(title: string | null | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · MUSCode` : 'MUSCode';
  }, [title]);
}
