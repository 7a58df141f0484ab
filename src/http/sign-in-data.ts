import type { SignInResult } from '../core/sign-in';

/** API.md's answer to any first factor (login, OAuth exchange): tokens, or the MFA challenge and nothing else. */
export function signInData(result: SignInResult) {
  return result.mfaRequired
    ? { mfaRequired: true as const, mfaToken: result.mfaToken, expiresIn: result.expiresIn }
    : { mfaRequired: false as const, user: result.user, ...result.tokens };
}
