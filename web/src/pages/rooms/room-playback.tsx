/**
 * Playback of a room (interviewers, after or during the interview): a timeline slider over
 * every recorded edit, keystroke by keystroke, with the author of each step and the runs
 * marked on the same timeline. Seeking starts from the nearest cached state (every 100 steps,
 * built once from the log when the page loads), so it stays fast on long sessions. (The server
 * seeks from its own checkpoints: RoomStore.replay.)
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import * as Y from 'yjs';
import { ErrorNote, formatDate, Spinner, useTitle } from '../../components/common';
import { roomApi, type RoomRun } from './rooms-api';

interface Playback {
  updates: { id: number; at: string; participantId: string | null; origin: string; data: string }[];
  checkpoints: { logId: number; state: string }[];
  runs: RoomRun[];
  participants: { id: string; displayName: string; role: string; color: string }[];
  finalCode: string;
}

const STEP_CACHE = 100;
const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export default function RoomPlayback() {
  const { id = '' } = useParams();
  useTitle('Playback');
  const q = useQuery({ queryKey: ['room-playback', id], queryFn: () => roomApi<Playback>(id, 'GET', `/rooms/${id}/playback`) });
  const data = q.data;
  const prepared = useMemo(() => {
    if (!data) return null;
    const updates = data.updates.map((u) => b64(u.data));
    // Cached states every STEP_CACHE steps (index k: the state after the first k updates).
    const cache = new Map<number, Uint8Array>();
    const doc = new Y.Doc();
    cache.set(0, Y.encodeStateAsUpdate(doc));
    updates.forEach((u, i) => {
      Y.applyUpdate(doc, u);
      if ((i + 1) % STEP_CACHE === 0) cache.set(i + 1, Y.encodeStateAsUpdate(doc));
    });
    // One track per participant (as CoderPad's): which of BUCKETS slices of the timeline they edited in.
    const BUCKETS = 200;
    const tracks = new Map<string, boolean[]>();
    data.updates.forEach((u, i) => {
      if (!u.participantId) return;
      const t = tracks.get(u.participantId) ?? new Array<boolean>(BUCKETS).fill(false);
      t[Math.min(BUCKETS - 1, Math.floor((i / Math.max(1, data.updates.length)) * BUCKETS))] = true;
      tracks.set(u.participantId, t);
    });
    const runsAt = data.runs.map((r) => ({ run: r, step: data.updates.filter((u) => u.at <= r.createdAt).length }));
    return { updates, cache, runsAt, tracks, byId: new Map(data.participants.map((p) => [p.id, p])) };
  }, [data]);
  const [step, setStep] = useState<number | null>(null);
  if (q.error) return <div className="page"><ErrorNote error={q.error} /></div>;
  if (!data || !prepared) return <div className="page"><Spinner /></div>;
  const total = prepared.updates.length;
  const at = step ?? total;
  const base = Math.floor(at / STEP_CACHE) * STEP_CACHE;
  const doc = new Y.Doc();
  Y.applyUpdate(doc, prepared.cache.get(base)!);
  for (let i = base; i < at; i++) Y.applyUpdate(doc, prepared.updates[i]!);
  const text = doc.getText('code').toString();
  const current = at > 0 ? data.updates[at - 1] : undefined;
  const author = current?.participantId ? prepared.byId.get(current.participantId) : undefined;
  const runHere = prepared.runsAt.filter((r) => r.step <= at).at(-1);
  return (
    <div className="page" data-testid="playback">
      <div className="page-head">
        <h1>Playback</h1>
        <p className="muted">
          <Link to={`/rooms/${id}`}>Back to the room</Link> · {total} edits · {data.runs.length} runs
        </p>
      </div>
      <div className="card">
        <label className="field">
          <span>
            Step <span data-testid="playback-step">{at}</span> / {total}
            {current && ` · ${formatDate(current.at)} · ${author?.displayName ?? current.origin}`}
          </span>
          <input type="range" min={0} max={total} value={at} onChange={(e) => setStep(Number(e.target.value))} data-testid="playback-slider" aria-label="timeline" style={{ width: '100%' }} />
        </label>
        <div className="playback-marks" style={{ position: 'relative', height: '14px' }} aria-label="runs on the timeline">
          {prepared.runsAt.map((r) => (
            <button
              key={r.run.id}
              title={`run by ${r.run.by ?? '?'}: ${r.run.result?.verdict ?? r.run.result?.status ?? ''}`}
              onClick={() => setStep(r.step)}
              data-testid="playback-run-mark"
              style={{ position: 'absolute', left: `${total ? (r.step / total) * 100 : 0}%`, width: '10px', height: '12px', padding: 0, border: 0, background: 'var(--accent, #e6194b)', cursor: 'pointer' }}
            />
          ))}
        </div>
        <div aria-label="edits per participant" data-testid="playback-tracks">
          {data.participants.filter((p) => prepared.tracks.has(p.id)).map((p) => (
            <div key={p.id} title={p.displayName} style={{ display: 'flex', height: '6px', margin: '3px 0' }}>
              {prepared.tracks.get(p.id)!.map((on, i) => (
                <span key={i} style={{ flex: 1, background: on ? p.color : 'transparent' }} />
              ))}
            </div>
          ))}
        </div>
        <div className="muted small">
          {data.participants.map((p) => (
            <span key={p.id} style={{ marginRight: '1em' }}>
              <span style={{ color: p.color }}>●</span> {p.displayName} ({p.role}): {data.updates.filter((u) => u.participantId === p.id).length} edits
            </span>
          ))}
        </div>
      </div>
      <pre className="card" data-testid="playback-code" style={{ minHeight: '200px' }}>{text}</pre>
      {runHere && (
        <div className="card" data-testid="playback-run">
          <h2>Last run so far: by {runHere.run.by}</h2>
          <p className="muted small">{runHere.run.result?.status} · {runHere.run.result?.verdict} · exit {runHere.run.result?.exitCode ?? '-'}</p>
          <pre>{runHere.run.result?.output ?? ''}{runHere.run.result?.error ?? ''}</pre>
        </div>
      )}
    </div>
  );
}
