import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { OneTimeTokenPurpose, OneTimeTokenRepository } from '../../core/ports';
import { iso, queryRows, type Db } from './rows';
import { oneTimeTokens } from './schema';

/** A token that can still be used: this hash, this purpose, unused and unexpired. */
const live = (tokenHash: string, purpose: OneTimeTokenPurpose, now: Date) =>
  and(eq(oneTimeTokens.tokenHash, tokenHash), eq(oneTimeTokens.purpose, purpose), isNull(oneTimeTokens.usedAt), gt(oneTimeTokens.expiresAt, now));

export function oneTimeTokenRepository(db: Db): OneTimeTokenRepository {
  return {
    async issue(input) {
      // Retiring the older links and storing the new one is one statement: a crash between them cannot leave
      // two live reset links, and Neon HTTP offers no transaction to wrap them in.
      await queryRows(
        db,
        sql`with retired as (
          update one_time_tokens set used_at = ${iso(input.createdAt)}::timestamptz
          where user_id = ${input.userId}::text and purpose = ${input.purpose}::text and used_at is null
          returning id
        )
        insert into one_time_tokens (id, user_id, purpose, token_hash, created_at, expires_at)
        values (${input.id}::text, ${input.userId}::text, ${input.purpose}::text, ${input.tokenHash}::text,
                ${iso(input.createdAt)}::timestamptz, ${iso(input.expiresAt)}::timestamptz)`,
      );
    },

    async peek(tokenHash, purpose, now) {
      const [row] = await db
        .select({ userId: oneTimeTokens.userId })
        .from(oneTimeTokens)
        .where(live(tokenHash, purpose, now));
      return row?.userId ?? null;
    },

    async consume(tokenHash, purpose, now) {
      const [row] = await db
        .update(oneTimeTokens)
        .set({ usedAt: now })
        .where(live(tokenHash, purpose, now))
        .returning({ userId: oneTimeTokens.userId });
      return row?.userId ?? null;
    },

    async purgeExpired(before) {
      const removed = await db
        .delete(oneTimeTokens)
        .where(or(lt(oneTimeTokens.expiresAt, before), lt(oneTimeTokens.usedAt, before)))
        .returning({ id: oneTimeTokens.id });
      return removed.length;
    },
  };
}
