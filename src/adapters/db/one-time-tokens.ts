import { and, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { OneTimeTokenPurpose, OneTimeTokenRepository, StepOptions } from '../../core/ports';
import { runStep, sqlStep, whenApplied, writtenHere, type SqlStep } from './atomic';
import { iso, type Db } from './rows';
import { oneTimeTokens } from './schema';

/** A token that can still be used: this hash, this purpose, unused and unexpired. */
const live = (tokenHash: string, purpose: OneTimeTokenPurpose, now: Date) =>
  and(eq(oneTimeTokens.tokenHash, tokenHash), eq(oneTimeTokens.purpose, purpose), isNull(oneTimeTokens.usedAt), gt(oneTimeTokens.expiresAt, now));

type NewToken = Parameters<OneTimeTokenRepository['issue']>[0];

/** Stores a token and retires the user's older unused ones of its purpose (`when`: only if that step applied). */
export function issueTokenStep(input: NewToken, options?: StepOptions): SqlStep<void> {
  // Retiring the older links and storing the new one is one statement: a crash between them cannot leave two live
  // reset links.
  const when = whenApplied(options);
  return sqlStep(
    sql`with retired as (
      update one_time_tokens set used_at = ${iso(input.createdAt)}::timestamptz
      where user_id = ${input.userId}::text and purpose = ${input.purpose}::text and used_at is null and ${when}
      returning id
    )
    insert into one_time_tokens (id, user_id, purpose, token_hash, created_at, expires_at)
    select ${input.id}::text, ${input.userId}::text, ${input.purpose}::text, ${input.tokenHash}::text,
           ${iso(input.createdAt)}::timestamptz, ${iso(input.expiresAt)}::timestamptz
    where ${when}`,
    () => undefined,
    sql`exists (select 1 from one_time_tokens where id = ${input.id}::text)`,
  );
}

/** Spends a live token once: its user id, or null when unknown, used, expired or of another purpose. */
export function consumeTokenStep(tokenHash: string, purpose: OneTimeTokenPurpose, now: Date): SqlStep<string | null> {
  return sqlStep(
    sql`update one_time_tokens set used_at = ${iso(now)}::timestamptz
    where token_hash = ${tokenHash}::text and purpose = ${purpose}::text and used_at is null and expires_at > ${iso(now)}::timestamptz
    returning user_id`,
    (rows) => (rows[0] ? String(rows[0].user_id) : null),
    sql`exists (select 1 from one_time_tokens as t
      where t.token_hash = ${tokenHash}::text and t.purpose = ${purpose}::text and ${writtenHere('t')})`,
  );
}

export function oneTimeTokenRepository(db: Db): OneTimeTokenRepository {
  return {
    issue: (input) => runStep(db, issueTokenStep(input)),

    async peek(tokenHash, purpose, now) {
      const [row] = await db
        .select({ userId: oneTimeTokens.userId })
        .from(oneTimeTokens)
        .where(live(tokenHash, purpose, now));
      return row?.userId ?? null;
    },

    consume: (tokenHash, purpose, now) => runStep(db, consumeTokenStep(tokenHash, purpose, now)),

    async purgeExpired(before, limit) {
      const doomed = db
        .select({ id: oneTimeTokens.id })
        .from(oneTimeTokens)
        .where(or(lt(oneTimeTokens.expiresAt, before), lt(oneTimeTokens.usedAt, before)))
        .limit(limit);
      const removed = await db.delete(oneTimeTokens).where(inArray(oneTimeTokens.id, doomed)).returning({ id: oneTimeTokens.id });
      return { removed: removed.length, done: removed.length < limit };
    },
  };
}
