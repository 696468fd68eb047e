/**
 * The forms' client-side rules (web/src/lib/validation.ts) agree with the server's own
 * schemas (src/auth/service.ts): whatever the browser lets through, the server accepts, and
 * whatever the server refuses, the browser catches first (so no typo costs an auth attempt).
 */
import { describe, expect, it } from 'vitest';
import { emailSchema, passwordSchema, usernameSchema } from '../../src/auth/service';
import { checkEmail, checkFullName, checkLoginPassword, checkNewPassword, checkProjectName, checkUsername, validate } from '../../web/src/lib/validation';

const emails = [
  'ada@example.com',
  'a.b+tag@sub.example.org',
  "o'brien@example.ie",
  'x_y-z@ex-ample.co',
  '  padded@example.com  ',
  '',
  'ada',
  'ada@',
  'ada@example',
  '@example.com',
  'ada@@example.com',
  'ada example@example.com',
  '.ada@example.com',
  'a..b@example.com',
  'ada.@example.com',
  'ada@-example.com',
  'ada@example.c',
  'ada@exa_mple.com',
  `${'a'.repeat(250)}@example.com`,
];
const usernames = ['ada', 'ada_lovelace', 'A-1_b', 'ab', '', 'a'.repeat(50), 'a'.repeat(51), 'li n', 'ada!', 'ädä', 'ada.l', '___'];
const passwords = ['', 'short', '1234567', '12345678', 'correct horse battery', 'x'.repeat(128), 'x'.repeat(129), '        '];

describe('client checks agree with the server', () => {
  it.each(emails)('email %j', (e) => {
    expect(checkEmail(e) === null).toBe(emailSchema.safeParse(e).success);
  });
  it.each(usernames)('username %j', (u) => {
    expect(checkUsername(u) === null).toBe(usernameSchema.safeParse(u).success);
  });
  it.each(passwords)('password %j', (p) => {
    expect(checkNewPassword(p) === null).toBe(passwordSchema.safeParse(p).success);
  });
});

describe('messages', () => {
  it('an empty required field says it is required', () => {
    expect(checkEmail('')).toBe('Email is required.');
    expect(checkEmail('   ')).toBe('Email is required.');
    expect(checkUsername('')).toBe('Username is required.');
    expect(checkNewPassword('')).toBe('Password is required.');
    expect(checkLoginPassword('')).toBe('Password is required.');
    expect(checkProjectName(' ')).toBe('Name is required.');
  });
  it('say what is wrong, not only the rule', () => {
    expect(checkEmail('ada@')).toBe('Enter an email address such as ada@example.com.');
    expect(checkUsername('ab')).toBe('Too short: at least 3 characters.');
    expect(checkUsername('li n!')).toBe('Not allowed here: space, "!".');
    expect(checkUsername('a'.repeat(51))).toBe('Too long: at most 50 characters.');
    expect(checkNewPassword('short')).toBe('Too short: 5 of at least 8 characters.');
    expect(checkNewPassword('x'.repeat(129))).toBe('Too long: at most 128 characters.');
    expect(checkFullName('x'.repeat(101))).toBe('Too long: at most 100 characters.');
    expect(checkFullName('')).toBeNull(); // optional
    expect(checkLoginPassword('short')).toBeNull(); // sign-in does not re-apply the policy
    expect(checkProjectName('x'.repeat(201))).toBe('Too long: at most 200 characters.');
    expect(checkProjectName('tab\there')).toBe('The name cannot contain control characters.');
    expect(checkProjectName('Hello Python')).toBeNull();
  });
  it('validate collects the failing fields only', () => {
    expect(validate({ email: 'ada@example.com', username: 'x' }, { email: checkEmail, username: checkUsername })).toEqual({ username: 'Too short: at least 3 characters.' });
  });
});
