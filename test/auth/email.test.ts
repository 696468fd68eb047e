import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailTokens } from '../../src/db/schema.js';
import { redactUrl } from '../../src/server/log-redact.js';
import { api, registerUser, startTestServer, type TestServer } from '../helpers/app.js';
import { waitFor } from '../helpers/async.js';
import { ensureWebBuilt, HAVE_CHROMIUM, launchChromium } from '../e2e/browser.js';

/**
 * Issue 12 item 5: address verification and password reset over a real SMTP server on
 * 127.0.0.1 (smtp-server, with authentication), following the links of the received mails; and
 * the file fallback without SMTP_HOST, with UNVERIFIED_MAY_EXECUTE off.
 */

interface Received {
  to: string;
  raw: string;
  link: string;
}

type Env<T> = { success: boolean; data: T; error?: { code: string } };

/** The one link of a mail (quoted-printable soft line breaks undone). */
function linkOf(raw: string): string {
  const body = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const m = /(https?:\/\/\S+?\/(?:verify-email|reset-password)\?token=[A-Za-z0-9_-]+)/.exec(body);
  if (!m?.[1]) throw new Error(`no link in mail:\n${raw}`);
  return m[1];
}

/** What the web page at the link does: POST the link's token to the API. */
async function follow(server: TestServer, link: string, extra: Record<string, string> = {}) {
  const url = new URL(link);
  expect(url.origin).toBe(server.url);
  // The link opens a page of the web app (or the API-only 404 when web/dist is not built): never a server error.
  const page = await fetch(link);
  expect(page.status).toBeLessThan(500);
  const token = url.searchParams.get('token')!;
  const route = url.pathname === '/verify-email' ? '/api/v1/auth/verify-email' : '/api/v1/auth/password/reset';
  return api<Env<Record<string, unknown>>>(server, 'POST', route, { body: { token, ...extra } });
}

describe('account mail over SMTP', () => {
  let smtp: SMTPServer;
  let server: TestServer;
  const inbox: Received[] = [];
  const mailsTo = (to: string) => inbox.filter((m) => m.to === to.toLowerCase());

  beforeAll(async () => {
    smtp = new SMTPServer({
      // Plain SMTP with AUTH on loopback: no TLS certificate to trust in a test.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, cb) {
        if (auth.username === 'mailer' && auth.password === 's3cret') cb(null, { user: 'mailer' });
        else cb(new Error('bad credentials'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          for (const rcpt of session.envelope.rcptTo) inbox.push({ to: rcpt.address.toLowerCase(), raw, link: linkOf(raw) });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    server = await startTestServer({
      config: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_USER: 'mailer', SMTP_PASS: 's3cret', SMTP_FROM: 'MUSCode Test <noreply@muscode.test>', EMAIL_MAX_PER_HOUR: '4' },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  it('sends a verification mail at sign-up whose link verifies the address, once', async () => {
    const u = await registerUser(server);
    await waitFor('mail', () => mailsTo(u.email).length === 1);
    const mail = mailsTo(u.email)[0]!;
    expect(mail.raw).toMatch(/^From: MUSCode Test <noreply@muscode\.test>/m);
    expect(mail.raw).toMatch(/^Subject: Confirm your email address/m);
    const before = await api<Env<{ emailVerified: boolean }>>(server, 'GET', '/api/v1/auth/me', { token: u.token });
    expect(before.body.data.emailVerified).toBe(false);
    // Stored hashed: the token of the link is nowhere in the table.
    const token = new URL(mail.link).searchParams.get('token')!;
    const rows = await server.platform.ctx.database.db.select().from(emailTokens).where(eq(emailTokens.userId, u.userId));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));

    const first = await follow(server, mail.link);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const after = await api<Env<{ emailVerified: boolean }>>(server, 'GET', '/api/v1/auth/me', { token: u.token });
    expect(after.body.data.emailVerified).toBe(true);
    const again = await follow(server, mail.link);
    expect(again.status).toBe(400);
    expect(again.body.error?.code).toBe('INVALID_EMAIL_TOKEN');
    // Nothing to resend for a verified address.
    const resend = await api<Env<{ sent: boolean }>>(server, 'POST', '/api/v1/auth/verify-email/resend', { token: u.token });
    expect(resend.status).toBe(202);
    expect(resend.body.data.sent).toBe(false);
  });

  it('answers "forgot password" identically for unknown addresses and resets with the mailed link, ending every session', async () => {
    const u = await registerUser(server);
    await waitFor('mail', () => mailsTo(u.email).length === 1);
    const second = await api<Env<{ refreshToken: string }>>(server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(second.status).toBe(200);

    const unknown = `nobody-${u.username}@example.com`;
    const a = await api(server, 'POST', '/api/v1/auth/password/forgot', { body: { email: unknown } });
    const b = await api(server, 'POST', '/api/v1/auth/password/forgot', { body: { email: u.email.toUpperCase() } });
    expect(a.status).toBe(202);
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    await waitFor('mail', () => mailsTo(u.email).length === 2);
    expect(mailsTo(unknown)).toHaveLength(0);
    const reset = mailsTo(u.email)[1]!;
    expect(reset.raw).toMatch(/^Subject: Reset your MUSCode password/m);

    const weak = await follow(server, reset.link, { password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error?.code).toBe('VALIDATION_ERROR');
    const done = await follow(server, reset.link, { password: 'a brand new passphrase' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    // Every session ended: both refresh tokens are dead.
    for (const rt of [u.refreshToken, second.body.data.refreshToken]) {
      const r = await api<Env<unknown>>(server, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: rt } });
      expect(r.status).toBe(401);
    }
    const old = await api(server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(old.status).toBe(401);
    const fresh = await api<Env<{ user: { emailVerified: boolean } }>>(server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: 'a brand new passphrase' } });
    expect(fresh.status).toBe(200);
    // The mail reached the address: it counts as verified.
    expect(fresh.body.data.user.emailVerified).toBe(true);
    const reused = await follow(server, reset.link, { password: 'yet another passphrase' });
    expect(reused.status).toBe(400);
    expect(reused.body.error?.code).toBe('INVALID_EMAIL_TOKEN');
  });

  // The links as a person follows them: in Chromium, through the web app's pages.
  it.skipIf(!HAVE_CHROMIUM && !process.env.CI)('the web pages: the verify link, "forgot password" and the reset form', async () => {
    ensureWebBuilt();
    const u = await registerUser(server);
    await waitFor('mail', () => mailsTo(u.email).length === 1);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(mailsTo(u.email)[0]!.link);
      await page.waitForSelector('[data-testid=verified]');
      // The token leaves the address bar (history, Referer) once read.
      expect(new URL(page.url()).search).toBe('');
      await page.goto(`${server.url}/login`);
      await page.click('text=Forgot your password?');
      await page.fill('#email', u.email);
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-testid=sent]');
      await waitFor('mail', () => mailsTo(u.email).length === 2);
      await page.goto(mailsTo(u.email)[1]!.link);
      await page.fill('#password', 'typed in the browser');
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-testid=password-reset]');
      expect(new URL(page.url()).pathname).toBe('/login');
      // The same link a second time: refused, with a way to ask for a new one.
      await page.goto(mailsTo(u.email)[1]!.link);
      await page.fill('#password', 'another passphrase');
      await page.click('button[type=submit]');
      expect(await page.textContent('[data-testid=error]')).toContain('already used or expired');
    } finally {
      await browser.close();
    }
    const login = await api(server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: 'typed in the browser' } });
    expect(login.status).toBe(200);
  });

  it('refuses an expired link and a link superseded by a newer mail', async () => {
    const u = await registerUser(server);
    await waitFor('mail', () => mailsTo(u.email).length === 1);
    await api(server, 'POST', '/api/v1/auth/password/forgot', { body: { email: u.email } });
    await waitFor('mail', () => mailsTo(u.email).length === 2);
    await api(server, 'POST', '/api/v1/auth/password/forgot', { body: { email: u.email } });
    await waitFor('mail', () => mailsTo(u.email).length === 3);
    const [, older, newer] = mailsTo(u.email);
    const superseded = await follow(server, older!.link, { password: 'a brand new passphrase' });
    expect(superseded.body.error?.code).toBe('INVALID_EMAIL_TOKEN');
    // Expire the live one on the database clock, as an hour passing would.
    const db = server.platform.ctx.database.db;
    await db.update(emailTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(emailTokens.userId, u.userId));
    const expired = await follow(server, newer!.link, { password: 'a brand new passphrase' });
    expect(expired.status).toBe(400);
    expect(expired.body.error?.code).toBe('INVALID_EMAIL_TOKEN');
    const verify = await follow(server, mailsTo(u.email)[0]!.link);
    expect(verify.body.error?.code).toBe('INVALID_EMAIL_TOKEN');
    const login = await api(server, 'POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(login.status).toBe(200);
  });

  it('sends at most EMAIL_MAX_PER_HOUR mails to one account, with the same answer beyond it', async () => {
    const u = await registerUser(server);
    await waitFor('mail', () => mailsTo(u.email).length === 1);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await api(server, 'POST', '/api/v1/auth/password/forgot', { body: { email: u.email } }));
    for (const a of answers) expect({ status: a.status, body: a.body }).toEqual({ status: answers[0]!.status, body: answers[0]!.body });
    await waitFor('mail', () => mailsTo(u.email).length === 4);
    const rows = await server.platform.ctx.database.db.select().from(emailTokens).where(eq(emailTokens.userId, u.userId));
    expect(rows).toHaveLength(4);
    const resend = await api<Env<{ sent: boolean }>>(server, 'POST', '/api/v1/auth/verify-email/resend', { token: u.token });
    expect(resend.body.data.sent).toBe(false);
  });
});

describe('account mail without SMTP, on PostgreSQL (cluster mode), unverified accounts may not run code', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ mode: 'cluster', config: { UNVERIFIED_MAY_EXECUTE: 'false' } });
  });
  afterAll(async () => server?.stop());

  it('writes the mail to DATA_DIR/mail and refuses runs until the address is verified', async () => {
    const u = await registerUser(server);
    const dir = path.join(server.config.DATA_DIR, 'mail');
    const mine = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').includes(`To: ${u.email}`)) : []);
    await waitFor('mail', () => mine().length === 1);
    const file = path.join(dir, mine()[0]!);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw).toMatch(new RegExp(`^To: ${u.email}`, 'm'));

    const body = { language: 'python', code: 'print(6*7)' };
    const refused = await api<Env<unknown>>(server, 'POST', '/api/v1/execute?wait=true', { token: u.token, body });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('EMAIL_NOT_VERIFIED');
    const judge0 = await api(server, 'POST', '/judge0/submissions?wait=true', { token: u.token, body: { language_id: 71, source_code: 'print(1)' } });
    expect(judge0.status).toBe(403);
    // Reading is still allowed.
    expect((await api(server, 'GET', '/api/v1/auth/me', { token: u.token })).status).toBe(200);

    expect((await follow(server, linkOf(raw))).status).toBe(200);
    const run = await api<Env<{ output: string }>>(server, 'POST', '/api/v1/execute?wait=true', { token: u.token, body });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.data.output).toBe('42\n');
  });


  it('verifies, resets once and ends the sessions', async () => {
    const u = await registerUser(server);
    const dir = path.join(server.config.DATA_DIR, 'mail');
    const mails = () => (fs.existsSync(dir) ? fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8')) : []).filter((m) => m.includes(`To: ${u.email}`));
    await waitFor('mail', () => mails().length === 1);
    expect((await follow(server, linkOf(mails()[0]!))).status).toBe(200);
    await api(server, 'POST', '/api/v1/auth/password/forgot', { body: { email: u.email } });
    await waitFor('mail', () => mails().length === 2);
    const reset = mails().find((m) => /Subject: Reset/.test(m))!;
    expect((await follow(server, linkOf(reset), { password: 'a brand new passphrase' })).status).toBe(200);
    expect((await follow(server, linkOf(reset), { password: 'a brand new passphrase' })).status).toBe(400);
    expect((await api(server, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: u.refreshToken } })).status).toBe(401);
  });
});

describe('request logs', () => {
  it('never hold a mailed token: the query value is redacted', () => {
    expect(redactUrl('/reset-password?token=mce_abcDEF123&next=%2F')).toBe('/reset-password?token=[redacted]&next=%2F');
    expect(redactUrl('/verify-email?x=1&TOKEN=mce_z#top')).toBe('/verify-email?x=1&TOKEN=[redacted]#top');
    expect(redactUrl('/api/v1/execute?wait=true')).toBe('/api/v1/execute?wait=true');
  });
});
