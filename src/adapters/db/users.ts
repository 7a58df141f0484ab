import { and, eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { NewUser, UserRecord, UserRepository } from '../../core/ports';
import type { Db } from './rows';
import type { UserRowCache } from './user-row-cache';
import { users } from './schema';
import { runStep } from './atomic';
import {
  changePasswordStep,
  createUserStep,
  lockUntilStep,
  recordLoginFailureStatement,
  rotateStampStatement,
  softDeleteStep,
  unlockStep,
} from './user-statements';

// Every operation is one statement; counters are incremented by the database, never read-modify-written here.
export function userRepository(db: Db, cache?: UserRowCache): UserRepository {
  // The session check reads the caller's row on every request, a login by e-mail: built once (drizzle would rebuild
  // the SQL text each time). drizzle's prepare wants a name; on node-postgres it is the prepared statement's, under the
  // same fallback as the names pg-prepared.ts gives every other statement.
  const byId = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).limit(1).prepare('authgate_user_by_id');
  const byEmail = db.select().from(users).where(eq(users.email, sql.placeholder('email'))).limit(1).prepare('authgate_user_by_email');
  const readById = async (id: string) => (await byId.execute({ id }))[0] ?? null;
  const updateReturning = async (id: string, values: PgUpdateSetSource<typeof users>): Promise<UserRecord | null> => {
    const [row] = await db.update(users).set(values).where(eq(users.id, id)).returning();
    return row ?? null;
  };

  return {
    // The unique e-mail index decides who registered first; the loser gets null, not an exception.
    create: (user: NewUser) => runStep(db, createUserStep(user)),

    findById(id) {
      return cache ? cache.findById(id, () => readById(id)) : readById(id);
    },

    async findByEmail(email) {
      return (await byEmail.execute({ email }))[0] ?? null;
    },

    updateName(id, name, now) {
      return updateReturning(id, { name, updatedAt: now });
    },

    async rehashPassword(id, expectedHash, passwordHash, now) {
      const rows = await db
        .update(users)
        .set({ passwordHash, updatedAt: now })
        .where(and(eq(users.id, id), eq(users.passwordHash, expectedHash)))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    changePassword: (id, passwordHash, now, options) => runStep(db, changePasswordStep(id, passwordHash, now, options)),

    recordLoginFailure: (id, now, policy) => recordLoginFailureStatement(db, id, now, policy),

    lockUntil: (id, until, now) => runStep(db, lockUntilStep(id, until, now)),

    rotateSecurityStamp: (id, now, keepSessionId) => rotateStampStatement(db, id, now, keepSessionId),

    unlock: (id, now) => runStep(db, unlockStep(id, now)),

    softDelete: (id, now) => runStep(db, softDeleteStep(id, now)),

    markEmailVerified(id, now) {
      // Keeps the first verification time when a second link is followed.
      return updateReturning(id, { emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`, updatedAt: now });
    },
  };
}
