/** Rooms: my rooms, create one, copy invite links per role (issue 10). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Empty, ErrorNote, formatDate, Spinner, useTitle } from '../../components/common';
import { useLanguages } from '../playground';
import { roomApi, type RoomView } from './rooms-api';

export function InviteLinks({ room }: { room: RoomView }) {
  const [copied, setCopied] = useState<string | null>(null);
  if (!room.invites) return null;
  return (
    <div className="room-invites" data-testid="invites" style={{ display: 'grid', gridTemplateColumns: 'auto minmax(0, 1fr) auto', gap: '0.4rem', alignItems: 'center' }}>
      {room.invites.map((i) => {
        const href = `${location.origin}${i.path}`;
        return (
          <div key={i.role} style={{ display: 'contents' }}>
            <span className="muted small">{i.role}</span>
            <input readOnly value={href} style={{ minWidth: 0, width: '100%' }} aria-label={`invite link for a ${i.role}`} data-testid={`invite-${i.role}`} onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void navigator.clipboard?.writeText(href).then(() => setCopied(i.role), () => setCopied(null))}
            >
              {copied === i.role ? 'Copied' : 'Copy'}
            </button>
          </div>
        );
      })}
    </div>
  );
}

export default function RoomsList() {
  useTitle('Rooms');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const languages = useLanguages();
  const [title, setTitle] = useState('Interview');
  const [language, setLanguage] = useState('python');
  const [hours, setHours] = useState('2');
  const list = useQuery({ queryKey: ['rooms'], queryFn: () => roomApi<RoomView[]>(null, 'GET', '/rooms') });
  const create = useMutation({
    mutationFn: () => roomApi<RoomView>(null, 'POST', '/rooms', { title, language, expiresIn: Number(hours) }),
    onSuccess: (room) => {
      void qc.invalidateQueries({ queryKey: ['rooms'] });
      navigate(`/rooms/${room.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>Rooms</h1>
        <p className="muted">Collaborative coding for interviews and pairing: one shared editor, shared runs, playback afterwards.</p>
      </div>
      <form className="card" onSubmit={submit} aria-label="New room">
        <div className="field-row">
          <label className="field">
            <span>Title</span>
            <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} data-testid="room-title" />
          </label>
          <label className="field">
            <span>Language</span>
            <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="room-language">
              {(languages.data?.languages ?? [{ id: 'python', name: 'Python' }]).map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Open for (hours)</span>
            <input type="number" min="0.1" step="0.1" max="168" value={hours} onChange={(e) => setHours(e.target.value)} />
          </label>
        </div>
        <button className="btn btn-primary" type="submit" disabled={create.isPending} data-testid="create-room">
          Create room
        </button>
        {create.error && <ErrorNote error={create.error} />}
      </form>
      <h2>My rooms</h2>
      {list.isLoading && <Spinner />}
      {list.error && <ErrorNote error={list.error} onRetry={() => void list.refetch()} />}
      {list.data?.length === 0 && <Empty>No rooms yet.</Empty>}
      <ul className="room-list">
        {list.data?.map((r) => (
          <li key={r.id} className="card">
            <Link to={`/rooms/${r.id}`}>
              <strong>{r.title}</strong>
            </Link>{' '}
            <span className="muted small">
              {r.language} · {r.role} · {r.closed ? `closed ${formatDate(r.endedAt ?? r.expiresAt)}` : `open until ${formatDate(r.expiresAt)}`} · {r.participants.length} participants
            </span>
            {r.closed && r.role === 'interviewer' && (
              <>
                {' '}
                <Link to={`/rooms/${r.id}/playback`}>Playback</Link>
              </>
            )}
            <InviteLinks room={r} />
          </li>
        ))}
      </ul>
    </div>
  );
}
