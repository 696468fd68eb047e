/** A new project: from a language (a runnable hello world) or from a template. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { fieldErrors } from '../api/errors';
import { checkProjectName } from '../lib/validation';
import { api } from '../api/session';
import type { ProjectDetail, ProjectSummary, Visibility } from '../api/types';
import { ErrorNote, Spinner, useTitle } from '../components/common';
import { useLanguages } from './playground';

export default function ProjectNew() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const languages = useLanguages();
  useTitle('New project');
  const templates = useQuery({
    queryKey: ['projects', 'templates-for-new'],
    queryFn: () => api.get<{ projects: ProjectSummary[] }>('/projects', { query: { scope: 'templates', limit: 100, sort: 'name' } }),
  });
  const [form, setForm] = useState({
    name: '',
    description: '',
    language: 'python',
    visibility: 'private' as Visibility,
    fromTemplate: params.get('template') ?? '',
  });
  const create = useMutation({
    mutationFn: () =>
      api.post<ProjectDetail>('/projects', {
        name: form.name,
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
        visibility: form.visibility,
        ...(form.fromTemplate ? { fromTemplate: form.fromTemplate } : { language: form.language }),
      }),
    onSuccess: (p) => navigate(`/projects/${p.id}`),
  });
  const [tried, setTried] = useState(false);
  const nameError = (tried ? checkProjectName(form.name) : null) ?? fieldErrors(create.error).name;
  const fields = { ...fieldErrors(create.error), ...(nameError ? { name: nameError } : {}) };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (checkProjectName(form.name)) {
      document.getElementById('name')?.focus();
      return;
    }
    create.mutate();
  };
  return (
    <div className="page">
      <form className="card" style={{ maxWidth: 560 }} onSubmit={submit} aria-labelledby="new-title" noValidate>
        <h1 id="new-title">New project</h1>
        <div className="field">
          <label htmlFor="name">Name</label>
          <input
            id="name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            required
            maxLength={200}
            aria-invalid={fields.name ? true : undefined}
            aria-describedby={fields.name ? 'name-error' : undefined}
          />
          {fields.name && (
            <small id="name-error" className="field-error" role="alert">
              {fields.name}
            </small>
          )}
        </div>
        <div className="field">
          <label htmlFor="description">Description (optional)</label>
          <textarea id="description" rows={2} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="template">Start from</label>
          <select id="template" value={form.fromTemplate} onChange={(e) => setForm({ ...form, fromTemplate: e.target.value })}>
            <option value="">A language's hello world</option>
            {(templates.data?.projects ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                Template: {t.name} ({t.language})
              </option>
            ))}
          </select>
          {templates.isPending && <Spinner label="Loading templates…" />}
        </div>
        {!form.fromTemplate && (
          <div className="field">
            <label htmlFor="language">Language</label>
            <select id="language" value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })}>
              {(languages.data?.languages ?? [{ id: 'python', name: 'Python', version: null, available: true }]).map((l) => (
                <option key={l.id} value={l.id} disabled={!l.available}>
                  {l.name}
                  {l.version ? ` (${l.version})` : ''}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="visibility">Visibility</label>
          <select id="visibility" value={form.visibility} onChange={(e) => setForm({ ...form, visibility: e.target.value as Visibility })}>
            <option value="private">Private: only you</option>
            <option value="unlisted">Unlisted: anyone with the link</option>
            <option value="public">Public: listed for everyone</option>
          </select>
        </div>
        {create.error && !fields.name ? <ErrorNote error={create.error} /> : null}
        <div style={{ display: 'flex', gap: '0.5rem' }}>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create project'}
          </button>
          <Link to="/projects" className="btn">
            Cancel
          </Link>
        </div>
      </form>
    </div>
  );
}
