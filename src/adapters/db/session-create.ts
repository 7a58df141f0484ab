import { sql } from 'drizzle-orm';
import type { NewRefreshToken, NewSession } from '../../core/ports';
import { iso, queryRows, type Db } from './rows';

/**
 * Inserts a session and its first refresh token in one statement (a data-modifying CTE), because the Neon HTTP
 * driver has no interactive transactions and a session without a token, or the reverse, must never exist.
 */
export async function createSessionWithRefreshToken(db: Db, session: NewSession, token: NewRefreshToken): Promise<void> {
  if (token.sessionId !== session.id) throw new Error('refresh token belongs to another session');
  await queryRows(
    db,
    sql`with new_session as (
      insert into sessions (id, user_id, created_at, last_used_at, expires_at, ip_address, user_agent, amr)
      values (${session.id}::text, ${session.userId}::text, ${iso(session.createdAt)}::timestamptz,
              ${iso(session.createdAt)}::timestamptz, ${iso(session.expiresAt)}::timestamptz,
              ${session.ipAddress}::text, ${session.userAgent}::text, ${JSON.stringify(session.amr)}::jsonb)
      returning id, expires_at
    )
    insert into refresh_tokens (id, session_id, token_hash, parent_id, created_at, expires_at)
    select ${token.id}::text, new_session.id, ${token.tokenHash}::text, ${token.parentId}::text,
           ${iso(token.createdAt)}::timestamptz, least(${iso(token.expiresAt)}::timestamptz, new_session.expires_at)
    from new_session`,
  );
}
