/**
 * A workspace: the file tree, editor tabs, terminals docked below (xterm.js 6, reattached after
 * a reload), a Run button that runs the main file in the terminal, a status badge, start/stop.
 * Files saved here go to the database and the running directory; files made in the terminal
 * come back through the terminal socket's "files" events.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { API_PREFIX } from '../api/http';
import { api, tokens } from '../api/session';
import { CodeEditor } from '../components/code-editor';
import { ErrorNote, Spinner, useTitle } from '../components/common';
import { TerminalClient, type WorkspaceEvent } from '../lib/terminal-client';
import { useTheme } from '../theme';

export interface WorkspaceJson {
  id: string;
  projectId: string;
  name: string;
  language: string;
  role: 'owner' | 'write' | 'read';
  status: 'stopped' | 'starting' | 'running' | 'stopping';
  terminals: string[];
  lastActiveAt: string;
}
interface FileMeta {
  path: string;
  size: number;
  encoding: string;
  isMain: boolean;
}
interface OpenFile {
  path: string;
  content: string;
  encoding: string;
  saved: string;
}

const IMAGE = /\.(png|jpe?g|gif|webp|svg)$/i;
const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml' };

/** How the Run button runs the main file, by extension. */
function runCommand(path: string): string {
  const q = `'${path.replace(/'/g, "'\\''")}'`;
  const ext = path.split('.').pop() ?? '';
  const cmds: Record<string, string> = {
    py: `python3 ${q}`,
    js: `node ${q}`,
    sh: `bash ${q}`,
    rb: `ruby ${q}`,
    pl: `perl ${q}`,
    php: `php ${q}`,
    c: `gcc -O2 -o /tmp/a.out ${q} && /tmp/a.out`,
    cpp: `g++ -O2 -o /tmp/a.out ${q} && /tmp/a.out`,
    go: `go run ${q}`,
    java: `java ${q}`,
    rs: `rustc -o /tmp/a.out ${q} && /tmp/a.out`,
  };
  return cmds[ext] ?? `./${q}`;
}

function socketUrl(id: string, tid: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${API_PREFIX}/workspaces/${id}/terminals/${tid}/socket?token=${encodeURIComponent(tokens.get() ?? '')}`;
}

function TerminalPane({ id, tid, active, onHello, onEvent, register }: {
  id: string;
  tid: string;
  active: boolean;
  onHello(tid: string, readOnly: boolean): void;
  onEvent(e: WorkspaceEvent): void;
  register(tid: string, c: TerminalClient | null): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [theme] = useTheme();
  const [state, setState] = useState('connecting');
  useEffect(() => {
    const c = new TerminalClient((t) => socketUrl(id, t), tid, { onHello: (i) => onHello(i.terminalId, i.readOnly), onEvent, onExit: () => undefined, onState: setState }, theme);
    c.open(host.current!);
    register(tid, c);
    return () => {
      register(tid, null);
      c.dispose();
    };
    // The terminal lives as long as the pane; theme changes do not reconnect it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, tid]);
  return <div className="ws-terminal" ref={host} hidden={!active} data-testid="terminal" data-terminal-id={tid} data-state={state} />;
}

export default function WorkspacePage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const [theme] = useTheme();
  const ws = useQuery({ queryKey: ['workspace', id], queryFn: () => api.get<WorkspaceJson>(`/workspaces/${id}`), refetchInterval: 5000 });
  const files = useQuery({ queryKey: ['workspace-files', id], queryFn: () => api.get<{ files: FileMeta[] }>(`/workspaces/${id}/files`) });
  const [open, setOpen] = useState<OpenFile[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [terms, setTerms] = useState<string[]>([]);
  const [activeTerm, setActiveTerm] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const clients = useRef(new Map<string, TerminalClient>());
  const w = ws.data;
  useTitle(w ? `${w.name} (workspace)` : 'Workspace');
  const canWrite = w?.role === 'owner' || w?.role === 'write';

  // Terminals: the ones the server still has (a reload reattaches them), else a new one.
  useEffect(() => {
    if (w?.status !== 'running') {
      setTerms([]);
      return;
    }
    setTerms((cur) => {
      if (cur.length) return cur;
      const list = w.terminals.length ? w.terminals : canWrite ? ['new'] : [];
      setActiveTerm(list[0] ?? null);
      return list;
    });
  }, [w?.status, w?.terminals, canWrite]);

  const onHello = useCallback((tid: string) => {
    setTerms((cur) => cur.map((t) => (t === 'new' ? tid : t)));
    setActiveTerm((cur) => (cur === 'new' ? tid : cur));
  }, []);
  const onEvent = useCallback(
    (e: WorkspaceEvent) => {
      if (e.type !== 'files') return;
      void qc.invalidateQueries({ queryKey: ['workspace-files', id] });
      if (e.rejected?.length) setNotice(e.rejected.map((r) => r.message).join('; '));
      // An open, unchanged tab follows what the terminal wrote.
      for (const p of e.written ?? []) {
        setOpen((cur) => {
          const f = cur.find((x) => x.path === p);
          if (f && f.content === f.saved) void reload(p);
          return cur;
        });
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [id, qc],
  );

  const reload = async (path: string) => {
    const f = await api.get<{ path: string; content: string; encoding: string }>(`/workspaces/${id}/file/${encodeURIComponent(path)}`);
    setOpen((cur) => cur.map((x) => (x.path === path ? { ...x, content: f.content, saved: f.content, encoding: f.encoding } : x)));
  };

  const openFile = async (path: string) => {
    if (!open.some((f) => f.path === path)) {
      const f = await api.get<{ path: string; content: string; encoding: string }>(`/workspaces/${id}/file/${encodeURIComponent(path)}`);
      setOpen((cur) => (cur.some((x) => x.path === path) ? cur : [...cur, { path, content: f.content, encoding: f.encoding, saved: f.content }]));
    }
    setActive(path);
  };

  const save = async (path: string) => {
    const f = open.find((x) => x.path === path);
    if (!f || f.encoding !== 'utf8') return;
    try {
      await api.post(`/workspaces/${id}/file/${encodeURIComponent(path)}`, { content: f.content });
      setOpen((cur) => cur.map((x) => (x.path === path ? { ...x, saved: f.content } : x)));
      setNotice(`Saved ${path}`);
      void qc.invalidateQueries({ queryKey: ['workspace-files', id] });
    } catch (err) {
      setNotice((err as Error).message);
    }
  };

  const startStop = async (what: 'start' | 'stop') => {
    setBusy(true);
    try {
      await api.post(`/workspaces/${id}/${what}`);
      if (what === 'stop') setTerms([]);
      await ws.refetch();
    } catch (err) {
      setNotice((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const main = files.data?.files.find((f) => f.isMain)?.path ?? files.data?.files[0]?.path;
  const run = async () => {
    if (active) await save(active);
    const c = activeTerm ? clients.current.get(activeTerm) : undefined;
    if (c && main) c.typeLine(runCommand(main));
  };

  if (ws.isPending) return <Spinner label="Loading the workspace…" />;
  if (ws.error || !w) return <div className="page"><ErrorNote error={ws.error} onRetry={() => void ws.refetch()} /></div>;
  const current = open.find((f) => f.path === active);
  const ext = current?.path.split('.').pop()?.toLowerCase() ?? '';
  return (
    <div className="workspace-view" data-testid="workspace">
      <div className="project-bar">
        <h1>{w.name}</h1>
        <span className={`badge ws-status ws-${w.status}`} data-testid="ws-status">{w.status}</span>
        <Link to={`/projects/${w.projectId}`} className="muted small">project</Link>
        <div className="spacer" />
        <span role="status" className="muted small" data-testid="notice">{notice}</span>
        {canWrite && w.status === 'running' && main && (
          <button type="button" className="btn btn-primary" onClick={() => void run()} data-testid="ws-run" title={`Run ${main} in the terminal`}>▶ Run</button>
        )}
        {canWrite && current && current.encoding === 'utf8' && (
          <button type="button" className="btn" onClick={() => void save(current.path)} disabled={current.content === current.saved} data-testid="ws-save">Save</button>
        )}
        {canWrite && (w.status === 'stopped' ? (
          <button type="button" className="btn" onClick={() => void startStop('start')} disabled={busy} data-testid="ws-start">Start</button>
        ) : (
          <button type="button" className="btn" onClick={() => void startStop('stop')} disabled={busy || w.status !== 'running'} data-testid="ws-stop">Stop</button>
        ))}
      </div>
      <div className="ws-main">
        <nav className="ws-tree" aria-label="Files" data-testid="ws-tree">
          {files.data?.files.map((f) => (
            <button key={f.path} type="button" className={`ws-file${f.path === active ? ' active' : ''}`} onClick={() => void openFile(f.path)} data-testid="ws-file" data-path={f.path}>
              {f.path}
            </button>
          ))}
        </nav>
        <section className="ws-editor">
          <div className="ws-tabs" role="tablist">
            {open.map((f) => (
              <button key={f.path} role="tab" type="button" aria-selected={f.path === active} className="ws-tab" onClick={() => setActive(f.path)} data-testid="ws-tab">
                {f.path}{f.content !== f.saved ? ' •' : ''}
                <span className="ws-close" onClick={(e) => { e.stopPropagation(); setOpen((cur) => cur.filter((x) => x.path !== f.path)); if (active === f.path) setActive(null); }}>×</span>
              </button>
            ))}
          </div>
          <div className="ws-editor-body">
            {current && IMAGE.test(current.path) ? (
              <img
                className="ws-image"
                alt={current.path}
                data-testid="ws-image"
                src={current.encoding === 'base64' ? `data:${MIME[ext] ?? 'application/octet-stream'};base64,${current.content}` : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(current.content)}`}
              />
            ) : current && current.encoding === 'base64' ? (
              <p className="muted">A binary file ({current.path}): not shown.</p>
            ) : current ? (
              <CodeEditor
                docKey={current.path}
                value={current.content}
                language={w.language}
                theme={theme}
                readOnly={!canWrite}
                label={current.path}
                onChange={(v) => setOpen((cur) => cur.map((x) => (x.path === current.path ? { ...x, content: v } : x)))}
                onSave={() => void save(current.path)}
                onRun={() => void run()}
              />
            ) : (
              <p className="muted ws-hint">Open a file from the tree.</p>
            )}
          </div>
        </section>
      </div>
      <div className="ws-dock">
        <div className="ws-tabs" role="tablist">
          {terms.map((t, i) => (
            <button key={t} role="tab" type="button" aria-selected={t === activeTerm} className="ws-tab" onClick={() => setActiveTerm(t)} data-testid="ws-term-tab">
              Terminal {i + 1}
            </button>
          ))}
          {canWrite && w.status === 'running' && (
            <button type="button" className="btn btn-ghost" onClick={() => { setTerms((c) => [...c, 'new']); setActiveTerm('new'); }} disabled={terms.includes('new')} data-testid="ws-new-term" aria-label="New terminal">+</button>
          )}
        </div>
        {w.status !== 'running' ? (
          <p className="muted ws-hint">The workspace is {w.status}. {canWrite && w.status === 'stopped' ? 'Start it to get a terminal.' : ''}</p>
        ) : (
          terms.map((t) => (
            <TerminalPane key={t} id={id} tid={t} active={t === activeTerm} onHello={onHello} onEvent={onEvent} register={(tid, c) => (c ? clients.current.set(tid, c) : clients.current.delete(tid))} />
          ))
        )}
      </div>
    </div>
  );
}
