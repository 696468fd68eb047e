/** Sign in and create an account. Errors appear next to the field they are about. */
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { describeError, fieldErrors } from '../api/errors';
import { useAuth } from '../auth';
import { useTitle } from '../components/common';

function Field(props: {
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
  const describedBy = [props.error ? `${props.id}-error` : '', props.hint ? `${props.id}-hint` : ''].filter(Boolean).join(' ') || undefined;
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
      {props.hint && (
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
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email, password);
      done();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Sign in</h1>
        <Field id="email" label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" error={fields.email} />
        <Field id="password" label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" error={fields.password} />
        {error && Object.keys(fields).length === 0 ? (
          <div className="note note-error" role="alert" data-testid="error">
            {describeError(error)}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          New here? <Link to="/register">Create an account</Link>
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
  const fields = fieldErrors(error);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await register({ email: form.email, username: form.username, password: form.password, ...(form.fullName.trim() ? { fullName: form.fullName.trim() } : {}) });
      done();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="register-title" noValidate>
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
          hint="At least 8 characters"
          error={fields.password}
        />
        {error && Object.keys(fields).length === 0 ? (
          <div className="note note-error" role="alert" data-testid="error">
            {describeError(error)}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p className="muted">
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </form>
    </div>
  );
}
