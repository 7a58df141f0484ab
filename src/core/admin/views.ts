import type { AdminUserRecord, AuditOutcome, AuditRecord } from '../ports';
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

export interface AuditEntryView {
  id: string;
  createdAt: string;
  action: string;
  outcome: AuditOutcome;
  userId: string | null;
  actorId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

export function toAuditEntry(entry: AuditRecord): AuditEntryView {
  return {
    id: entry.id,
    createdAt: entry.createdAt.toISOString(),
    action: entry.action,
    outcome: entry.outcome,
    userId: entry.userId,
    actorId: entry.actorId,
    ipAddress: entry.ipAddress,
    userAgent: entry.userAgent,
    requestId: entry.requestId,
    metadata: entry.metadata,
  };
}
