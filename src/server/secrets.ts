import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { ErrorCodes, SystemError } from '../errors.js';
import type { Secrets } from './context.js';

export const SECRETS_FILE = 'secrets.json';

interface SecretsFile {
  jwtSecret: string;
  jwtRefreshSecret: string;
}

const fail = (message: string) => new SystemError(ErrorCodes.invalidConfig, message);
const generate = () => crypto.randomBytes(48).toString('base64url');

/**
 * The signing secrets. Cluster mode: JWT_SECRET and JWT_REFRESH_SECRET are required (replicas
 * must agree; config refuses to start without them). Embedded mode: a secret that is not set is
 * taken from `${DATA_DIR}/service/secrets.json`, which is created on first start with 48 random bytes per
 * secret and mode 0600, so sessions survive restarts. There is never a built-in default secret.
 */
export function loadSecrets(config: Pick<Config, 'mode' | 'DATA_DIR' | 'JWT_SECRET' | 'JWT_REFRESH_SECRET'>): Secrets {
  let jwt = config.JWT_SECRET;
  let jwtRefresh = config.JWT_REFRESH_SECRET;
  if (!jwt || !jwtRefresh) {
    if (config.mode === 'cluster') throw fail('cluster mode requires JWT_SECRET and JWT_REFRESH_SECRET');
    // DATA_DIR/service belongs to the unprivileged service user (see src/supervisor).
    const stored = readOrCreate(path.join(config.DATA_DIR, 'service', SECRETS_FILE));
    jwt ??= stored.jwtSecret;
    jwtRefresh ??= stored.jwtRefreshSecret;
  }
  if (jwt === jwtRefresh) throw fail('JWT_SECRET and JWT_REFRESH_SECRET must differ');
  return Object.freeze({ jwt, jwtRefresh });
}

function readOrCreate(file: string): SecretsFile {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) {
    // Write a private temp file, then link it into place: link fails if another process won the
    // race, and nobody ever reads a half-written file.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    const fresh: SecretsFile = { jwtSecret: generate(), jwtRefreshSecret: generate() };
    fs.writeFileSync(tmp, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  // Someone may have loosened the mode by hand: these secrets sign every session.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw fail(`${file} is not valid JSON; delete it to generate new secrets (this logs everyone out)`);
  }
  const p = parsed as Partial<SecretsFile> | null;
  if (!p || typeof p.jwtSecret !== 'string' || typeof p.jwtRefreshSecret !== 'string' || p.jwtSecret.length < 32 || p.jwtRefreshSecret.length < 32) {
    throw fail(`${file} does not hold two secrets of at least 32 characters; delete it to generate new ones (this logs everyone out)`);
  }
  return { jwtSecret: p.jwtSecret, jwtRefreshSecret: p.jwtRefreshSecret };
}
