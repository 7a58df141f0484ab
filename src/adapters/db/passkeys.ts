import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import type { PasskeyRepository } from '../../core/ports';
import type { Db } from './rows';
import { removeUnlessLastWayIn } from './sign-in-ways';
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

    remove: (userId, id) =>
      removeUnlessLastWayIn(db, userId, {
        table: sql`passkeys`,
        ids: sql`select id from keys where id = ${id}::text`,
        otherWays: sql`exists (select 1 from identities) or exists (select 1 from keys where id <> ${id}::text)`,
      }),

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
