// The audit trail's port: rows appended by the domain, read back by the admin views.

export type AuditOutcome = 'success' | 'failure';

export interface AuditEntryInput {
  action: string;
  outcome: AuditOutcome;
  userId: string | null;
  actorId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

/**
 * An audit row written by the statement that makes the change it records, in the same commit: its user (and actor)
 * are the rotated session's user, and the session's id is added to its metadata as `sessionId`.
 */
export type SessionAuditRow = Omit<AuditRecord, 'userId' | 'actorId'>;

export interface AuditRecord extends AuditEntryInput {
  id: string;
  createdAt: Date;
}

export interface AuditRepository {
  /** Append-only: there is no update or delete. */
  append(entry: AuditRecord): Promise<void>;
  listForUser(userId: string, limit: number): Promise<AuditRecord[]>;
}
