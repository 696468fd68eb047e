/**
 * Authors (role author or admin): upload a problem package (.zip/.kpp), read its warnings, run
 * the package's own submissions through the judge (the verify table fills in), publish or
 * unpublish, and the list of their problems with drafts first.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ImportResult, ProblemDetail, ProblemList, VerifyRow } from '../../api/arena-types';
import { ApiError } from '../../api/errors';
import { api } from '../../api/session';
import { useAuth } from '../../auth';
import { ArenaVerdict, DifficultyBadge } from '../../components/arena/badges';
import { Empty, ErrorNote, formatMs, Spinner, useTitle } from '../../components/common';
import { formatScore } from '../../lib/arena/verdicts';

const VERIFY_POLL_MS = 1000;

function UploadForm({ onDone }: { onDone(r: ImportResult): void }) {
  const file = useRef<HTMLInputElement>(null);
  const [replace, setReplace] = useState(false);
  const [publish, setPublish] = useState(false);
  const [slug, setSlug] = useState('');
  const upload = useMutation({
    mutationFn: async () => {
      const f = file.current?.files?.[0];
      if (!f) throw new Error('choose a package file (.zip or .kpp) first');
      const form = new FormData();
      form.append('file', f, f.name);
      return api.post<ImportResult>('/problems/import', form, { query: { replace: replace || undefined, publish: publish || undefined, slug: slug.trim() || undefined } });
    },
    onSuccess: onDone,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    upload.mutate();
  };
  const path = upload.error instanceof ApiError ? (upload.error.details as { path?: unknown } | undefined)?.path : undefined;
  return (
    <form className="card upload-form" onSubmit={submit} aria-labelledby="upload-title">
      <h2 id="upload-title">Upload a problem package</h2>
      <p className="small muted">
        A Kattis/ICPC problem package or a DMOJ <code>init.yml</code> folder, zipped: the formats are described in <code>docs/problem-packages.md</code>.
      </p>
      <div className="field">
        <label htmlFor="package-file">Package (.zip or .kpp)</label>
        <input id="package-file" ref={file} type="file" accept=".zip,.kpp,application/zip" data-testid="package-file" required />
      </div>
      <div className="field">
        <label htmlFor="package-slug">Slug (optional: else the package's name)</label>
        <input id="package-slug" value={slug} onChange={(e) => setSlug(e.target.value)} pattern="[a-z0-9][a-z0-9-]*" placeholder="my-problem" />
      </div>
      <label className="check">
        <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace the problem if the slug exists (a new version)
      </label>
      <label className="check">
        <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} /> Publish at once
      </label>
      <p>
        <button type="submit" className="btn btn-primary" disabled={upload.isPending} data-testid="upload">
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </button>
      </p>
      <ErrorNote error={upload.error}>{typeof path === 'string' && <span className="small"> (file: {path})</span>}</ErrorNote>
    </form>
  );
}

function VerifyTable({ slug }: { slug: string }) {
  const [rows, setRows] = useState<VerifyRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pending = (rs: VerifyRow[]) => rs.some((r) => r.ok === null && r.status !== 'not-run');

  const poll = async () => {
    try {
      const r = await api.get<{ rows: VerifyRow[] }>(`/problems/${encodeURIComponent(slug)}/verify`);
      setRows(r.rows);
      if (pending(r.rows)) timer.current = setTimeout(() => void poll(), VERIFY_POLL_MS);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setRows(null);
    setError(null);
    void poll();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [slug]);

  const start = async () => {
    setBusy(true);
    setError(null);
    if (timer.current) clearTimeout(timer.current);
    try {
      const r = await api.post<{ rows: VerifyRow[] }>(`/problems/${encodeURIComponent(slug)}/verify`);
      setRows(r.rows);
      if (pending(r.rows)) timer.current = setTimeout(() => void poll(), VERIFY_POLL_MS);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const done = rows && rows.length > 0 && !pending(rows) && rows.every((r) => r.ok !== null);
  const failed = rows?.filter((r) => r.ok === false).length ?? 0;
  return (
    <section aria-label="Verify" className="verify" data-testid="verify">
      <div className="toolbar">
        <h3>Verify: the package's submissions</h3>
        <div className="spacer" />
        <button type="button" className="btn" onClick={() => void start()} disabled={busy || (!!rows && pending(rows))} data-testid="verify-start">
          {rows && pending(rows) ? 'Judging…' : 'Run verify'}
        </button>
      </div>
      <ErrorNote error={error} />
      {done && (
        <p className={failed ? 'note note-error' : 'note note-ok'} data-testid="verify-summary" role="status">
          {failed ? `${failed} of ${rows.length} programs did not earn their folder's verdict.` : `All ${rows.length} programs earned their folder's verdict.`}
        </p>
      )}
      {rows && rows.length === 0 && <Empty>The package has no submissions/ to verify.</Empty>}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="verify-table">
            <thead>
              <tr>
                <th scope="col">Program</th>
                <th scope="col">Language</th>
                <th scope="col">Expected</th>
                <th scope="col">Got</th>
                <th scope="col">Time</th>
                <th scope="col">Score</th>
                <th scope="col">OK</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.program} data-testid="verify-row" data-ok={r.ok === null ? '' : String(r.ok)}>
                  <td>
                    {r.submissionId ? <Link to={`/submissions/${r.submissionId}`}>{r.program}</Link> : r.program}
                    {r.message && <div className="small muted">{r.message}</div>}
                  </td>
                  <td>{r.language ?? '–'}</td>
                  <td>{r.expected}</td>
                  <td>{r.verdict ? <ArenaVerdict verdict={r.verdict} /> : <span className="muted">{r.status === 'not-run' ? 'not run' : `${r.status}…`}</span>}</td>
                  <td className="num">{formatMs(r.timeMs)}</td>
                  <td className="num">{formatScore(r.score, null)}</td>
                  <td>{r.ok === null ? '…' : r.ok ? <span className="badge badge-ok">yes</span> : <span className="badge badge-bad">no</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function AuthorPage() {
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  useTitle('Author');
  const selected = params.get('slug');
  const [imported, setImported] = useState<ImportResult | null>(null);
  const mine = useQuery({
    queryKey: ['problems', 'author', user?.id],
    queryFn: () => api.get<ProblemList>('/problems', { query: { drafts: true, limit: 100 } }),
  });
  const setPublished = useMutation({
    mutationFn: ({ slug, publish }: { slug: string; publish: boolean }) => api.post<ProblemDetail>(`/problems/${encodeURIComponent(slug)}/${publish ? 'publish' : 'unpublish'}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['problems'] }),
  });

  if (user && user.role !== 'author' && user.role !== 'admin') {
    return (
      <div className="page">
        <h1>Author</h1>
        <p className="note" role="alert" data-testid="not-author">
          This page is for authors: it needs the author or admin role (an admin gives it with <code>bin/muscode user role EMAIL author</code>).
        </p>
      </div>
    );
  }

  const problems = (mine.data?.problems ?? []).filter((p) => user?.role === 'admin' || p.authorId === user?.id);
  problems.sort((a, b) => Number(a.published) - Number(b.published));
  const select = (slug: string) => setParams({ slug });

  return (
    <div className="page">
      <header className="page-head">
        <h1>Author</h1>
      </header>
      <UploadForm
        onDone={(r) => {
          setImported(r);
          select(r.problem.slug);
          void queryClient.invalidateQueries({ queryKey: ['problems'] });
        }}
      />
      {imported && (
        <div className="note note-ok" role="status" data-testid="import-result">
          {imported.created ? 'Imported' : 'Replaced (a new version)'}: <Link to={`/problems/${imported.problem.slug}`}>{imported.problem.title}</Link> ({imported.problem.slug}),{' '}
          {imported.problem.published ? 'published' : 'a draft'}.
          {imported.warnings.length > 0 && (
            <ul data-testid="import-warnings">
              {imported.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <h2>My problems</h2>
      {mine.isPending && <Spinner />}
      <ErrorNote error={mine.error ?? setPublished.error} />
      {mine.data && problems.length === 0 && <Empty>No problems yet: upload a package.</Empty>}
      {problems.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="my-problems">
            <thead>
              <tr>
                <th scope="col">Problem</th>
                <th scope="col">Difficulty</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p) => (
                <tr key={p.id} data-testid="my-problem" data-slug={p.slug} data-published={p.published} aria-current={p.slug === selected ? 'true' : undefined}>
                  <td>
                    <Link to={`/problems/${p.slug}`}>{p.title}</Link> <span className="small muted">{p.slug}</span>
                  </td>
                  <td>
                    <DifficultyBadge difficulty={p.difficulty} />
                  </td>
                  <td>{p.published ? <span className="badge badge-ok">published</span> : <span className="badge badge-warn">draft</span>}</td>
                  <td>
                    <div className="actions">
                      <button type="button" className="btn btn-small" onClick={() => select(p.slug)} data-testid="show-verify">
                        Verify…
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={setPublished.isPending}
                        onClick={() => setPublished.mutate({ slug: p.slug, publish: !p.published })}
                        data-testid={p.published ? 'unpublish' : 'publish'}
                      >
                        {p.published ? 'Unpublish' : 'Publish'}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && <VerifyTable key={selected} slug={selected} />}
    </div>
  );
}
