import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { SessionRepository } from '../../core/ports';
import { iso, queryRows, type Db } from './rows';
import { runStep } from './atomic';
import { createSessionStep, revokeAllStep } from './session-create';
import { rotateRefreshToken } from './session-rotate';
import { sessions } from './schema';

// The port's view of a session: everything but the internal revocation reason.
const sessionColumns = {
  id: sessions.id,
  userId: sessions.userId,
  createdAt: sessions.createdAt,
  lastUsedAt: sessions.lastUsedAt,
  expiresAt: sessions.expiresAt,
  revokedAt: sessions.revokedAt,
  ipAddress: sessions.ipAddress,
  userAgent: sessions.userAgent,
  amr: sessions.amr,
};

export function sessionRepository(db: Db): SessionRepository {
  return {
    createWithRefreshToken: (session, token, options) => runStep(db, createSessionStep(session, token, options)),

    rotateRefreshToken: (parentHash, child, now, audit) => rotateRefreshToken(db, parentHash, child, now, audit),

    async findById(id) {
      const [row] = await db.select(sessionColumns).from(sessions).where(eq(sessions.id, id)).limit(1);
      return row ?? null;
    },

    listActiveForUser(userId, now) {
      return db
        .select(sessionColumns)
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.id));
    },

    async revoke(userId, sessionId, now, reason) {
      // The user id is part of the condition: nobody revokes (or learns about) another user's session.
      const revoked = await db
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return revoked.length > 0;
    },

    revokeAllForUser: (userId, now, reason, exceptSessionId) => runStep(db, revokeAllStep(userId, now, reason, exceptSessionId)),

    async touch(sessionId, now) {
      await db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, sessionId));
    },

    async countActive(now) {
      // One aggregate per scrape; the periodic purge keeps the table to roughly the live sessions.
      const [row] = await db
        .select({ active: sql<number>`count(*)::int` })
        .from(sessions)
        .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
      return Number(row?.active ?? 0);
    },

    async purgeExpired(before, limit) {
      const at = iso(before);
      // Tokens of a purged session go by cascade; counting them here keeps "rows removed" honest.
      const [row] = await queryRows(
        db,
        sql`with doomed_sessions as (
          select id from sessions where expires_at < ${at}::timestamptz or revoked_at < ${at}::timestamptz limit ${limit}
        ), expired_tokens as (
          select id from refresh_tokens where expires_at < ${at}::timestamptz limit ${limit}
        ), dead_sessions as (
          delete from sessions where id in (select id from doomed_sessions) returning id
        ), dead_tokens as (
          delete from refresh_tokens
          where id in (select id from expired_tokens) or session_id in (select id from dead_sessions)
          returning id
        )
        select ((select count(*) from dead_sessions) + (select count(*) from dead_tokens))::int as removed,
               (select count(*) from doomed_sessions)::int as sessions, (select count(*) from expired_tokens)::int as tokens`,
      );
      return { removed: Number(row?.removed ?? 0), done: Number(row?.sessions ?? 0) < limit && Number(row?.tokens ?? 0) < limit };
    },
  };
}
