import type { Db } from '../db/client.js';
import type { comments, files, projects } from '../db/schema.js';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** The database or a transaction: services take either, so callers decide what is atomic. */
export type Queryable = Db | Tx;

export type ProjectRow = typeof projects.$inferSelect;
export type FileRow = typeof files.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;

export const VISIBILITIES = ['private', 'public', 'unlisted'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Where a request came from, for audit rows. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

/** Soft-deleted projects stay restorable this long, then count as gone. */
export const RESTORE_WINDOW_DAYS = 30;
