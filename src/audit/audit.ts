import type { Db } from '../db/client.js';
import { auditLogs } from '../db/schema.js';

/** Actions written by the auth service; other areas add their own strings. */
export const AuditActions = {
  register: 'register',
  login: 'login',
  loginFailed: 'login_failed',
  logout: 'logout',
  refreshReuse: 'refresh_reuse',
  apiKeyCreate: 'api_key_create',
  apiKeyRevoke: 'api_key_revoke',
  emailVerified: 'email_verified',
  passwordReset: 'password_reset',
} as const;

export interface AuditEntry {
  userId: string | null;
  action: string;
  resourceType?: string;
  /** A UUID (the column is uuid). */
  resourceId?: string;
  ip?: string;
  userAgent?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Appends one row to audit_logs. Pass a transaction as `db` to make the row part of it. The user
 * agent is the client's text: it is bounded so a huge header cannot bloat the table.
 */
export async function audit(db: Pick<Db, 'insert'>, entry: AuditEntry): Promise<void> {
  await db.insert(auditLogs).values({
    userId: entry.userId,
    action: entry.action,
    resourceType: entry.resourceType ?? null,
    resourceId: entry.resourceId ?? null,
    ipAddress: entry.ip ? entry.ip.slice(0, 64) : null,
    userAgent: entry.userAgent ? entry.userAgent.slice(0, 512) : null,
    metadata: entry.metadata ?? null,
  });
}
