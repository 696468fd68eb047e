/**
 * The JSON client for /api/v1: unwraps the `{success, data}` envelope, turns every failure into
 * an ApiError, attaches the access token, and on a 401 that says the token is stale refreshes
 * once (shared with every other caller, see TokenManager) and retries once.
 */
import { ApiError, errorFromBody, NETWORK, REFRESHABLE_CODES, BAD_RESPONSE } from './errors';
import { parseRetryAfterHeader } from '../lib/retry-after';
import { SessionEnded, type TokenManager } from './token-manager';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** Auth routes must not carry the access token (a stale one would not matter, but why send it). */
  anonymous?: boolean;
}

export interface ApiClient {
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  get<T>(path: string, opts?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  del<T>(path: string, opts?: RequestOptions): Promise<T>;
}

export const API_PREFIX = '/api/v1';

function url(base: string, path: string, query?: RequestOptions['query']): string {
  let u = `${base}${API_PREFIX}${path}`;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    if (s) u += `${u.includes('?') ? '&' : '?'}${s}`;
  }
  return u;
}

/** One HTTP exchange, envelope unwrapped. Exported for the refresh call, which must not recurse. */
export async function exchange<T>(fetchFn: FetchLike, method: string, target: string, body: unknown, token: string | null, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: string | FormData | undefined;
  // A form (a file upload): the browser sets the multipart content type with its boundary.
  if (typeof FormData !== 'undefined' && body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetchFn(target, { method, headers, body: payload, credentials: 'same-origin', signal });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    throw new ApiError(0, NETWORK, 'cannot reach the server');
  }
  const retryAfter = res.status === 429 ? (parseRetryAfterHeader(res.headers?.get?.('retry-after')) ?? undefined) : undefined;
  const text = await res.text().catch(() => '');
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // A proxy's HTML error page, for instance: never shown as is.
      if (res.status === 429) throw new ApiError(429, 'RATE_LIMITED', 'too many requests', undefined, retryAfter);
      throw new ApiError(res.status, BAD_RESPONSE, `the server answered ${res.status} with something that is not JSON`);
    }
  }
  if (!res.ok) throw errorFromBody(res.status, parsed, retryAfter);
  const env = parsed as { success?: boolean; data?: T } | null;
  if (env && env.success === true) return env.data as T;
  return parsed as T;
}

export function createApiClient(opts: { tokens: TokenManager; fetch?: FetchLike; baseUrl?: string }): ApiClient {
  const fetchFn: FetchLike = opts.fetch ?? ((i, init) => fetch(i, init));
  const base = opts.baseUrl ?? '';
  const request = async <T>(method: string, path: string, o: RequestOptions = {}): Promise<T> => {
    const target = url(base, path, o.query);
    let token = o.anonymous ? null : opts.tokens.get();
    // At most two refreshes per request: the first may hand back a token another tab had just
    // broadcast, which can itself be stale when messages crossed; the second one is a real refresh.
    for (let attempt = 0; ; attempt++) {
      try {
        return await exchange<T>(fetchFn, method, target, o.body, token, o.signal);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 401 || !token || !REFRESHABLE_CODES.has(err.code) || attempt === 2) throw err;
        token = await opts.tokens.refresh(token);
        if (!token) throw new ApiError(401, 'TOKEN_EXPIRED', 'the session has expired');
      }
    }
  };
  return {
    request,
    get: (p, o) => request('GET', p, o),
    post: (p, b, o) => request('POST', p, { ...o, body: b ?? {} }),
    put: (p, b, o) => request('PUT', p, { ...o, body: b ?? {} }),
    patch: (p, b, o) => request('PATCH', p, { ...o, body: b ?? {} }),
    del: (p, o) => request('DELETE', p, o),
  };
}

/**
 * The refresh request for TokenManager: the cookie carries the refresh token. A 401 means the
 * session is over (SessionEnded); anything else (network, 5xx, 429) is thrown as is.
 */
export function cookieRefresh(fetchFn: FetchLike = (i, init) => fetch(i, init), baseUrl = ''): () => Promise<string> {
  return async () => {
    try {
      const out = await exchange<{ token: string }>(fetchFn, 'POST', `${baseUrl}${API_PREFIX}/auth/refresh`, {}, null);
      return out.token;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw new SessionEnded(err.code);
      throw err;
    }
  };
}
