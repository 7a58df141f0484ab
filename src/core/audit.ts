import { newId } from './crypto';
import type { CoreDeps, RequestContext } from './deps';
import type { AuditRecord, AuditOutcome, SessionAuditRow } from './ports';

// API.md "Audit action names". Audit metadata never holds passwords, codes or tokens.
export type AuditAction =
  | 'REGISTER' | 'LOGIN_SUCCESS' | 'LOGIN_FAILURE' | 'ACCOUNT_LOCKED' | 'LOGOUT' | 'TOKEN_REFRESHED'
  | 'TOKEN_REUSE_DETECTED' | 'SESSION_REVOKED' | 'PASSWORD_CHANGED' | 'PASSWORD_RESET_REQUESTED' | 'PASSWORD_RESET'
  | 'EMAIL_VERIFIED' | 'MFA_ENABLED' | 'MFA_DISABLED' | 'MFA_FAILURE' | 'MFA_REPLAY' | 'BACKUP_CODE_USED'
  | 'BACKUP_CODES_REGENERATED' | 'OAUTH_LOGIN' | 'OAUTH_LINKED' | 'USER_UPDATED_BY_ADMIN' | 'ROLE_CHANGED' | 'ACCESS_DENIED'
  | 'PASSKEY_ADDED' | 'PASSKEY_REMOVED' | 'PASSKEY_LOGIN' | 'PASSKEY_CLONE_SUSPECTED' | 'OAUTH_UNLINKED';

export interface AuditFact {
  action: AuditAction;
  outcome: AuditOutcome;
  userId: string | null;
  actorId?: string | null;
  metadata?: Record<string, unknown>;
}

export async function recordAudit(deps: Pick<CoreDeps, 'db' | 'clock' | 'logger'>, ctx: RequestContext, entry: AuditFact): Promise<void> {
  await deps.db.audit.append(auditRow(deps, ctx, entry));
}

/** The row recordAudit writes, for a write that must commit with others (`db.atomic`: `writes.audit.append(row)`). */
export function auditRow(deps: Pick<CoreDeps, 'clock'>, ctx: RequestContext, entry: AuditFact): AuditRecord {
  return {
    ...sessionAuditRow(deps, ctx, entry),
    userId: entry.userId,
    // The user acts on their own account unless told otherwise; an explicit null is "no person" (the operator CLI).
    actorId: entry.actorId === undefined ? entry.userId : entry.actorId,
  };
}

/**
 * The row of a session write that audits itself (sign-in, rotation): the statement fills in the session's user as
 * user and actor (ports.ts SessionAuditRow).
 */
export function sessionAuditRow(deps: Pick<CoreDeps, 'clock'>, ctx: RequestContext, entry: Omit<AuditFact, 'userId' | 'actorId'>): SessionAuditRow {
  return {
    id: newId(),
    createdAt: new Date(deps.clock.nowMs()),
    action: entry.action,
    outcome: entry.outcome,
    ipAddress: ctx.ipAddress,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    metadata: storable(entry.metadata ?? {}) as Record<string, unknown>,
  };
}

// Metadata can quote the request (the path of a refused admin call). PostgreSQL's jsonb refuses \u0000 and unpaired
// surrogate escapes, so such a path turned the audit of a refusal into a 500 (test/http/fuzz.test.ts): they are
// stored as U+FFFD instead.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD');
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)]));
  return value;
}
