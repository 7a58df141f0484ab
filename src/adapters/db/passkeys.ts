import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import type { PasskeyRepository } from '../../core/ports';
import { queryRows, type Db } from './rows';
import { passkeys } from './schema';

export function passkeyRepository(db: Db): PasskeyRepository {
  return {
    async create(passkey) {
      const [row] = await db
        .insert(passkeys)
        .values(passkey)
        // The unique credential-id index decides: a second registration of one credential, by anyone, adds nothing.
        .onConflictDoNothing({ target: passkeys.credentialId })
        .returning();
      return row ?? null;
    },

    async findByCredentialId(credentialId) {
      const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).limit(1);
      return row ?? null;
    },

    listForUser(userId) {
      return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id));
    },

    async rename(userId, id, name) {
      const [row] = await db
        .update(passkeys)
        .set({ name })
        .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
        .returning();
      return row ?? null;
    },

    async remove(userId, id) {
      // The last way to sign in stays (as an identity's unlink, oauth-accounts.ts, whose lock order this follows: the
      // user, the identities, the passkeys): of two removals racing for a user's last two passkeys, the second waits,
      // then sees no other passkey, and removes nothing.
      const [row] = await queryRows(
        db,
        sql`with owner as (
          select password_hash is not null as has_password from users where id = ${userId}::text for update
        ), identities as (
          select id from oauth_accounts where user_id = ${userId}::text for update
        ), keys as (
          select id from passkeys where user_id = ${userId}::text for update
        ), removed as (
          delete from passkeys
          where id in (select id from keys where id = ${id}::text)
            and (coalesce((select has_password from owner), false)
              or exists (select 1 from identities)
              or exists (select 1 from keys where id <> ${id}::text))
          returning id
        )
        select exists (select 1 from keys where id = ${id}::text) as found, (select count(*) from removed)::int as removed`,
      );
      if (Number(row?.removed ?? 0) > 0) return 'removed';
      return row?.found === true ? 'last_sign_in_method' : 'not_found';
    },

    async recordUse(id, use) {
      // The condition is evaluated on the row as it is when the update runs (Postgres re-checks it after a
      // concurrent writer commits), so of two logins presenting one count only one moves it.
      const advances = use.signCount === 0 ? eq(passkeys.signCount, 0) : lt(passkeys.signCount, use.signCount);
      const updated = await db
        .update(passkeys)
        .set({ signCount: use.signCount, backedUp: use.backedUp, lastUsedAt: use.usedAt })
        .where(and(eq(passkeys.id, id), advances))
        .returning({ id: passkeys.id });
      return updated.length > 0;
    },
  };
}
