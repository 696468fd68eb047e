import { count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { executions } from '../db/schema.js';
import type { QuotaService } from '../guards/quotas.js';
import { projectStatsFor } from '../projects/stats.js';

const quotaFigure = z.object({
  used: z.number().int(),
  limit: z.number().int().nullable().describe('null: no limit'),
  resetAt: z.string().describe('ISO 8601, UTC'),
});

export const statsSchema = z
  .object({
    totalExecutions: z.number().int(),
    totalProjects: z.number().int().describe('projects not deleted'),
    storageUsed: z.number().describe('MB'),
    executionTimeToday: z.number().describe('seconds of run-stage wall time today (UTC)'),
    executionsToday: z.number().int().describe('runs created today (UTC)'),
    executionsThisMonth: z.number().int().describe('runs created this month (UTC)'),
    averageExecutionTime: z.number().describe('seconds, mean run-stage wall time of the runs that ran (0 when none)'),
    executionsByStatus: z.record(z.string(), z.number().int()).describe('queued, running, completed, timeout, failed, cancelled'),
    executionsByVerdict: z.record(z.string(), z.number().int()).describe('the engine status of the deciding stage: ok, runtime_error, ...'),
    languages: z.record(z.string(), z.number().int()).describe('executions per language id'),
    quota: z.object({
      daily: quotaFigure,
      monthly: quotaFigure,
      storage: z.object({ usedMb: z.number(), limitMb: z.number().int().nullable() }),
    }),
  })
  .describe("The caller's own figures (the first seed's fields first)");

export type Stats = z.output<typeof statsSchema>;

/** Start of the current UTC day / month as timestamptz, computed by the database. */
const dayStart = sql`(date_trunc('day', now() at time zone 'utc') at time zone 'utc')`;
const monthStart = sql`(date_trunc('month', now() at time zone 'utc') at time zone 'utc')`;

export async function userStats(db: Db, quotas: QuotaService, userId: string): Promise<Stats> {
  const mine = eq(executions.userId, userId);
  const grouped = async (column: typeof executions.status | typeof executions.verdict | typeof executions.language) => {
    const rows = await db.select({ key: column, n: count() }).from(executions).where(mine).groupBy(column);
    return Object.fromEntries(rows.filter((r) => r.key !== null).map((r) => [r.key as string, Number(r.n)])) as Record<string, number>;
  };
  const [[totals], byStatus, byVerdict, byLanguage, usage, mineProjects] = await Promise.all([
    db
      .select({
        total: count(),
        today: sql<number>`count(*) filter (where ${executions.createdAt} >= ${dayStart})`.mapWith(Number),
        month: sql<number>`count(*) filter (where ${executions.createdAt} >= ${monthStart})`.mapWith(Number),
        avgWallMs: sql<number | null>`avg(${executions.wallMs})`.mapWith((v) => (v === null ? null : Number(v))),
        wallMsToday: sql<number>`coalesce(sum(${executions.wallMs}) filter (where ${executions.createdAt} >= ${dayStart}), 0)`.mapWith(Number),
      })
      .from(executions)
      .where(mine),
    grouped(executions.status),
    grouped(executions.verdict),
    grouped(executions.language),
    quotas.usage(userId),
    projectStatsFor(db, userId),
  ]);
  const seconds = (ms: number) => Math.round(ms) / 1000;
  return {
    totalExecutions: Number(totals?.total ?? 0),
    totalProjects: mineProjects.projects,
    storageUsed: Math.round((mineProjects.storageBytes / 2 ** 20) * 100) / 100,
    executionTimeToday: seconds(totals?.wallMsToday ?? 0),
    executionsToday: totals?.today ?? 0,
    executionsThisMonth: totals?.month ?? 0,
    averageExecutionTime: seconds(totals?.avgWallMs ?? 0),
    executionsByStatus: byStatus,
    executionsByVerdict: byVerdict,
    languages: byLanguage,
    quota: { daily: usage.daily, monthly: usage.monthly, storage: { usedMb: usage.storage.usedMb, limitMb: usage.storage.limitMb } },
  };
}
