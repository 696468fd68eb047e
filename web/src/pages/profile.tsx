/** The signed-in user's page: account, usage figures, recent executions. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/session';
import type { Execution, Pagination, Stats } from '../api/types';
import type { RatingProfile } from '../api/duel-types';
import { useAuth } from '../auth';
import { ApiKeys } from '../components/api-keys';
import { RatingChart } from '../components/arena/rating-chart';
import { Empty, ErrorNote, formatDate, formatKb, formatMs, Pager, Spinner, useTitle, VerdictBadge } from '../components/common';

function Figure({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div className="figure">
      <div className="figure-value" data-testid={testId}>
        {value}
      </div>
      <div className="figure-label">{label}</div>
    </div>
  );
}

/** The address is not verified yet: say so, and offer a new link (issue 12 item 5). */
function VerifyNote() {
  const [state, setState] = useState<'idle' | 'busy' | 'sent' | 'not-sent' | 'failed'>('idle');
  const resend = () => {
    setState('busy');
    api
      .post<{ sent: boolean }>('/auth/verify-email/resend')
      .then((r) => setState(r.sent ? 'sent' : 'not-sent'))
      .catch(() => setState('failed'));
  };
  return (
    <p className="note note-warn" data-testid="unverified">
      Your email address is not verified yet: open the link in the mail we sent.{' '}
      {state === 'sent' ? (
        'A new mail is on its way.'
      ) : state === 'not-sent' ? (
        'No mail was sent: several went out in the last hour; try again later.'
      ) : (
        <button type="button" className="btn btn-small" onClick={resend} disabled={state === 'busy'}>
          {state === 'failed' ? 'Sending failed: try again' : 'Send a new link'}
        </button>
      )}
    </p>
  );
}

const quota = (used: number, limit: number | null) => (limit === null ? `${used}` : `${used} / ${limit}`);

export default function Profile() {
  const { user } = useAuth();
  const [page, setPage] = useState(1);
  useTitle('Profile');
  const stats = useQuery({ queryKey: ['me', 'stats'], queryFn: () => api.get<Stats>('/stats') });
  const rating = useQuery({
    queryKey: ['rating', user?.username],
    queryFn: () => api.get<RatingProfile>(`/users/${encodeURIComponent(user!.username)}/rating`),
    enabled: !!user,
  });
  const runs = useQuery({
    queryKey: ['me', 'executions', page],
    queryFn: () => api.get<{ executions: Execution[]; pagination: Pagination }>('/execute', { query: { page, limit: 10 } }),
    placeholderData: keepPreviousData,
  });
  if (!user) return <Spinner />;
  const s = stats.data;
  const topLanguages = s ? Object.entries(s.languages).sort((a, b) => b[1] - a[1]) : [];
  return (
    <div className="page">
      <header className="page-head">
        <div className="avatar" aria-hidden="true">
          {(user.fullName ?? user.username).slice(0, 1).toUpperCase()}
        </div>
        <div>
          <h1 data-testid="profile-name">{user.fullName ?? user.username}</h1>
          <p className="muted">
            @{user.username} · {user.email} · member since {formatDate(user.createdAt)}
          </p>
          {!user.emailVerified && <VerifyNote />}
        </div>
      </header>

      <section aria-labelledby="rating-title" className="card">
        <h2 id="rating-title">Duel rating</h2>
        <ErrorNote error={rating.error} onRetry={() => void rating.refetch()} />
        {rating.data && <RatingChart profile={rating.data} />}
      </section>

      <section aria-labelledby="stats-title" className="card">
        <h2 id="stats-title">Statistics</h2>
        {stats.isPending && <Spinner label="Loading statistics…" />}
        <ErrorNote error={stats.error} onRetry={() => void stats.refetch()} />
        {s && (
          <>
            <div className="figures">
              <Figure label="executions" value={s.totalExecutions} testId="stat-total" />
              <Figure label="today" value={quota(s.quota.daily.used, s.quota.daily.limit)} />
              <Figure label="this month" value={quota(s.quota.monthly.used, s.quota.monthly.limit)} />
              <Figure label="projects" value={s.totalProjects} />
              <Figure label="average run" value={`${s.averageExecutionTime.toFixed(3)} s`} />
              <Figure label="storage" value={formatKb(s.storageUsed * 1024)} />
            </div>
            {topLanguages.length > 0 && (
              <p className="muted">
                Languages: {topLanguages.map(([l, n]) => `${l} (${n})`).join(', ')}
              </p>
            )}
          </>
        )}
      </section>

      <ApiKeys />

      <section aria-labelledby="recent-title" className="card">
        <h2 id="recent-title">Recent executions</h2>
        {runs.isPending && <Spinner label="Loading executions…" />}
        <ErrorNote error={runs.error} onRetry={() => void runs.refetch()} />
        {runs.data && runs.data.executions.length === 0 && <Empty>No executions yet. Try the playground!</Empty>}
        {runs.data && runs.data.executions.length > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="recent-executions">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Language</th>
                  <th scope="col">Verdict</th>
                  <th scope="col">Exit</th>
                  <th scope="col">CPU</th>
                  <th scope="col">Wall</th>
                  <th scope="col">Memory</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.executions.map((e) => (
                  <tr key={e.executionId}>
                    <td>{formatDate(e.createdAt)}</td>
                    <td>{e.language}</td>
                    <td>
                      <VerdictBadge verdict={e.status === 'cancelled' ? 'cancelled' : (e.verdict ?? e.status)} />
                    </td>
                    <td>{e.signal ?? e.exitCode ?? '–'}</td>
                    <td>{formatMs(e.cpuMs)}</td>
                    <td>{formatMs(e.wallMs)}</td>
                    <td>{formatKb(e.memoryKb)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {runs.data && <Pager page={page} pages={runs.data.pagination.pages} onPage={setPage} />}
      </section>
    </div>
  );
}
