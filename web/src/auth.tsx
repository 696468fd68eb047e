/**
 * Who is signed in. On start, a browser that had a session gets a new access token silently
 * from the refresh cookie; login, register and logout go through here and reach the other tabs
 * through the token manager's channel.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from './api/errors';
import { api, executionSocket, onTokenChange, sessionHint, tokens } from './api/session';
import { subjectOf } from './api/token-manager';
import type { User } from './api/types';

export type AuthStatus = 'loading' | 'anonymous' | 'authenticated';

/** Why a session ended without the user signing out: shown once, until dismissed or signed in. */
export type SessionNotice = 'expired' | 'failed' | null;

interface AuthValue {
  status: AuthStatus;
  user: User | null;
  sessionNotice: SessionNotice;
  dismissSessionNotice(): void;
  login(email: string, password: string): Promise<void>;
  register(input: { email: string; username: string; password: string; fullName?: string }): Promise<void>;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<AuthStatus>(() => (sessionHint.get() ? 'loading' : 'anonymous'));
  const [sessionNotice, setSessionNotice] = useState<SessionNotice>(null);
  const queryClient = useQueryClient();
  const dismissSessionNotice = useCallback(() => setSessionNotice(null), []);

  const loadMe = useCallback(async () => {
    try {
      const me = await api.get<User>('/auth/me');
      setUser(me);
      setStatus('authenticated');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setUser(null);
        setStatus('anonymous');
      } else {
        // The server is unreachable: keep the token, show the app; pages show their own errors.
        setStatus(tokens.get() ? 'authenticated' : 'anonymous');
      }
    }
  }, []);

  // Silent sign-in from the cookie, once.
  useEffect(() => {
    if (!sessionHint.get()) return;
    tokens
      .refresh()
      .then((t) => (t ? loadMe() : setStatus('anonymous')))
      .catch(() => {
        // The refresh failed without saying the session is over (a 5xx, the server away):
        // say so rather than quietly showing "Sign in".
        setSessionNotice('failed');
        setStatus('anonymous');
      });
  }, [loadMe]);

  // Changes from this tab's refreshes and from other tabs.
  const userRef = useRef(user);
  userRef.current = user;
  useEffect(
    () =>
      onTokenChange((token, why) => {
        if (!token) {
          if (why === 'expired') setSessionNotice('expired');
          setUser(null);
          setStatus('anonymous');
          queryClient.removeQueries({ predicate: (q) => q.queryKey[0] === 'me' });
          // The socket's identity is fixed at its handshake (a user change is noticed on the
          // next connect; signing out drops it now).
          executionSocket.close();
        } else if (why === 'remote' && subjectOf(token) !== userRef.current?.id) {
          // Another tab signed in (as someone else, or while this one was signed out).
          void loadMe();
        }
      }),
    [loadMe, queryClient],
  );

  const login = useCallback(
    async (email: string, password: string) => {
      const out = await api.post<{ token: string; user: User }>('/auth/login', { email, password }, { anonymous: true });
      tokens.set(out.token, 'login');
      setUser(out.user);
      setStatus('authenticated');
      setSessionNotice(null);
    },
    [],
  );

  const register = useCallback(
    async (input: { email: string; username: string; password: string; fullName?: string }) => {
      const out = await api.post<{ token: string }>('/auth/register', input, { anonymous: true });
      tokens.set(out.token, 'login');
      setSessionNotice(null);
      await loadMe();
    },
    [loadMe],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/auth/logout', {}, { anonymous: true });
    } finally {
      tokens.clear('logout');
      queryClient.clear();
    }
  }, [queryClient]);

  const value = useMemo(
    () => ({ status, user, sessionNotice, dismissSessionNotice, login, register, logout }),
    [status, user, sessionNotice, dismissSessionNotice, login, register, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
