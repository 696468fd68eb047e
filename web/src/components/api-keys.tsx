/**
 * The profile page's API keys (issue 12): create (the key is shown once), list, revoke.
 * Server side: src/auth/api-keys.ts; docs/auth.md "API keys".
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/session';
import { Empty, ErrorNote, formatDate, Spinner } from './common';

const SCOPES = ['execute', 'read', 'projects', 'admin'] as const;
type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export function ApiKeys() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['me', 'api-keys'], queryFn: () => api.get<ApiKey[]>('/auth/api-keys') });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['execute', 'read']);
  const [expiry, setExpiry] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      api.post<ApiKey & { key: string }>('/auth/api-keys', {
        name: name.trim(),
        scopes,
        expiresAt: expiry ? new Date(`${expiry}T23:59:59`).toISOString() : null,
      }),
    onSuccess: (k) => {
      setShown(k.key);
      setName('');
      void qc.invalidateQueries({ queryKey: ['me', 'api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.del(`/auth/api-keys/${id}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['me', 'api-keys'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && scopes.length) create.mutate();
  };
  const toggle = (s: Scope) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));
  return (
    <section aria-labelledby="keys-title" className="card">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">
        For scripts, CI and bots: send a key as <code>Authorization: Bearer mck_…</code> (or <code>X-Auth-Token</code> on the Judge0 API). It acts as
        you, within its scopes, and counts against your limits.
      </p>
      {shown && (
        <div className="card" role="status" data-testid="new-api-key">
          <strong>Copy your new key now; it is not shown again.</strong>
          <pre>
            <code>{shown}</code>
          </pre>
          <button type="button" className="btn" onClick={() => setShown(null)}>
            Done
          </button>
        </div>
      )}
      <form onSubmit={submit} aria-label="Create an API key">
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="e.g. CI pipeline" required />
        </div>
        <fieldset className="field">
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} style={{ marginRight: 12 }}>
              <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="key-expiry">Expires (optional)</label>
          <input id="key-expiry" type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} />
        </div>
        <ErrorNote error={create.error} />
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim() || scopes.length === 0}>
          Create key
        </button>
      </form>
      {keys.isPending && <Spinner label="Loading keys…" />}
      <ErrorNote error={keys.error} onRetry={() => void keys.refetch()} />
      {keys.data && keys.data.length === 0 && <Empty>No API keys yet.</Empty>}
      {keys.data && keys.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="api-keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{k.scopes.join(', ')}</td>
                  <td>{formatDate(k.createdAt)}</td>
                  <td>{k.lastUsedAt ? formatDate(k.lastUsedAt) : 'never'}</td>
                  <td>{k.expiresAt ? formatDate(k.expiresAt) : 'never'}</td>
                  <td>
                    {k.revokedAt ? (
                      <span className="muted">revoked</span>
                    ) : (
                      <button type="button" className="btn" disabled={revoke.isPending} onClick={() => revoke.mutate(k.id)} aria-label={`Revoke ${k.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
