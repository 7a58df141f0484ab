import { z } from 'zod';
import type { CoreDeps, RequestContext } from './deps';
import { issueOneTimeSecret, type OneTimeSecretKind } from './one-time-secrets';
import type { UserRecord } from './ports';
import type { SignInFactor } from './sign-in';

/**
 * The MFA login challenge (API.md): the mfaToken lives 5 minutes, works once, dies after 5 wrong codes, and stands
 * for its user, the first factor's `amr`, and the security stamp the first factor was verified against. It is an
 * opaque key-value token, so it can never pass for an access token (a JWT), nor an access token for it.
 */
export const MFA_LOGIN_CHALLENGE: OneTimeSecretKind<{ userId: string; securityStamp: number; amr: string[] }> = {
  purpose: 'mfa-login',
  ttlSeconds: 300,
  maxAttempts: 5,
  payload: z.object({ userId: z.string(), securityStamp: z.number().int(), amr: z.array(z.string()) }),
};

export async function startMfaChallenge(
  deps: CoreDeps,
  user: UserRecord,
  factor: SignInFactor,
  _ctx: RequestContext,
): Promise<{ mfaToken: string; expiresIn: number }> {
  const { token, expiresIn } = await issueOneTimeSecret(deps, MFA_LOGIN_CHALLENGE, {
    userId: user.id,
    securityStamp: user.securityStamp,
    amr: factor.amr,
  });
  return { mfaToken: token, expiresIn };
}
