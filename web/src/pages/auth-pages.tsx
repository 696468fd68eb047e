/**
 * Sign in and create an account. Errors appear next to the field they are about. The fields
 * are checked here first (lib/validation.ts, the server's rules), so a typo never reaches the
 * server, where sign-in and sign-up attempts are rate limited. A refused attempt (429) says
 * when to try again, counting down, with the button off meanwhile.
 */
import { type FormEvent, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, describeError, fieldErrors, rateLimitMessage } from '../api/errors';
import { useAuth } from '../auth';
import { useTitle } from '../components/common';
import { retryAfterSeconds } from '../lib/retry-after';
import { useCountdown } from '../lib/use-countdown';
import { type Check, checkEmail, checkFullName, checkLoginPassword, checkNewPassword, checkUsername, validate } from '../lib/validation';

export function Field(props: {
  id: string;
  label: string;
  type?: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  autoComplete?: string;
  hint?: string;
  required?: boolean;
}) {
  // The error replaces the hint (it says the same thing, more precisely): never both.
  const describedBy = props.error ? `${props.id}-error` : props.hint ? `${props.id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete}
        required={props.required ?? true}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
      />
      {props.hint && !props.error && (
        <small id={`${props.id}-hint`} className="muted">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={`${props.id}-error`} className="field-error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

/**
 * The form's client-side checks: none shown until the first submit, then live as the person
 * types, so a corrected field clears its message at once.
 */
function useChecks<K extends string>(values: Record<K, string>, checks: Partial<Record<K, Check>>) {
  const [tried, setTried] = useState(false);
  const errors = tried ? validate(values, checks) : {};
  const formRef = useRef<HTMLFormElement>(null);
  /** True when the form may be sent; otherwise shows the messages and focuses the first bad field. */
  const ok = (): boolean => {
    setTried(true);
    const bad = Object.keys(validate(values, checks));
    if (!bad.length) return true;
    const first = formRef.current?.querySelector<HTMLInputElement>(bad.map((k) => `#${k}`).join(','));
    first?.focus();
    return false;
  };
  return { errors: errors as Partial<Record<K, string>>, ok, formRef };
}

/** A 429 from sign-in or sign-up: the wait, counting down. */
function useRefusal() {
  const [refusal, setRefusal] = useState<{ err: ApiError; until: number } | null>(null);
  const left = useCountdown(refusal?.until);
  const note = (err: unknown): boolean => {
    if (!(err instanceof ApiError) || err.status !== 429) return false;
    setRefusal({ err, until: Date.now() + (retryAfterSeconds(err) ?? 30) * 1000 });
    return true;
  };
  const message = refusal ? rateLimitMessage(refusal.err, left) : null;
  return { note, message, waiting: left > 0, clear: () => setRefusal(null) };
}

function useAfterAuth() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  return () => navigate(from && from.startsWith('/') ? from : '/', { replace: true });
}

export function LoginPage() {
  const { login } = useAuth();
  useTitle('Sign in');
  const done = useAfterAuth();
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const checks = useChecks({ email, password }, { email: checkEmail, password: checkLoginPassword });
  const refusal = useRefusal();
  const server = fieldErrors(error);
  const fields = { ...server, ...checks.errors };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!checks.ok() || refusal.waiting) return;
    setBusy(true);
    setError(null);
    refusal.clear();
    try {
      await login(email.trim(), password);
      done();
    } catch (err) {
      if (!refusal.note(err)) setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="login-title" noValidate ref={checks.formRef}>
        <h1 id="login-title">Sign in</h1>
        {notice === 'password-reset' && (
          <div className="note note-ok" role="status" data-testid="password-reset">
            Your password has been changed and every session signed out. Sign in with the new password.
          </div>
        )}
        <Field id="email" label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" error={fields.email} />
        <Field id="password" label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" error={fields.password} />
        {error && Object.keys(server).length === 0 ? (
          <div className="note note-error" role="alert" data-testid="error">
            {describeError(error)}
          </div>
        ) : null}
        {refusal.message && (
          <div className="note note-warn" role="alert" data-testid="rate-limited">
            {refusal.message}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || refusal.waiting}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          New here? <Link to="/register">Create an account</Link> · <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </form>
    </div>
  );
}

export function RegisterPage() {
  const { register } = useAuth();
  useTitle('Create an account');
  const done = useAfterAuth();
  const [form, setForm] = useState({ email: '', username: '', fullName: '', password: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const checks = useChecks(form, { email: checkEmail, username: checkUsername, fullName: checkFullName, password: checkNewPassword });
  const refusal = useRefusal();
  const server = fieldErrors(error);
  const fields: Partial<Record<keyof typeof form, string>> = { ...server, ...checks.errors };
  const set = (k: keyof typeof form) => (v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    // A server verdict about this field (taken, invalid) no longer applies once it changes.
    if (server[k]) setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!checks.ok() || refusal.waiting) return;
    setBusy(true);
    setError(null);
    refusal.clear();
    try {
      await register({ email: form.email.trim(), username: form.username, password: form.password, ...(form.fullName.trim() ? { fullName: form.fullName.trim() } : {}) });
      done();
    } catch (err) {
      if (!refusal.note(err)) setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="register-title" noValidate ref={checks.formRef}>
        <h1 id="register-title">Create an account</h1>
        <Field id="email" label="Email" type="email" value={form.email} onChange={set('email')} autoComplete="email" error={fields.email} />
        <Field
          id="username"
          label="Username"
          value={form.username}
          onChange={set('username')}
          autoComplete="username"
          hint="3–50 characters: letters, digits, _ or -"
          error={fields.username}
        />
        <Field id="fullName" label="Full name (optional)" value={form.fullName} onChange={set('fullName')} autoComplete="name" required={false} error={fields.fullName} />
        <Field
          id="password"
          label="Password"
          type="password"
          value={form.password}
          onChange={set('password')}
          autoComplete="new-password"
          hint="8 to 128 characters"
          error={fields.password}
        />
        {error && Object.keys(server).length === 0 ? (
          <div className="note note-error" role="alert" data-testid="error">
            {describeError(error)}
          </div>
        ) : null}
        {refusal.message && (
          <div className="note note-warn" role="alert" data-testid="rate-limited">
            {refusal.message}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || refusal.waiting}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p className="muted">
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </form>
    </div>
  );
}
