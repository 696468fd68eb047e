import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldLabel } from '../../src/server/validation-messages.js';
import { api, registerUser, startTestServer, type TestServer } from '../helpers/app.js';

/** UX review: a 400 says what is wrong in words a person reads in a form, and keeps each field's path. */

interface Err {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

describe('validation messages', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = (await registerUser(server)).token;
  });
  afterAll(async () => server?.stop());

  const post = (url: string, body: unknown, t?: string) => api<Err>(server, 'POST', url, { body, token: t });

  it('names the field and the rule for sign-up and sign-in', async () => {
    const empty = await post('/api/v1/auth/register', {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    expect(empty.body.error.message).toBe('Email is required; Username is required; Password is required');
    expect(empty.body.error.details).toEqual([
      { path: '/email', message: 'Email is required' },
      { path: '/username', message: 'Username is required' },
      { path: '/password', message: 'Password is required' },
    ]);
    const bad = await post('/api/v1/auth/register', { email: 'nope', username: 'ab', password: 'short', fullName: '' });
    expect(bad.body.error.details.map((d) => d.message)).toEqual([
      'Email must be an email address',
      'Username must be 3-50 characters: letters, digits, _ or -',
      'Password must be at least 8 characters',
      'Full name is required',
    ]);
    const login = await post('/api/v1/auth/login', { email: 'ada@example.com', password: '' });
    expect(login.body.error.message).toBe('Password is required');
    const wrongType = await post('/api/v1/auth/login', { email: 5, password: 'x' });
    expect(wrongType.body.error.message).toBe('Email must be a string');
  });

  it('says "Name is required" for a project without a name, and names unknown fields', async () => {
    for (const name of [undefined, '', '   ']) {
      const r = await post('/api/v1/projects', { name, language: 'python' }, token);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toBe('Name is required');
      expect(r.body.error.details).toEqual([{ path: '/name', message: 'Name is required' }]);
    }
    const long = await post('/api/v1/projects', { name: 'x'.repeat(201), language: 'python' }, token);
    expect(long.body.error.message).toBe('Name must be at most 200 characters');
    const vis = await post('/api/v1/projects', { name: 'p', language: 'python', visibility: 'secret' }, token);
    expect(vis.body.error.message).toBe('Visibility must be one of: private, public, unlisted');
    const unknown = await post('/api/v1/projects', { name: 'p', language: 'python', colour: 'red' }, token);
    expect(unknown.body.error.message).toBe('Unknown field: colour');
    const batch = await post('/api/v1/execute/batch', { language: 'python', files: [{ name: '', content: 1 }] }, token);
    expect(batch.body.error.details).toEqual([
      { path: '/files/0/name', message: 'files[0].name is required' },
      { path: '/files/0/content', message: 'files[0].content must be a string' },
    ]);
  });

  it('labels fields', () => {
    expect(fieldLabel('/fullName')).toBe('Full name');
    expect(fieldLabel('/')).toBe('The request');
    expect(fieldLabel('/files/2/name')).toBe('files[2].name');
  });
});
