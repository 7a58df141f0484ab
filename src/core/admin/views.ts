import type { AdminUserRecord, AuditRecord } from '../ports';
import { toPublicUser, type PublicUser } from '../users';

// API.md objects as the admin API shows them.

/** The User object plus what only admins see (API.md "admin views"). */
export interface AdminUserView extends PublicUser {
  lockedUntil: string | null;
  deletedAt: string | null;
  failedLoginCount: number;
  oauthProviders: string[];
}

export function toAdminUser(user: AdminUserRecord): AdminUserView {
  return {
    ...toPublicUser(user),
    lockedUntil: user.lockedUntil?.toISOString() ?? null,
    deletedAt: user.deletedAt?.toISOString() ?? null,
    failedLoginCount: user.failedLoginCount,
    oauthProviders: user.oauthProviders,
  };
}

/** API.md's AuditEntry: the stored row with its instant as an ISO string. */
export type AuditEntryView = Omit<AuditRecord, 'createdAt'> & { createdAt: string };

export function toAuditEntry(entry: AuditRecord): AuditEntryView {
  // Named fields, not a spread: a column added to the table later must not reach the API unannounced.
  const { id, createdAt, action, outcome, userId, actorId, ipAddress, userAgent, requestId, metadata } = entry;
  return { id, createdAt: createdAt.toISOString(), action, outcome, userId, actorId, ipAddress, userAgent, requestId, metadata };
}
