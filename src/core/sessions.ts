import { recordAudit } from './audit';
import type { CoreDeps, RequestContext } from './deps';
import { describeDevice } from './device';
import { AppError } from './errors';
import type { SessionRecord } from './ports';
import { denyKeys, denylist, denySessions, revokeUserSessions } from './tokens';

export interface PublicSession {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ipAddress: string | null;
  userAgent: string | null;
  device: string;
  current: boolean;
}

/** The API.md `Session`: never token values. */
export function toPublicSession(session: SessionRecord, currentSessionId: string | null): PublicSession {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    ipAddress: session.ipAddress,
    userAgent: session.userAgent,
    device: describeDevice(session.userAgent),
    current: session.id === currentSessionId,
  };
}

export async function listSessions(deps: CoreDeps, auth: { userId: string; sessionId: string }): Promise<PublicSession[]> {
  const sessions = await deps.db.sessions.listActiveForUser(auth.userId, new Date(deps.clock.nowMs()));
  return sessions.map((s) => toPublicSession(s, auth.sessionId));
}

/** Another user's session id is indistinguishable from an unknown one (404), so ids can't be probed. */
export async function revokeSession(deps: CoreDeps, auth: { userId: string }, sessionId: string, ctx: RequestContext): Promise<void> {
  const session = await deps.db.sessions.findById(sessionId);
  const now = new Date(deps.clock.nowMs());
  if (!session || session.userId !== auth.userId || session.revokedAt || session.expiresAt <= now) {
    throw new AppError('NOT_FOUND', 'Session not found');
  }
  await denySessions(deps, [session.id]);
  if (!(await deps.db.sessions.revoke(auth.userId, session.id, now, 'revoked_by_user'))) throw new AppError('NOT_FOUND', 'Session not found');
  await recordAudit(deps, ctx, { action: 'SESSION_REVOKED', outcome: 'success', userId: auth.userId, metadata: { sessionId: session.id } });
}

export async function revokeOtherSessions(deps: CoreDeps, auth: { userId: string; sessionId: string }, ctx: RequestContext): Promise<number> {
  const revoked = await revokeUserSessions(deps, auth.userId, 'revoked_by_user', { exceptSessionId: auth.sessionId });
  if (revoked.length > 0) {
    await recordAudit(deps, ctx, { action: 'SESSION_REVOKED', outcome: 'success', userId: auth.userId, metadata: { sessionIds: revoked, scope: 'others' } });
  }
  return revoked.length;
}

/**
 * Logout: this access token dies at once — keyed by its jti, not the token string, so a re-encoded copy is dead too —
 * and so does its session. The database goes first: a database outage then answers 503 with nothing done, and the
 * client retries with the same, still valid token. A key-value outage after the revocation answers 503 too; the
 * session is already dead in the database (refresh refused) and the retry, once the store answers, denies the token.
 * A refresh racing this either finds the session revoked, or reads the sid entry before minting (refresh.ts).
 */
export async function logout(
  deps: CoreDeps,
  auth: { userId: string; sessionId: string; jti: string; expiresAtSeconds: number },
  ctx: RequestContext,
): Promise<void> {
  await deps.db.sessions.revoke(auth.userId, auth.sessionId, new Date(deps.clock.nowMs()), 'logout');
  await recordAudit(deps, ctx, { action: 'LOGOUT', outcome: 'success', userId: auth.userId, metadata: { sessionId: auth.sessionId } });
  const remainingSeconds = auth.expiresAtSeconds - Math.floor(deps.clock.nowMs() / 1000);
  await denylist(deps, [denyKeys.jti(auth.jti)], remainingSeconds);
  await denySessions(deps, [auth.sessionId]);
}
