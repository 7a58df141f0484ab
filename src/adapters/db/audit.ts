import { desc, eq, sql } from 'drizzle-orm';
import type { AuditEntryInput, AuditRepository, StepOptions } from '../../core/ports';
import { runStep, sqlStep, whenApplied, type SqlStep } from './atomic';
import { iso, type Db } from './rows';
import { auditLogs } from './schema';

/** One audit row (`when`: only if an earlier step of the batch applied). */
export function appendAuditStep(entry: AuditEntryInput & { id: string; createdAt: Date }, options?: StepOptions): SqlStep<void> {
  return sqlStep(
    sql`insert into audit_logs (id, created_at, action, outcome, user_id, actor_id, ip_address, user_agent, request_id, metadata)
    select ${entry.id}::text, ${iso(entry.createdAt)}::timestamptz, ${entry.action}::text, ${entry.outcome}::text, ${entry.userId}::text,
           ${entry.actorId}::text, ${entry.ipAddress}::text, ${entry.userAgent}::text, ${entry.requestId}::text, ${JSON.stringify(entry.metadata)}::jsonb
    where ${whenApplied(options)}`,
    () => undefined,
    sql`exists (select 1 from audit_logs where id = ${entry.id}::text)`,
  );
}

// Append-only on purpose: the port offers no update or delete, and neither does this adapter.
export function auditRepository(db: Db): AuditRepository {
  return {
    append: (entry) => runStep(db, appendAuditStep(entry)),

    listForUser(userId, limit) {
      return db
        .select()
        .from(auditLogs)
        .where(eq(auditLogs.userId, userId))
        .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
        .limit(limit);
    },
  };
}
