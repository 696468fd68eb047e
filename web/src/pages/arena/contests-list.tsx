/** Contests: upcoming, running and past, with their format and window. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { ContestSummary } from '../../api/contest-types';
import { api } from '../../api/session';
import { useAuth } from '../../auth';
import { Empty, ErrorNote, formatDate, Spinner, useTitle } from '../../components/common';

export default function ContestsList() {
  const { status, user } = useAuth();
  useTitle('Contests');
  const list = useQuery({
    queryKey: ['contests', user?.id ?? null],
    queryFn: () => api.get<{ contests: ContestSummary[] }>('/contests'),
    enabled: status !== 'loading',
  });
  const contests = list.data?.contests ?? [];
  return (
    <div className="page">
      <header className="page-head">
        <h1>Contests</h1>
      </header>
      {list.isPending && <Spinner />}
      {list.error && <ErrorNote error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && contests.length === 0 && <Empty>No contests yet.</Empty>}
      {contests.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="contests">
            <thead>
              <tr>
                <th>Contest</th>
                <th>Format</th>
                <th>Starts</th>
                <th>Ends</th>
                <th>Status</th>
                <th className="num">Participants</th>
              </tr>
            </thead>
            <tbody>
              {contests.map((c) => (
                <tr key={c.slug}>
                  <td>
                    <Link to={`/contests/${encodeURIComponent(c.slug)}`}>{c.title}</Link>
                    {c.visibility === 'invite' && <span className="tag">invite only</span>}
                  </td>
                  <td>{c.format.toUpperCase()}</td>
                  <td>{formatDate(c.startsAt)}</td>
                  <td>{formatDate(c.endsAt)}</td>
                  <td>{c.phase}</td>
                  <td className="num">{c.participants}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
