/**
 * Routes and the frame around them. The playground is in the first load; the other pages are
 * separate chunks, fetched when first visited.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Component, type ReactNode, Suspense, useEffect, useRef } from 'react';
import { createBrowserRouter, Link, Navigate, NavLink, Outlet, RouterProvider, useLocation, useNavigate, useRouteError } from 'react-router';
import { ApiError } from './api/errors';
import { AuthProvider, useAuth } from './auth';
import { Spinner } from './components/common';
import { NotFound } from './components/not-found';
import { isChunkLoadError, lazyPage, Reconnecting, retryFailedPages } from './lib/chunk-recovery';
import { LoginPage, RegisterPage } from './pages/auth-pages';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/account-mail-pages';
import Playground, { MOD } from './pages/playground';
import { useTheme } from './theme';

const Profile = lazyPage(() => import('./pages/profile'));
const ProjectsList = lazyPage(() => import('./pages/projects-list'));
const ProjectNew = lazyPage(() => import('./pages/project-new'));
const ProjectView = lazyPage(() => import('./pages/project-view'));
const WorkspacesList = lazyPage(() => import('./pages/workspaces-list'));
const WorkspacePage = lazyPage(() => import('./pages/workspace'));
const ProblemsList = lazyPage(() => import('./pages/arena/problems-list'));
const ProblemView = lazyPage(() => import('./pages/arena/problem-view'));
const SubmissionsList = lazyPage(() => import('./pages/arena/submissions-list'));
const SubmissionPage = lazyPage(() => import('./pages/arena/submission-view'));
const AuthorPage = lazyPage(() => import('./pages/arena/author'));
const ContestsList = lazyPage(() => import('./pages/arena/contests-list'));
const ContestView = lazyPage(() => import('./pages/arena/contest-view'));
const DuelLobby = lazyPage(() => import('./pages/arena/duel-pages'));
const DuelRoom = lazyPage(() => import('./pages/arena/duel-room-page'));
const Leaderboard = lazyPage(() => import('./pages/arena/leaderboard'));
// Issue 10: rooms.
const RoomsList = lazyPage(() => import('./pages/rooms/rooms-list'));
const RoomPage = lazyPage(() => import('./pages/rooms/room-page'));
const RoomJoin = lazyPage(() => import('./pages/rooms/rooms-join'));
const RoomPlayback = lazyPage(() => import('./pages/rooms/room-playback'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not get better by asking again; a network blip might.
      retry: (n, err) => n < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" className="btn btn-ghost" onClick={() => setTheme(next)} aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme`} data-testid="theme-toggle">
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}

const SHORTCUTS: [string, string][] = [
  [`${MOD}+Enter`, 'Run the program (anywhere on the page)'],
  [`${MOD}+S`, 'Save the changed files (projects)'],
  ['Esc, then Tab', 'Leave the editor (Tab alone indents)'],
  [`${MOD}+F`, 'Find in the editor'],
  [`${MOD}+Z / ${MOD}+Shift+Z`, 'Undo / redo'],
  [`${MOD}+/`, 'Comment or uncomment the line'],
  ['?', 'This help (outside a text field)'],
];

/** The keyboard shortcuts, from the header's "?" button or the "?" key. */
function KeyboardHelp() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      e.preventDefault();
      dialog.current?.showModal();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <button type="button" className="btn btn-ghost" onClick={() => dialog.current?.showModal()} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" data-testid="shortcuts-button">
        ?
      </button>
      <dialog ref={dialog} className="kbd-dialog" aria-labelledby="kbd-title" data-testid="shortcuts">
        <h2 id="kbd-title">Keyboard shortcuts</h2>
        <table className="kbd-table">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td>
                  <kbd>{keys}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <button type="button" className="btn" onClick={() => dialog.current?.close()} autoFocus>
            Close
          </button>
        </p>
      </dialog>
    </>
  );
}

function Header() {
  const { status, user, logout } = useAuth();
  const navigate = useNavigate();
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="MUSCode home">
        <span className="brand-mark" aria-hidden="true">
          {'</>'}
        </span>
        MUSCode
      </Link>
      <nav aria-label="Main" className="mainnav">
        <NavLink to="/" end>
          Playground
        </NavLink>
        <NavLink to="/projects">Projects</NavLink>
        <NavLink to="/rooms" data-testid="nav-rooms">Rooms</NavLink>

        {user && (
          <NavLink to="/workspaces" data-testid="nav-workspaces">
            Workspaces
          </NavLink>
        )}
        <NavLink to="/problems" data-testid="nav-problems">
          Problems
        </NavLink>
        <NavLink to="/contests" data-testid="nav-contests">
          Contests
        </NavLink>
        {status === 'authenticated' && (
          <NavLink to="/submissions" data-testid="nav-submissions">
            Submissions
          </NavLink>
        )}
        {status === 'authenticated' && (
          <NavLink to="/duels" data-testid="nav-duels">
            Duels
          </NavLink>
        )}
        <NavLink to="/leaderboard" data-testid="nav-leaderboard">
          Leaderboard
        </NavLink>
        {(user?.role === 'author' || user?.role === 'admin') && (
          <NavLink to="/author" data-testid="nav-author">
            Author
          </NavLink>
        )}
        {/* Swagger UI is served by the API, outside the app: a plain link. */}
        <a href="/docs" data-testid="docs-link" title="The HTTP API, documented (Swagger UI)">
          API
        </a>
      </nav>
      <div className="spacer" />
      <div className="topbar-right">
        <KeyboardHelp />
        <ThemeToggle />
        {status === 'loading' && <span className="muted small">…</span>}
        {status === 'anonymous' && (
          <>
            <NavLink to="/login" className="btn btn-ghost" data-testid="sign-in">
              Sign in
            </NavLink>
            <NavLink to="/register" className="btn btn-primary" data-testid="sign-up">
              Sign up
            </NavLink>
          </>
        )}
        {status === 'authenticated' && (
          <>
            <NavLink to="/profile" className="btn btn-ghost" data-testid="user-menu">
              {user?.username ?? 'Profile'}
            </NavLink>
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="logout"
              onClick={() => {
                void logout().finally(() => navigate('/'));
              }}
            >
              Sign out
            </button>
          </>
        )}
      </div>
    </header>
  );
}

/** "Your session expired": after a refresh the server refused (or could not answer). */
function SessionNoticeBar() {
  const { sessionNotice, dismissSessionNotice, status } = useAuth();
  const location = useLocation();
  if (!sessionNotice || status === 'authenticated') return null;
  return (
    <div className="note note-warn session-note" role="alert" data-testid="session-expired">
      <span>
        {sessionNotice === 'expired'
          ? 'Your session expired, please sign in again.'
          : 'Your session could not be restored (the server did not answer), please sign in again.'}
      </span>
      {location.pathname !== '/login' && (
        <Link to="/login" state={{ from: location.pathname + location.search }} className="btn btn-small">
          Sign in
        </Link>
      )}
      <button type="button" className="btn btn-small btn-ghost" onClick={dismissSessionNotice} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}

function Layout() {
  const location = useLocation();
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <SessionNoticeBar />
      <main id="main" className="main">
        <PageBoundary resetKey={location.pathname}>
          <Suspense fallback={<Spinner />}>
            <Outlet />
          </Suspense>
        </PageBoundary>
      </main>
    </div>
  );
}

/** Pages that need an account send visitors to sign in, and back here afterwards. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'loading') return <Spinner label="Signing you in…" />;
  if (status === 'anonymous') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/** Signed-in users have nothing to do on the sign-in pages. */
function GuestOnly({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  if (status === 'authenticated') return <Navigate to="/" replace />;
  return <>{children}</>;
}

function Crash({ error, reset }: { error: unknown; reset?: () => void }) {
  return (
    <div className="page center" role="alert">
      <h1>Something went wrong</h1>
      <p className="muted">{error instanceof Error && !isChunkLoadError(error) ? error.message : 'The page failed to load.'}</p>
      <p>
        <button type="button" className="btn btn-primary" onClick={() => (reset ? reset() : location.reload())}>
          Reload
        </button>
      </p>
    </div>
  );
}

/**
 * A failed chunk load or a render bug shows a message, never a blank page. Going to another
 * page clears it (the header's links always work). A chunk that could not be fetched shows
 * "Can't reach MUSCode, retrying…" and comes back by itself when the server does.
 */
class PageBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: unknown; recoveries: number }> {
  override state = { error: null as unknown, recoveries: 0 };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) {
      retryFailedPages();
      this.setState({ error: null, recoveries: 0 });
    }
  }
  private back = () => {
    retryFailedPages();
    this.setState((s) => ({ error: null, recoveries: s.recoveries + 1 }));
  };
  override render() {
    const { error, recoveries } = this.state;
    if (error && isChunkLoadError(error)) return <Reconnecting onBack={this.back} reloadInstead={recoveries > 0} />;
    if (error) return <Crash error={error} reset={() => location.reload()} />;
    return this.props.children;
  }
}

function RouteError() {
  return <Crash error={useRouteError()} />;
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { path: '/', element: <Playground /> },
      { path: '/login', element: <GuestOnly><LoginPage /></GuestOnly> },
      { path: '/register', element: <GuestOnly><RegisterPage /></GuestOnly> },
      { path: '/verify-email', element: <VerifyEmailPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
      { path: '/reset-password', element: <ResetPasswordPage /> },
      { path: '/profile', element: <RequireAuth><Profile /></RequireAuth> },
      { path: '/projects', element: <ProjectsList /> },
      { path: '/projects/new', element: <RequireAuth><ProjectNew /></RequireAuth> },
      { path: '/projects/:id', element: <ProjectView /> },
      { path: '/workspaces', element: <RequireAuth><WorkspacesList /></RequireAuth> },
      { path: '/workspaces/:id', element: <RequireAuth><WorkspacePage /></RequireAuth> },
      { path: '/problems', element: <ProblemsList /> },
      { path: '/problems/:slug', element: <ProblemView /> },
      { path: '/contests', element: <ContestsList /> },
      { path: '/contests/:slug', element: <ContestView /> },
      { path: '/contests/:contest/problems/:label', element: <ProblemView /> },
      { path: '/submissions', element: <RequireAuth><SubmissionsList /></RequireAuth> },
      { path: '/submissions/:id', element: <SubmissionPage /> },
      { path: '/author', element: <RequireAuth><AuthorPage /></RequireAuth> },
      { path: '/duels', element: <RequireAuth><DuelLobby /></RequireAuth> },
      { path: '/duels/:id', element: <RequireAuth><DuelRoom /></RequireAuth> },
      { path: '/leaderboard', element: <Leaderboard /> },
      { path: '/rooms', element: <RequireAuth><RoomsList /></RequireAuth> },
      { path: '/rooms/join/:token', element: <RoomJoin /> },
      { path: '/rooms/:id', element: <RoomPage /> },
      { path: '/rooms/:id/playback', element: <RequireAuth><RoomPlayback /></RequireAuth> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>
  );
}
