import { eq, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { userQuotas } from '../db/schema.js';
import { CallerError } from '../errors.js';
import { HttpCodes } from '../server/http-errors.js';

/** Which quota refused a request. */
export type QuotaKind = 'daily' | 'monthly' | 'storage';

export interface QuotaFigure {
  used: number;
  /** null: no limit (the setting is 0 and the user has no override). */
  limit: number | null;
  /** ISO time at which `used` goes back to 0. */
  resetAt: string;
}

export interface QuotaUsage {
  daily: QuotaFigure;
  monthly: QuotaFigure;
  storage: { usedBytes: number; usedMb: number; limitMb: number | null };
}

/** The UTC day and month as stored in last_reset_daily / last_reset_monthly, computed by the database. */
const TODAY = sql`to_char(now() at time zone 'utc', 'YYYY-MM-DD')`;
const THIS_MONTH = sql`to_char(now() at time zone 'utc', 'YYYY-MM')`;

/** Next UTC midnight and first of next month after `day` ("YYYY-MM-DD"). */
export function resetTimes(day: string): { daily: string; monthly: string } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return { daily: new Date(Date.UTC(y, m - 1, d + 1)).toISOString(), monthly: new Date(Date.UTC(y, m, 1)).toISOString() };
}

const limitOf = (override: number | null | undefined, setting: number): number | null => override ?? (setting > 0 ? setting : null);

/**
 * Per-user quotas in the first seed's user_quotas table: executions per UTC day and month, and
 * storage (for projects). The per-user columns max_executions_daily/monthly and max_storage_mb
 * win over the settings when set; a setting of 0 means no limit.
 */
export class QuotaService {
  /** The upsert on every run's path, prepared once (the user id is its only parameter). */
  private readonly consumeStatement;
  /**
   * The same upsert as SQL (parameter: the placeholder `userId`), returning the user's id when
   * admitted and no row when refused: the execution insert runs it as a CTE (issue 15), so that
   * a run costs one statement for its quota and its row.
   */
  readonly consumeSql: SQL;

  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'QUOTA_EXECUTIONS_DAILY' | 'QUOTA_EXECUTIONS_MONTHLY' | 'QUOTA_STORAGE_MB'>,
  ) {
    const q = userQuotas;
    const dailyDefault = config.QUOTA_EXECUTIONS_DAILY > 0 ? config.QUOTA_EXECUTIONS_DAILY : null;
    const monthlyDefault = config.QUOTA_EXECUTIONS_MONTHLY > 0 ? config.QUOTA_EXECUTIONS_MONTHLY : null;
    // Today's and this month's counts before this call (a stale day or month counts as 0).
    const usedToday = sql`(case when ${q.lastResetDaily} = ${TODAY} then ${q.executionsToday} else 0 end)`;
    const usedMonth = sql`(case when ${q.lastResetMonthly} = ${THIS_MONTH} then ${q.executionsMonth} else 0 end)`;
    const dailyLimit = sql`coalesce(${q.maxExecutionsDaily}, ${dailyDefault}::integer)`;
    const monthlyLimit = sql`coalesce(${q.maxExecutionsMonthly}, ${monthlyDefault}::integer)`;
    // A user's first run: no row yet, so no override; admitted unless a default limit is below 1
    // (never: 0 means off).
    const consume = db
      .insert(q)
      .values({ userId: sql`${sql.placeholder('userId')}::uuid`, executionsToday: 1, executionsMonth: 1, lastResetDaily: TODAY, lastResetMonthly: THIS_MONTH })
      .onConflictDoUpdate({
        target: q.userId,
        set: {
          executionsToday: sql`${usedToday} + 1`,
          executionsMonth: sql`${usedMonth} + 1`,
          lastResetDaily: TODAY,
          lastResetMonthly: THIS_MONTH,
          updatedAt: sql`now()`,
        },
        setWhere: sql`(${dailyLimit} is null or ${usedToday} < ${dailyLimit}) and (${monthlyLimit} is null or ${usedMonth} < ${monthlyLimit})`,
      })
      .returning({ id: q.userId });
    this.consumeSql = consume.getSQL();
    this.consumeStatement = consume.prepare('muscode_quota_consume');
  }

  /**
   * Counts one execution for `userId`, or refuses it with 429 QUOTA_EXCEEDED. One statement does
   * the reset, the check and the increment: the row lock taken by ON CONFLICT DO UPDATE makes
   * concurrent calls queue, and each re-reads the row the previous one wrote, so N parallel
   * calls against K remaining admit exactly K. The count is kept even when no limit is set, so
   * that /stats can show it.
   */
  async consumeExecution(userId: string): Promise<void> {
    let rows: { id: string }[];
    try {
      rows = await this.consumeStatement.execute({ userId });
    } catch (err) {
      throw accountGoneOr(err);
    }
    if (rows.length > 0) return;
    await this.refuse(userId);
  }

  /**
   * Throws the 429 for a refused run. Which quota is read again only to explain it; the decision
   * (the upsert, alone or as the execution insert's CTE) was atomic.
   */
  async refuse(userId: string): Promise<never> {
    const usage = await this.usage(userId);
    const which: 'daily' | 'monthly' = usage.daily.limit !== null && usage.daily.used >= usage.daily.limit ? 'daily' : 'monthly';
    const figure = usage[which];
    throw new CallerError(
      HttpCodes.quotaExceeded,
      `${which} execution quota of ${figure.limit} reached; it resets at ${figure.resetAt}`,
      { quota: which, limit: figure.limit, used: figure.used, resetAt: figure.resetAt },
    );
  }

  /** The caller's figures as of now (stale counters read as 0), for /stats and error details. */
  async usage(userId: string): Promise<QuotaUsage> {
    const q = userQuotas;
    const [row] = await this.db
      .select({
        today: TODAY.mapWith(String),
        usedToday: sql<number>`(case when ${q.lastResetDaily} = ${TODAY} then ${q.executionsToday} else 0 end)`.mapWith(Number),
        usedMonth: sql<number>`(case when ${q.lastResetMonthly} = ${THIS_MONTH} then ${q.executionsMonth} else 0 end)`.mapWith(Number),
        storage: q.storageUsedBytes,
        maxDaily: q.maxExecutionsDaily,
        maxMonthly: q.maxExecutionsMonthly,
        maxStorage: q.maxStorageMb,
      })
      .from(q)
      .where(eq(q.userId, userId));
    const today = row?.today ?? (await this.today());
    const reset = resetTimes(today);
    const storageBytes = Number(row?.storage ?? 0);
    return {
      daily: { used: row?.usedToday ?? 0, limit: limitOf(row?.maxDaily, this.config.QUOTA_EXECUTIONS_DAILY), resetAt: reset.daily },
      monthly: { used: row?.usedMonth ?? 0, limit: limitOf(row?.maxMonthly, this.config.QUOTA_EXECUTIONS_MONTHLY), resetAt: reset.monthly },
      storage: { usedBytes: storageBytes, usedMb: bytesToMb(storageBytes), limitMb: limitOf(row?.maxStorage, this.config.QUOTA_STORAGE_MB) },
    };
  }

  /** Bytes of project storage the user holds (kept by the projects code in storage_used_bytes). */
  async storageUsed(userId: string): Promise<number> {
    const [row] = await this.db.select({ bytes: userQuotas.storageUsedBytes }).from(userQuotas).where(eq(userQuotas.userId, userId));
    return Number(row?.bytes ?? 0);
  }

  /**
   * Refuses (429 QUOTA_EXCEEDED, details.quota "storage") when `addBytes` more would take the
   * user over the storage quota. A check only: the projects code updates storage_used_bytes in
   * the same transaction as the files it writes.
   */
  async checkStorage(userId: string, addBytes: number): Promise<void> {
    const { storage } = await this.usage(userId);
    if (storage.limitMb === null || addBytes <= 0) return;
    const limitBytes = storage.limitMb * 2 ** 20;
    if (storage.usedBytes + addBytes > limitBytes) {
      throw new CallerError(HttpCodes.quotaExceeded, `storage quota of ${storage.limitMb} MB would be exceeded`, {
        quota: 'storage',
        limit: storage.limitMb,
        usedMb: storage.usedMb,
        requestedBytes: addBytes,
      });
    }
  }

  private async today(): Promise<string> {
    const [r] = await this.db.select({ today: TODAY.mapWith(String) }).from(sql`(select 1) as one`);
    return r!.today;
  }
}

const bytesToMb = (b: number) => Math.round((b / 2 ** 20) * 100) / 100;

/**
 * The error to throw for a failed quota statement: a foreign key violation means the token is
 * valid but its account was deleted since (401); anything else is returned as it is.
 */
export function accountGoneOr(err: unknown): unknown {
  return pgCode(err) === '23503' ? new CallerError(HttpCodes.unauthorized, 'the account no longer exists') : err;
}

export function pgCode(err: unknown): string | undefined {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
