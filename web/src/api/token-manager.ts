/**
 * The access token, in memory only, and its silent refresh.
 *
 * The refresh token never reaches JavaScript: it lives in the server's httpOnly cookie
 * (`muscode_refresh`, sent only to /api/v1/auth), so a refresh is a bare POST. Rules:
 *
 * - In one tab, concurrent callers share one refresh (a burst of 401s makes one request).
 * - Across tabs, refreshes run one at a time under a Web Lock (`navigator.locks`); the tab that
 *   refreshed broadcasts the new access token on a BroadcastChannel, so a tab that was waiting
 *   for the lock usually just takes it. If the message comes late, the waiting tab refreshes with
 *   the already rotated cookie, which is fine; and two refreshes that do race (a browser without
 *   Web Locks) get the same successor from the server's grace period. Either way nobody is
 *   logged out by a burst.
 * - Only an answer that says the session is over (401 from /auth/refresh) clears the token; a
 *   network failure keeps it and is thrown to the caller.
 *
 * Plain TypeScript without DOM types in its interface, so the unit tests drive it in Node with
 * fake locks, channels and servers.
 */

/** Thrown by a RefreshFn when the server says the session is over (not for network errors). */
export class SessionEnded extends Error {
  constructor(readonly code = 'UNAUTHORIZED') {
    super('the session has ended');
    this.name = 'SessionEnded';
  }
}

/** Performs the network refresh; resolves with a fresh access token. */
export type RefreshFn = () => Promise<string>;

/** The part of the Web Locks API used here (navigator.locks satisfies it). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of BroadcastChannel used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export type TokenChange = 'login' | 'refresh' | 'remote' | 'logout' | 'expired';

/** `at`: when the sender got the token (ms since the epoch, the clock tabs share). */
export type TokenMessage = { type: 'token'; token: string; at: number } | { type: 'logout'; at: number };

export interface TokenManagerOptions {
  refresh: RefreshFn;
  /** Cross-tab lock; without it, only this tab's refreshes are serialised. */
  locks?: LockManagerLike;
  /** Cross-tab channel; without it, tabs do not share tokens. */
  channel?: ChannelLike;
  /** Called after every change of the token (null: signed out). */
  onChange?: (token: string | null, why: TokenChange) => void;
}

export const REFRESH_LOCK = 'muscode-token-refresh';

export class TokenManager {
  private token: string | null = null;
  /** Bumped on every change, so a tab that waited for the lock can see that someone refreshed. */
  private generation = 0;
  private inflight: Promise<string | null> | null = null;
  /** When the current token (or sign-out) was obtained: older news from other tabs is ignored. */
  private since = 0;
  /** Network refreshes this tab performed (for tests and diagnostics). */
  refreshCount = 0;

  constructor(private readonly opts: TokenManagerOptions) {
    opts.channel?.addEventListener('message', (event) => this.onMessage(event.data));
  }

  get(): string | null {
    return this.token;
  }

  /** A token from login or register: kept, and shared with the other tabs. */
  set(token: string, why: TokenChange = 'login'): void {
    this.apply(token, why);
    this.opts.channel?.postMessage({ type: 'token', token, at: this.since } satisfies TokenMessage);
  }

  /** Signs this tab (and, unless told otherwise, the others) out. */
  clear(why: 'logout' | 'expired' = 'logout', broadcast = true): void {
    this.apply(null, why);
    if (broadcast) this.opts.channel?.postMessage({ type: 'logout', at: this.since } satisfies TokenMessage);
  }

  /**
   * Returns a usable token, refreshing when needed. `stale` is the token a request was refused
   * with: if the current token is already a different one (another caller refreshed meanwhile),
   * that one is returned without a new refresh. Resolves with null when the session is over;
   * rejects on network failure (the session may well be fine).
   */
  refresh(stale?: string | null): Promise<string | null> {
    if (stale && this.token && this.token !== stale) return Promise.resolve(this.token);
    if (!this.inflight) {
      this.inflight = this.refreshUnderLock().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async refreshUnderLock(): Promise<string | null> {
    const seen = this.generation;
    const work = async () => {
      // Another tab refreshed (and told us) while we waited for the lock: use its token.
      if (this.generation !== seen && this.token) return this.token;
      this.refreshCount++;
      try {
        const token = await this.opts.refresh();
        this.set(token, 'refresh');
        return token;
      } catch (err) {
        if (err instanceof SessionEnded) {
          // The other tabs share the cookie, so their session is over too.
          this.clear('expired');
          return null;
        }
        throw err;
      }
    };
    return this.opts.locks ? this.opts.locks.request(REFRESH_LOCK, work) : work();
  }

  private onMessage(data: unknown): void {
    const m = data as TokenMessage | null;
    // Messages from several tabs can arrive out of order: a token older than ours is stale.
    if (!m || typeof m.at !== 'number' || m.at < this.since) return;
    if (m.type === 'token' && typeof m.token === 'string') {
      if (m.token !== this.token) this.apply(m.token, 'remote', m.at);
    } else if (m.type === 'logout') {
      if (this.token !== null) this.apply(null, 'logout', m.at);
    }
  }

  private apply(token: string | null, why: TokenChange, at = Date.now()): void {
    this.token = token;
    this.since = at;
    this.generation++;
    this.opts.onChange?.(token, why);
  }
}

/** A JWT's claims, unverified (the server verifies; the client only reads exp and sub). */
function claims(jwt: string): { exp?: unknown; sub?: unknown } | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown; sub?: unknown };
  } catch {
    return null;
  }
}

/** Seconds until a JWT's `exp`, or null when it cannot be read (used to refresh ahead of time). */
export function secondsToExpiry(jwt: string, nowMs = Date.now()): number | null {
  const exp = claims(jwt)?.exp;
  return typeof exp === 'number' ? exp - nowMs / 1000 : null;
}

/** The user id a JWT was issued to, or null. */
export function subjectOf(jwt: string): string | null {
  const sub = claims(jwt)?.sub;
  return typeof sub === 'string' ? sub : null;
}
