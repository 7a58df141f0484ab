import { and, asc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { NewOAuthIdentity, NewUser, OAuthAccountRepository, UserRecord } from '../../core/ports';
import { runStep, sqlStep, type SqlStep } from './atomic';
import { iso, type Db } from './rows';
import { insertUserSql, userRowOrNull } from './user-statements';
import { oauthAccounts, users } from './schema';
import { nullOnUniqueViolation } from './unique-violation';
import { removeUnlessLastWayIn } from './sign-in-ways';

/**
 * Runs `ctes`, whose last one (`account`) writes a users row, and links the identity to that row in the same
 * statement: a user without its identity (or the reverse) never exists, even on Neon HTTP, which has no interactive
 * transactions. The user as written, or null, with nothing written, when no row came out. A unique key taken by a
 * concurrent writer fails the statement (the repository answers null; an atomic batch fails as a whole).
 */
function withIdentity(ctes: SQL, identity: Omit<NewOAuthIdentity, 'userId'>): SqlStep<UserRecord | null> {
  return sqlStep(
    sql`with ${ctes}, linked as (
      insert into oauth_accounts (id, user_id, provider, provider_user_id, email, created_at)
      select ${identity.id}::text, account.id, ${identity.provider}::text, ${identity.providerUserId}::text,
             ${identity.email}::text, ${iso(identity.createdAt)}::timestamptz
      from account
      returning id
    )
    select to_jsonb(account.*) as user_row from account`,
    userRowOrNull,
    // The identity's id is new: the row exists only if this statement linked it.
    sql`exists (select 1 from oauth_accounts where id = ${identity.id}::text)`,
  );
}

export function createUserWithIdentityStep(user: NewUser, identity: Omit<NewOAuthIdentity, 'userId'>): SqlStep<UserRecord | null> {
  return withIdentity(
    sql`account as (${insertUserSql(user)})`,
    identity,
  );
}

export function linkStep(identity: NewOAuthIdentity, expected: { securityStamp: number; removePassword: boolean }, now: Date): SqlStep<UserRecord | null> {
  const at = iso(now);
  // The user row is locked and re-checked as it is now: a password change, reset, lock or deletion since it was
  // read rotated the stamp, so this links nothing. The password goes in the same statement as the link: the
  // pre-account-takeover defence has no window in which both the squatter's password and the identity work.
  return withIdentity(
    sql`target as (
      select id from users
      where id = ${identity.userId}::text and deleted_at is null and security_stamp = ${expected.securityStamp}::int
        and (password_hash is not null and email_verified_at is null) = ${expected.removePassword}::boolean
        and not exists (select 1 from oauth_accounts where user_id = ${identity.userId}::text and provider = ${identity.provider}::text)
      for update
    ), account as (
      update users set
        password_hash = case when ${expected.removePassword}::boolean then null else users.password_hash end,
        security_stamp = case when ${expected.removePassword}::boolean then users.security_stamp + 1 else users.security_stamp end,
        email_verified_at = coalesce(users.email_verified_at, ${at}::timestamptz),
        updated_at = ${at}::timestamptz
      from target where users.id = target.id
      returning users.*
    )`,
    identity,
  );
}

export function oauthAccountRepository(db: Db): OAuthAccountRepository {
  return {
    async findUser(provider, providerUserId) {
      const [row] = await db
        .select(getTableColumns(users))
        .from(oauthAccounts)
        .innerJoin(users, eq(users.id, oauthAccounts.userId))
        .where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.providerUserId, providerUserId)))
        .limit(1);
      return row ?? null;
    },

    createUserWithIdentity: (user, identity) => nullOnUniqueViolation(() => runStep(db, createUserWithIdentityStep(user, identity))),

    link: (identity, expected, now) => nullOnUniqueViolation(() => runStep(db, linkStep(identity, expected, now))),

    async listForUser(userId) {
      return db
        .select({ provider: oauthAccounts.provider, email: oauthAccounts.email, linkedAt: oauthAccounts.createdAt })
        .from(oauthAccounts)
        .where(eq(oauthAccounts.userId, userId))
        .orderBy(asc(oauthAccounts.createdAt), asc(oauthAccounts.provider));
    },

    async unlink(userId, provider) {
      // A passkey is a way to sign in too: unlinking the last identity of a user who still has one is allowed.
      const outcome = await removeUnlessLastWayIn(db, userId, {
        table: sql`oauth_accounts`,
        ids: sql`select id from identities where provider = ${provider}::text`,
        otherWays: sql`exists (select 1 from identities where provider <> ${provider}::text) or exists (select 1 from keys)`,
      });
      return outcome === 'removed' ? 'unlinked' : outcome;
    },
  };
}
