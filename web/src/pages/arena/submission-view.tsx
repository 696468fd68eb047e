/** One submission: the per-test table (live while judged), its code (read-only), its problem. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { SubmissionView as View } from '../../api/arena-types';
import { api, executionSocket } from '../../api/session';
import { SubmissionPanel } from '../../components/arena/submission-panel';
import { CodeEditor } from '../../components/code-editor';
import { ErrorNote, formatDate, Spinner, useTitle } from '../../components/common';
import { useSubmission } from '../../lib/arena/use-submission';
import { useTheme } from '../../theme';

export default function SubmissionPage() {
  const { id = '' } = useParams();
  const [theme] = useTheme();
  const first = useQuery({ queryKey: ['submission', id], queryFn: () => api.get<View>(`/submissions/${encodeURIComponent(id)}`), refetchOnMount: 'always' });
  const follower = useSubmission();
  const [fileIdx, setFileIdx] = useState(0);
  useTitle(first.data ? `Submission to ${first.data.problemTitle}` : 'Submission');

  useEffect(() => {
    executionSocket.connect();
  }, []);
  const { follow } = follower;
  useEffect(() => {
    if (first.data) follow(first.data);
  }, [first.data, follow]);

  if (first.isPending) return <Spinner label="Loading the submission…" />;
  if (first.error || !first.data) return <div className="page"><ErrorNote error={first.error} /></div>;
  const view = follower.live.view ?? first.data;
  const files = view.files ?? [];
  const file = files[Math.min(fileIdx, files.length - 1)];
  const scoring = view.maxScore > 0 && view.groups.length > 0;

  return (
    <div className="page">
      <header className="page-head">
        <h1>
          {view.kind === 'run' ? 'Run' : 'Submission'} to <Link to={`/problems/${view.problemSlug}`}>{view.problemTitle}</Link>
        </h1>
      </header>
      <p className="muted small">
        {view.username} · {view.language} · {formatDate(view.createdAt)}
        {view.judgedAt ? ` · judged ${formatDate(view.judgedAt)}` : ''}
      </p>
      {follower.live.id && <SubmissionPanel live={follower.live} scoring={scoring} />}
      {files.length > 0 && file && (
        <section aria-label="Code" className="submission-code">
          <h2>Code</h2>
          {files.length > 1 && (
            <div className="tabs-row" role="tablist" aria-label="Files">
              {files.map((f, i) => (
                <button key={f.name} type="button" role="tab" aria-selected={i === fileIdx} className={i === fileIdx ? 'active' : ''} onClick={() => setFileIdx(i)}>
                  {f.name}
                </button>
              ))}
            </div>
          )}
          <div className="editor-box code-readonly">
            <CodeEditor docKey={`submission:${view.id}:${file.name}`} value={file.content} language={view.language} theme={theme} label={`${file.name} (read-only)`} onChange={() => undefined} readOnly />
          </div>
        </section>
      )}
    </div>
  );
}
