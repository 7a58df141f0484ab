import { desc, eq, sql, type SQL } from 'drizzle-orm';
import type { AuditRecord, AuditRepository, SessionAuditRow, StepOptions } from '../../core/ports';
import { runStep, sqlStep, whenApplied, type SqlStep } from './atomic';
import { iso, type Db } from './rows';
import { auditLogs } from './schema';

/** One audit row (`when`: only if an earlier step of the batch applied). */
export function appendAuditStep(entry: AuditRecord, options?: StepOptions): SqlStep<void> {
  return sqlStep(
    sql`insert into audit_logs (id, created_at, action, outcome, user_id, actor_id, ip_address, user_agent, request_id, metadata)
    select ${entry.id}::text, ${iso(entry.createdAt)}::timestamptz, ${entry.action}::text, ${entry.outcome}::text, ${entry.userId}::text,
           ${entry.actorId}::text, ${entry.ipAddress}::text, ${entry.userAgent}::text, ${entry.requestId}::text, ${JSON.stringify(entry.metadata)}::jsonb
    where ${whenApplied(options)}`,
    () => undefined,
    sql`exists (select 1 from audit_logs where id = ${entry.id}::text)`,
  );
}

/**
 * A data-modifying CTE (`, audited as (...)`) appending `entry` once per row of the CTE `source`, whose `user_id`
 * column gives the row's user (and actor) and, `withSessionId`, whose `session_id` is added to the metadata as
 * sessionId: the audit commits with the change, in the same statement, or not at all. `source` is one of our own CTE
 * names, never input.
 */
export function auditCte(entry: SessionAuditRow, source: 'parent' | 'new_session', withSessionId: boolean): SQL {
  const from = sql.raw(source);
  const metadata = sql`${JSON.stringify(entry.metadata)}::jsonb`;
  return sql`, audited as (
      insert into audit_logs (id, created_at, action, outcome, user_id, actor_id, ip_address, user_agent, request_id, metadata)
      select ${entry.id}::text, ${iso(entry.createdAt)}::timestamptz, ${entry.action}::text, ${entry.outcome}::text, ${from}.user_id,
             ${from}.user_id, ${entry.ipAddress}::text, ${entry.userAgent}::text, ${entry.requestId}::text,
             ${withSessionId ? sql`${metadata} || jsonb_build_object('sessionId', ${from}.session_id)` : metadata}
      from ${from}
    )`;
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
