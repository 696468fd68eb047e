/**
 * One problem: the statement (Markdown + math), limits, samples with copy buttons; the editor with
 * the problem's languages and the user's last code per language (local storage); Run on samples
 * (a `run` submission: the per-sample table with a diff for failures), Run with custom input (an
 * execution, shown like the playground's), and Submit (the per-test table filling in live).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { ProblemDetail, PublicTest, SubmissionView } from '../../api/arena-types';
import { api, executionSocket } from '../../api/session';
import type { QueuedReceipt } from '../../api/types';
import { useAuth } from '../../auth';
import { DifficultyBadge, MarkIcon } from '../../components/arena/badges';
import { CopyButton } from '../../components/arena/copy-button';
import { Statement } from '../../components/arena/statement';
import { SubmissionPanel } from '../../components/arena/submission-panel';
import { CodeEditor } from '../../components/code-editor';
import { ErrorNote, formatKb, formatMs, Spinner, useTitle } from '../../components/common';
import { OutputPanel, ResultBar } from '../../components/run-output';
import { loadCode, loadLanguage, pickLanguage, saveCode, saveLanguage } from '../../lib/arena/last-code';
import { useSubmission } from '../../lib/arena/use-submission';
import { isActive } from '../../lib/run-state';
import { starterFor } from '../../lib/starters';
import { useRun } from '../../lib/use-run';
import { useTheme } from '../../theme';
import { MOD, useLanguages } from '../playground';

function Sample({ t, n }: { t: PublicTest; n: number }) {
  if (t.interaction) {
    return (
      <div className="sample" data-testid="sample">
        <div className="sample-head">
          <h3>Sample {n} (interaction)</h3>
          <CopyButton text={t.interaction} label={`Copy the interaction of sample ${n}`} />
        </div>
        <pre className="sample-pre">{t.interaction}</pre>
      </div>
    );
  }
  return (
    <div className="sample" data-testid="sample">
      <div className="sample-col">
        <div className="sample-head">
          <h3>Sample input {n}</h3>
          <CopyButton text={t.input} label={`Copy sample input ${n}`} />
        </div>
        <pre className="sample-pre" data-testid="sample-input">
          {t.input}
        </pre>
      </div>
      <div className="sample-col">
        <div className="sample-head">
          <h3>Sample output {n}</h3>
          <CopyButton text={t.output} label={`Copy sample output ${n}`} />
        </div>
        <pre className="sample-pre" data-testid="sample-output">
          {t.output}
        </pre>
      </div>
    </div>
  );
}

function Limits({ p, language }: { p: ProblemDetail; language: string | null }) {
  const time = (language && p.limits.timeMsByLanguage[language]) || p.limits.timeMs;
  return (
    <dl className="limits" data-testid="limits">
      <div>
        <dt>Time</dt>
        <dd>
          {formatMs(time)}
          {language && p.limits.timeMsByLanguage[language] ? ` (${language})` : ''}
        </dd>
      </div>
      <div>
        <dt>Memory</dt>
        <dd>{p.limits.memoryMb} MB</dd>
      </div>
      <div>
        <dt>Output</dt>
        <dd>{formatKb(p.limits.outputKb)}</dd>
      </div>
    </dl>
  );
}

export default function ProblemView() {
  // Also a contest's problem (/contests/:contest/problems/:label): read and submitted through the contest.
  const { slug: routeSlug = '', contest, label = '' } = useParams();
  const { status } = useAuth();
  const [theme] = useTheme();
  const queryClient = useQueryClient();
  const languages = useLanguages();
  const path = contest ? `/contests/${encodeURIComponent(contest)}/problems/${encodeURIComponent(label)}` : `/problems/${encodeURIComponent(routeSlug)}`;
  const problem = useQuery({ queryKey: ['problem', path, status], queryFn: () => api.get<ProblemDetail>(path), enabled: status !== 'loading' });
  const p = problem.data;
  const slug = contest ? (p?.slug ?? '') : routeSlug;
  useTitle(p?.title ?? slug);

  const [language, setLanguage] = useState<string | null>(null);
  const [codes, setCodes] = useState<Record<string, string>>({});
  const [stdin, setStdin] = useState('');
  const [tab, setTab] = useState<'judge' | 'custom'>('judge');
  const [postError, setPostError] = useState<unknown>(null);
  const [posting, setPosting] = useState<'run' | 'submit' | null>(null);
  const follower = useSubmission();
  const custom = useRun();

  useEffect(() => {
    executionSocket.connect();
  }, []);

  // The first language: the last used here, else a common one the problem allows.
  useEffect(() => {
    if (p && language === null) setLanguage(pickLanguage(p.languages, loadLanguage(p.slug, p.languages)));
  }, [p, language]);

  const code = language ? (codes[language] ?? loadCode(slug, language) ?? starterFor(language)) : '';
  const latest = useRef({ language, code });
  latest.current = { language, code };

  // Saved a moment after the last keystroke.
  useEffect(() => {
    if (!language || codes[language] === undefined) return;
    const t = setTimeout(() => saveCode(slug, language, codes[language]!), 300);
    return () => clearTimeout(t);
  }, [codes, language, slug]);
  useEffect(() => {
    const save = () => {
      const { language: l, code: c } = latest.current;
      if (l) saveCode(slug, l, c);
    };
    window.addEventListener('pagehide', save);
    return () => window.removeEventListener('pagehide', save);
  }, [slug]);

  // Once judged, the problem's mark and acceptance may have changed.
  useEffect(() => {
    if (follower.live.final && follower.live.view?.kind === 'submission') {
      void queryClient.invalidateQueries({ queryKey: ['problems'] });
      void queryClient.invalidateQueries({ queryKey: ['submissions'] });
    }
  }, [follower.live.final, follower.live.view?.kind, queryClient]);

  const judging = !!follower.live.id && !follower.live.final;

  const send = useCallback(
    async (kind: 'run' | 'submit') => {
      const { language: l, code: c } = latest.current;
      if (!l || posting) return;
      setPosting(kind);
      setPostError(null);
      setTab('judge');
      try {
        const view =
          kind === 'run'
            ? await api.post<SubmissionView>(`/problems/${encodeURIComponent(slug)}/run`, { language: l, code: c })
            : contest
              ? await api.post<SubmissionView>(`/contests/${encodeURIComponent(contest)}/submissions`, { problem: label, language: l, code: c })
              : await api.post<SubmissionView>('/submissions', { problemSlug: slug, language: l, code: c });
        follower.follow(view);
      } catch (err) {
        setPostError(err);
      } finally {
        setPosting(null);
      }
    },
    [slug, posting, follower, contest, label],
  );

  const runCustom = useCallback(() => {
    const { language: l, code: c } = latest.current;
    if (!l || isActive(custom.state)) return;
    setTab('custom');
    void custom.run(() => api.post<QueuedReceipt>(`/problems/${encodeURIComponent(slug)}/run`, { language: l, code: c, stdin }));
  }, [custom, slug, stdin]);

  if (problem.isPending) return <Spinner label="Loading the problem…" />;
  if (problem.error || !p) {
    return (
      <div className="page">
        <ErrorNote error={problem.error} onRetry={() => void problem.refetch()} />
        <p>
          <Link to="/problems">← All problems</Link>
        </p>
      </div>
    );
  }

  const signedIn = status === 'authenticated';
  const langName = (id: string) => languages.data?.languages.find((l) => l.id === id)?.name ?? id;

  return (
    <div className="problem-page">
      <section className="pane statement-pane" aria-labelledby="problem-title">
        <p className="small">
          <Link to="/problems">← Problems</Link>
        </p>
        <h1 id="problem-title" className="problem-title">
          <MarkIcon mark={p.mark} /> {p.title}
        </h1>
        <div className="problem-meta">
          <DifficultyBadge difficulty={p.difficulty} />
          {p.tags.map((t) => (
            <Link key={t} to={`/problems?tag=${encodeURIComponent(t)}`} className="tag">
              {t}
            </Link>
          ))}
          {!p.published && <span className="badge badge-warn">draft</span>}
          {p.type === 'scoring' && <span className="small muted">scoring: {p.myScore !== null ? `your score ${p.myScore} / ${p.maxScore}` : `up to ${p.maxScore} points`}</span>}
        </div>
        <Limits p={p} language={language} />
        {p.warnings && p.warnings.length > 0 && (
          <details className="note note-warn">
            <summary>{p.warnings.length} import warnings (only authors see them)</summary>
            <ul>
              {p.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          </details>
        )}
        <Statement markdown={p.statement.markdown} />
        {p.samples.length > 0 && (
          <section aria-label="Samples" className="samples">
            <h2>Samples</h2>
            {p.samples.map((t, i) => (
              <Sample key={t.name} t={t} n={i + 1} />
            ))}
          </section>
        )}
        {p.publicTests.length > 0 && (
          <p className="small muted">
            {p.publicTests.length} more public tests are judged with the samples; the other tests are hidden.
          </p>
        )}
        <p className="small">
          <Link to={`/submissions?problem=${encodeURIComponent(p.slug)}`}>My submissions to this problem</Link>
        </p>
      </section>
      <section className="pane editor-pane" aria-label="Solution">
        <div className="toolbar">
          <label className="field-inline">
            <span>Language</span>
            <select
              value={language ?? ''}
              data-testid="language"
              onChange={(e) => {
                setLanguage(e.target.value);
                saveLanguage(slug, e.target.value);
              }}
            >
              {p.languages.map((l) => (
                <option key={l} value={l}>
                  {langName(l)}
                </option>
              ))}
            </select>
          </label>
          <div className="spacer" />
          <button
            type="button"
            className="btn"
            data-testid="run-samples"
            disabled={!signedIn || posting !== null || judging}
            onClick={() => void send('run')}
            title={`Run on the samples (${MOD}+Enter)`}
          >
            ▶ Run on samples
          </button>
          <button type="button" className="btn btn-primary" data-testid="submit" disabled={!signedIn || posting !== null || judging} onClick={() => void send('submit')}>
            Submit
          </button>
        </div>
        {!signedIn && (
          <p className="note" data-testid="sign-in-to-submit">
            <Link to="/login" state={{ from: `/problems/${slug}` }}>
              Sign in
            </Link>{' '}
            or <Link to="/register">create an account</Link> to run and submit.
          </p>
        )}
        {language && (
          <div className="editor-box">
            <CodeEditor
              docKey={`arena:${slug}:${language}`}
              value={code}
              language={language}
              theme={theme}
              label={`${langName(language)} solution`}
              onChange={(v) => setCodes((c) => ({ ...c, [language]: v }))}
              onRun={() => void send('run')}
            />
          </div>
        )}
        <div className="tabs-row" role="tablist" aria-label="Results">
          <button type="button" role="tab" aria-selected={tab === 'judge'} className={tab === 'judge' ? 'active' : ''} onClick={() => setTab('judge')} data-testid="tab-judge">
            Judge
          </button>
          <button type="button" role="tab" aria-selected={tab === 'custom'} className={tab === 'custom' ? 'active' : ''} onClick={() => setTab('custom')} data-testid="tab-custom">
            Custom input
          </button>
        </div>
        <div role="tabpanel" hidden={tab !== 'judge'}>
          <ErrorNote error={postError} />
          {posting && <Spinner label={posting === 'run' ? 'Sending the run…' : 'Submitting…'} />}
          {follower.live.id ? (
            <>
              <SubmissionPanel live={follower.live} scoring={p.type === 'scoring'} />
              {follower.live.view?.kind === 'submission' && (
                <p className="small">
                  <Link to={`/submissions/${follower.live.id}`} data-testid="submission-link">
                    Open this submission
                  </Link>
                </p>
              )}
            </>
          ) : (
            !postError && !posting && <p className="muted small">Run on samples to check your code on the examples, then Submit to be judged on every test.</p>
          )}
        </div>
        <div role="tabpanel" hidden={tab !== 'custom'} className="custom-run">
          <div className="field">
            <label htmlFor="custom-stdin">Input</label>
            <textarea id="custom-stdin" rows={4} value={stdin} onChange={(e) => setStdin(e.target.value)} spellCheck={false} data-testid="custom-stdin" />
          </div>
          <p>
            <button type="button" className="btn" onClick={runCustom} disabled={!signedIn || isActive(custom.state)} data-testid="run-custom">
              ▶ Run with this input
            </button>
          </p>
          {custom.state.phase !== 'idle' && (
            <>
              <OutputPanel state={custom.state} />
              <ResultBar state={custom.state} />
            </>
          )}
        </div>
      </section>
    </div>
  );
}
