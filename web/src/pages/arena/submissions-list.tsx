/** My submissions: filters by problem and verdict (in the URL), paging, links to each one. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { SUBMISSION_VERDICTS, type SubmissionList } from '../../api/arena-types';
import { api } from '../../api/session';
import { ArenaVerdict } from '../../components/arena/badges';
import { Empty, ErrorNote, formatDate, formatKb, formatMs, Pager, Spinner, useTitle } from '../../components/common';
import { formatScore, statusLabel, VERDICT_LABELS } from '../../lib/arena/verdicts';

export default function SubmissionsList() {
  const [params, setParams] = useSearchParams();
  useTitle('My submissions');
  const problem = params.get('problem') ?? '';
  const verdict = params.get('verdict') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const [problemInput, setProblemInput] = useState(problem);
  useEffect(() => setProblemInput(problem), [problem]);

  const list = useQuery({
    queryKey: ['submissions', 'me', problem, verdict, page],
    queryFn: () => api.get<SubmissionList>('/submissions', { query: { user: 'me', problem, verdict, page, limit: 20 } }),
    placeholderData: keepPreviousData,
    // Submissions still being judged: look again shortly.
    refetchInterval: (q) => (q.state.data?.submissions.some((s) => s.status !== 'done' && s.status !== 'cancelled') ? 2000 : false),
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
    change({ problem: problemInput.trim() });
  };

  return (
    <div className="page">
      <header className="page-head">
        <h1>My submissions</h1>
        <div className="spacer" />
        <Link to="/problems" className="btn">
          Problems
        </Link>
      </header>
      <form className="filters" onSubmit={submit} role="search" aria-label="Filter submissions">
        <label className="field-inline">
          <span>Problem</span>
          <input value={problemInput} onChange={(e) => setProblemInput(e.target.value)} placeholder="slug" data-testid="problem-filter" />
        </label>
        <label className="field-inline">
          <span>Verdict</span>
          <select value={verdict} onChange={(e) => change({ verdict: e.target.value })} data-testid="verdict-filter">
            <option value="">any</option>
            {SUBMISSION_VERDICTS.map((v) => (
              <option key={v} value={v}>
                {v} ({VERDICT_LABELS[v]})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn">
          Filter
        </button>
      </form>
      {list.isPending && <Spinner label="Loading submissions…" />}
      <ErrorNote error={list.error} onRetry={() => void list.refetch()} />
      {list.data && list.data.submissions.length === 0 && (
        <Empty>
          No submissions{problem || verdict ? ' match these filters' : ' yet'}. <Link to="/problems">Pick a problem</Link>.
        </Empty>
      )}
      {list.data && list.data.submissions.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="submissions">
            <caption className="sr-only">Submissions ({list.data.pagination.total})</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Problem</th>
                <th scope="col">Language</th>
                <th scope="col">Verdict</th>
                <th scope="col" className="hide-narrow">
                  Score
                </th>
                <th scope="col" className="hide-narrow">
                  CPU
                </th>
                <th scope="col" className="hide-narrow">
                  Memory
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.submissions.map((s) => (
                <tr key={s.id} data-testid="submission-row" data-verdict={s.verdict ?? ''}>
                  <td>
                    <Link to={`/submissions/${s.id}`}>{formatDate(s.createdAt)}</Link>
                  </td>
                  <td>
                    <Link to={`/problems/${s.problemSlug}`}>{s.problemTitle}</Link>
                  </td>
                  <td>{s.language}</td>
                  <td>{s.status === 'done' ? <ArenaVerdict verdict={s.verdict} /> : <span className="muted">{statusLabel(s.status)}…</span>}</td>
                  <td className="num hide-narrow">{formatScore(s.score, s.maxScore)}</td>
                  <td className="num hide-narrow">{formatMs(s.cpuMs)}</td>
                  <td className="num hide-narrow">{formatKb(s.memoryKb)}</td>
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
