/** Projects: mine, public, templates; search, language filter, pagination (all in the URL). */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/session';
import type { Pagination, ProjectSummary } from '../api/types';
import { useAuth } from '../auth';
import { Empty, ErrorNote, formatDate, Pager, Spinner, useTitle } from '../components/common';
import { useLanguages } from './playground';

const SCOPES = [
  { id: 'mine', label: 'My projects', needsAuth: true },
  { id: 'public', label: 'Public', needsAuth: false },
  { id: 'templates', label: 'Templates', needsAuth: false },
] as const;

export function ProjectCard({ p }: { p: ProjectSummary }) {
  return (
    <Link to={`/projects/${p.id}`} className="project-card" data-testid="project-card">
      <h3>{p.name}</h3>
      {p.description && <p className="muted small">{p.description}</p>}
      <div className="project-meta">
        <span>{p.language}</span>
        <span>{p.visibility}</span>
        {p.isTemplate && <span>template</span>}
        <span title="stars">★ {p.starCount}</span>
        <span>{p.fileCount} files</span>
      </div>
      <div className="project-meta">
        <span>@{p.owner.username}</span>
        <span>updated {formatDate(p.updatedAt)}</span>
      </div>
    </Link>
  );
}

export default function ProjectsList() {
  const { status } = useAuth();
  const [params, setParams] = useSearchParams();
  useTitle('Projects');
  const signedIn = status === 'authenticated';
  const scope = params.get('scope') ?? (signedIn ? 'mine' : 'public');
  const q = params.get('q') ?? '';
  const language = params.get('language') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const languages = useLanguages();

  const list = useQuery({
    queryKey: ['projects', scope, q, language, page, status],
    queryFn: () =>
      api.get<{ projects: ProjectSummary[]; pagination: Pagination }>('/projects', { query: { scope, q, language, page, limit: 12 } }),
    enabled: status !== 'loading' && (scope !== 'mine' || signedIn),
    placeholderData: keepPreviousData,
  });

  const change = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change({ q: search.trim() });
  };

  return (
    <div className="page">
      <header className="page-head">
        <h1>Projects</h1>
        <div className="spacer" />
        {signedIn && (
          <Link to="/projects/new" className="btn btn-primary" data-testid="new-project">
            + New project
          </Link>
        )}
      </header>
      <div className="tabs-row" role="tablist" aria-label="Which projects">
        {SCOPES.filter((s) => signedIn || !s.needsAuth).map((s) => (
          <button key={s.id} type="button" role="tab" aria-selected={scope === s.id} onClick={() => change({ scope: s.id, q: '', language: '' })}>
            {s.label}
          </button>
        ))}
      </div>
      <form className="filters" onSubmit={submit} role="search">
        <div className="field grow">
          <label htmlFor="project-search">Search</label>
          <input id="project-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or description" />
        </div>
        <div className="field">
          <label htmlFor="project-language">Language</label>
          <select id="project-language" value={language} onChange={(e) => change({ language: e.target.value })}>
            <option value="">All</option>
            {(languages.data?.languages ?? []).map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      {scope === 'mine' && !signedIn && status !== 'loading' && (
        <ErrorNote error={new Error('Sign in to see your projects.')}>
          <Link to="/login">Sign in</Link>
        </ErrorNote>
      )}
      {list.isPending && list.fetchStatus !== 'idle' && <Spinner label="Loading projects…" />}
      <ErrorNote error={list.error} onRetry={() => void list.refetch()} />
      {list.data && list.data.projects.length === 0 && (
        <Empty>
          {q || language ? 'No project matches.' : scope === 'mine' ? 'No projects yet. Create your first one!' : 'Nothing here yet.'}
        </Empty>
      )}
      {list.data && (
        <>
          <div className="project-grid" aria-busy={list.isFetching}>
            {list.data.projects.map((p) => (
              <ProjectCard key={p.id} p={p} />
            ))}
          </div>
          <Pager page={page} pages={list.data.pagination.pages} onPage={(p) => change({ page: String(p) })} />
        </>
      )}
    </div>
  );
}
