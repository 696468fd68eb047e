/**
 * Duels: the lobby ("Find an opponent": the wait and the current rating window, polled through
 * POST /match/dequeue) and the duel room (timer, the problem, the editor, both players' progress
 * live, the result with the rating change). The room polls GET /matches/{id} every 2 s while the
 * duel runs; submissions are followed like any Arena submission.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { ProblemDetail, SubmissionView } from '../../api/arena-types';
import type { DequeueAnswer, MatchView } from '../../api/duel-types';
import { ApiError } from '../../api/errors';
import { api, executionSocket } from '../../api/session';
import { useAuth } from '../../auth';
import { Statement } from '../../components/arena/statement';
import { SubmissionPanel } from '../../components/arena/submission-panel';
import { CodeEditor } from '../../components/code-editor';
import { ErrorNote, Spinner, useTitle } from '../../components/common';
import { useSubmission } from '../../lib/arena/use-submission';
import { useCountdown } from '../../lib/use-countdown';
import { starterFor } from '../../lib/starters';
import { useTheme } from '../../theme';

const POLL_MS = 2000;

function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export function DuelLobby() {
  useTitle('Duels');
  const navigate = useNavigate();
  const [waiting, setWaiting] = useState<{ waitedMs: number; window: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const active = useRef(false);

  const poll = useCallback(async () => {
    while (active.current) {
      try {
        const a = await api.post<DequeueAnswer>('/match/dequeue', {});
        if ('matchId' in a) {
          active.current = false;
          navigate(`/duels/${a.matchId}`);
          return;
        }
        setWaiting({ waitedMs: a.waitedMs, window: a.window });
      } catch (err) {
        active.current = false;
        setWaiting(null);
        setError(err);
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }, [navigate]);

  useEffect(
    () => () => {
      active.current = false;
    },
    [],
  );

  const find = async () => {
    setError(null);
    try {
      await api.post('/match/enqueue', { mode: 'duel' });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ALREADY_IN_MATCH') {
        const id = (err.details as { matchId?: string } | undefined)?.matchId;
        if (id) return navigate(`/duels/${id}`);
      }
      if (!(err instanceof ApiError && err.code === 'ALREADY_QUEUED')) return setError(err);
    }
    setWaiting({ waitedMs: 0, window: 100 });
    active.current = true;
    void poll();
  };

  const leave = async () => {
    active.current = false;
    setWaiting(null);
    await api.post('/match/leave', {}).catch((err: unknown) => setError(err));
  };

  return (
    <div className="page">
      <h1>Duels</h1>
      <p className="muted">
        Two players, one problem, the first full AC wins. You are matched with someone close to your rating; the allowed gap widens the longer you wait. A duel lasts 30 minutes (a draw
        if nobody solves it); leaving it by forfeit counts as a loss. <Link to="/leaderboard">Leaderboard</Link>
      </p>
      <ErrorNote error={error} />
      {waiting ? (
        <div className="card" data-testid="duel-waiting">
          <Spinner label="Looking for an opponent…" />
          <p>
            Waiting <span data-testid="duel-waited">{Math.floor(waiting.waitedMs / 1000)}</span> s · rating window ±<span data-testid="duel-window">{Math.round(waiting.window)}</span>
          </p>
          <button type="button" className="btn" onClick={() => void leave()} data-testid="duel-leave">
            Stop looking
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn-primary" onClick={() => void find()} data-testid="duel-find">
          Find an opponent
        </button>
      )}
    </div>
  );
}

function Progress({ m, me }: { m: MatchView; me: string | undefined }) {
  return (
    <ul className="duel-players" data-testid="duel-players">
      {m.players.map((p) => {
        const change = m.result?.ratings[p.userId];
        return (
          <li key={p.userId} data-testid="duel-player" data-user={p.username}>
            <strong>{p.userId === me ? `${p.username} (you)` : p.username}</strong> · {Math.round(p.rating)}
            {p.provisional ? '?' : ''} · <span data-testid="duel-progress">{p.testsTotal ? `${p.bestTestsPassed}/${p.testsTotal} tests` : 'no verdict yet'}</span> · {p.attempts}{' '}
            attempts
            {change && (
              <span data-testid="duel-delta" className={change.delta >= 0 ? 'ok' : 'bad'}>
                {' '}
                {change.delta >= 0 ? '+' : ''}
                {Math.round(change.delta)} → {Math.round(change.after.rating)}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function resultText(m: MatchView, me: string | undefined): string {
  if (m.outcome === 'problem_deleted') return 'The problem was deleted: no rating change.';
  if (m.winnerUserId === null) return 'Time is up: a draw.';
  const won = m.winnerUserId === me;
  const how = m.outcome === 'forfeit' ? (won ? ' (your opponent gave up)' : ' (you gave up)') : '';
  return `${won ? 'You won' : 'You lost'}${how}.`;
}

export function DuelRoom() {
  const { id = '' } = useParams();
  const { user } = useAuth();
  const [theme] = useTheme();
  const queryClient = useQueryClient();
  const match = useQuery({
    queryKey: ['match', id],
    queryFn: () => api.get<MatchView>(`/matches/${id}`),
    refetchInterval: (q) => (q.state.data?.status === 'finished' ? false : POLL_MS),
  });
  const m = match.data;
  const slug = m?.problem?.slug;
  const problem = useQuery({ queryKey: ['problem', slug], queryFn: () => api.get<ProblemDetail>(`/problems/${encodeURIComponent(slug!)}`), enabled: !!slug });
  const p = problem.data;
  useTitle(p ? `Duel: ${p.title}` : 'Duel');
  const [language, setLanguage] = useState<string | null>(null);
  const [code, setCode] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const follower = useSubmission();
  useEffect(() => {
    executionSocket.connect();
  }, []);
  const allowed = p ? (m && m.languages.length ? p.languages.filter((l) => m.languages.includes(l)) : p.languages) : [];
  useEffect(() => {
    if (language === null && allowed.length) setLanguage(allowed.includes('python') ? 'python' : allowed[0]!);
  }, [allowed, language]);
  // The server's clock: the timer counts to ends_at as the database sees it.
  const skew = m ? new Date(m.now).getTime() - Date.now() : 0;
  const left = useCountdown(m && m.status === 'active' ? new Date(m.endsAt).getTime() - skew : null);
  useEffect(() => {
    if (follower.live.final) void queryClient.invalidateQueries({ queryKey: ['match', id] });
  }, [follower.live.final, queryClient, id]);

  const submit = async () => {
    if (!language) return;
    setError(null);
    try {
      follower.follow(await api.post<SubmissionView>(`/matches/${id}/submissions`, { language, code: code[language] ?? starterFor(language) }));
    } catch (err) {
      setError(err);
    }
  };
  const forfeit = async () => {
    if (!window.confirm('Give up this duel? It counts as a loss.')) return;
    await api.post(`/matches/${id}/forfeit`, {}).catch((err: unknown) => setError(err));
    void match.refetch();
  };

  if (match.isPending) return <Spinner label="Loading the duel…" />;
  if (!m) return <ErrorNote error={match.error} onRetry={() => void match.refetch()} />;
  const playing = m.status === 'active' && m.players.some((x) => x.userId === user?.id);
  return (
    <div className="problem-page">
      <section className="pane statement-pane" aria-label="Duel">
        <p className="small">
          <Link to="/duels">← Duels</Link>
        </p>
        <h1 className="problem-title">{p?.title ?? 'Duel'}</h1>
        {m.status === 'active' ? (
          <p data-testid="duel-timer" className="duel-timer">
            ⏱ {clock(left)}
          </p>
        ) : (
          <p data-testid="duel-result" className="note">
            {resultText(m, user?.id)}
          </p>
        )}
        <Progress m={m} me={user?.id} />
        {p && <Statement markdown={p.statement.markdown} />}
      </section>
      <section className="pane editor-pane" aria-label="Solution">
        <div className="toolbar">
          <label className="field-inline">
            <span>Language</span>
            <select value={language ?? ''} onChange={(e) => setLanguage(e.target.value)} data-testid="language">
              {allowed.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <div className="spacer" />
          <button type="button" className="btn" onClick={() => void forfeit()} disabled={!playing} data-testid="duel-forfeit">
            Forfeit
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void submit()} disabled={!playing || (!!follower.live.id && !follower.live.final)} data-testid="submit">
            Submit
          </button>
        </div>
        <ErrorNote error={error} />
        {language && (
          <div className="editor-box">
            <CodeEditor
              docKey={`duel:${id}:${language}`}
              value={code[language] ?? starterFor(language)}
              language={language}
              theme={theme}
              label={`${language} solution`}
              onChange={(v) => setCode((c) => ({ ...c, [language]: v }))}
              onRun={() => void submit()}
            />
          </div>
        )}
        {follower.live.id && <SubmissionPanel live={follower.live} scoring={false} />}
      </section>
    </div>
  );
}
