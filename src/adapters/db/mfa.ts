import { sql } from 'drizzle-orm';
import type { MfaRepository, StepOptions, UserRecord } from '../../core/ports';
import { runStep, sqlStep, whenApplied, writtenHere, type SqlStep } from './atomic';
import { iso, queryRows, type Db } from './rows';
import { userRowOrNull, userWrittenHere } from './user-statements';

// Each operation is one statement that decides on the user row as it is now (Neon HTTP offers no interactive
// transaction, and none is needed).
//
// Backup codes live in fixed slots (`<user id>:<n>`) written with an upsert: a new set overwrites the slots instead
// of "delete the old rows, insert new ones". Two racing regenerations then leave exactly one set, because an upsert
// waits for and overwrites the row the other one wrote, where a delete in the same statement would not see rows
// inserted after its snapshot and both sets would live.

/** The slot rows of a set of code hashes: `(id, hash)` pairs for a VALUES list. */
function slots(userId: string, codeHashes: readonly string[]) {
  return sql.join(
    codeHashes.map((hash, slot) => sql`(${`${userId}:${slot}`}::text, ${hash}::text)`),
    sql`, `,
  );
}

/** Writes the set into the slots of the user selected by `target` (a CTE returning `id`). */
function upsertCodes(userId: string, codeHashes: readonly string[], now: Date) {
  return sql`insert into backup_codes (id, user_id, code_hash, created_at, used_at)
    select v.id, target.id, v.code_hash, ${iso(now)}::timestamptz, null
    from target cross join (values ${slots(userId, codeHashes)}) as v(id, code_hash)
    on conflict (id) do update set code_hash = excluded.code_hash, created_at = excluded.created_at, used_at = null
    returning backup_codes.id`;
}

export function activateStep(userId: string, secretEncrypted: string, step: number, now: Date): SqlStep<boolean> {
  return sqlStep(
    sql`update users set mfa_enabled_at = ${iso(now)}::timestamptz, mfa_last_used_step = ${step}::bigint, updated_at = ${iso(now)}::timestamptz
    where id = ${userId}::text and mfa_enabled_at is null and deleted_at is null and mfa_secret_encrypted = ${secretEncrypted}::text
    returning id`,
    (rows) => rows.length > 0,
    userWrittenHere(userId),
  );
}

export function useTotpStepStep(userId: string, step: number, now: Date): SqlStep<boolean> {
  // The whole replay defence: the row is updated only when this step is newer than the last one used, and
  // Postgres re-checks that condition on the committed row when two updates race, so exactly one wins.
  return sqlStep(
    sql`update users set mfa_last_used_step = ${step}::bigint, updated_at = ${iso(now)}::timestamptz
    where id = ${userId}::text and mfa_enabled_at is not null
      and (mfa_last_used_step is null or mfa_last_used_step < ${step}::bigint)
    returning id`,
    (rows) => rows.length > 0,
    userWrittenHere(userId),
  );
}

export function replaceBackupCodesStep(userId: string, codeHashes: readonly string[], now: Date, options?: StepOptions): SqlStep<boolean> {
  return sqlStep(
    sql`with target as (
      select id from users where id = ${userId}::text and mfa_enabled_at is not null and deleted_at is null and ${whenApplied(options)}
      for update
    ) ${upsertCodes(userId, codeHashes, now)}`,
    (rows) => rows.length > 0,
    sql`exists (select 1 from backup_codes as c where c.user_id = ${userId}::text and ${writtenHere('c')})`,
  );
}

export function disableStep(userId: string, now: Date, keepSessionId?: string, options?: StepOptions): SqlStep<UserRecord | null> {
  const at = iso(now);
  return sqlStep(
    sql`with changed as (
      update users set mfa_secret_encrypted = null, mfa_enabled_at = null, mfa_last_used_step = null,
        security_stamp = security_stamp + 1, updated_at = ${at}::timestamptz
      where id = ${userId}::text and mfa_enabled_at is not null and ${whenApplied(options)}
      returning *
    ), codes as (
      delete from backup_codes using changed where backup_codes.user_id = changed.id returning backup_codes.id
    ), kept as (
      update sessions set security_stamp = changed.security_stamp
      from changed where sessions.id = ${keepSessionId ?? null}::text and sessions.user_id = changed.id
      returning sessions.id
    )
    select to_jsonb(changed.*) as user_row, (select count(*) from codes) as codes, (select count(*) from kept) as kept from changed`,
    userRowOrNull,
    userWrittenHere(userId),
  );
}

export function mfaRepository(db: Db): MfaRepository {
  return {
    async savePending(userId, enrolment, now) {
      const rows = await queryRows(
        db,
        sql`with target as (
          update users set mfa_secret_encrypted = ${enrolment.secretEncrypted}::text, mfa_last_used_step = null,
            updated_at = ${iso(now)}::timestamptz
          where id = ${userId}::text and mfa_enabled_at is null and deleted_at is null
          returning id
        ) ${upsertCodes(userId, enrolment.backupCodeHashes, now)}`,
      );
      return rows.length > 0;
    },

    activate: (userId, secretEncrypted, step, now) => runStep(db, activateStep(userId, secretEncrypted, step, now)),

    useTotpStep: (userId, step, now) => runStep(db, useTotpStepStep(userId, step, now)),

    async replaceSecret(userId, expected, secretEncrypted, now) {
      const rows = await queryRows(
        db,
        sql`update users set mfa_secret_encrypted = ${secretEncrypted}::text, updated_at = ${iso(now)}::timestamptz
        where id = ${userId}::text and mfa_secret_encrypted = ${expected}::text
        returning id`,
      );
      return rows.length > 0;
    },

    async useBackupCode(userId, codeHash, now) {
      // The remaining count is read from the statement's snapshot minus this use: exact unless another code of the
      // same user is spent in the same instant, and only informative either way.
      const [row] = await queryRows(
        db,
        sql`with spent as (
          update backup_codes set used_at = ${iso(now)}::timestamptz
          from users
          where backup_codes.user_id = ${userId}::text and backup_codes.code_hash = ${codeHash}::text
            and backup_codes.used_at is null and users.id = backup_codes.user_id and users.mfa_enabled_at is not null
          returning backup_codes.id
        )
        select (select count(*) from spent) as spent,
          (select count(*) from backup_codes where user_id = ${userId}::text and used_at is null) - (select count(*) from spent) as remaining`,
      );
      return Number(row?.spent ?? 0) > 0 ? { remaining: Number(row?.remaining) } : null;
    },

    replaceBackupCodes: (userId, codeHashes, now) => runStep(db, replaceBackupCodesStep(userId, codeHashes, now)),

    disable: (userId, now, keepSessionId) => runStep(db, disableStep(userId, now, keepSessionId)),
  };
}
