import { sql } from 'drizzle-orm';
import type { NewRefreshToken, RotateOutcome, SessionAuditRow } from '../../core/ports';
import { auditCte } from './audit';
import { iso, jsonObject, queryRows, sessionFromRow, toDate, userFromRow, type Db } from './rows';

type ChildToken = Omit<NewRefreshToken, 'parentId' | 'sessionId'>;

/**
 * Spends the parent and inserts its child in ONE conditional statement. Under concurrency Postgres re-checks
 * `spent_at is null` on the locked row after the first rotation commits, so exactly one caller rotates and the
 * others fall through to the read below (no read-then-write, which Neon HTTP could not make atomic anyway).
 */
export async function rotateRefreshToken(db: Db, parentHash: string, child: ChildToken, now: Date, audit?: SessionAuditRow): Promise<RotateOutcome> {
  const at = iso(now);
  const [rotated] = await queryRows(
    db,
    sql`with parent as (
      update refresh_tokens as rt set spent_at = ${at}::timestamptz
      from sessions as s, users as u
      where rt.token_hash = ${parentHash}::text
        and rt.spent_at is null and rt.expires_at > ${at}::timestamptz
        and s.id = rt.session_id and s.revoked_at is null and s.expires_at > ${at}::timestamptz
        and u.id = s.user_id and u.deleted_at is null and u.security_stamp = s.security_stamp
        and (u.locked_until is null or u.locked_until <= ${at}::timestamptz)
      returning rt.id, rt.session_id, u.id as user_id, s.expires_at as session_expires_at, to_jsonb(u.*) as user_row
    ), child as (
      insert into refresh_tokens (id, session_id, token_hash, parent_id, created_at, expires_at)
      select ${child.id}::text, parent.session_id, ${child.tokenHash}::text, parent.id,
             ${iso(child.createdAt)}::timestamptz, least(${iso(child.expiresAt)}::timestamptz, parent.session_expires_at)
      from parent
      returning session_id
    ), touched as (
      update sessions set last_used_at = ${at}::timestamptz
      from child where sessions.id = child.session_id
      returning to_jsonb(sessions.*) as session_row
    )${audit ? auditCte(audit, 'parent', true) : sql``}
    select touched.session_row, parent.user_row from touched, parent`,
  );
  if (rotated) return { kind: 'rotated', session: sessionFromRow(rotated.session_row), user: userFromRow(rotated.user_row) };
  return readSpentParent(db, parentHash, at);
}

/** Nothing rotated: tell a replay of a spent token (reuse or grace-window retry) from an unusable one. */
async function readSpentParent(db: Db, parentHash: string, at: string): Promise<RotateOutcome> {
  const [row] = await queryRows(
    db,
    sql`select to_jsonb(s.*) as session_row, to_jsonb(u.*) as user_row,
      jsonb_build_object(
        'parentId', rt.id,
        'spentAt', rt.spent_at,
        'childTokenHash', c.token_hash,
        -- A child only counts as live while the whole chain could still be used to sign in right now.
        'childLive', c.id is not null and c.spent_at is null and c.expires_at > ${at}::timestamptz
          and s.revoked_at is null and s.expires_at > ${at}::timestamptz and u.deleted_at is null
          and (u.locked_until is null or u.locked_until <= ${at}::timestamptz)
      ) as spent
    from refresh_tokens as rt
      join sessions as s on s.id = rt.session_id
      join users as u on u.id = s.user_id
      left join refresh_tokens as c on c.parent_id = rt.id
    -- A session from before a password reset, delete or admin lock is simply over: no reuse alarm for it.
    where rt.token_hash = ${parentHash}::text and rt.spent_at is not null and s.security_stamp = u.security_stamp`,
  );
  if (!row) return { kind: 'invalid' };
  const spent = jsonObject(row.spent);
  return {
    kind: 'spent',
    session: sessionFromRow(row.session_row),
    user: userFromRow(row.user_row),
    parentId: String(spent.parentId),
    spentAt: toDate(spent.spentAt),
    childTokenHash: typeof spent.childTokenHash === 'string' ? spent.childTokenHash : null,
    childLive: spent.childLive === true,
  };
}
