import { randomUUID } from 'node:crypto';

export interface Account {
  username: string;
  email: string;
  password: string;
  userId: string;
  token: string;
}

export interface Project {
  id: string;
  owner: Account;
}

export interface Acked {
  accounts: Account[];
  projects: Project[];
}

async function post<T>(url: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: T } | null> {
  try {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  } catch {
    return null; // the server went away: not acknowledged
  }
}

/**
 * Writers that register accounts and create projects through the HTTP API until stopped, and
 * record only what the server acknowledged with a 2xx. Any other answer than 2xx or a lost
 * connection is fine (the server may be killed at any moment), and so is 503 (a server closing
 * gracefully refuses new requests with it); any other 5xx is recorded as an error.
 */
export function startWriters(url: string, acked: Acked, concurrency = 3) {
  let stopping = false;
  const errors: string[] = [];
  const one = async () => {
    while (!stopping) {
      const name = `w${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const account = { username: name, email: `${name}@example.com`, password: 'correct horse battery' };
      const reg = await post<{ data: { userId: string; token: string } }>(url, '/api/v1/auth/register', { ...account, fullName: 'Writer' });
      if (!reg) continue;
      if (reg.status >= 500 && reg.status !== 503) errors.push(`register ${reg.status} ${JSON.stringify(reg.body)}`);
      if (reg.status !== 201) continue;
      const a: Account = { ...account, userId: reg.body.data.userId, token: reg.body.data.token };
      acked.accounts.push(a);
      const proj = await post<{ data: { id: string } }>(url, '/api/v1/projects', { name: `p-${name}`, language: 'python' }, a.token);
      if (!proj) continue;
      if (proj.status >= 500 && proj.status !== 503) errors.push(`project ${proj.status} ${JSON.stringify(proj.body)}`);
      if (proj.status === 201) acked.projects.push({ id: proj.body.data.id, owner: a });
    }
  };
  const running = Array.from({ length: concurrency }, one);
  return {
    errors,
    /** Resolves once `n` more writes (accounts + projects) than now have been acknowledged. */
    async waitFor(n: number): Promise<void> {
      const target = acked.accounts.length + acked.projects.length + n;
      while (acked.accounts.length + acked.projects.length < target) {
        if (stopping) throw new Error('writers stopped');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(running);
    },
  };
}

/** Every acknowledged account and project, as the server now sees them: the missing ones. */
export async function missing(url: string, acked: Acked): Promise<string[]> {
  const out: string[] = [];
  const get = async (path: string, token: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json().catch(() => null)) as { data?: { id?: string } } | null };
  };
  for (const a of acked.accounts) {
    const me = await get('/api/v1/auth/me', a.token);
    if (me.status !== 200 || me.body?.data?.id !== a.userId) out.push(`account ${a.username}: ${me.status}`);
  }
  for (const p of acked.projects) {
    const got = await get(`/api/v1/projects/${p.id}`, p.owner.token);
    if (got.status !== 200) out.push(`project ${p.id}: ${got.status}`);
  }
  return out;
}
