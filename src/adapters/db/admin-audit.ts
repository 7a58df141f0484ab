import { and, count, desc, eq, gte, lt } from 'drizzle-orm';
import type { AuditQuery, AuditRecord, PageOf } from '../../core/ports';
import type { Db } from './rows';
import { auditLogs } from './schema';

// Reading the audit trail page by page. There is deliberately no update or delete here or anywhere else.

export async function listAudit(db: Db, query: AuditQuery): Promise<PageOf<AuditRecord>> {
  const where = and(
    query.userId ? eq(auditLogs.userId, query.userId) : undefined,
    query.action ? eq(auditLogs.action, query.action) : undefined,
    query.outcome ? eq(auditLogs.outcome, query.outcome) : undefined,
    query.from ? gte(auditLogs.createdAt, query.from) : undefined,
    query.before ? lt(auditLogs.createdAt, query.before) : undefined,
  );
  const [items, [total]] = await Promise.all([
    db
      .select()
      .from(auditLogs)
      .where(where)
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(query.limit)
      .offset((query.page - 1) * query.limit),
    db.select({ n: count() }).from(auditLogs).where(where),
  ]);
  return { items, total: total?.n ?? 0 };
}
