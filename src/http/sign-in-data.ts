import type { SignInResult } from '../core/sign-in';

/**
 * API.md's answer to any first factor (login, OAuth exchange): tokens, or the MFA challenge and nothing else.
 * `finished` adds fields to a finished sign-in only (the OAuth exchange's `isNewUser`).
 */
export function signInData<Extra extends object = Record<never, never>>(result: SignInResult, finished?: Extra) {
  return result.mfaRequired
    ? { mfaRequired: true as const, mfaToken: result.mfaToken, expiresIn: result.expiresIn }
    : { mfaRequired: false as const, user: result.user, ...result.tokens, ...(finished as Extra) };
}
