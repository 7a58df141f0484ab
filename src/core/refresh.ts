import { recordAudit, sessionAuditRow } from './audit';
import { newId, sha256Hex } from './crypto';
import type { CoreDeps, RequestContext } from './deps';
import { AppError, StoreUnavailableError } from './errors';
import type { SessionRecord, UserRecord } from './ports';
import { isLocked } from './users';
import { denyKeys, denySessions, deriveChildRefreshToken, tokenPair, type TokenPair } from './tokens';

const invalidRefresh = () => new AppError('AUTHENTICATION_ERROR', 'Invalid refresh token');

/**
 * How long an unanswered rotation stays claimable: a presentation is marked in the key-value store before the
 * rotation and the mark is cleared once the new pair is handed out, so a mark still there means an earlier
 * presentation of the same token never got its answer (a 503 after the rotation committed, a crash). A retry of
 * that token then gets the same child, while the child is unused, instead of looking like theft.
 */
export const UNANSWERED_ROTATION_SECONDS = 3600;
const pendingKey = (parentHash: string) => `refresh-pending:${parentHash}`;

/**
 * Rotates a refresh token (RFC 9700 §4.14.2). The parent is spent and its child stored in one conditional statement;
 * a replay of a spent parent inside the grace window (concurrent tabs) gets the same child back while that child is
 * live, and so does the retry of a rotation that was never answered; any other replay means the token leaked, so the
 * whole session (every descendant) is revoked.
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

async function rotate(deps: CoreDeps, refreshToken: string, ctx: RequestContext): Promise<TokenPair> {
  if (refreshToken.length < 20 || refreshToken.length > 200) throw invalidRefresh();
  const nowMs = deps.clock.nowMs();
  const now = new Date(nowMs);
  const parentHash = await sha256Hex(refreshToken);
  const child = await deriveChildRefreshToken(deps, refreshToken);
  const childHash = await sha256Hex(child);
  // Before anything is written, so a key-value outage is a 503 with nothing done.
  const presentations = await keyValue(() => deps.kv.increment(pendingKey(parentHash), UNANSWERED_ROTATION_SECONDS));
  // The rotation is audited by the statement that rotates (its user and session filled in there).
  const audit = sessionAuditRow(deps, ctx, { action: 'TOKEN_REFRESHED', outcome: 'success' });
  const outcome = await deps.db.sessions.rotateRefreshToken(
    parentHash,
    { id: newId(), tokenHash: childHash, createdAt: now, expiresAt: new Date(nowMs + deps.config.refreshTokenTtlSeconds * 1000) },
    now,
    audit,
  );
  const answer = { deps, parentHash, child, issuedAtMs: nowMs };
  if (outcome.kind === 'rotated') {
    const pair = await handOut(answer, outcome);
    deps.metrics.tokenRefresh('rotated');
    return pair;
  }
  if (outcome.kind === 'invalid' || outcome.user.deletedAt || isLocked(outcome.user, nowMs)) {
    // A user locked or deleted since is simply refused: their second tab is not a thief, so no reuse alarm.
    await forgetPresentation(deps, parentHash);
    throw invalidRefresh();
  }
  const withinGrace = nowMs - outcome.spentAt.getTime() <= deps.config.refreshReuseGraceSeconds * 1000;
  // An earlier presentation left its mark: its rotation committed but its answer never went out.
  const unanswered = presentations > 1;
  if ((withinGrace || unanswered) && outcome.childLive && outcome.childTokenHash === childHash) {
    // Not audited again: the rotation that made this child was, in its own statement.
    const pair = await handOut(answer, outcome);
    deps.metrics.tokenRefresh('grace');
    return pair;
  }
  deps.metrics.tokenRefresh('reuse');
  await forgetPresentation(deps, parentHash);
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

interface Answer {
  deps: CoreDeps;
  parentHash: string;
  child: string;
  /** When this refresh started: before the deny entry is read below (see handOut). */
  issuedAtMs: number;
}

/**
 * Mints the pair for a rotated (or re-handed) child. The session's sid entry is read right before minting: a session
 * being revoked (a logout, a revoke whose database write failed) gets no new access token and is revoked here too.
 * A revocation denies the sid for one access-token lifetime from when it writes the entry, so the access token is
 * dated when this refresh started, before that read: an entry written after the read outlives the token.
 */
async function handOut({ deps, parentHash, child, issuedAtMs }: Answer, outcome: { user: UserRecord; session: SessionRecord }) {
  const { user, session } = outcome;
  if (await keyValue(() => deps.kv.existsAny([denyKeys.sid(session.id)]))) {
    await deps.db.sessions.revoke(user.id, session.id, new Date(deps.clock.nowMs()), 'denylisted');
    await forgetPresentation(deps, parentHash);
    throw invalidRefresh();
  }
  const pair = await tokenPair(deps, user, session, child, issuedAtMs);
  await forgetPresentation(deps, parentHash);
  return pair;
}

async function keyValue<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new StoreUnavailableError('key-value', error);
  }
}

/** The answer is out (or there is nothing to answer): a later presentation of this token is a replay again. */
async function forgetPresentation(deps: CoreDeps, parentHash: string): Promise<void> {
  // Best effort: a mark that outlives its answer only lets a retry get the unused child, still one per chain.
  await deps.kv.delete(pendingKey(parentHash)).catch(() => undefined);
}
