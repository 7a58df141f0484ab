import { sql } from 'drizzle-orm';
import type { NewUser, Role, RoleChange } from '../../core/ports';
import type { SqlStep } from './atomic';
import { iso, queryRows, userFromRow, type Db } from './rows';
import { updateUserStep } from './user-statements';

// Admin writes whose rule spans rows or must decide on the row as it is now: one statement each (Neon HTTP has no
// interactive transaction, and count-then-update would let two concurrent demotions both pass).

/**
 * Locks the target and every SUPER_ADMIN not deleted, in id order (so two of these never deadlock), then decides on
 * the locked rows: a concurrent demotion that committed first has already taken its row out of the count.
 */
export async function changeRoleStatement(db: Db, id: string, role: Role, now: Date): Promise<RoleChange> {
  const at = iso(now);
  const [row] = await queryRows(
    db,
    sql`with locked as (
      select id, role from users
      where id = ${id}::text or (role = 'SUPER_ADMIN' and deleted_at is null)
      order by id
      for update
    ), decision as (
      select (select role from locked where id = ${id}::text) as current_role,
        (select count(*) from locked where role = 'SUPER_ADMIN' and id <> ${id}::text)::int as other_super_admins
    ), changed as (
      update users set role = ${role}::text, security_stamp = security_stamp + 1, updated_at = ${at}::timestamptz
      from decision
      where users.id = ${id}::text and decision.current_role <> ${role}::text
        and (decision.current_role <> 'SUPER_ADMIN' or decision.other_super_admins > 0)
      returning users.*
    )
    select decision.current_role, decision.other_super_admins,
      (select to_jsonb(changed.*) from changed) as changed_row,
      (select to_jsonb(u.*) from users as u where u.id = ${id}::text) as unchanged_row
    from decision`,
  );
  const current = row?.current_role;
  if (typeof current !== 'string') return { kind: 'not_found' };
  if (row?.changed_row) return { kind: 'changed', user: userFromRow(row.changed_row), previousRole: current as Role };
  if (current === role) return { kind: 'unchanged', user: userFromRow(row?.unchanged_row) };
  return { kind: 'last_super_admin' };
}

export function setEmailVerifiedStep(id: string, verified: boolean, now: Date): SqlStep<void> {
  // Verifying keeps the first verification time; un-verifying forgets it.
  return updateUserStep(id, sql`email_verified_at = case when ${verified}::boolean then coalesce(email_verified_at, ${iso(now)}::timestamptz) else null end`, now);
}

export const restoreStep = (id: string, now: Date): SqlStep<void> => updateUserStep(id, sql`deleted_at = null`, now);

/**
 * Insert-or-promote in one statement: two instances starting at once both run it, the unique e-mail index makes
 * one insert and the other promote (a no-op by then). The password is written only by the insert, so a password
 * the admin has changed since is never overwritten. A deleted account is left alone.
 */
export async function bootstrapSuperAdminStatement(db: Db, candidate: NewUser, marker: { name: string; value: string }) {
  if (candidate.role !== 'SUPER_ADMIN') throw new Error('the bootstrap candidate must be a SUPER_ADMIN');
  const at = iso(candidate.createdAt);
  const [row] = await queryRows(
    db,
    sql`with upserted as (
      insert into users (id, email, name, password_hash, role, email_verified_at, created_at, updated_at)
      values (${candidate.id}::text, ${candidate.email}::text, ${candidate.name}::text, ${candidate.passwordHash}::text,
              'SUPER_ADMIN', ${candidate.emailVerifiedAt ? iso(candidate.emailVerifiedAt) : null}::timestamptz, ${at}::timestamptz, ${at}::timestamptz)
      on conflict (email) do update set role = 'SUPER_ADMIN', updated_at = excluded.updated_at,
        email_verified_at = coalesce(users.email_verified_at, excluded.email_verified_at)
      where users.deleted_at is null
      returning users.id
    ), marked as (
      insert into instance_secrets (name, value)
      select ${marker.name}::text, ${marker.value}::text from upserted
      on conflict (name) do update set value = excluded.value, created_at = now()
      returning name
    )
    select upserted.id = ${candidate.id}::text as created, (select count(*) from marked)::int as marked from upserted`,
  );
  if (!row) return 'deleted' as const;
  return row.created === true ? ('created' as const) : ('promoted' as const);
}
