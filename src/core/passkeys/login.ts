import { z } from 'zod';
import { recordAudit } from '../audit';
import { randomToken } from '../crypto';
import type { CoreDeps, RequestContext } from '../deps';
import { invalidCredentials } from '../errors';
import { consumeOneTimeSecret, issueOneTimeSecret, type OneTimeSecretKind } from '../one-time-secrets';
import type { PasskeyAuthenticationResponse, PasskeyRecord, PasskeyRequestOptions } from '../ports';
import { afterFirstFactor, assertMaySignIn, countedSignIn, type SignInResult } from '../sign-in';
import { userHandleOf } from './register';

/** A login challenge: 5 minutes, once, for logins only (a registration challenge is another purpose). */
export const PASSKEY_LOGIN: OneTimeSecretKind<{ challenge: string }> = {
  purpose: 'passkey-login',
  ttlSeconds: 300,
  // Consumed by its first presentation, right or wrong: there is no second attempt to count.
  maxAttempts: 1,
  payload: z.object({ challenge: z.string() }),
};

/** Discoverable login: no allowCredentials, the authenticator offers what it holds for this RP and names the user. */
export async function startPasskeyLogin(deps: CoreDeps): Promise<{ challengeId: string; options: PasskeyRequestOptions }> {
  const challenge = randomToken(deps.random);
  const options = await deps.passkeyVerifier.authenticationOptions({ challenge });
  const { token } = await issueOneTimeSecret(deps, PASSKEY_LOGIN, { challenge });
  return { challengeId: token, options };
}

/**
 * WebAuthn L2 §7.2 step 21: a counter that does not move forward means two authenticators hold the key. 0 and 0
 * is an authenticator without a counter (synced passkeys). The database re-checks this atomically when storing it.
 */
function counterAdvances(stored: number, presented: number): boolean {
  return presented > stored || (presented === 0 && stored === 0);
}

// Failures do not count toward the account lockout: a credential id is no secret, so anyone could lock the owner
// out with forged assertions. They count toward the route's rate limit instead (SECURITY.md, Passkeys).
async function fail(deps: CoreDeps, ctx: RequestContext, userId: string | null, reason: string): Promise<never> {
  await recordAudit(deps, ctx, { action: 'LOGIN_FAILURE', outcome: 'failure', userId, metadata: { method: 'passkey', reason } });
  throw invalidCredentials();
}

async function suspectClone(deps: CoreDeps, ctx: RequestContext, passkey: PasskeyRecord, presented: number): Promise<never> {
  await recordAudit(deps, ctx, {
    action: 'PASSKEY_CLONE_SUSPECTED',
    outcome: 'failure',
    userId: passkey.userId,
    metadata: { passkeyId: passkey.id, storedSignCount: passkey.signCount, presentedSignCount: presented },
  });
  deps.logger.warn('passkey sign count did not advance: possible cloned authenticator', { userId: passkey.userId, passkeyId: passkey.id });
  return fail(deps, ctx, passkey.userId, 'sign_count');
}

/** Every failure is the generic 401 and changes nothing but the audit trail; the challenge is spent either way. */
export function finishPasskeyLogin(
  deps: CoreDeps,
  input: { challengeId: string; response: PasskeyAuthenticationResponse },
  ctx: RequestContext,
): Promise<SignInResult> {
  return countedSignIn(deps, 'passkey', () => verifyPasskeyLogin(deps, input, ctx));
}

async function verifyPasskeyLogin(
  deps: CoreDeps,
  input: { challengeId: string; response: PasskeyAuthenticationResponse },
  ctx: RequestContext,
): Promise<SignInResult> {
  const pending = await consumeOneTimeSecret(deps, PASSKEY_LOGIN, input.challengeId);
  const passkey = await deps.db.passkeys.findByCredentialId(input.response.id);
  // Attributed to the credential's owner where there is one, so the owner's audit trail shows the attempt.
  if (!pending) return fail(deps, ctx, passkey?.userId ?? null, 'challenge');
  if (!passkey) return fail(deps, ctx, null, 'unknown_credential');
  // Read before the assertion is verified: the session starts only while this record's security stamp is current,
  // so a lock, deletion or reset racing this login leaves no session behind.
  const user = await deps.db.users.findById(passkey.userId);
  try {
    assertMaySignIn(user, deps.clock.nowMs());
  } catch {
    return fail(deps, ctx, passkey.userId, user?.deletedAt ? 'deleted' : 'locked');
  }
  const { userHandle } = input.response.response;
  if (userHandle !== undefined && userHandle !== userHandleOf(user.id)) return fail(deps, ctx, user.id, 'user_handle');
  const assertion = await deps.passkeyVerifier.verifyAuthentication(input.response, pending.challenge, passkey);
  if (!assertion.verified) return fail(deps, ctx, user.id, assertion.reason);
  if (!counterAdvances(passkey.signCount, assertion.signCount)) return suspectClone(deps, ctx, passkey, assertion.signCount);
  const use = { signCount: assertion.signCount, backedUp: assertion.backedUp, usedAt: new Date(deps.clock.nowMs()) };
  // Removed since it was read, or another login presenting the same count got there first.
  if (!(await deps.db.passkeys.recordUse(passkey.id, use))) return fail(deps, ctx, user.id, 'passkey_changed');
  await recordAudit(deps, ctx, { action: 'PASSKEY_LOGIN', outcome: 'success', userId: user.id, metadata: { passkeyId: passkey.id, userVerified: assertion.userVerified } });
  // User verification makes the passkey two factors in one (RFC 8176 hwk + user), which satisfies MFA.
  return afterFirstFactor(deps, user, { method: 'passkey', amr: assertion.userVerified ? ['hwk', 'user'] : ['hwk'] }, ctx);
}
