import { signAccessToken } from './access-token';
import { hmacBase64url, newId, randomToken, sha256Hex } from './crypto';
import type { CoreDeps } from './deps';
import { StoreUnavailableError } from './errors';
import type { AtomicWrites, NewRefreshToken, NewSession, SessionCreateOptions, SessionRecord, Step, StepResults, UserRecord } from './ports';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export const denyKeys = {
  jti: (jti: string) => `deny:jti:${jti}`,
  sid: (sid: string) => `deny:sid:${sid}`,
};

/** `issuedAtMs` (default now) dates the token back, so it expires no later than a denylist entry written after then. */
export async function mintAccessToken(deps: CoreDeps, user: UserRecord, session: Pick<SessionRecord, 'id' | 'amr'>, issuedAtMs = deps.clock.nowMs()) {
  const { jwt } = deps.config;
  return signAccessToken(
    deps.keys,
    { issuer: jwt.issuer, audience: jwt.audience, ttlSeconds: jwt.accessTokenTtlSeconds },
    { sub: user.id, sid: session.id, jti: newId(), role: user.role, email: user.email, amr: session.amr },
    issuedAtMs,
  );
}

export async function tokenPair(
  deps: CoreDeps,
  user: UserRecord,
  session: Pick<SessionRecord, 'id' | 'amr'>,
  refreshToken: string,
  issuedAtMs?: number,
): Promise<TokenPair> {
  return {
    accessToken: await mintAccessToken(deps, user, session, issuedAtMs),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: deps.config.jwt.accessTokenTtlSeconds,
  };
}

/**
 * A rotated token's child is HMAC(key, parent): a retry of the same parent inside the grace window can be handed
 * the same child again without the raw child ever being stored (DESIGN.md, refresh tokens).
 */
export function deriveChildRefreshToken(deps: Pick<CoreDeps, 'refreshChildKey'>, parent: string): Promise<string> {
  return hmacBase64url(deps.refreshChildKey, parent);
}

/**
 * Starts a session (a token family) for a user who just authenticated, conditional on `user` as it was read before
 * the factors were verified (security stamp, not deleted, not locked now). Null when that state has changed since.
 */
export async function startSession(
  deps: CoreDeps,
  user: UserRecord,
  amr: string[],
  ctx: { ipAddress: string | null; userAgent: string | null },
  options: SessionCreateOptions,
): Promise<TokenPair | null> {
  const made = await newSession(deps, user, amr, ctx);
  const created = await deps.db.sessions.createWithRefreshToken(made.session, made.token, options);
  return created ? tokenPair(deps, user, made.session, made.refreshToken) : null;
}

/** A session and its first refresh token, made up front so a batch can create them with other writes. */
export async function newSession(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'config'>,
  user: Pick<UserRecord, 'id' | 'securityStamp'>,
  amr: string[],
  ctx: { ipAddress: string | null; userAgent: string | null },
): Promise<{ session: NewSession; token: NewRefreshToken; refreshToken: string }> {
  const now = new Date(deps.clock.nowMs());
  const expiresAt = new Date(now.getTime() + deps.config.refreshTokenTtlSeconds * 1000);
  const session = {
    id: newId(),
    userId: user.id,
    createdAt: now,
    expiresAt,
    ipAddress: ctx.ipAddress,
    userAgent: ctx.userAgent,
    amr,
    securityStamp: user.securityStamp,
  };
  const refreshToken = randomToken(deps.random);
  const token = { id: newId(), sessionId: session.id, tokenHash: await sha256Hex(refreshToken), parentId: null, createdAt: now, expiresAt };
  return { session, token, refreshToken };
}

/**
 * Revokes sessions at once: the denylist first (so their access tokens die immediately, and a key-value outage
 * fails the whole operation closed before anything is written), then the database.
 */
export async function denySessions(deps: CoreDeps, sessionIds: readonly string[]): Promise<void> {
  const ttl = deps.config.jwt.accessTokenTtlSeconds;
  await denylist(deps, sessionIds.map((sid) => denyKeys.sid(sid)), ttl);
}

/** Writes denylist keys; an unreachable store is a 503 (fail closed), never a silent success. */
export async function denylist(deps: Pick<CoreDeps, 'kv'>, keys: readonly string[], ttlSeconds: number): Promise<void> {
  try {
    await Promise.all(keys.map((key) => deps.kv.set(key, '1', Math.max(1, ttlSeconds))));
  } catch (error) {
    throw new StoreUnavailableError('key-value', error);
  }
}

/**
 * Revokes every active session of a user (except one, for "everywhere else"). The sessions are denied in the
 * key-value store first, so a key-value outage fails closed before anything is written; then the database revokes,
 * and sessions created in between are denied too.
 */
export async function revokeUserSessions(deps: CoreDeps, userId: string, reason: string, options: { exceptSessionId?: string } = {}): Promise<string[]> {
  const { exceptSessionId } = options;
  const active = await activeSessionsDenied(deps, userId, exceptSessionId);
  const revoked = await deps.db.sessions.revokeAllForUser(userId, new Date(deps.clock.nowMs()), reason, exceptSessionId);
  await denyLate(deps, active, revoked);
  return revoked;
}

/** The revocation step of a batch; `when`: only if that earlier step took effect (the change that ends the sessions). */
export type RevokeStep = (when?: Step<unknown>) => Step<string[]>;

/**
 * Revokes every active session of a user (except one) in one atomic batch with the change that ends them (a stamp
 * rotation) and its audit row: `writes` returns the steps and places the revocation among them with `revoke`.
 * Denied in the key-value store first, as above: a key-value outage fails closed before anything is written, and the
 * denial alone is harmless (it only cuts short the access tokens of sessions this very change ends; if the batch
 * fails, the 503 leaves the account as it was and a retry ends them for good). Sessions created between the listing
 * and the batch are revoked by it and denied afterwards.
 */
export async function revokeUserSessionsWith<const S extends readonly Step<unknown>[]>(
  deps: CoreDeps,
  userId: string,
  reason: string,
  options: { exceptSessionId?: string },
  writes: (w: AtomicWrites, revoke: RevokeStep, now: Date) => S,
): Promise<StepResults<S>> {
  const { exceptSessionId } = options;
  const active = await activeSessionsDenied(deps, userId, exceptSessionId);
  const now = new Date(deps.clock.nowMs());
  let revocation: Step<string[]> | undefined;
  let at = -1;
  const results = await deps.db.atomic((w) => {
    const steps = writes(w, (when) => (revocation = w.sessions.revokeAllForUser(userId, now, reason, exceptSessionId, when ? { when } : {})), now);
    at = revocation ? steps.indexOf(revocation) : -1;
    return steps;
  });
  if (at >= 0) await denyLate(deps, active, results[at] as string[]);
  return results;
}

async function activeSessionsDenied(deps: CoreDeps, userId: string, exceptSessionId: string | undefined): Promise<string[]> {
  const active = (await deps.db.sessions.listActiveForUser(userId, new Date(deps.clock.nowMs())))
    .map((s) => s.id)
    .filter((id) => id !== exceptSessionId);
  await denySessions(deps, active);
  return active;
}

async function denyLate(deps: CoreDeps, active: readonly string[], revoked: readonly string[]): Promise<void> {
  const late = revoked.filter((id) => !active.includes(id));
  if (late.length > 0) await denySessions(deps, late);
}
