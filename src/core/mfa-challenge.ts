import type { CoreDeps, RequestContext } from './deps';
import { AppError } from './errors';
import type { UserRecord } from './ports';
import type { SignInFactor } from './sign-in';

/**
 * The MFA login challenge: a short-lived, single-use mfaToken bound to the user and the security stamp the first
 * factor was verified against. Placeholder until MFA enrolment exists (no user can have MFA on yet).
 */
export async function startMfaChallenge(
  _deps: CoreDeps,
  _user: UserRecord,
  _factor: SignInFactor,
  _ctx: RequestContext,
): Promise<{ mfaToken: string; expiresIn: number }> {
  throw new AppError('INTERNAL_ERROR', 'MFA login is not available yet');
}
