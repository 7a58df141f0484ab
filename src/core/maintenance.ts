import type { CoreDeps } from './deps';
import type { PurgeBatch } from './ports';

/** Spent, expired and revoked tokens are useless to keep; a day's margin leaves recent ones for reuse detection. */
export const PURGE_MARGIN_SECONDS = 24 * 3600;
/**
 * Rows per statement: a backlog (after downtime, or a first purge of a big table) goes in bounded steps, so no one
 * statement holds its locks, its WAL and its returned ids for the whole backlog, or runs into Neon's statement limits,
 * and PGlite, which shares the event loop, answers requests between steps.
 */
export const PURGE_BATCH_ROWS = 5_000;

/** Runs bounded purge steps until one finds nothing more (or, defensively, removes nothing); the rows removed in all. */
async function drain(step: () => Promise<PurgeBatch>): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await step();
    removed += batch.removed;
    if (batch.done || batch.removed === 0) return removed;
    // A turn of the event loop between steps: PGlite runs on it, and requests waiting meanwhile go first.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

/** Deletes expired/revoked sessions, refresh tokens and one-time links (Node: an interval; Workers: a cron trigger). */
export async function purgeExpiredTokens(deps: Pick<CoreDeps, 'db' | 'clock' | 'logger'>, batchRows = PURGE_BATCH_ROWS): Promise<number> {
  const before = new Date(deps.clock.nowMs() - PURGE_MARGIN_SECONDS * 1000);
  const [sessions, links] = await Promise.all([
    drain(() => deps.db.sessions.purgeExpired(before, batchRows)),
    drain(() => deps.db.oneTimeTokens.purgeExpired(before, batchRows)),
  ]);
  deps.logger.info('purged expired tokens', { sessionsAndRefreshTokens: sessions, oneTimeTokens: links });
  return sessions + links;
}
