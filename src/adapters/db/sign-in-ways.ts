import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from './rows';

/** One way in to take away: its table, the ids to delete (from the locked CTEs below), and what else would remain. */
export interface WayIn {
  table: SQL;
  /** Selects the row(s) to remove, from `identities` or `keys`. */
  ids: SQL;
  /** True when a way in other than those rows remains, besides a password (reads `identities` and `keys`). */
  otherWays: SQL;
}

/**
 * "Never the last way to sign in" (SECURITY.md), for an identity's unlink and a passkey's removal alike, in one
 * statement. The rule spans rows, so the user's ways in are locked (`for update`) rather than counted from the
 * statement's snapshot, always in one order (the user, the identities, the passkeys): of two removals racing for a
 * user's last two ways in, the second waits, then skips the row the first deleted, sees nothing else, and removes
 * nothing.
 */
export async function removeUnlessLastWayIn(db: Db, userId: string, way: WayIn): Promise<'removed' | 'not_found' | 'last_sign_in_method'> {
  const [row] = await queryRows(
    db,
    sql`with owner as (
      select password_hash is not null as has_password from users where id = ${userId}::text for update
    ), identities as (
      select id, provider from oauth_accounts where user_id = ${userId}::text for update
    ), keys as (
      select id from passkeys where user_id = ${userId}::text for update
    ), removed as (
      delete from ${way.table}
      where id in (${way.ids}) and (coalesce((select has_password from owner), false) or ${way.otherWays})
      returning id
    )
    select exists (${way.ids}) as found, (select count(*) from removed)::int as removed`,
  );
  if (Number(row?.removed ?? 0) > 0) return 'removed';
  return row?.found === true ? 'last_sign_in_method' : 'not_found';
}
