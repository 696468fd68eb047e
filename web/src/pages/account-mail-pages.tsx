/**
 * The pages the account mails link to (issue 12 item 5): /verify-email?token=… confirms the
 * address on arrival; /forgot-password asks for a reset mail (the answer never says whether the
 * address has an account); /reset-password?token=… sets a new password, which signs out every
 * session, so it ends on the sign-in page.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, describeError, fieldErrors } from '../api/errors';
import { api } from '../api/session';
import { useTitle } from '../components/common';
import { checkEmail, checkNewPassword } from '../lib/validation';
import { Field } from './auth-pages';

/**
 * The token of the link, read once; then the address bar drops it, so that it stays out of the
 * history and of any Referer (the server's request log redacts it too).
 */
function useLinkToken(): string {
  const [params, setParams] = useSearchParams();
  const [token] = useState(() => params.get('token') ?? '');
  useEffect(() => {
    if (params.has('token')) setParams({}, { replace: true });
  }, [params, setParams]);
  return token;
}

const linkProblem = (err: unknown): string =>
  err instanceof ApiError && err.code === 'INVALID_EMAIL_TOKEN'
    ? 'This link is invalid, already used or expired (only the latest mail works). Ask for a new one.'
    : describeError(err);

export function VerifyEmailPage() {
  useTitle('Verify your email');
  const token = useLinkToken();
  const [state, setState] = useState<{ kind: 'busy' } | { kind: 'done' } | { kind: 'failed'; error: unknown }>({ kind: 'busy' });
  // A token is single use: React's development double effect must not spend it twice.
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    api
      .post('/auth/verify-email', { token })
      .then(() => setState({ kind: 'done' }))
      .catch((error: unknown) => setState({ kind: 'failed', error }));
  }, [token]);
  return (
    <div className="auth-page">
      <div className="card auth-card" aria-labelledby="verify-title">
        <h1 id="verify-title">Verify your email</h1>
        {state.kind === 'busy' && <p className="muted">Checking the link…</p>}
        {state.kind === 'done' && (
          <div className="note note-ok" role="status" data-testid="verified">
            Your email address is verified. <Link to="/">Start coding</Link>
          </div>
        )}
        {state.kind === 'failed' && (
          <div className="note note-error" role="alert" data-testid="error">
            {linkProblem(state.error)} Signed in, you can send a new one from your <Link to="/profile">profile</Link>.
          </div>
        )}
      </div>
    </div>
  );
}

export function ForgotPasswordPage() {
  useTitle('Forgot password');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);
  const [answer, setAnswer] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailError = (tried ? checkEmail(email) : undefined) ?? fieldErrors(error).email;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (checkEmail(email) || busy) return;
    setBusy(true);
    setError(null);
    try {
      setAnswer((await api.post<{ message: string }>('/auth/password/forgot', { email: email.trim() })).message);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="forgot-title" noValidate>
        <h1 id="forgot-title">Forgot your password?</h1>
        <p className="muted">Enter the address of your account: we send it a link to choose a new password.</p>
        <Field id="email" label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" error={emailError} />
        {answer && (
          <div className="note note-ok" role="status" data-testid="sent">
            {answer}
          </div>
        )}
        {error && !fieldErrors(error).email ? (
          <div className="note note-error" role="alert" data-testid="error">
            {describeError(error)}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Sending…' : 'Send the link'}
        </button>
        <p className="muted">
          <Link to="/login">Back to sign in</Link>
        </p>
      </form>
    </div>
  );
}

export function ResetPasswordPage() {
  useTitle('Choose a new password');
  const token = useLinkToken();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const passwordError = (tried ? checkNewPassword(password) : undefined) ?? fieldErrors(error).password;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (checkNewPassword(password) || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/password/reset', { token, password });
      navigate('/login', { replace: true, state: { notice: 'password-reset' } });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="reset-title" noValidate>
        <h1 id="reset-title">Choose a new password</h1>
        <Field
          id="password"
          label="New password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint="8 to 128 characters. Every session of the account is signed out."
          error={passwordError}
        />
        {error && !fieldErrors(error).password ? (
          <div className="note note-error" role="alert" data-testid="error">
            {linkProblem(error)} <Link to="/forgot-password">Send a new link</Link>
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </div>
  );
}
