import crypto from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { CallerError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';
import type { AuthUser } from '../server/context.js';

/**
 * Access tokens are short-lived HS256 JWTs. Refresh tokens are opaque random strings: they are
 * looked up in the database on every use anyway (rotation, revocation, reuse detection), so a
 * signature would add size and a second failure mode but no protection. They are stored only as
 * an HMAC keyed from JWT_REFRESH_SECRET, so a read of the table alone neither yields usable
 * tokens nor lets someone with write access to it mint a row for a token they know.
 */

export const ACCESS_ALG = 'HS256';
export const ACCESS_TYP = 'access';

export interface AccessClaims {
  sub: string;
  username: string;
  role: string;
  typ: typeof ACCESS_TYP;
  /** The session (refresh-token family) the token was issued in; lets a header-only logout end it. */
  sid?: string;
  iat: number;
  exp: number;
}

const encoder = new TextEncoder();
const hmacKey = (secret: string): Uint8Array => encoder.encode(secret);

/** Signs an access token for `user` that lives `ttlMs` from `nowMs`. */
export async function signAccessToken(user: AuthUser, secret: string, ttlMs: number, nowMs: number = Date.now(), sessionId?: string): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ username: user.username, role: user.role, typ: ACCESS_TYP, ...(sessionId ? { sid: sessionId } : {}) })
    .setProtectedHeader({ alg: ACCESS_ALG, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.max(1, Math.round(ttlMs / 1000)))
    .sign(hmacKey(secret));
}

const invalidToken = (why: string) => new CallerError(HttpCodes.invalidToken, `invalid access token: ${why}`);

/**
 * Access tokens already verified, per secret: token -> the user and its `exp` (issue 15 item 4:
 * jose's HMAC check through WebCrypto cost 100–250 µs of CPU per request, a lookup here about
 * 1 µs). Access tokens are stateless (docs/auth.md: a logout or a password reset does not recall
 * them, they expire), so a verification's outcome depends only on the token, the secret and the
 * clock; the entry is dropped once `exp` has passed (the same instant jose would say expired).
 * Only tokens that verified are kept, and only those could be minted with the secret, so a flood
 * of garbage tokens cannot fill it; it is bounded all the same (oldest entries go first).
 */
const VERIFIED_MAX = 10_000;
const verified = new Map<string, Map<string, { user: AuthUser; exp: number }>>();
/** The HMAC key imported once per secret (jose would import the raw bytes on every call). */
const verifyKeys = new Map<string, Promise<CryptoKey>>();

function verifyKeyFor(secret: string): Promise<CryptoKey> {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = crypto.webcrypto.subtle.importKey('raw', hmacKey(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    if (verifyKeys.size >= 8) verifyKeys.clear(); // secrets change rarely (tests make many)
    verifyKeys.set(secret, key);
  }
  return key;
}

/**
 * Verifies an access token: HS256 only (alg "none" and every other algorithm are refused before
 * anything else is looked at), signature first, then exp, then the claim shapes. Throws
 * CallerError TOKEN_EXPIRED or INVALID_TOKEN (both 401). A token that verified before (with no
 * `expiredToleranceS`) and has not expired is answered from memory (see `verified`).
 */
export async function verifyAccessJwt(token: string, secret: string, opts: { expiredToleranceS?: number } = {}): Promise<AuthUser> {
  const strict = !opts.expiredToleranceS;
  let bySecret = verified.get(secret);
  if (strict && bySecret) {
    const hit = bySecret.get(token);
    if (hit) {
      // jose: expired when exp <= now (whole seconds, no tolerance).
      if (hit.exp > Math.floor(Date.now() / 1000)) return { ...hit.user };
      bySecret.delete(token);
    }
  }
  // A JWT is three base64url segments; anything else is refused without parsing it.
  if (token.length > 4096 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) throw invalidToken('malformed');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, await verifyKeyFor(secret), { algorithms: [ACCESS_ALG], requiredClaims: ['sub', 'exp', 'iat'], clockTolerance: opts.expiredToleranceS ?? 0 }));
  } catch (err) {
    // jose checks the signature before the claims, so a forged token never reaches "expired".
    if (err instanceof joseErrors.JWTExpired) throw new CallerError(HttpCodes.tokenExpired, 'the access token has expired; refresh it');
    if (err instanceof joseErrors.JOSEAlgNotAllowed) throw invalidToken('algorithm not allowed');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw invalidToken('bad signature');
    throw invalidToken('not a valid token');
  }
  const { sub, username, role, typ, sid } = payload;
  if (typ !== ACCESS_TYP) throw invalidToken('not an access token');
  if (typeof sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(sub)) throw invalidToken('bad subject');
  if (typeof username !== 'string' || typeof role !== 'string') throw invalidToken('missing claims');
  const user: AuthUser = typeof sid === 'string' ? { id: sub, username, role, sessionId: sid } : { id: sub, username, role };
  if (strict && typeof payload.exp === 'number') {
    if (!bySecret) {
      if (verified.size >= 8) verified.clear();
      verified.set(secret, (bySecret = new Map()));
    }
    if (bySecret.size >= VERIFIED_MAX) bySecret.delete(bySecret.keys().next().value!);
    bySecret.set(token, { user: { ...user }, exp: payload.exp });
  }
  return user;
}

/** Prefix so that a refresh token is recognisable in logs and secret scanners. */
export const REFRESH_PREFIX = 'mcr_';
const REFRESH_RE = /^mcr_[A-Za-z0-9_-]{43}$/;

/** 256 random bits. */
export function generateRefreshToken(): string {
  return REFRESH_PREFIX + crypto.randomBytes(32).toString('base64url');
}

export function isRefreshTokenShape(token: string): boolean {
  return REFRESH_RE.test(token);
}

/**
 * Keys derived from JWT_REFRESH_SECRET (HKDF-SHA256, one label per purpose, so the hash key and
 * the sealing key are never the same bytes).
 */
export class RefreshTokenCrypto {
  readonly #hashKey: Buffer;
  readonly #sealKey: Buffer;

  constructor(refreshSecret: string) {
    const ikm = Buffer.from(refreshSecret, 'utf8');
    this.#hashKey = Buffer.from(crypto.hkdfSync('sha256', ikm, 'muscode', 'refresh-token-hash/v1', 32));
    this.#sealKey = Buffer.from(crypto.hkdfSync('sha256', ikm, 'muscode', 'refresh-successor-seal/v1', 32));
  }

  /** HMAC-SHA256 of the token, hex (64 chars): what the database stores. */
  hash(token: string): string {
    return crypto.createHmac('sha256', this.#hashKey).update(token).digest('hex');
  }

  /**
   * AES-256-GCM of the successor token, bound (as additional data) to the predecessor's row id
   * so a sealed value cannot be moved to another row. Format: "v1." + base64url(iv|tag|ct).
   */
  seal(token: string, boundTo: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.#sealKey, iv);
    c.setAAD(Buffer.from(boundTo));
    const ct = Buffer.concat([c.update(token, 'utf8'), c.final()]);
    return 'v1.' + Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url');
  }

  /** The sealed token, or null when it does not authenticate (other key, other row, tampered). */
  unseal(sealed: string, boundTo: string): string | null {
    if (!sealed.startsWith('v1.')) return null;
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    if (raw.length < 12 + 16 + 1) return null;
    try {
      const d = crypto.createDecipheriv('aes-256-gcm', this.#sealKey, raw.subarray(0, 12));
      d.setAAD(Buffer.from(boundTo));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
