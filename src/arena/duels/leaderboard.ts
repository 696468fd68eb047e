/**
 * The duel leaderboard: the top players by rating (cached until a rating changes: in process in
 * embedded mode, one Redis key in cluster mode so every replica drops it at once) and daily
 * snapshots (one row per UTC date of the database, taken by whichever replica gets there first;
 * the unique date makes the others' inserts no-ops).
 */
import { desc, eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Database } from '../../db/client.js';
import { duelRatings, leaderboardSnapshots, users } from '../../db/schema.js';
import { CallerError, ErrorCodes } from '../../errors.js';
import { isProvisional } from '../ratings/glicko2.js';

export interface LeaderboardEntry {
  rank: number;
  id: string;
  username: string;
  rating: number;
  rd: number;
  provisional: boolean;
  games: number;
  wins: number;
  losses: number;
  draws: number;
}

export interface LeaderboardSnapshot {
  date: string;
  takenAt: string;
  entries: LeaderboardEntry[];
}

export interface TopCache {
  get(): Promise<LeaderboardEntry[] | null>;
  set(v: LeaderboardEntry[]): Promise<void>;
  invalidate(): Promise<void>;
}

export class MemoryTopCache implements TopCache {
  private value: LeaderboardEntry[] | null = null;
  get(): Promise<LeaderboardEntry[] | null> {
    return Promise.resolve(this.value);
  }
  set(v: LeaderboardEntry[]): Promise<void> {
    this.value = v;
    return Promise.resolve();
  }
  invalidate(): Promise<void> {
    this.value = null;
    return Promise.resolve();
  }
}

export class RedisTopCache implements TopCache {
  private readonly key: string;
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlS = 300,
  ) {
    this.key = `${prefix}:leaderboard:top`;
  }
  async get(): Promise<LeaderboardEntry[] | null> {
    const raw = await this.redis.get(this.key);
    return raw === null ? null : (JSON.parse(raw) as LeaderboardEntry[]);
  }
  async set(v: LeaderboardEntry[]): Promise<void> {
    // The TTL only bounds a stale entry written by a read racing an invalidation.
    await this.redis.set(this.key, JSON.stringify(v), 'EX', this.ttlS);
  }
  async invalidate(): Promise<void> {
    await this.redis.del(this.key);
  }
}

export class LeaderboardService {
  /** Reads from the database (not the cache) since start, for tests and metrics. */
  computed = 0;
  private snapshotTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly database: Database,
    private readonly cache: TopCache,
    private readonly size: number,
  ) {}

  private async compute(): Promise<LeaderboardEntry[]> {
    this.computed += 1;
    const rows = await this.database.db
      .select({ id: users.id, username: users.username, r: duelRatings })
      .from(duelRatings)
      .innerJoin(users, eq(users.id, duelRatings.userId))
      .where(eq(users.isActive, true))
      .orderBy(desc(duelRatings.rating), users.username)
      .limit(this.size);
    return rows.map((x, i) => ({
      rank: i + 1,
      id: x.id,
      username: x.username,
      rating: Math.round(x.r.rating),
      rd: Math.round(x.r.rd),
      provisional: isProvisional(x.r),
      games: x.r.games,
      wins: x.r.wins,
      losses: x.r.losses,
      draws: x.r.draws,
    }));
  }

  async top(): Promise<LeaderboardEntry[]> {
    const cached = await this.cache.get();
    if (cached) return cached;
    const fresh = await this.compute();
    await this.cache.set(fresh);
    return fresh;
  }

  invalidate(): Promise<void> {
    return this.cache.invalidate();
  }

  /** Takes today's snapshot (the database's UTC date) unless it exists; returns the date. */
  async takeSnapshot(): Promise<string> {
    const [d] = await this.database.query<{ d: string }>(`select to_char(now() at time zone 'utc', 'YYYY-MM-DD') as d`);
    const date = d!.d;
    const [exists] = await this.database.db.select({ id: leaderboardSnapshots.id }).from(leaderboardSnapshots).where(eq(leaderboardSnapshots.snapshotDate, date));
    if (!exists) {
      await this.database.db.insert(leaderboardSnapshots).values({ snapshotDate: date, entries: await this.compute() }).onConflictDoNothing();
    }
    return date;
  }

  async snapshot(date: string | 'today'): Promise<LeaderboardSnapshot> {
    let day = date;
    if (date === 'today') {
      const [d] = await this.database.query<{ d: string }>(`select to_char(now() at time zone 'utc', 'YYYY-MM-DD') as d`);
      day = d!.d;
    }
    const [row] = await this.database.db.select().from(leaderboardSnapshots).where(eq(leaderboardSnapshots.snapshotDate, day));
    if (!row) throw new CallerError(ErrorCodes.snapshotNotFound, `no leaderboard snapshot for ${day}`, { date: day });
    return { date: row.snapshotDate, takenAt: row.createdAt.toISOString(), entries: row.entries as LeaderboardEntry[] };
  }

  /** The daily job: checks hourly (and at start) that today's snapshot exists. */
  startSnapshots(everyMs = 3_600_000): void {
    if (this.snapshotTimer) return;
    const run = () => void this.takeSnapshot().catch(() => undefined);
    run();
    this.snapshotTimer = setInterval(run, everyMs);
    this.snapshotTimer.unref();
  }

  stopSnapshots(): void {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.snapshotTimer = null;
  }
}
