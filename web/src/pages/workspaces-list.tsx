/** Workspaces: mine and those shared with me, with their status; a new empty one from a language. */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/session';
import { Empty, ErrorNote, formatDate, Spinner, useTitle } from '../components/common';
import { useLanguages } from './playground';
import type { WorkspaceJson } from './workspace';

export default function WorkspacesList() {
  useTitle('Workspaces');
  const navigate = useNavigate();
  const list = useQuery({ queryKey: ['workspaces'], queryFn: () => api.get<{ workspaces: WorkspaceJson[] }>('/workspaces'), refetchInterval: 10_000 });
  const langs = useLanguages();
  const [language, setLanguage] = useState('python');
  const [error, setError] = useState<unknown>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const w = await api.post<WorkspaceJson>('/workspaces', { language });
      await api.post(`/workspaces/${w.id}/start`);
      navigate(`/workspaces/${w.id}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="page">
      <h1>Workspaces</h1>
      <p className="muted">A persistent environment per project: a terminal with Python (numpy, pandas, scipy, matplotlib), Node and the other languages, your files kept in the project.</p>
      <form className="field-inline" onSubmit={(e) => void create(e)}>
        <label className="field-inline">
          <span>New empty workspace in</span>
          <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="ws-language">
            {(langs.data?.languages ?? [{ id: 'python', name: 'Python' }]).map((l) => (
              <option key={l.id} value={l.id}>{l.name}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" data-testid="ws-create">Create</button>
      </form>
      {error ? <ErrorNote error={error} /> : null}
      {list.isPending ? <Spinner /> : list.error ? <ErrorNote error={list.error} onRetry={() => void list.refetch()} /> : list.data.workspaces.length === 0 ? (
        <Empty>No workspace yet: create one, or open a project with “Open in workspace”.</Empty>
      ) : (
        <ul className="ws-list" data-testid="ws-list">
          {list.data.workspaces.map((w) => (
            <li key={w.id}>
              <Link to={`/workspaces/${w.id}`}>{w.name}</Link> <span className={`badge ws-status ws-${w.status}`}>{w.status}</span>{' '}
              <span className="muted small">{w.language} · {w.role} · last active {formatDate(w.lastActiveAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
