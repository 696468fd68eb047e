import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import { userQuotas } from '../db/schema.js';
import { CallerError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';
import type { Queryable } from './types.js';

const MB = 2 ** 20;

/**
 * Moves a user's storage counter (user_quotas.storage_used_bytes) by `delta` bytes, inside the
 * caller's transaction, so that the counter and the files it counts change together.
 *
 * Growth is one conditional statement: UPDATE ... SET used = used + delta WHERE used + delta <=
 * limit RETURNING. The row lock it takes makes concurrent writers of the same user queue, and
 * each re-evaluates the condition against the row the previous one committed (READ COMMITTED
 * re-checks the WHERE on the new row version), so two uploads can never together pass the
 * limit, as a check followed by an update could. The limit is the
 * per-user max_storage_mb when set, else QUOTA_STORAGE_MB (0: none). The counter is kept even
 * without a limit, for /stats. Shrinking is never refused and never goes below 0.
 */
export async function adjustStorage(q: Queryable, config: Pick<Config, 'QUOTA_STORAGE_MB'>, userId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  const t = userQuotas;
  // The row exists from here on (a user's first write creates it), so one UPDATE decides.
  await q.insert(t).values({ userId }).onConflictDoNothing();
  if (delta < 0) {
    await q
      .update(t)
      .set({ storageUsedBytes: sql`greatest(0, ${t.storageUsedBytes} + ${delta})`, updatedAt: sql`now()` })
      .where(eq(t.userId, userId));
    return;
  }
  const setting = config.QUOTA_STORAGE_MB > 0 ? config.QUOTA_STORAGE_MB : null;
  const limitMb = sql`coalesce(${t.maxStorageMb}, ${setting}::integer)`;
  const rows = await q
    .update(t)
    .set({ storageUsedBytes: sql`${t.storageUsedBytes} + ${delta}`, updatedAt: sql`now()` })
    .where(and(eq(t.userId, userId), sql`(${limitMb} is null or ${t.storageUsedBytes} + ${delta} <= ${limitMb}::bigint * ${MB})`))
    .returning({ id: t.userId });
  if (rows.length === 0) throw await refusal(q, config, userId, delta);
}

/** The QUOTA_EXCEEDED error, with the figures read again only to explain it. */
async function refusal(q: Queryable, config: Pick<Config, 'QUOTA_STORAGE_MB'>, userId: string, delta: number): Promise<CallerError> {
  const [row] = await q.select({ used: userQuotas.storageUsedBytes, max: userQuotas.maxStorageMb }).from(userQuotas).where(eq(userQuotas.userId, userId));
  const limit = row?.max ?? config.QUOTA_STORAGE_MB;
  const used = Number(row?.used ?? 0);
  return new CallerError(HttpCodes.quotaExceeded, `storage quota of ${limit} MB would be exceeded (${used} bytes used, ${delta} more asked)`, {
    quota: 'storage',
    limit,
    usedMb: Math.round((used / MB) * 100) / 100,
    requestedBytes: delta,
  });
}
