import { desc, eq } from 'drizzle-orm';
import type { AuditRepository } from '../../core/ports';
import type { Db } from './rows';
import { auditLogs } from './schema';

// Append-only on purpose: the port offers no update or delete, and neither does this adapter.
export function auditRepository(db: Db): AuditRepository {
  return {
    async append(entry) {
      await db.insert(auditLogs).values(entry);
    },

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
