import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRefreshToken, RefreshTokenCrypto, signAccessToken, verifyAccessJwt } from '../../src/auth/tokens.js';
import { CallerError } from '../../src/errors.js';
import { loadSecrets } from '../../src/server/secrets.js';
import { TEST_SECRETS, testConfig } from './helpers.js';

const user = { id: '7d0f6a52-3f0e-4c55-9a57-2d0a3b1f8e11', username: 'alice', role: 'user' };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CallerError) return err.code;
    throw err;
  }
  throw new Error('expected a CallerError, the call succeeded');
}

describe('access tokens', () => {
  it('are HS256 JWTs with sub, username, role, typ=access, iat and exp (15 min)', async () => {
    const t = await signAccessToken(user, TEST_SECRETS.jwt, 15 * 60_000);
    expect(decodeProtectedHeader(t)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ sub: user.id, username: 'alice', role: 'user', typ: 'access' });
    expect(payload.exp - payload.iat).toBe(900);
    expect(await verifyAccessJwt(t, TEST_SECRETS.jwt)).toEqual(user);
  });

  it('an expired token is TOKEN_EXPIRED; an expired forged one is INVALID_TOKEN (signature first)', async () => {
    const old = await signAccessToken(user, TEST_SECRETS.jwt, 15 * 60_000, Date.now() - 3_600_000);
    expect(await codeOf(verifyAccessJwt(old, TEST_SECRETS.jwt))).toBe('TOKEN_EXPIRED');
    const forgedOld = await signAccessToken(user, 'another-secret-of-at-least-32-characters!', 15 * 60_000, Date.now() - 3_600_000);
    expect(await codeOf(verifyAccessJwt(forgedOld, TEST_SECRETS.jwt))).toBe('INVALID_TOKEN');
  });

  it('refuses forged signatures, edited claims, alg none, other algorithms and non-access tokens', async () => {
    const good = await signAccessToken(user, TEST_SECRETS.jwt, 60_000);
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const bad: Record<string, string> = {
      otherSecret: await signAccessToken(user, 'another-secret-of-at-least-32-characters!', 60_000),
      editedRole: `${h}.${b64({ ...claims, role: 'admin' })}.${s}`,
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      algNoneWithSig: `${b64({ alg: 'none', typ: 'JWT' })}.${p}.${s}`,
      hs512SameSecret: await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(TEST_SECRETS.jwt)),
      refreshSecret: await signAccessToken(user, TEST_SECRETS.jwtRefresh, 60_000),
      notAccess: await new SignJWT({ ...claims, typ: 'refresh' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_SECRETS.jwt)),
      noExp: await new SignJWT({ sub: user.id, username: 'alice', role: 'user', typ: 'access' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(new TextEncoder().encode(TEST_SECRETS.jwt)),
      garbage: 'not.a.jwt',
      empty: '',
    };
    for (const [name, token] of Object.entries(bad)) {
      expect(`${name}: ${await codeOf(verifyAccessJwt(token, TEST_SECRETS.jwt))}`).toBe(`${name}: INVALID_TOKEN`);
    }
  });
});

describe('verified access tokens kept in memory (issue 15 item 4)', () => {
  it('a kept token still expires at its exp, is not valid under another secret, and its edits are refused', async () => {
    // Lives one second: verified (and kept) now, expired once its exp second has passed.
    const t = await signAccessToken(user, TEST_SECRETS.jwt, 1000);
    const exp = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).exp as number;
    expect(await verifyAccessJwt(t, TEST_SECRETS.jwt)).toEqual(user);
    expect(await verifyAccessJwt(t, TEST_SECRETS.jwt)).toEqual(user);
    // The kept entry is per secret: after a JWT_SECRET change the same token is refused.
    expect(await codeOf(verifyAccessJwt(t, 'another-secret-of-at-least-32-characters!'))).toBe('INVALID_TOKEN');
    // One character changed anywhere is another token: verified from scratch, refused.
    const [h, p, sig] = t.split('.') as [string, string, string];
    const flip = (x: string) => (x.startsWith('A') ? `B${x.slice(1)}` : `A${x.slice(1)}`);
    expect(await codeOf(verifyAccessJwt(`${h}.${p}.${flip(sig)}`, TEST_SECRETS.jwt))).toBe('INVALID_TOKEN');
    expect(await codeOf(verifyAccessJwt(`${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' })}.${sig}`, TEST_SECRETS.jwt))).toBe('INVALID_TOKEN');
    // A caller that edits the user it was given does not edit what is kept.
    const got = await verifyAccessJwt(t, TEST_SECRETS.jwt);
    got.role = 'admin';
    expect((await verifyAccessJwt(t, TEST_SECRETS.jwt)).role).toBe('user');
    while (Math.floor(Date.now() / 1000) < exp) await new Promise((r) => setTimeout(r, 100));
    expect(await codeOf(verifyAccessJwt(t, TEST_SECRETS.jwt))).toBe('TOKEN_EXPIRED');
  });
});

describe('refresh token crypto', () => {
  it('tokens are 256 random bits; the stored form is a keyed hash', () => {
    const a = generateRefreshToken();
    expect(a).toMatch(/^mcr_[A-Za-z0-9_-]{43}$/);
    expect(generateRefreshToken()).not.toBe(a);
    const c = new RefreshTokenCrypto(TEST_SECRETS.jwtRefresh);
    expect(c.hash(a)).toBe(c.hash(a));
    expect(c.hash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(new RefreshTokenCrypto('some-other-refresh-secret-of-32-chars!!').hash(a)).not.toBe(c.hash(a));
  });

  it('a sealed successor opens only with the same key, for the same predecessor, untampered', () => {
    const c = new RefreshTokenCrypto(TEST_SECRETS.jwtRefresh);
    const token = generateRefreshToken();
    const sealed = c.seal(token, 'row-1');
    expect(sealed).not.toContain(token.slice(4));
    expect(c.unseal(sealed, 'row-1')).toBe(token);
    expect(c.unseal(sealed, 'row-2')).toBeNull();
    expect(new RefreshTokenCrypto('some-other-refresh-secret-of-32-chars!!').unseal(sealed, 'row-1')).toBeNull();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(c.unseal('v1.' + raw.toString('base64url'), 'row-1')).toBeNull();
    expect(c.unseal('garbage', 'row-1')).toBeNull();
  });
});

describe('loadSecrets', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-secrets-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('embedded: generates two distinct 48-byte secrets once, in a 0600 file, and reuses them', () => {
    const dir = path.join(tmp(), 'nested');
    const config = testConfig({ DATA_DIR: dir });
    const first = loadSecrets(config);
    expect(first.jwt).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(first.jwtRefresh).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(first.jwt).not.toBe(first.jwtRefresh);
    // DATA_DIR/service is the unprivileged service user's part of the data dir.
    const file = path.join(dir, 'service', 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecrets(config)).toEqual(first);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['secrets.json']);
    // Another data dir, other secrets: nothing is a built-in default.
    expect(loadSecrets(testConfig({ DATA_DIR: tmp() })).jwt).not.toBe(first.jwt);

    fs.chmodSync(file, 0o644);
    loadSecrets(config);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('configured secrets win over the file', () => {
    const dir = tmp();
    const fromFile = loadSecrets(testConfig({ DATA_DIR: dir }));
    const s = loadSecrets(testConfig({ DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) }));
    expect(s).toEqual({ jwt: 'x'.repeat(40), jwtRefresh: fromFile.jwtRefresh });
    const both = loadSecrets(testConfig({ DATA_DIR: tmp(), JWT_SECRET: 'x'.repeat(40), JWT_REFRESH_SECRET: 'y'.repeat(40) }));
    expect(both).toEqual({ jwt: 'x'.repeat(40), jwtRefresh: 'y'.repeat(40) });
  });

  it('refuses a damaged file and, in cluster mode, missing secrets', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'service'));
    fs.writeFileSync(path.join(dir, 'service', 'secrets.json'), '{"jwtSecret":"short"}');
    expect(() => loadSecrets(testConfig({ DATA_DIR: dir }))).toThrow(/secrets\.json/);
    expect(() => loadSecrets({ mode: 'cluster', DATA_DIR: tmp(), JWT_SECRET: undefined, JWT_REFRESH_SECRET: undefined })).toThrow(/cluster mode requires/);
  });
});
