import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { executions, files, projects, projectStars, users } from '../db/schema.js';
import { notFound } from '../server/http-errors.js';

/**
 * Per-user figures. Each figure is its own scalar subquery: the seed's user_statistics view joins
 * projects, files and executions in one FROM and then has to COUNT(DISTINCT ...), and its
 * SUM(f.size_bytes) is multiplied by the number of executions. Deleted projects count nowhere.
 */

const MB = 2 ** 20;

/** For GET /stats: the caller's projects (not deleted) and the bytes of their files. */
export async function projectStatsFor(db: Db, userId: string): Promise<{ projects: number; storageBytes: number }> {
  const [r] = await db
    .select({
      projects: sql<number>`(select count(*) from ${projects} where ${projects.userId} = ${userId} and ${projects.deletedAt} is null)`.mapWith(Number),
      storage: sql<number>`(select coalesce(sum(f.size_bytes), 0) from ${files} f join ${projects} p on p.id = f.project_id
        where p.user_id = ${userId} and p.deleted_at is null)`.mapWith(Number),
    })
    .from(sql`(select 1) as one`);
  return { projects: r?.projects ?? 0, storageBytes: r?.storage ?? 0 };
}

export const userStatisticsSchema = z
  .object({
    scope: z
      .enum(['public', 'full'])
      .describe('public: what anyone may see (public projects and stars on them); full: your own profile, everything'),
    totalProjects: z.number().int().describe('projects not deleted: public ones only, or (your own profile) of any visibility'),
    publicProjects: z.number().int(),
    totalExecutions: z.number().int().nullable().describe('your own profile only; null to others'),
    storageUsedMb: z.number().nullable().describe('bytes of the files of the projects not deleted, in MB; your own profile only, null to others'),
    starsGiven: z.number().int().describe('stars on projects not deleted: on public ones only, or (your own profile) on any you starred'),
    starsReceived: z.number().int().describe('stars on this user’s projects not deleted: public ones only, or (your own profile) all'),
  })
  .describe("The first seed's user_statistics; to others, only public things count (red-team I4)");

export const profileSchema = z.object({
  username: z.string(),
  fullName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  createdAt: z.string(),
  statistics: userStatisticsSchema,
  projects: z
    .array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        description: z.string().nullable(),
        language: z.string(),
        isTemplate: z.boolean(),
        starCount: z.number().int(),
        updatedAt: z.string(),
      }),
    )
    .describe('the user’s public projects, most recently updated first (at most 20)'),
});

export type UserStatistics = z.output<typeof userStatisticsSchema>;
export type Profile = z.output<typeof profileSchema>;

/**
 * The figures of a user. `full` (the owner looking at their own profile) counts everything;
 * `public` counts only what anyone can see: public projects and stars on public projects, and
 * leaves out executions and storage, which would reveal activity in private projects.
 */
export async function userStatistics(db: Db, userId: string, scope: 'public' | 'full' = 'full'): Promise<UserStatistics> {
  const full = scope === 'full';
  const visible = full ? sql`true` : sql`p.visibility = 'public'`;
  const [r] = await db
    .select({
      total: sql<number>`(select count(*) from ${projects} p where p.user_id = ${userId} and p.deleted_at is null and ${visible})`.mapWith(Number),
      pub: sql<number>`(select count(*) from ${projects} where ${projects.userId} = ${userId} and ${projects.deletedAt} is null and ${projects.visibility} = 'public')`.mapWith(
        Number,
      ),
      execs: full ? sql<number>`(select count(*) from ${executions} where ${executions.userId} = ${userId})`.mapWith(Number) : sql<number>`0`.mapWith(Number),
      storage: full
        ? sql<number>`(select coalesce(sum(f.size_bytes), 0) from ${files} f join ${projects} p on p.id = f.project_id
        where p.user_id = ${userId} and p.deleted_at is null)`.mapWith(Number)
        : sql<number>`0`.mapWith(Number),
      given: sql<number>`(select count(*) from ${projectStars} s join ${projects} p on p.id = s.project_id
        where s.user_id = ${userId} and p.deleted_at is null and ${visible})`.mapWith(Number),
      received: sql<number>`(select count(*) from ${projectStars} s join ${projects} p on p.id = s.project_id
        where p.user_id = ${userId} and p.deleted_at is null and ${visible})`.mapWith(Number),
    })
    .from(sql`(select 1) as one`);
  return {
    scope,
    totalProjects: r?.total ?? 0,
    publicProjects: r?.pub ?? 0,
    totalExecutions: full ? (r?.execs ?? 0) : null,
    storageUsedMb: full ? Math.round(((r?.storage ?? 0) / MB) * 100) / 100 : null,
    starsGiven: r?.given ?? 0,
    starsReceived: r?.received ?? 0,
  };
}

/**
 * GET /users/{username}: public; no email, no private project is named, and to anyone but the
 * user only public things count. Disabled accounts are 404.
 */
export async function userProfile(db: Db, username: string, viewer: { id: string } | null = null): Promise<Profile> {
  const [u] = await db
    .select()
    .from(users)
    .where(and(eq(sql`lower(${users.username})`, username.toLowerCase()), eq(users.isActive, true)));
  if (!u) throw notFound('user');
  const [statistics, list] = await Promise.all([
    userStatistics(db, u.id, viewer?.id === u.id ? 'full' : 'public'),
    db
      .select()
      .from(projects)
      .where(and(eq(projects.userId, u.id), eq(projects.visibility, 'public'), isNull(projects.deletedAt)))
      .orderBy(desc(projects.updatedAt), desc(projects.id))
      .limit(20),
  ]);
  return {
    username: u.username,
    fullName: u.fullName,
    avatarUrl: u.avatarUrl,
    createdAt: u.createdAt.toISOString(),
    statistics,
    projects: list.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      language: p.language,
      isTemplate: p.isTemplate,
      starCount: p.starCount,
      updatedAt: p.updatedAt.toISOString(),
    })),
  };
}
