import crypto from 'node:crypto';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane): about 20-40 ms per
 * hash here, memory-hard so that a stolen table is expensive to attack.
 */
const PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

/** False for a wrong password and for a hash that cannot be parsed (never throws on bad input). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Burns the same time as a real verification, for logins with an unknown email: the answer and
 * its timing must not tell whether an account exists. The dummy hash uses the same parameters.
 */
export async function dummyVerify(password: string): Promise<void> {
  dummyHash ??= hash('muscode-dummy-' + crypto.randomUUID(), PARAMS);
  await verifyPassword(await dummyHash, password);
}
