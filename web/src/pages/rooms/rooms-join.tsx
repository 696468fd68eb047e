/** Joining a room from an invite link: a name (guests) or the account, then straight in. */
import { type FormEvent, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useAuth } from '../../auth';
import { ErrorNote, useTitle } from '../../components/common';
import { tokens } from '../../api/session';
import { roomTokens, type RoomView } from './rooms-api';

export default function RoomJoin() {
  useTitle('Join a room');
  const { token = '' } = useParams();
  const { status, user } = useAuth();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [asGuest, setAsGuest] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const signedIn = status === 'authenticated' && !asGuest;
  const join = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = signedIn ? { invite: token } : { invite: token, displayName: name };
      const res = await fetch('/api/v1/rooms/join', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signedIn ? { authorization: `Bearer ${tokens.get() ?? ''}` } : {}) },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { success: boolean; data?: { room: RoomView; roomToken: string }; error?: { code: string; message: string } };
      if (!json.success || !json.data) throw new Error(json.error?.message ?? 'could not join');
      // Guests act with the room token; an account keeps using its own session.
      if (!signedIn) roomTokens.set(json.data.room.id, json.data.roomToken);
      navigate(`/rooms/${json.data.room.id}`, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="page center">
      <form className="card" onSubmit={(e) => void join(e)} aria-label="Join the room">
        <h1>Join the room</h1>
        {signedIn ? (
          <p>
            You join as <strong>{user?.username}</strong>.{' '}
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setAsGuest(true)}>
              Join as a guest instead
            </button>
          </p>
        ) : (
          <label className="field">
            <span>Your name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={50} autoFocus data-testid="guest-name" />
          </label>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy} data-testid="join-room">
          Join
        </button>
        {error !== null && <ErrorNote error={error} />}
      </form>
    </div>
  );
}
