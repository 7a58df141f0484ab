import { sql, type SQL } from 'drizzle-orm';
import type { NewUser, StepOptions, UserRepository } from '../../core/ports';
import { sqlStep, whenApplied, writtenHere, type SqlStep } from './atomic';
import { iso, queryRows, toDateOrNull, userFromRow, type Db, type Row } from './rows';
import { users } from './schema';

// The user updates that must decide on the row's current state inside the statement (never read-then-write).

/**
 * A new password and a new stamp in one statement; the session kept (change-password's own) moves to the new stamp
 * in the same statement, so its refresh never sees a gap.
 */
export function changePasswordStep(
  id: string,
  passwordHash: string,
  now: Date,
  options: Parameters<UserRepository['changePassword']>[3],
  step?: StepOptions,
): SqlStep<UserRecordOrNull> {
  const at = iso(now);
  return sqlStep(
    sql`with changed as (
      update users set password_hash = ${passwordHash}::text, security_stamp = security_stamp + 1, updated_at = ${at}::timestamptz,
        locked_until = case when ${options.reset === true} then null else locked_until end,
        failed_login_count = case when ${options.reset === true} then 0 else failed_login_count end,
        email_verified_at = case when ${options.reset === true} then coalesce(email_verified_at, ${at}::timestamptz) else email_verified_at end
      where id = ${id}::text and deleted_at is null
        and (${options.expectedHash ?? null}::text is null or password_hash = ${options.expectedHash ?? null}::text)
        and ${whenApplied(step)}
      returning *
    ), kept as (
      update sessions set security_stamp = changed.security_stamp
      from changed where sessions.id = ${options.keepSessionId ?? null}::text and sessions.user_id = changed.id
      returning sessions.id
    )
    -- A data-modifying CTE runs whether or not the result names it, so kept needs no reference here.
    select to_jsonb(changed.*) as user_row from changed`,
    userRowOrNull,
    userWrittenHere(id),
  );
}

type UserRecordOrNull = ReturnType<typeof userFromRow> | null;

/** The `user_row` of a statement's first row, or null when it returned none. */
export const userRowOrNull = (rows: Row[]): UserRecordOrNull => (rows[0] ? userFromRow(rows[0].user_row) : null);

/** `applied` of a step that updates the user row: this transaction wrote it. */
export const userWrittenHere = (id: string) => sql`exists (select 1 from users as u where u.id = ${id}::text and ${writtenHere('u')})`;

/** Inserts the user unless the e-mail is taken (the unique index decides; the loser writes nothing). */
/** The insert of a new user, for a CTE: no row (rather than an error) when the e-mail is already registered. */
export function insertUserSql(user: NewUser): SQL {
  return sql`insert into users (id, email, name, password_hash, role, email_verified_at, created_at, updated_at)
      values (${user.id}::text, ${user.email}::text, ${user.name}::text, ${user.passwordHash}::text, ${user.role}::text,
              ${user.emailVerifiedAt ? iso(user.emailVerifiedAt) : null}::timestamptz, ${iso(user.createdAt)}::timestamptz,
              ${iso(user.createdAt)}::timestamptz)
      on conflict (email) do nothing
      returning *`;
}

export function createUserStep(user: NewUser): SqlStep<UserRecordOrNull> {
  return sqlStep(
    sql`with created as (${insertUserSql(user)})
    select to_jsonb(created.*) as user_row from created`,
    userRowOrNull,
    // The id is new: a row with it exists only if this insert made it.
    sql`exists (select 1 from users where id = ${user.id}::text)`,
  );
}

/** A plain update of the user row (lock, unlock, soft delete, admin changes), `applied` when it wrote the row. */
export function updateUserStep(id: string, set: SQL, now: Date): SqlStep<void> {
  return sqlStep(
    sql`update users set ${set}, updated_at = ${iso(now)}::timestamptz where id = ${id}::text`,
    () => undefined,
    userWrittenHere(id),
  );
}

export const lockUntilStep = (id: string, until: Date, now: Date) =>
  updateUserStep(id, sql`locked_until = ${iso(until)}::timestamptz, security_stamp = security_stamp + 1`, now);
export const unlockStep = (id: string, now: Date) => updateUserStep(id, sql`locked_until = null, failed_login_count = 0`, now);
export const softDeleteStep = (id: string, now: Date) =>
  updateUserStep(id, sql`deleted_at = coalesce(deleted_at, ${iso(now)}::timestamptz), security_stamp = security_stamp + 1`, now);

export async function rotateStampStatement(db: Db, id: string, now: Date, keepSessionId: string | undefined) {
  const [row] = await queryRows(
    db,
    sql`with changed as (
      update users set security_stamp = security_stamp + 1, updated_at = ${iso(now)}::timestamptz
      where id = ${id}::text returning *
    ), kept as (
      update sessions set security_stamp = changed.security_stamp
      from changed where sessions.id = ${keepSessionId ?? null}::text and sessions.user_id = changed.id
      returning sessions.id
    )
    -- A data-modifying CTE runs whether or not the result names it, so kept needs no reference here.
    select to_jsonb(changed.*) as user_row from changed`,
  );
  return row ? userFromRow(row.user_row) : null;
}

/**
 * One failure, counted on the row as it is now (`for update` re-reads it after a concurrent writer commits): the
 * count starts again once a lock has lapsed, and only the failure that reaches the threshold locks, so concurrent
 * failures lock once (one audit row, one mail). A failure while locked counts but never extends the lock.
 */
export async function recordLoginFailureStatement(
  db: Db,
  id: string,
  now: Date,
  policy: { threshold: number; lockSeconds: number },
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const at = iso(now);
  const until = iso(new Date(now.getTime() + policy.lockSeconds * 1000));
  const [row] = await queryRows(
    db,
    sql`with current as (
      select id, locked_until > ${at}::timestamptz as locked,
        case when locked_until <= ${at}::timestamptz then 1 else failed_login_count + 1 end as failures
      from users where id = ${id}::text for update
    ), counted as (
      update users set failed_login_count = current.failures, updated_at = ${at}::timestamptz,
        locked_until = case
          when current.locked then users.locked_until
          when current.failures >= ${policy.threshold}::int then ${until}::timestamptz
          else null end
      from current where users.id = current.id
      returning users.failed_login_count as failures,
        case when current.locked is not true and current.failures >= ${policy.threshold}::int then users.locked_until end as locked_now
    )
    select failures, locked_now from counted`,
  );
  return { failures: Number(row?.failures ?? 0), lockedUntil: toDateOrNull(row?.locked_now) };
}
