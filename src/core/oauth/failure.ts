// The `error=` a failed callback sends the browser back with. Short and fixed: nothing the provider or the request
// supplied is echoed into the app's URL.
export type OAuthFailureReason =
  /** Missing, forged, reused or expired state, or the state of another provider or browser. */
  | 'invalid_state'
  /** The provider answered with an error (the user declined, say). */
  | 'access_denied'
  /** The code could not be redeemed, or what came back failed a check (ID token, issuer, nonce, PKCE). */
  | 'provider_error'
  /** The provider did not vouch for an e-mail address. */
  | 'email_not_verified'
  /** The account is locked or deleted. */
  | 'account_unavailable'
  /** The account already has another identity of this provider. */
  | 'identity_conflict'
  /** The provider or one of our stores could not be reached. */
  | 'temporarily_unavailable'
  | 'server_error';

export class OAuthFailure extends Error {
  override name = 'OAuthFailure';
  constructor(readonly reason: OAuthFailureReason) {
    super(`oauth sign-in failed: ${reason}`);
  }
}
