import { recordAudit } from './audit';
import { newId, sha256Hex } from './crypto';
import type { CoreDeps, RequestContext } from './deps';
import { AppError, StoreUnavailableError } from './errors';
import { isLocked } from './users';
import { denyKeys, denySessions, deriveChildRefreshToken, tokenPair, type TokenPair } from './tokens';

const invalidRefresh = () => new AppError('AUTHENTICATION_ERROR', 'Invalid refresh token');

/**
 * Rotates a refresh token (RFC 9700 §4.14.2). The parent is spent and its child stored in one conditional statement;
 * a replay of a spent parent inside the grace window (concurrent tabs) gets the same child back while that child is
 * live; any other replay means the token leaked, so the whole session (every descendant) is revoked.
 */
export async function refreshTokens(deps: CoreDeps, refreshToken: string, ctx: RequestContext): Promise<TokenPair> {
  try {
    return await rotate(deps, refreshToken, ctx);
  } catch (error) {
    // Every other refusal of a refresh is the generic 401; a reuse is counted where it is detected.
    if (error instanceof AppError && error.code === 'AUTHENTICATION_ERROR') deps.metrics.tokenRefresh('invalid');
    throw error;
  }
}

/**
 * A revocation denies the session's sid for one access-token lifetime from when it writes the entry, and a refresh
 * may be decided before the session's revocation reaches the database. So the session's deny entry is read first
 * and every access token minted here is dated `nowMs`, taken before that read: an entry written later outlives the
 * token, and with one written earlier no token is minted at all (a spent token's replay is still judged, so reuse of
 * a revoked session is still reported). A key-value outage is a 503 with nothing spent (the same token works again
 * afterwards), never a token the denylist could not be asked about.
 */
async function sessionDenied(deps: CoreDeps, parentHash: string): Promise<boolean> {
  const sessionId = await deps.db.sessions.sessionIdOfRefreshToken(parentHash);
  if (!sessionId) throw invalidRefresh();
  try {
    return await deps.kv.existsAny([denyKeys.sid(sessionId)]);
  } catch (error) {
    throw new StoreUnavailableError('key-value', error);
  }
}

async function rotate(deps: CoreDeps, refreshToken: string, ctx: RequestContext): Promise<TokenPair> {
  if (refreshToken.length < 20 || refreshToken.length > 200) throw invalidRefresh();
  const nowMs = deps.clock.nowMs();
  const now = new Date(nowMs);
  const parentHash = await sha256Hex(refreshToken);
  const denied = await sessionDenied(deps, parentHash);
  const child = await deriveChildRefreshToken(deps, refreshToken);
  const childHash = await sha256Hex(child);
  const outcome = await deps.db.sessions.rotateRefreshToken(
    parentHash,
    { id: newId(), tokenHash: childHash, createdAt: now, expiresAt: new Date(nowMs + deps.config.refreshTokenTtlSeconds * 1000) },
    now,
  );
  if (outcome.kind === 'invalid') throw invalidRefresh();
  if (outcome.kind === 'rotated') {
    // Spent for nothing: the session is being revoked, and its child is never handed out.
    if (denied) throw invalidRefresh();
    await recordAudit(deps, ctx, { action: 'TOKEN_REFRESHED', outcome: 'success', userId: outcome.user.id, metadata: { sessionId: outcome.session.id } });
    deps.metrics.tokenRefresh('rotated');
    return tokenPair(deps, outcome.user, outcome.session, child, nowMs);
  }
  // A user locked or deleted since is simply refused: their second tab is not a thief, so no reuse alarm.
  if (outcome.user.deletedAt || isLocked(outcome.user, nowMs)) throw invalidRefresh();
  const withinGrace = nowMs - outcome.spentAt.getTime() <= deps.config.refreshReuseGraceSeconds * 1000;
  if (withinGrace && outcome.childLive && outcome.childTokenHash === childHash) {
    if (denied) throw invalidRefresh();
    deps.metrics.tokenRefresh('grace');
    return tokenPair(deps, outcome.user, outcome.session, child, nowMs);
  }
  deps.metrics.tokenRefresh('reuse');
  await denySessions(deps, [outcome.session.id]);
  await deps.db.sessions.revoke(outcome.user.id, outcome.session.id, now, 'refresh_token_reuse');
  await recordAudit(deps, ctx, {
    action: 'TOKEN_REUSE_DETECTED',
    outcome: 'failure',
    userId: outcome.user.id,
    metadata: { sessionId: outcome.session.id },
  });
  deps.logger.warn('refresh token reuse detected; session revoked', { userId: outcome.user.id, sessionId: outcome.session.id });
  throw new AppError('TOKEN_REUSE_DETECTED', 'Refresh token reuse detected; the session has been revoked');
}
