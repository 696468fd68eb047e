/**
 * The forms' rules, checked in the browser before anything is sent, so that a typo never costs
 * a request (sign-in and sign-up count against the server's auth rate limit). They mirror the
 * server's (src/auth/service.ts: emailSchema, usernameSchema, passwordSchema; the project name
 * in src/projects/routes.ts); the server checks again and stays the authority.
 *
 * Each check returns a message for the person (null when the value is fine). A required field
 * left empty says so ("Email is required") rather than describing the format.
 */
export type Check = (value: string) => string | null;

// The server uses zod's z.email(): a practical pattern, no quoted local parts or IP literals.
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
export const USERNAME = /^[A-Za-z0-9_-]{3,50}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const PROJECT_NAME_MAX = 200;

export const checkEmail: Check = (v) => {
  const t = v.trim();
  if (!t) return 'Email is required.';
  if (t.length > 255 || !EMAIL.test(t)) return 'Enter an email address such as ada@example.com.';
  return null;
};

/** Sign-in only needs a password (the policy may have changed since the account was made). */
export const checkLoginPassword: Check = (v) => (v ? null : 'Password is required.');

export const checkNewPassword: Check = (v) => {
  if (!v) return 'Password is required.';
  if (v.length < PASSWORD_MIN) return `Too short: ${v.length} of at least ${PASSWORD_MIN} characters.`;
  if (v.length > PASSWORD_MAX) return `Too long: at most ${PASSWORD_MAX} characters.`;
  return null;
};

export const checkUsername: Check = (v) => {
  if (!v) return 'Username is required.';
  if (v.length < 3) return 'Too short: at least 3 characters.';
  if (v.length > 50) return 'Too long: at most 50 characters.';
  const bad = [...new Set(v.replace(/[A-Za-z0-9_-]/g, ''))];
  if (bad.length) return `Not allowed here: ${bad.map((c) => (c === ' ' ? 'space' : `"${c}"`)).join(', ')}.`;
  return USERNAME.test(v) ? null : 'Use letters, digits, _ or -.';
};

export const checkFullName: Check = (v) => (v.trim().length > 100 ? 'Too long: at most 100 characters.' : null);

export const checkProjectName: Check = (v) => {
  const t = v.trim();
  if (!t) return 'Name is required.';
  if (t.length > PROJECT_NAME_MAX) return `Too long: at most ${PROJECT_NAME_MAX} characters.`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(t)) return 'The name cannot contain control characters.';
  return null;
};

/** Runs every field's check; returns the messages of the fields that fail. */
export function validate<K extends string>(values: Record<K, string>, checks: Partial<Record<K, Check>>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of Object.keys(checks) as K[]) {
    const msg = checks[k]!(values[k] ?? '');
    if (msg) out[k] = msg;
  }
  return out;
}
