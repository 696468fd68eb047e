import crypto from 'node:crypto';
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { apiKeys, users } from '../db/schema.js';
import { CallerError } from '../errors.js';
import type { AuthUser } from '../server/context.js';
import { HttpCodes, notFound } from '../server/http-errors.js';

/**
 * Personal access tokens (issue 12 item 3). A key is `mck_` + 43 base64url characters (32
 * random bytes); only its SHA-256 is stored, the key itself is shown once at creation. A key
 * acts as its owner, limited to its scopes, so rate limits and quotas (keyed by user id) are
 * the owner's. Every use reads the row: revocation and expiry take effect on the next request.
 */
export const API_KEY_PREFIX = 'mck_';
const KEY_RE = /^mck_[A-Za-z0-9_-]{43}$/;
export const API_KEY_SCOPES = ['execute', 'read', 'projects', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/** Keys per user, so a leaked session cannot fill the table. */
const MAX_KEYS_PER_USER = 50;
/** last_used_at is written at most this often per key (one UPDATE per request would be a hot row). */
const LAST_USED_RESOLUTION_S = 60;

export const isApiKeyShape = (token: string): boolean => token.startsWith(API_KEY_PREFIX);
const hashKey = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100).describe('What the key is for (shown in the list)'),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1)
    .max(API_KEY_SCOPES.length)
    .describe('execute: run code; read: GET anything; projects: change projects and files; admin: everything, including managing keys'),
  expiresAt: z.iso.datetime({ offset: true }).nullish().describe('When the key stops working (ISO 8601); omitted or null: never'),
});

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to tell keys apart'),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ApiKeyJson = z.output<typeof apiKeySchema>;

type Row = typeof apiKeys.$inferSelect;
const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const present = (r: Row): ApiKeyJson => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes as ApiKeyScope[],
  expiresAt: iso(r.expiresAt),
  lastUsedAt: iso(r.lastUsedAt),
  revokedAt: iso(r.revokedAt),
  createdAt: r.createdAt.toISOString(),
});

const invalidKey = (why: string) => new CallerError(HttpCodes.invalidToken, `invalid API key: ${why}`);

/**
 * The scope a request needs, from its method and path (one rule for every route, present and
 * future): key management and account routes need `admin`; GET/HEAD anything else `read`;
 * running code (`/execute`, a project's run, the compat APIs' submissions) `execute`; any other
 * change `projects`.
 */
export function requiredScope(method: string, path: string): ApiKeyScope {
  const p = path.split('?')[0] ?? '';
  if (/\/auth\/api-keys(\/|$)/.test(p)) return 'admin';
  if (method === 'GET' || method === 'HEAD') return /\/auth\//.test(p) && !/\/auth\/me$/.test(p) ? 'admin' : 'read';
  if (/\/auth\//.test(p)) return 'admin';
  if (/\/execute(\/|$)|\/run$|\/submissions(\/|$)|\/api\/v2\/execute$/.test(p)) return 'execute';
  return 'projects';
}

export function assertScope(user: AuthUser, method: string, path: string, need: ApiKeyScope = requiredScope(method, path)): void {
  if (!user.scopes) return; // an access token (a session) may do everything its user may
  if (user.scopes.includes('admin') || user.scopes.includes(need)) return;
  throw new CallerError(HttpCodes.insufficientScope, `this API key lacks the "${need}" scope`, { required: need, scopes: user.scopes });
}

export class ApiKeyService {
  constructor(private readonly db: Db) {}

  async create(userId: string, input: z.input<typeof createApiKeyInput>): Promise<ApiKeyJson & { key: string }> {
    const v = createApiKeyInput.parse(input);
    const expiresAt = v.expiresAt ? new Date(v.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new CallerError(HttpCodes.validation, 'expiresAt must be in the future');
    const [count] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
    if ((count?.n ?? 0) >= MAX_KEYS_PER_USER) throw new CallerError(HttpCodes.conflict, `at most ${MAX_KEYS_PER_USER} active API keys; revoke one first`);
    const key = API_KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
    const [row] = await this.db
      .insert(apiKeys)
      .values({ userId, name: v.name, prefix: key.slice(0, 12), keyHash: hashKey(key), scopes: [...new Set(v.scopes)], expiresAt })
      .returning();
    return { ...present(row!), key };
  }

  async list(userId: string): Promise<ApiKeyJson[]> {
    const rows = await this.db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt));
    return rows.map(present);
  }

  /** Revokes a key of `userId` (idempotent); 404 for anyone else's. */
  async revoke(userId: string, id: string): Promise<ApiKeyJson> {
    const [row] = await this.db
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
      .returning();
    if (!row) throw notFound('API key');
    return present(row);
  }

  /** The caller a key stands for, with its scopes. Throws 401 INVALID_TOKEN (never says which part was wrong beyond this). */
  async verify(key: string): Promise<AuthUser> {
    if (!KEY_RE.test(key)) throw invalidKey('malformed');
    const [found] = await this.db
      .select({ key: apiKeys, username: users.username, role: users.role, isActive: users.isActive })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(eq(apiKeys.keyHash, hashKey(key)));
    if (!found) throw invalidKey('unknown');
    if (found.key.revokedAt) throw invalidKey('revoked');
    if (found.key.expiresAt && found.key.expiresAt.getTime() <= Date.now()) throw invalidKey('expired');
    if (!found.isActive) throw invalidKey('the account is disabled');
    await this.db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, found.key.id),
          or(isNull(apiKeys.lastUsedAt), sql`${apiKeys.lastUsedAt} < now() - make_interval(secs => ${LAST_USED_RESOLUTION_S})`),
        ),
      );
    return { id: found.key.userId, username: found.username, role: found.role, apiKeyId: found.key.id, scopes: found.key.scopes };
  }
}

const services = new WeakMap<Db, ApiKeyService>();
export function apiKeysFor(db: Db): ApiKeyService {
  let s = services.get(db);
  if (!s) services.set(db, (s = new ApiKeyService(db)));
  return s;
}
