/**
 * The tab's singletons: the token manager (Web Locks + BroadcastChannel when the browser has
 * them), the API client and the live-output socket.
 */
import { ExecutionSocket } from '../lib/execution-socket';
import { cookieRefresh, createApiClient } from './http';
import { type ChannelLike, type LockManagerLike, secondsToExpiry, TokenManager } from './token-manager';

/**
 * Set while this browser has a session, so that an anonymous visitor's first load does not send
 * a refresh that can only fail. Holds no secret (the refresh token is in an httpOnly cookie).
 */
const SESSION_HINT = 'muscode.session';

export const sessionHint = {
  get: () => safeStorage(() => localStorage.getItem(SESSION_HINT) === '1', false),
  set: (on: boolean) => safeStorage(() => (on ? localStorage.setItem(SESSION_HINT, '1') : localStorage.removeItem(SESSION_HINT)), undefined),
};

function safeStorage<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

const locks: LockManagerLike | undefined =
  typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks
    ? { request: (name, cb) => navigator.locks.request(name, cb) as ReturnType<typeof cb> }
    : undefined;
const channel: ChannelLike | undefined = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('muscode-auth') : undefined;

type Listener = (token: string | null, why: string) => void;
const listeners = new Set<Listener>();

export const tokens = new TokenManager({
  refresh: cookieRefresh(),
  locks,
  channel,
  onChange(token, why) {
    sessionHint.set(token !== null);
    scheduleRefresh(token);
    for (const l of listeners) l(token, why);
  },
});

export function onTokenChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/**
 * Refreshes a little before the access token expires, so a request rarely meets a 401 at all
 * (the 401 path still works when the tab slept through the timer).
 */
let timer: ReturnType<typeof setTimeout> | undefined;
function scheduleRefresh(token: string | null): void {
  clearTimeout(timer);
  if (!token) return;
  const left = secondsToExpiry(token);
  if (left === null) return;
  // Never sooner than 10 s: with a (test) lifetime that short, the reactive path does the work.
  timer = setTimeout(() => void tokens.refresh(token).catch(() => undefined), Math.max(10, left - 30) * 1000);
}

export const api = createApiClient({ tokens });

export const executionSocket = new ExecutionSocket(
  () => tokens.get(),
  () => tokens.refresh(tokens.get()),
);
