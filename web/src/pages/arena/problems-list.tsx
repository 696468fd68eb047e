/** Problems: filters (difficulty, tag, text) and paging in the URL, marks, badges, acceptance. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DIFFICULTIES, type ProblemList } from '../../api/arena-types';
import { api } from '../../api/session';
import { useAuth } from '../../auth';
import { DifficultyBadge, MarkIcon } from '../../components/arena/badges';
import { Empty, ErrorNote, Pager, Spinner, useTitle } from '../../components/common';
import { formatScore, percent } from '../../lib/arena/verdicts';

export default function ProblemsList() {
  const { status, user } = useAuth();
  const [params, setParams] = useSearchParams();
  useTitle('Problems');
  const q = params.get('q') ?? '';
  const difficulty = params.get('difficulty') ?? '';
  const tag = params.get('tag') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const [search, setSearch] = useState(q);
  const [tagInput, setTagInput] = useState(tag);
  useEffect(() => setSearch(q), [q]);
  useEffect(() => setTagInput(tag), [tag]);

  const list = useQuery({
    // The user is part of the key: the marks are the caller's.
    queryKey: ['problems', q, difficulty, tag, page, user?.id ?? null],
    queryFn: () => api.get<ProblemList>('/problems', { query: { q, difficulty, tag, page, limit: 20 } }),
    enabled: status !== 'loading',
    placeholderData: keepPreviousData,
  });

  const change = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change({ q: search.trim(), tag: tagInput.trim() });
  };
  const isAuthor = user?.role === 'author' || user?.role === 'admin';

  return (
    <div className="page">
      <header className="page-head">
        <h1>Problems</h1>
        <div className="spacer" />
        {status === 'authenticated' && (
          <Link to="/submissions" className="btn">
            My submissions
          </Link>
        )}
        {isAuthor && (
          <Link to="/author" className="btn" data-testid="author-link">
            Author
          </Link>
        )}
      </header>
      <form className="filters" onSubmit={submit} role="search" aria-label="Filter problems">
        <label className="field-inline">
          <span>Search</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="title or slug" data-testid="problem-search" />
        </label>
        <label className="field-inline">
          <span>Difficulty</span>
          <select value={difficulty} onChange={(e) => change({ difficulty: e.target.value })} data-testid="difficulty-filter">
            <option value="">any</option>
            {DIFFICULTIES.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>Tag</span>
          <input value={tagInput} onChange={(e) => setTagInput(e.target.value)} placeholder="e.g. math" data-testid="tag-filter" />
        </label>
        <button type="submit" className="btn">
          Filter
        </button>
      </form>
      {list.isPending && <Spinner label="Loading problems…" />}
      <ErrorNote error={list.error} onRetry={() => void list.refetch()} />
      {list.data && list.data.problems.length === 0 && <Empty>No problem matches these filters.</Empty>}
      {list.data && list.data.problems.length > 0 && (
        <div className="table-wrap">
          <table className="table problems-table" data-testid="problems">
            <caption className="sr-only">Problems ({list.data.pagination.total})</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Status</span>
                </th>
                <th scope="col">Problem</th>
                <th scope="col">Difficulty</th>
                <th scope="col" className="hide-narrow">
                  Tags
                </th>
                <th scope="col">Acceptance</th>
              </tr>
            </thead>
            <tbody>
              {list.data.problems.map((p) => (
                <tr key={p.id} data-testid="problem-row" data-slug={p.slug}>
                  <td>
                    <MarkIcon mark={p.mark} />
                  </td>
                  <td>
                    <Link to={`/problems/${p.slug}`}>{p.title}</Link>
                    {!p.published && <span className="badge badge-warn"> draft</span>}
                    {p.type === 'scoring' && (
                      <span className="small muted" title="Partial scores per subtask">
                        {' '}
                        · {p.myScore !== null ? formatScore(p.myScore, p.maxScore) : 'scoring'}
                      </span>
                    )}
                    {p.interactive && <span className="small muted"> · interactive</span>}
                  </td>
                  <td>
                    <DifficultyBadge difficulty={p.difficulty} />
                  </td>
                  <td className="hide-narrow">
                    {p.tags.map((t) => (
                      <button key={t} type="button" className="tag linklike" onClick={() => change({ tag: t })} aria-label={`Only problems tagged ${t}`}>
                        {t}
                      </button>
                    ))}
                  </td>
                  <td className="num" title={`${p.stats.accepted} accepted of ${p.stats.submissions} judged; solved by ${p.stats.solvedBy}${p.stats.fastestMs === null ? '' : `; fastest ${p.stats.fastestMs} ms`}`}>
                    {percent(p.stats.acceptanceRate)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pager page={list.data.pagination.page} pages={list.data.pagination.pages} onPage={(p) => change({ page: String(p) })} />}
    </div>
  );
}
