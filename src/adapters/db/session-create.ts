import { sql } from 'drizzle-orm';
import type { NewRefreshToken, NewSession, SessionCreateOptions, StepOptions } from '../../core/ports';
import { auditCte } from './audit';
import { sqlStep, whenApplied, writtenHere, type SqlStep } from './atomic';
import { iso } from './rows';

/**
 * Inserts a session and its first refresh token in one statement (a data-modifying CTE), because the Neon HTTP
 * driver has no interactive transactions and a session without a token, or the reverse, must never exist.
 *
 * The insert is conditional on the user state the sign-in verified: the security stamp it read before checking the
 * password (a reset, change, delete or admin lock since then rotated it), no deletion and no lock now. The `signer`
 * row is locked (`for update`), so a concurrent stamp rotation either commits first and this creates nothing, or
 * waits for this session to exist and then revokes it.
 */
export function createSessionStep(session: NewSession, token: NewRefreshToken, options: SessionCreateOptions): SqlStep<boolean> {
  if (token.sessionId !== session.id) throw new Error('refresh token belongs to another session');
  const at = iso(session.createdAt);
  return sqlStep(
    sql`with signer as (
      select id from users
      where id = ${session.userId}::text and security_stamp = ${session.securityStamp}::int and deleted_at is null
        and (locked_until is null or locked_until <= ${at}::timestamptz)
      for update
    ), signed_in as (
      update users set last_login_at = ${at}::timestamptz, failed_login_count = 0, updated_at = ${at}::timestamptz
      from signer where users.id = signer.id and ${options.recordSignIn}::boolean
      returning users.id
    ), new_session as (
      insert into sessions (id, user_id, created_at, last_used_at, expires_at, ip_address, user_agent, amr, security_stamp)
      select ${session.id}::text, signer.id, ${at}::timestamptz, ${at}::timestamptz, ${iso(session.expiresAt)}::timestamptz,
             ${session.ipAddress}::text, ${session.userAgent}::text, ${JSON.stringify(session.amr)}::jsonb, ${session.securityStamp}::int
      from signer
      returning id, expires_at, user_id
    )${options.audit ? auditCte(options.audit, 'new_session', false) : sql``}
    insert into refresh_tokens (id, session_id, token_hash, parent_id, created_at, expires_at)
    select ${token.id}::text, new_session.id, ${token.tokenHash}::text, ${token.parentId}::text,
           ${iso(token.createdAt)}::timestamptz, least(${iso(token.expiresAt)}::timestamptz, new_session.expires_at)
    from new_session
    returning session_id`,
    (rows) => rows.length > 0,
    sql`exists (select 1 from sessions where id = ${session.id}::text)`,
  );
}

/** Revokes every active session of the user except one (`when`: only if an earlier step of the batch applied). */
export function revokeAllStep(userId: string, now: Date, reason: string, exceptSessionId?: string, options?: StepOptions): SqlStep<string[]> {
  const at = iso(now);
  return sqlStep(
    sql`update sessions set revoked_at = ${at}::timestamptz, revoked_reason = ${reason}::text
    where user_id = ${userId}::text and revoked_at is null and expires_at > ${at}::timestamptz
      and (${exceptSessionId ?? null}::text is null or id <> ${exceptSessionId ?? null}::text)
      and ${whenApplied(options)}
    returning id`,
    (rows) => rows.map((row) => String(row.id)),
    sql`exists (select 1 from sessions as s where s.user_id = ${userId}::text and ${writtenHere('s')})`,
  );
}
