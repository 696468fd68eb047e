/** A project's comments: threads oldest first, a form for signed-in users, delete your own. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/session';
import type { Comment, CommentThread, Pagination } from '../api/types';
import { useAuth } from '../auth';
import { Empty, ErrorNote, formatDate, Pager, Spinner } from './common';

function CommentItem({ c, projectId, mine }: { c: Comment; projectId: string; mine: boolean }) {
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.del(`/projects/${projectId}/comments/${c.id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['comments', projectId] }),
  });
  return (
    <div className="comment" data-testid="comment">
      <div className="muted small">
        {c.author ? `@${c.author.username}` : 'deleted'} · {formatDate(c.createdAt)}
        {c.edited && ' · edited'}
        {mine && !c.deleted && (
          <>
            {' · '}
            <button type="button" className="linklike" onClick={() => remove.mutate()} disabled={remove.isPending}>
              delete
            </button>
          </>
        )}
      </div>
      <div>{c.deleted ? <em className="muted">(deleted)</em> : c.content}</div>
      <ErrorNote error={remove.error} />
    </div>
  );
}

export function Comments({ projectId }: { projectId: string }) {
  const { user } = useAuth();
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const [text, setText] = useState('');
  const list = useQuery({
    queryKey: ['comments', projectId, page],
    queryFn: () => api.get<{ comments: CommentThread[]; pagination: Pagination }>(`/projects/${projectId}/comments`, { query: { page, limit: 20 } }),
    placeholderData: keepPreviousData,
  });
  const add = useMutation({
    mutationFn: () => api.post<Comment>(`/projects/${projectId}/comments`, { content: text.trim() }),
    onSuccess: () => {
      setText('');
      void qc.invalidateQueries({ queryKey: ['comments', projectId] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) add.mutate();
  };
  return (
    <section className="comments" aria-label="Comments">
      {list.isPending && <Spinner label="Loading comments…" />}
      <ErrorNote error={list.error} onRetry={() => void list.refetch()} />
      {list.data && list.data.comments.length === 0 && <Empty>No comments yet.</Empty>}
      {list.data?.comments.map((t) => (
        <div key={t.id}>
          <CommentItem c={t} projectId={projectId} mine={t.author?.id === user?.id} />
          <div style={{ paddingLeft: 16 }}>
            {t.replies.map((r) => (
              <CommentItem key={r.id} c={r} projectId={projectId} mine={r.author?.id === user?.id} />
            ))}
          </div>
        </div>
      ))}
      {list.data && <Pager page={page} pages={list.data.pagination.pages} onPage={setPage} />}
      {user ? (
        <form onSubmit={submit} className="field" style={{ marginTop: '0.75rem' }}>
          <label htmlFor="comment-text">Add a comment</label>
          <textarea id="comment-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <ErrorNote error={add.error} />
          <div>
            <button type="submit" className="btn btn-primary btn-small" disabled={add.isPending || !text.trim()}>
              {add.isPending ? 'Posting…' : 'Post comment'}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted small">
          <Link to="/login">Sign in</Link> to comment.
        </p>
      )}
    </section>
  );
}
