import type { CoreDeps } from './deps';

/** Spent, expired and revoked tokens are useless to keep; a day's margin leaves recent ones for reuse detection. */
export const PURGE_MARGIN_SECONDS = 24 * 3600;

/** Deletes expired/revoked sessions, refresh tokens and one-time links (Node: an interval; Workers: a cron trigger). */
export async function purgeExpiredTokens(deps: Pick<CoreDeps, 'db' | 'clock' | 'logger'>): Promise<number> {
  const before = new Date(deps.clock.nowMs() - PURGE_MARGIN_SECONDS * 1000);
  const [sessions, links] = await Promise.all([deps.db.sessions.purgeExpired(before), deps.db.oneTimeTokens.purgeExpired(before)]);
  deps.logger.info('purged expired tokens', { sessionsAndRefreshTokens: sessions, oneTimeTokens: links });
  return sessions + links;
}
