/**
 * Routes and the frame around them. The playground is in the first load; the other pages are
 * separate chunks, fetched when first visited.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Component, lazy, type ReactNode, Suspense } from 'react';
import { createBrowserRouter, Link, Navigate, NavLink, Outlet, RouterProvider, useLocation, useNavigate, useRouteError } from 'react-router';
import { ApiError } from './api/errors';
import { AuthProvider, useAuth } from './auth';
import { Spinner } from './components/common';
import { NotFound } from './components/not-found';
import { LoginPage, RegisterPage } from './pages/auth-pages';
import Playground from './pages/playground';
import { useTheme } from './theme';

const Profile = lazy(() => import('./pages/profile'));
const ProjectsList = lazy(() => import('./pages/projects-list'));
const ProjectNew = lazy(() => import('./pages/project-new'));
const ProjectView = lazy(() => import('./pages/project-view'));

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
      </nav>
      <div className="spacer" />
      <ThemeToggle />
      {status === 'loading' && <span className="muted small">…</span>}
      {status === 'anonymous' && (
        <>
          <NavLink to="/login" className="btn btn-ghost">
            Sign in
          </NavLink>
          <NavLink to="/register" className="btn btn-primary">
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
    </header>
  );
}

function Layout() {
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="main">
        <PageBoundary>
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
      <p className="muted">{error instanceof Error ? error.message : 'The page failed to load.'}</p>
      <p>
        <button type="button" className="btn btn-primary" onClick={() => (reset ? reset() : location.reload())}>
          Reload
        </button>
      </p>
    </div>
  );
}

/** A failed chunk load or a render bug shows a message, never a blank page. */
class PageBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    if (this.state.error) return <Crash error={this.state.error} reset={() => location.reload()} />;
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
      { path: '/profile', element: <RequireAuth><Profile /></RequireAuth> },
      { path: '/projects', element: <ProjectsList /> },
      { path: '/projects/new', element: <RequireAuth><ProjectNew /></RequireAuth> },
      { path: '/projects/:id', element: <ProjectView /> },
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
