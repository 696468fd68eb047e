/**
 * A contest: countdown (by the server's clock), join, problems (each opens the problem page in
 * the contest, where Submit goes to the contest), and the live scoreboard (socket
 * `subscribe:contest`, refetched on reconnect). ICPC cells show tries and the minute of the AC;
 * cells hidden by the freeze are marked.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { ContestDetail, Scoreboard } from '../../api/contest-types';
import { api, executionSocket } from '../../api/session';
import { useAuth } from '../../auth';
import { ErrorNote, formatDate, Spinner, useTitle } from '../../components/common';
import { useCountdown } from '../../lib/use-countdown';

function clock(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hms = [h, m, s].map((x) => String(x).padStart(2, '0')).join(':');
  return d > 0 ? `${d}d ${hms}` : hms;
}

/** The live board: the GET, then every `contest:scoreboard` event for this contest. */
function useLiveBoard(slug: string, enabled: boolean): { board: Scoreboard | undefined; error: unknown } {
  const queryClient = useQueryClient();
  const key = useMemo(() => ['contest-board', slug], [slug]);
  const q = useQuery({ queryKey: key, queryFn: () => api.get<Scoreboard>(`/contests/${encodeURIComponent(slug)}/scoreboard`), enabled });
  useEffect(() => {
    if (!enabled) return;
    const socket = executionSocket.connect();
    const onBoard = (e: { slug: string; scoreboard: Scoreboard }) => {
      if (e.slug === slug) queryClient.setQueryData(key, e.scoreboard);
    };
    const subscribe = () => {
      void socket.emitWithAck('subscribe:contest', { slug }).then((ack: { scoreboard?: Scoreboard }) => {
        if (ack.scoreboard) queryClient.setQueryData(key, ack.scoreboard);
      });
    };
    socket.on('contest:scoreboard', onBoard);
    socket.on('connect', subscribe);
    if (socket.connected) subscribe();
    return () => {
      socket.off('contest:scoreboard', onBoard);
      socket.off('connect', subscribe);
      socket.emit('unsubscribe:contest', { slug });
    };
  }, [slug, enabled, key, queryClient]);
  return { board: q.data, error: q.error };
}

function BoardTable({ board, me }: { board: Scoreboard; me: string | undefined }) {
  return (
    <div className="table-wrap">
      <table className="table scoreboard" data-testid="scoreboard">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Participant</th>
            {board.format === 'icpc' ? (
              <>
                <th className="num">Solved</th>
                <th className="num">Penalty</th>
              </>
            ) : (
              <th className="num">Score</th>
            )}
            {board.problems.map((l) => (
              <th key={l} className="num">
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {board.format === 'icpc'
            ? board.rows.map((r) => (
                <tr key={r.userId} className={r.userId === me ? 'mine' : undefined}>
                  <td className="num">{r.rank}</td>
                  <td>
                    {r.username}
                    {r.virtual && <span className="tag">virtual</span>}
                  </td>
                  <td className="num">{r.solved}</td>
                  <td className="num">{r.penalty}</td>
                  {board.problems.map((l) => {
                    const c = r.cells[l]!;
                    const cls = c.solved ? (c.first ? 'cell-first' : 'cell-solved') : c.frozen ? 'cell-frozen' : c.pending ? 'cell-pending' : c.tries ? 'cell-rejected' : '';
                    return (
                      <td key={l} className={`num ${cls}`} data-testid={`cell-${r.username}-${l}`} title={c.frozen ? 'frozen: results hidden until the end' : undefined}>
                        {c.solved ? `+${c.tries > 1 ? c.tries - 1 : ''} ${c.minute}′` : c.tries ? `−${c.tries - c.pending}${c.pending ? ` ?${c.pending}` : ''}` : ''}
                      </td>
                    );
                  })}
                </tr>
              ))
            : board.rows.map((r) => (
                <tr key={r.userId} className={r.userId === me ? 'mine' : undefined}>
                  <td className="num">{r.rank}</td>
                  <td>
                    {r.username}
                    {r.virtual && <span className="tag">virtual</span>}
                  </td>
                  <td className="num">{r.total}</td>
                  {board.problems.map((l) => {
                    const c = r.cells[l]!;
                    return (
                      <td key={l} className={`num ${c.frozen ? 'cell-frozen' : ''}`} data-testid={`cell-${r.username}-${l}`}>
                        {c.tries || c.pending ? `${c.score}${c.pending ? ` ?${c.pending}` : ''}` : ''}
                      </td>
                    );
                  })}
                </tr>
              ))}
        </tbody>
      </table>
    </div>
  );
}

export default function ContestView() {
  const { slug = '' } = useParams();
  const { status, user } = useAuth();
  const queryClient = useQueryClient();
  const contest = useQuery({ queryKey: ['contest', slug, user?.id ?? null], queryFn: () => api.get<ContestDetail>(`/contests/${encodeURIComponent(slug)}`), enabled: status !== 'loading' });
  const c = contest.data;
  useTitle(c?.title ?? slug);
  // The server's clock: countdowns are shifted by the difference seen at load.
  const [skew, setSkew] = useState(0);
  useEffect(() => {
    if (c) setSkew(new Date(c.now).getTime() - Date.now());
  }, [c]);
  const span = c?.me ?? c;
  const startMs = span ? new Date(span.startsAt).getTime() - skew : null;
  const endMs = span ? new Date(span.endsAt).getTime() - skew : null;
  const toStart = useCountdown(startMs);
  const toEnd = useCountdown(endMs);
  // The problems appear at the start: reload the contest when the countdown reaches 0.
  useEffect(() => {
    if (c && c.phase === 'upcoming' && toStart === 0 && startMs && startMs <= Date.now()) void contest.refetch();
  }, [toStart, c, startMs, contest]);
  const join = useMutation({
    mutationFn: () => api.post<ContestDetail>(`/contests/${encodeURIComponent(slug)}/join`, {}),
    onSuccess: (d) => queryClient.setQueryData(['contest', slug, user?.id ?? null], d),
  });
  const live = useLiveBoard(slug, !!c);
  // Per-problem statistics follow the board (zeros while it is frozen for the caller).
  const stats = useQuery({
    queryKey: ['contest-stats', slug, live.board?.rows.length ?? 0, live.board?.rows.reduce((n, r) => n + ('solved' in r ? r.solved : r.total), 0) ?? 0],
    queryFn: () => api.get<{ problems: { label: string; solvedBy: number; submissions: number; acceptanceRate: number | null }[] }>(`/contests/${encodeURIComponent(slug)}/stats`),
    enabled: !!c && c.problems.length > 0,
  });
  const statOf = (label: string) => stats.data?.problems.find((p) => p.label === label);

  if (contest.isPending) return <Spinner />;
  if (contest.error || !c) return <ErrorNote error={contest.error} onRetry={() => void contest.refetch()} />;
  return (
    <div className="page">
      <header className="page-head">
        <h1>{c.title}</h1>
        <div className="spacer" />
        <span className="tag">{c.format.toUpperCase()}</span>
        {status === 'authenticated' && !c.me && (
          <button type="button" className="btn primary" onClick={() => join.mutate()} disabled={join.isPending} data-testid="join-contest">
            {c.phase === 'ended' ? 'Start virtual participation' : 'Join'}
          </button>
        )}
      </header>
      {join.error && <ErrorNote error={join.error} />}
      <p data-testid="contest-clock">
        {toStart > 0 ? <>Starts in {clock(toStart)}</> : toEnd > 0 ? <>Ends in {clock(toEnd)}{c.me?.virtual ? ' (your virtual window)' : ''}</> : <>Ended {formatDate(c.endsAt)}</>}
      </p>
      {c.description && <p>{c.description}</p>}
      <h2>Problems</h2>
      {c.problems.length === 0 ? (
        <p className="muted">{c.phase === 'upcoming' ? 'The problems appear at the start.' : 'Join the contest to see its problems.'}</p>
      ) : (
        <ul className="contest-problems" data-testid="contest-problems">
          {c.problems.map((p) => (
            <li key={p.label}>
              <Link to={`/contests/${encodeURIComponent(c.slug)}/problems/${p.label}`}>
                {p.label}. {p.title}
              </Link>
              {statOf(p.label) && !live.board?.frozen && (
                <span className="muted">
                  {' '}
                  solved by {statOf(p.label)!.solvedBy}, {statOf(p.label)!.submissions} judged
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2>
        Scoreboard {live.board?.frozen && <span className="tag" data-testid="board-frozen">frozen for the last {c.freezeMinutes} min</span>}
      </h2>
      {live.error ? <ErrorNote error={live.error} /> : live.board ? <BoardTable board={live.board} me={user?.id} /> : <Spinner />}
    </div>
  );
}
