import { z } from 'zod';
import { recordAudit } from '../audit';
import type { CoreDeps, RequestContext } from '../deps';
import { invalidCredentials } from '../errors';
import { consumeOneTimeSecret, issueOneTimeSecret, type OneTimeSecretKind } from '../one-time-secrets';
import type { UserRecord } from '../ports';
import { afterFirstFactor, assertMaySignIn, countedSignIn, type SignInResult } from '../sign-in';

/**
 * What the callback hands the browser instead of tokens (API.md: never tokens in a URL): a code that works once,
 * for 60 seconds, and stands for the user and the security stamp the provider's answer was checked against.
 */
export const OAUTH_EXCHANGE: OneTimeSecretKind<{ userId: string; securityStamp: number; isNewUser: boolean; provider: string }> = {
  purpose: 'oauth-exchange',
  ttlSeconds: 60,
  maxAttempts: 1,
  payload: z.object({ userId: z.string(), securityStamp: z.number().int(), isNewUser: z.boolean(), provider: z.string() }),
};

export async function issueExchangeCode(deps: CoreDeps, user: UserRecord, about: { isNewUser: boolean; provider: string }): Promise<string> {
  const { token } = await issueOneTimeSecret(deps, OAUTH_EXCHANGE, { userId: user.id, securityStamp: user.securityStamp, ...about });
  return token;
}

async function refuse(deps: CoreDeps, ctx: RequestContext, userId: string | null, reason: string): Promise<never> {
  await recordAudit(deps, ctx, { action: 'LOGIN_FAILURE', outcome: 'failure', userId, metadata: { reason, method: 'oauth' } });
  throw invalidCredentials();
}

/**
 * POST /oauth/exchange. The code is spent first (one caller wins, however many race). The sign-in then finishes
 * through the one seam, against the stamp the code was minted with: a lock, reset or deletion since the callback
 * rotated it, so nothing is created and the answer is the generic 401 of a password login.
 */
export function exchangeOAuthCode(deps: CoreDeps, code: string, ctx: RequestContext): Promise<SignInResult & { isNewUser: boolean }> {
  return countedSignIn(deps, 'oauth', () => redeemExchangeCode(deps, code, ctx));
}

async function redeemExchangeCode(deps: CoreDeps, code: string, ctx: RequestContext): Promise<SignInResult & { isNewUser: boolean }> {
  const minted = await consumeOneTimeSecret(deps, OAUTH_EXCHANGE, code);
  if (!minted) return refuse(deps, ctx, null, 'invalid_exchange_code');
  const user = await deps.db.users.findById(minted.userId);
  try {
    assertMaySignIn(user, deps.clock.nowMs());
  } catch {
    return refuse(deps, ctx, minted.userId, user?.deletedAt ? 'deleted' : 'locked');
  }
  if (user.securityStamp !== minted.securityStamp) return refuse(deps, ctx, user.id, 'state_changed');
  const result = await afterFirstFactor(deps, user, { method: 'oauth', amr: ['oauth'] }, ctx);
  return { ...result, isNewUser: minted.isNewUser };
}
