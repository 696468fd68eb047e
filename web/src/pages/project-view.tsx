/**
 * A project: file explorer, editor with tabs (unsaved markers, Ctrl/Cmd+S saves), Run with
 * streamed output (unsaved changes are saved first, since the server runs the stored files),
 * visibility, fork, star, comments. Visitors see it read-only and can fork it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useBlocker, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/errors';
import { api, executionSocket } from '../api/session';
import type { ProjectDetail, ProjectFile, QueuedReceipt, Visibility } from '../api/types';
import { useAuth } from '../auth';
import { CodeEditor, focusLine } from '../components/code-editor';
import { Comments } from '../components/comments';
import { ErrorNote, Spinner, useTitle } from '../components/common';
import { ForkIcon, TrashIcon } from '../components/icons';
import { type ExplorerAction, FileExplorer } from '../components/file-explorer';
import { diagnosticsOf, OutputPanel, ResultBar, RunButton } from '../components/run-output';
import { splitArgs } from '../lib/diagnostics';
import { displayPath, isInside, joinDir, normalizeDirInput, parentDir, relocate } from '../lib/file-tree';
import { isActive } from '../lib/run-state';
import { languageOfPath } from '../lib/starters';
import { useRun } from '../lib/use-run';
import { useTheme } from '../theme';
import { NotFound } from '../components/not-found';
import { MOD } from './playground';

/** Keyed by the id: going to another project (a fork, a link) starts from a fresh state. */
export default function ProjectRoute() {
  const { id = '' } = useParams();
  return <ProjectView key={id} id={id} />;
}

function ProjectView({ id }: { id: string }) {
  const { user, status } = useAuth();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [theme] = useTheme();
  const key = ['project', id];
  const project = useQuery({
    queryKey: [...key, status],
    queryFn: () => api.get<ProjectDetail>(`/projects/${id}`),
    enabled: status !== 'loading',
  });
  const p = project.data;
  useTitle(p?.name ?? 'Project');
  const files = p?.files ?? [];
  const owner = !!user && !!p && p.owner.id === user.id;

  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [tabs, setTabs] = useState<string[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [extraDirs, setExtraDirs] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [side, setSide] = useState<'output' | 'comments'>('output');
  const [stdin, setStdin] = useState('');
  const [args, setArgs] = useState('');
  const { state, run, stop } = useRun();
  const editorBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    executionSocket.connect();
  }, []);

  // Open the main file when the project arrives.
  useEffect(() => {
    if (!p || tabs.length) return;
    const main = p.files.find((f) => f.isMain) ?? p.files[0];
    if (main) {
      setTabs([main.id]);
      setActive(main.id);
    }
  }, [p, tabs.length]);

  const dirty = useMemo(() => new Set(files.filter((f) => drafts[f.id] !== undefined && drafts[f.id] !== f.content).map((f) => f.id)), [files, drafts]);
  const activeFile = files.find((f) => f.id === active) ?? null;

  /** Puts the server's answer into the cached project (no refetch needed). */
  const patchCache = (change: (d: ProjectDetail) => ProjectDetail) => {
    qc.setQueriesData<ProjectDetail>({ queryKey: key }, (d) => (d ? change(d) : d));
  };
  const replaceFile = (f: ProjectFile) =>
    patchCache((d) => ({
      ...d,
      files: d.files.some((x) => x.id === f.id) ? d.files.map((x) => (x.id === f.id ? f : f.isMain ? { ...x, isMain: false } : x)) : [...d.files, f],
      mainFileId: f.isMain ? f.id : d.mainFileId,
    }));

  const flash = (text: string) => {
    setNotice(text);
    setTimeout(() => setNotice((n) => (n === text ? '' : n)), 2500);
  };

  const save = useCallback(
    async (ids: string[]): Promise<boolean> => {
      if (!owner || !p) return false;
      const todo = ids.filter((fid) => dirty.has(fid));
      if (!todo.length) return true;
      setActionError(null);
      try {
        for (const fid of todo) {
          const content = drafts[fid]!;
          const saved = await api.patch<ProjectFile>(`/projects/${p.id}/files/${fid}`, { content });
          replaceFile(saved);
          setDrafts((d) => {
            if (d[fid] !== content) return d; // typed on meanwhile: still unsaved
            const { [fid]: _, ...rest } = d;
            return rest;
          });
        }
        flash(todo.length === 1 ? 'Saved' : `Saved ${todo.length} files`);
        return true;
      } catch (err) {
        setActionError(err);
        return false;
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [owner, p, dirty, drafts],
  );

  const onRun = useCallback(async () => {
    if (!p || isActive(state) || (state.error?.retryAt ?? 0) > Date.now()) return;
    if (owner && dirty.size && !(await save([...dirty]))) return;
    setSide('output');
    void run(() => api.post<QueuedReceipt>(`/projects/${p.id}/run`, { stdin, args: splitArgs(args) }));
  }, [p, owner, dirty, save, run, stdin, args, state]);

  // Page-wide shortcuts (the editor handles its own, and marks them handled).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !(e.ctrlKey || e.metaKey)) return;
      if (e.key === 'Enter') {
        e.preventDefault();
        void onRun();
      } else if (e.key.toLowerCase() === 's') {
        e.preventDefault();
        void save([...dirty]);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onRun, save, dirty]);

  // Unsaved work is not lost by a click or a closed tab without a question.
  useEffect(() => {
    if (!dirty.size) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty.size]);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty.size > 0 && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state === 'blocked') {
      if (confirm('You have unsaved changes. Leave without saving?')) blocker.proceed();
      else blocker.reset();
    }
  }, [blocker]);

  const open = (f: { id: string }) => {
    setTabs((t) => (t.includes(f.id) ? t : [...t, f.id]));
    setActive(f.id);
  };
  const closeTab = (fid: string) => {
    if (dirty.has(fid) && !confirm('This file has unsaved changes. Close it anyway?')) return;
    setDrafts((d) => {
      const { [fid]: _, ...rest } = d;
      return rest;
    });
    setTabs((t) => {
      const next = t.filter((x) => x !== fid);
      if (active === fid) setActive(next[next.length - 1] ?? null);
      return next;
    });
  };

  const act = async (a: ExplorerAction): Promise<boolean> => {
    if (!p) return false;
    setBusy(true);
    setActionError(null);
    const base = `/projects/${p.id}/files`;
    try {
      switch (a.kind) {
        case 'new-file': {
          const f = await api.post<ProjectFile>(base, { name: a.name, path: a.dir, content: '' });
          replaceFile(f);
          setExtraDirs((d) => d.filter((x) => !isInside(a.dir, x)));
          open(f);
          break;
        }
        case 'new-folder':
          setExtraDirs((d) => [...d, joinDir(a.dir, a.name.replace(/\//g, ''))]);
          break;
        case 'rename-file':
          replaceFile(await api.patch<ProjectFile>(`${base}/${a.file.id}`, { name: a.name }));
          break;
        case 'move-file':
          replaceFile(await api.patch<ProjectFile>(`${base}/${a.file.id}`, { path: normalizeDirInput(a.to) }));
          break;
        case 'set-main':
          replaceFile(await api.patch<ProjectFile>(`${base}/${a.file.id}`, { isMain: true }));
          break;
        case 'rename-dir':
        case 'move-dir': {
          const to = a.kind === 'rename-dir' ? joinDir(parentDir(a.dir), a.name.replace(/\//g, '')) : joinDir(normalizeDirInput(a.to), a.dir.slice(a.dir.lastIndexOf('/') + 1));
          if (isInside(to, a.dir)) throw new Error('a folder cannot be moved into itself');
          for (const m of relocate(files, a.dir, to)) replaceFile(await api.patch<ProjectFile>(`${base}/${m.id}`, { path: m.path }));
          setExtraDirs((d) => d.map((x) => (isInside(x, a.dir) ? to + x.slice(a.dir.length) : x)));
          break;
        }
        case 'delete-file':
          if (!confirm(`Delete ${displayPath(a.file)}?`)) return false;
          await api.del(`${base}/${a.file.id}`);
          patchCache((d) => ({ ...d, files: d.files.filter((x) => x.id !== a.file.id) }));
          setTabs((t) => t.filter((x) => x !== a.file.id));
          if (active === a.file.id) setActive(null);
          break;
        case 'delete-dir': {
          const inside = files.filter((f) => isInside(f.path, a.dir));
          if (inside.length && !confirm(`Delete the folder ${a.dir} and its ${inside.length} file(s)?`)) return false;
          for (const f of inside) {
            await api.del(`${base}/${f.id}`);
            patchCache((d) => ({ ...d, files: d.files.filter((x) => x.id !== f.id) }));
          }
          setTabs((t) => t.filter((x) => !inside.some((f) => f.id === x)));
          setExtraDirs((d) => d.filter((x) => !isInside(x, a.dir)));
          break;
        }
      }
      return true;
    } catch (err) {
      setActionError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const settings = useMutation({
    mutationFn: (patch: { visibility?: Visibility; isTemplate?: boolean }) => api.patch<ProjectDetail>(`/projects/${id}`, patch),
    onSuccess: (d) => patchCache((old) => ({ ...old, ...d, files: old.files })),
  });
  const star = useMutation({
    mutationFn: (on: boolean) => (on ? api.post<{ starCount: number }>(`/projects/${id}/star`) : api.del<{ starCount: number }>(`/projects/${id}/star`)),
    onSuccess: (r, on) => patchCache((d) => ({ ...d, starred: on, starCount: r.starCount })),
  });
  const fork = useMutation({
    mutationFn: () => api.post<ProjectDetail>(`/projects/${id}/fork`, {}),
    onSuccess: (d) => navigate(`/projects/${d.id}`),
  });
  const remove = useMutation({
    mutationFn: () => api.del(`/projects/${id}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['projects'] });
      navigate('/projects');
    },
  });

  const diagnostics = useMemo(() => diagnosticsOf(state), [state]);
  if (project.isPending) return <Spinner label="Loading the project…" />;
  if (project.error instanceof ApiError && (project.error.status === 404 || project.error.code === 'VALIDATION_ERROR')) return <NotFound what="project" />;
  if (project.error || !p) {
    return (
      <div className="page">
        <ErrorNote error={project.error} onRetry={() => void project.refetch()} />
      </div>
    );
  }

  const fileDiagnostics = activeFile ? diagnostics.filter((d) => !d.file || d.file === activeFile.enginePath || d.file === activeFile.name) : [];
  return (
    <div className="project-view">
      <div className="project-bar">
        <h1 data-testid="project-name">{p.name}</h1>
        <span className="muted small">
          by <b>@{p.owner.username}</b> · {p.language}
          {p.forkFrom && (
            <>
              {' · forked from '}
              <Link to={`/projects/${p.forkFrom}`}>the original</Link>
            </>
          )}
        </span>
        <div className="spacer" />
        <span role="status" className="muted small" data-testid="notice">
          {notice}
        </span>
        {owner ? (
          <label className="field-inline">
            <span>Visibility</span>
            <select value={p.visibility} onChange={(e) => settings.mutate({ visibility: e.target.value as Visibility })} disabled={settings.isPending} data-testid="visibility">
              <option value="private">Private</option>
              <option value="unlisted">Unlisted</option>
              <option value="public">Public</option>
            </select>
          </label>
        ) : (
          <span className="badge">{p.visibility}</span>
        )}
        {owner ? (
          <label className="field-inline" title="Templates are offered as a starting point when creating a project">
            <input type="checkbox" checked={p.isTemplate} onChange={(e) => settings.mutate({ isTemplate: e.target.checked })} disabled={settings.isPending} data-testid="is-template" />
            <span>Template</span>
          </label>
        ) : (
          p.isTemplate && <span className="badge">template</span>
        )}
        {user && (
          <button type="button" className="btn" aria-pressed={p.starred} onClick={() => star.mutate(!p.starred)} disabled={star.isPending} data-testid="star">
            {p.starred ? '★ Starred' : '☆ Star'} <span className="muted">{p.starCount}</span>
          </button>
        )}
        {user ? (
          <button type="button" className="btn" onClick={() => fork.mutate()} disabled={fork.isPending} data-testid="fork">
            <ForkIcon /> {fork.isPending ? 'Forking…' : 'Fork'}
          </button>
        ) : (
          status === 'anonymous' && (
            <Link to="/login" state={{ from: `/projects/${id}` }} className="btn" data-testid="sign-in-to-fork">
              <ForkIcon /> Sign in to fork
            </Link>
          )
        )}
        {owner && (
          <button
            type="button"
            className="btn"
            data-testid="open-workspace"
            title="A persistent environment with a terminal on this project's files"
            onClick={() =>
              void (async () => {
                if (dirty.size) await save([...dirty]);
                const w = await api.post<{ id: string }>('/workspaces', { projectId: id });
                await api.post(`/workspaces/${w.id}/start`);
                navigate(`/workspaces/${w.id}`);
              })().catch((err: Error) => setNotice(err.message))
            }
          >
            Open in workspace
          </button>
        )}
        {owner && (
          <button type="button" className="btn" onClick={() => void save([...dirty])} disabled={!dirty.size} data-testid="save" title={`Save (${MOD}+S)`}>
            Save{dirty.size ? ` (${dirty.size})` : ''}
          </button>
        )}
        <RunButton state={state} onRun={() => void onRun()} onStop={() => void stop()} />
        {owner && (
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => confirm(`Delete the project "${p.name}"? You can restore it for 30 days.`) && remove.mutate()}
            aria-label="Delete project"
            title="Delete project"
          >
            <TrashIcon />
          </button>
        )}
      </div>
      {(actionError || settings.error || star.error || fork.error || remove.error) && (
        <div style={{ gridColumn: '1 / -1' }}>
          <ErrorNote error={actionError ?? settings.error ?? star.error ?? fork.error ?? remove.error} />
        </div>
      )}
      <FileExplorer files={files} extraDirs={extraDirs} activeId={active} dirty={dirty} editable={owner} busy={busy} onOpen={open} onAction={act} />
      <section className="pane editor-pane" aria-label="Editor">
        <div className="editor-tabs" role="tablist" aria-label="Open files">
          {tabs.map((fid) => {
            const f = files.find((x) => x.id === fid);
            if (!f) return null;
            return (
              <div key={fid} className="editor-tab" role="tab" aria-selected={fid === active}>
                <button type="button" className="linklike" style={{ textDecoration: 'none', color: 'inherit' }} onClick={() => setActive(fid)} data-testid={`tab-${f.name}`}>
                  {displayPath(f)}
                  {dirty.has(fid) && (
                    <span className="dirty-dot" aria-label="unsaved" data-testid="unsaved">
                      {' '}●
                    </span>
                  )}
                </button>
                <button type="button" className="icon-btn" aria-label={`Close ${f.name}`} onClick={() => closeTab(fid)}>
                  ×
                </button>
              </div>
            );
          })}
        </div>
        <div className="editor-box" ref={editorBox}>
          {activeFile ? (
            <CodeEditor
              docKey={`file:${activeFile.id}`}
              value={drafts[activeFile.id] ?? activeFile.content}
              language={languageOfPath(activeFile.name, p.language)}
              theme={theme}
              readOnly={!owner}
              label={`${displayPath(activeFile)} source code`}
              onChange={(v) => setDrafts((d) => ({ ...d, [activeFile.id]: v }))}
              onRun={() => void onRun()}
              onSave={() => void save([activeFile.id])}
              diagnostics={fileDiagnostics}
            />
          ) : (
            <p className="muted" style={{ padding: '1rem' }}>
              Open a file from the explorer.
            </p>
          )}
        </div>
        {!owner && (
          <p className="muted small" style={{ padding: '4px 10px', margin: 0 }} data-testid="read-only-note">
            {user ? (
              'Read-only: fork the project to change your own copy.'
            ) : (
              <>
                Read-only. <Link to="/login" state={{ from: `/projects/${id}` }}>Sign in</Link> to fork it and change your own copy.
              </>
            )}
          </p>
        )}
      </section>
      <section className="pane io-pane" aria-label="Run and discuss">
        <div className="side-tabs tabs-row" role="tablist">
          <button type="button" role="tab" aria-selected={side === 'output'} onClick={() => setSide('output')}>
            Output
          </button>
          <button type="button" role="tab" aria-selected={side === 'comments'} onClick={() => setSide('comments')} data-testid="comments-tab">
            Comments
          </button>
        </div>
        {side === 'output' ? (
          <>
            <div className="io-inputs">
              <div className="field">
                <label htmlFor="p-stdin">Standard input</label>
                <textarea id="p-stdin" rows={2} value={stdin} onChange={(e) => setStdin(e.target.value)} spellCheck={false} />
              </div>
              <div className="field">
                <label htmlFor="p-args">Arguments</label>
                <input id="p-args" value={args} onChange={(e) => setArgs(e.target.value)} spellCheck={false} />
              </div>
            </div>
            <OutputPanel
              state={state}
              idleHint={`Press Run (${MOD}+Enter): the project's main file runs with all its files.`}
              onLine={(d) => {
                const f = files.find((x) => x.enginePath === d.file || x.name === d.file);
                if (f && f.id !== active) open(f);
                setTimeout(() => focusLine(editorBox.current, d.line), 0);
              }}
            />
            <ResultBar state={state} />
          </>
        ) : (
          <Comments projectId={p.id} />
        )}
      </section>
    </div>
  );
}

