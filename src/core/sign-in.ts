import { recordAudit, sessionAuditRow } from './audit';
import type { CoreDeps, RequestContext } from './deps';
import { AppError, invalidCredentials } from './errors';
import { startMfaChallenge } from './mfa-challenge';
import type { UserRecord } from './ports';
import { startSession, type TokenPair } from './tokens';
import { isLocked, toPublicUser, type PublicUser } from './users';

// The one way every sign-in ends (DESIGN.md "Seams"): password, TOTP, backup code, OAuth exchange and passkey all
// verify a factor against a user record they read first, then come here. The session is created only while that
// record's security stamp is still the user's (core/tokens.ts startSession), so a sign-in that verified against a
// state that changed in the meantime (a reset, a lock, a deletion) creates nothing and gets the generic 401.

/** `method` is what the last factor was (API.md metrics: password, mfa, backup_code, oauth, passkey). */
export type SignInMethod = 'password' | 'mfa' | 'backup_code' | 'oauth' | 'passkey';

export interface SignInFactor {
  method: SignInMethod;
  /** RFC 8176 values the finished session carries: ["pwd"], ["pwd","otp"], ["oauth"], ["hwk","user"], ... */
  amr: string[];
}

export type SignInResult =
  | { mfaRequired: false; user: PublicUser; tokens: TokenPair }
  | { mfaRequired: true; mfaToken: string; expiresIn: number };

/** The session passed a second factor: a TOTP or backup code, or a passkey with user verification. */
export function satisfiesMfa(amr: readonly string[]): boolean {
  return amr.includes('otp') || (amr.includes('hwk') && amr.includes('user'));
}

/** Deleted and locked accounts never sign in, whatever factor they bring; the same generic 401 as a bad password. */
export function assertMaySignIn(user: UserRecord | null, nowMs: number): asserts user is UserRecord {
  if (!user || user.deletedAt || isLocked(user, nowMs)) throw invalidCredentials();
}

/**
 * Runs one sign-in step and counts its refusal (`auth_login_total{result="failure"}`): every refusal of a sign-in is
 * the generic 401, whatever the reason, so that is what counts. Successes are counted where sessions start
 * (finishSignIn); a password step that ends in an MFA challenge is neither, its outcome is the second step's.
 */
export async function countedSignIn<T>(deps: CoreDeps, method: SignInMethod, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof AppError && error.code === 'AUTHENTICATION_ERROR') deps.metrics.loginAttempt(method, 'failure');
    throw error;
  }
}

/** A first factor passed: an MFA user gets a challenge (no tokens), anyone else a finished sign-in. */
export async function afterFirstFactor(deps: CoreDeps, user: UserRecord, factor: SignInFactor, ctx: RequestContext): Promise<SignInResult> {
  if (user.mfaEnabledAt && !satisfiesMfa(factor.amr)) {
    // An MFA login is not a success until the second factor passes: the failure counter must survive the first
    // step, or an attacker holding the password could guess codes forever by logging in again between guesses.
    const challenge = await startMfaChallenge(deps, user, factor, ctx);
    return { mfaRequired: true, ...challenge };
  }
  return { mfaRequired: false, ...(await finishSignIn(deps, user, factor, ctx)) };
}

/**
 * Records the success and starts the session in one conditional statement, then audits it. `user` must be the
 * record the factors were verified against (its security stamp is the condition).
 */
export async function finishSignIn(
  deps: CoreDeps,
  user: UserRecord,
  factor: SignInFactor,
  ctx: RequestContext,
): Promise<{ user: PublicUser; tokens: TokenPair }> {
  // The success is audited by the statement that starts the session: one write, and no session without its row.
  const audit = sessionAuditRow(deps, ctx, { action: 'LOGIN_SUCCESS', outcome: 'success', metadata: { method: factor.method, amr: factor.amr } });
  const tokens = await startSession(deps, user, factor.amr, ctx, { recordSignIn: true, audit });
  if (!tokens) {
    await recordAudit(deps, ctx, { action: 'LOGIN_FAILURE', outcome: 'failure', userId: user.id, metadata: { reason: 'state_changed', method: factor.method } });
    throw invalidCredentials();
  }
  deps.metrics.loginAttempt(factor.method, 'success');
  const now = new Date(deps.clock.nowMs());
  return { user: toPublicUser({ ...user, lastLoginAt: now, failedLoginCount: 0 }), tokens };
}
