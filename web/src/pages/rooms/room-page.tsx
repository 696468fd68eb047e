/**
 * A room: CodeMirror 6 bound to the shared Y.Text with y-codemirror.next (remote cursors with
 * names, per-user undo), participants with presence, Run with the shared output, stdin and
 * arguments, snapshots, the interviewer's notes, follow mode and End.
 */
import { Compartment, EditorState } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import { ErrorNote, formatDate, formatKb, formatMs, Spinner, useTitle } from '../../components/common';
import { languageExtension } from '../../lib/cm-languages';
import { useTheme } from '../../theme';
import { InviteLinks } from './rooms-list';
import { openRoom, replaceText, roomApi, type RoomRun, type RoomView, type RunResult, type Snapshot } from './rooms-api';

interface Presence {
  clientId: number;
  name: string;
  color: string;
  role: string;
  participantId: string;
  status: string;
  cursor?: { anchor: unknown; head: unknown };
}

interface LiveRun {
  id: string;
  by: string;
  output: { stream: string; data: string }[];
  result: RunResult | null;
  status: string;
}

/** A textarea bound to a Y.Text (stdin, arguments). */
function SharedField({ text, label, readOnly, testId }: { text: Y.Text; label: string; readOnly: boolean; testId: string }) {
  const [value, setValue] = useState(text.toString());
  useEffect(() => {
    const update = () => setValue(text.toString());
    text.observe(update);
    update();
    return () => text.unobserve(update);
  }, [text]);
  return (
    <label className="field">
      <span>{label}</span>
      <textarea rows={3} value={value} readOnly={readOnly} data-testid={testId} onChange={(e) => replaceText(text, e.target.value)} />
    </label>
  );
}

export default function RoomPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [theme] = useTheme();
  const [room, setRoom] = useState<RoomView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [closed, setClosed] = useState(false);
  const [denied, setDenied] = useState<string | null>(null);
  const [people, setPeople] = useState<Presence[]>([]);
  const [runs, setRuns] = useState<LiveRun[]>([]);
  const [snapshots, setSnapshots] = useState<Snapshot[]>([]);
  const [notes, setNotes] = useState('');
  const [notesSaved, setNotesSaved] = useState(true);
  const [follow, setFollow] = useState<number | null>(null);
  const [snapName, setSnapName] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const live = useRef<ReturnType<typeof openRoom> | null>(null);
  const viewRef = useRef<EditorView | null>(null);
  const [fields, setFields] = useState<{ stdin: Y.Text; args: Y.Text } | null>(null);
  useTitle(room?.title ?? 'Room');

  const readOnly = !room || room.role === 'viewer' || room.closed || closed;

  const loadSnapshots = () => void roomApi<Snapshot[]>(id, 'GET', `/rooms/${id}/snapshots`).then(setSnapshots, () => undefined);

  useEffect(() => {
    let cancelled = false;
    roomApi<RoomView>(id, 'GET', `/rooms/${id}`).then(
      (r) => {
        if (cancelled) return;
        setRoom(r);
        if (r.role === 'interviewer') void roomApi<{ notes: string }>(id, 'GET', `/rooms/${id}/notes`).then((n) => setNotes(n.notes));
        void roomApi<RoomRun[]>(id, 'GET', `/rooms/${id}/runs`).then((list) =>
          setRuns(list.map((x) => ({ id: x.id, by: x.by ?? '', output: [], result: x.result, status: x.result?.status ?? 'queued' })).reverse()),
        );
        loadSnapshots();
      },
      (err: unknown) => setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [id]);

  // The shared document and the editor, once the room is known.
  useEffect(() => {
    if (!room || !host.current) return;
    const conn = openRoom(room.id, {
      onStateless: (p) => {
        if (p.event === 'run') {
          const r = p.run as { id: string; by: string; status: string };
          setRuns((list) => (list.some((x) => x.id === r.id) ? list : [{ id: r.id, by: r.by, output: [], result: null, status: r.status }, ...list]));
        } else if (p.event === 'run-output') {
          setRuns((list) => list.map((x) => (x.id === p.runId ? { ...x, output: [...x.output, { stream: String(p.stream), data: String(p.data) }] } : x)));
        } else if (p.event === 'run-status') {
          setRuns((list) => list.map((x) => (x.id === p.runId ? { ...x, status: String(p.status) } : x)));
        } else if (p.event === 'run-complete') {
          const result = p.result as RunResult | null;
          setRuns((list) => list.map((x) => (x.id === p.runId ? { ...x, result, status: result?.status ?? 'failed' } : x)));
        } else if (p.event === 'read-only') {
          setNotice(String(p.message));
        }
      },
      onClose: (code) => {
        if (code === 4410) {
          setClosed(true);
          conn.provider.destroy();
        }
      },
      onDenied: (reason) => {
        setDenied(reason);
        conn.provider.destroy();
      },
    });
    live.current = conn;
    const ytext = conn.doc.getText('code');
    setFields({ stdin: conn.doc.getText('stdin'), args: conn.doc.getText('args') });
    const awareness = conn.provider.awareness!;
    // Name and colour are stamped by the server; these are only placeholders until then.
    awareness.setLocalStateField('user', { name: '…', color: '#888888' });
    awareness.setLocalStateField('status', 'online');
    const undoManager = new Y.UndoManager(ytext);
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const lang = new Compartment();
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          basicSetup,
          lang.of([]),
          keymap.of(yUndoManagerKeymap),
          yCollab(ytext, awareness, { undoManager }),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(true),
          theme === 'dark' ? oneDark : [],
          EditorView.theme({ '&': { height: '100%', fontSize: '14px' }, '.cm-scroller': { fontFamily: 'var(--mono)' } }),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged || !u.transactions.some((t) => t.isUserEvent('input') || t.isUserEvent('delete'))) return;
            awareness.setLocalStateField('status', 'typing');
            clearTimeout(idleTimer);
            idleTimer = setTimeout(() => awareness.setLocalStateField('status', 'online'), 2000);
          }),
        ],
      }),
    });
    viewRef.current = view;
    void languageExtension(room.language).then((ext) => viewRef.current === view && view.dispatch({ effects: lang.reconfigure(ext) }));
    const refresh = () => {
      const list: Presence[] = [];
      awareness.getStates().forEach((s, clientId) => {
        const u = s.user as { name?: string; color?: string; role?: string; participantId?: string } | undefined;
        if (!u?.participantId) return;
        list.push({ clientId, name: u.name ?? '?', color: u.color ?? '#888', role: u.role ?? '', participantId: u.participantId, status: String(s.status ?? 'online'), cursor: s.cursor as Presence['cursor'] });
      });
      setPeople(list);
    };
    awareness.on('change', refresh);
    // Idle while the tab is hidden.
    const idle = setInterval(() => {
      if (document.hidden) awareness.setLocalStateField('status', 'idle');
      else if (awareness.getLocalState()?.status === 'idle') awareness.setLocalStateField('status', 'online');
    }, 10_000);
    return () => {
      clearInterval(idle);
      clearTimeout(idleTimer);
      awareness.off('change', refresh);
      view.destroy();
      conn.provider.destroy();
      conn.doc.destroy();
      live.current = null;
      viewRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [room?.id, readOnly, theme]);

  // Follow mode: keep the followed participant's cursor in view.
  useEffect(() => {
    if (follow === null) return;
    const p = people.find((x) => x.clientId === follow);
    const view = viewRef.current;
    const doc = live.current?.doc;
    if (!p?.cursor || !view || !doc) return;
    const pos = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(p.cursor.head), doc);
    if (pos) view.dispatch({ effects: EditorView.scrollIntoView(Math.min(pos.index, view.state.doc.length), { y: 'center' }) });
  }, [people, follow]);

  if (error) return <div className="page"><ErrorNote error={error} /></div>;
  if (!room) return <div className="page"><Spinner /></div>;

  const isInterviewer = room.role === 'interviewer';
  const run = async () => {
    setNotice(null);
    try {
      await roomApi(room.id, 'POST', `/rooms/${room.id}/runs`);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    }
  };
  const end = async () => {
    if (!confirm('End the interview? The room becomes read-only for everyone.')) return;
    await roomApi(room.id, 'POST', `/rooms/${room.id}/end`);
    navigate(`/rooms/${room.id}/playback`);
  };
  const latest = runs[0];
  return (
    <div className="page room-page" data-testid="room-page">
      <div className="page-head">
        <h1>{room.title}</h1>
        <p className="muted small">
          {room.language} · {room.fileName} · you are <strong data-testid="my-role">{room.role}</strong> · {room.closed || closed ? 'closed (read-only)' : `open until ${formatDate(room.expiresAt)}`}
        </p>
        {(room.closed || closed) && (
          <p className="badge badge-warn" data-testid="room-closed">
            This room is closed. {isInterviewer && <Link to={`/rooms/${room.id}/playback`}>Open the playback</Link>}
          </p>
        )}
        {denied && <ErrorNote error={new Error(`Refused: ${denied}`)} />}
        {notice && <p className="badge badge-warn" role="status">{notice}</p>}
      </div>
      <div className="room-layout" style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 3fr) minmax(260px, 1fr)', gap: '1rem' }}>
        <div>
          <div className="toolbar">
            <button className="btn btn-primary" onClick={() => void run()} disabled={readOnly} data-testid="room-run">
              Run
            </button>
            {isInterviewer && !(room.closed || closed) && (
              <button className="btn btn-danger" onClick={() => void end()} data-testid="room-end">
                End interview
              </button>
            )}
          </div>
          <div ref={host} className="room-editor" style={{ height: '420px', border: '1px solid var(--border)' }} data-testid="room-editor" />
          {fields && (
            <div className="field-row">
              <SharedField text={fields.stdin} label="stdin (shared)" readOnly={readOnly} testId="room-stdin" />
              <SharedField text={fields.args} label="arguments, one per line (shared)" readOnly={readOnly} testId="room-args" />
            </div>
          )}
          <section aria-label="Output" className="card">
            <h2>Output</h2>
            {!latest && <p className="muted">No run yet.</p>}
            {latest && (
              <div data-testid="room-output">
                <p className="muted small">
                  Run by {latest.by} · <span data-testid="room-run-status">{latest.status}</span>
                  {latest.result && ` · ${latest.result.verdict ?? ''} · exit ${latest.result.exitCode ?? '-'} · ${formatMs(latest.result.wallMs)} · ${formatKb(latest.result.memoryKb)}`}
                </p>
                <pre data-testid="room-stdout">{latest.output.length ? latest.output.map((o) => o.data).join('') : (latest.result?.output ?? '') + (latest.result?.error ?? '')}</pre>
                {latest.result?.compilationError && <pre className="field-error">{latest.result.compilationError}</pre>}
              </div>
            )}
            {runs.length > 1 && <p className="muted small">{runs.length} runs in this room.</p>}
          </section>
        </div>
        <aside>
          <section className="card" aria-label="Participants">
            <h2>Participants</h2>
            <ul data-testid="participants">
              <li>
                <span style={{ color: room.participants.find((x) => x.id === room.participantId)?.color ?? '#888' }}>●</span> you{' '}
                <span className="muted small">({room.role})</span>
              </li>
              {people.filter((p) => p.clientId !== live.current?.provider.awareness?.clientID).map((p) => (
                <li key={p.clientId}>
                  <span style={{ color: p.color }}>●</span> {p.name} <span className="muted small">({p.role}, {p.status})</span>{' '}
                  <button className="btn btn-ghost btn-small" onClick={() => setFollow(follow === p.clientId ? null : p.clientId)}>
                    {follow === p.clientId ? 'Unfollow' : 'Follow'}
                  </button>
                </li>
              ))}
            </ul>
            {isInterviewer && !(room.closed || closed) && <InviteLinks room={room} />}
          </section>
          {isInterviewer && (
            <section className="card" aria-label="Interviewer notes">
              <h2>Notes (only interviewers see these)</h2>
              <textarea rows={6} value={notes} onChange={(e) => { setNotes(e.target.value); setNotesSaved(false); }} data-testid="room-notes" />
              <button
                className="btn btn-small"
                disabled={notesSaved}
                data-testid="save-notes"
                onClick={() => void roomApi(room.id, 'PUT', `/rooms/${room.id}/notes`, { notes }).then(() => setNotesSaved(true))}
              >
                {notesSaved ? 'Saved' : 'Save notes'}
              </button>
            </section>
          )}
          <section className="card" aria-label="Snapshots">
            <h2>Snapshots</h2>
            {!readOnly && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void roomApi(room.id, 'POST', `/rooms/${room.id}/code`, snapName ? { name: snapName } : {}).then(() => {
                    setSnapName('');
                    loadSnapshots();
                  });
                }}
              >
                <input placeholder="name" value={snapName} onChange={(e) => setSnapName(e.target.value)} maxLength={200} />
                <button className="btn btn-small" type="submit">Save snapshot</button>
              </form>
            )}
            <button className="btn btn-ghost btn-small" onClick={loadSnapshots}>Refresh</button>
            <ul>
              {snapshots.slice(0, 30).map((s) => (
                <li key={s.id}>
                  {s.name ?? (s.auto ? 'auto' : 'snapshot')} <span className="muted small">{formatDate(s.createdAt)}</span>{' '}
                  {!readOnly && (
                    <button className="btn btn-ghost btn-small" onClick={() => void roomApi(room.id, 'POST', `/rooms/${room.id}/snapshots/${s.id}/restore`)}>
                      Restore
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        </aside>
      </div>
    </div>
  );
}
