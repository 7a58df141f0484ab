// The OAuth and OpenID Connect ports, re-exported by ports.ts (kept apart so ports.ts stays one screenful per concern).
import type { NewUser, UserRecord } from './ports';

// ---------------------------------------------------------------- sign-in providers

/** Who a provider says signed in. */
export interface OAuthIdentity {
  /** The provider's stable user id (OIDC `sub`, GitHub's numeric id). */
  subject: string;
  email: string | null;
  /** The provider vouches for the address (OIDC `email_verified: true`; GitHub: verified and primary). */
  emailVerified: boolean;
  name: string | null;
}

/** One sign-in attempt's secrets: made by the core, kept in the browser between the two legs, used once. */
export interface OAuthAttempt {
  state: string;
  /** PKCE (RFC 7636) S256 verifier. */
  codeVerifier: string;
  /** OpenID Connect nonce; plain OAuth providers ignore it. */
  nonce: string;
}

/**
 * One sign-in provider (Google, GitHub, an OpenID provider). The core never sees a provider library: adapters in
 * src/adapters/oauth implement this, and any other implementation plugs in the same way.
 */
export interface OAuthProvider {
  /** Lower-case letters, digits and `-`: the path segment of /oauth/:provider. */
  readonly id: string;
  readonly name: string;
  readonly type: 'oauth' | 'oidc';
  /** Where to send the browser. Rejects with ProviderUnavailableError when the provider cannot be reached. */
  authorizationUrl(attempt: OAuthAttempt): Promise<URL>;
  /**
   * Checks the provider's callback parameters, redeems the code with the attempt's PKCE verifier and returns who
   * signed in, or rejects. OpenID adapters also check the ID token (signature, iss, aud, exp, nonce).
   */
  redeem(callback: URLSearchParams, attempt: OAuthAttempt): Promise<OAuthIdentity>;
  /** Fetches what the provider needs up front (OIDC discovery); never rejects: a failure is logged. */
  prepare?(): Promise<void>;
}

// ---------------------------------------------------------------- linked identities

export interface NewOAuthIdentity {
  id: string;
  userId: string;
  provider: string;
  /** The identity is (provider, this), never the e-mail the provider reports. */
  providerUserId: string;
  email: string | null;
  createdAt: Date;
}

export interface OAuthIdentityRecord {
  provider: string;
  email: string | null;
  linkedAt: Date;
}

export type UnlinkOutcome = 'unlinked' | 'not_found' | 'last_sign_in_method';

export interface OAuthAccountRepository {
  /** The user (deleted or not) an identity is linked to; null when the identity is unknown. */
  findUser(provider: string, providerUserId: string): Promise<UserRecord | null>;
  /**
   * Creates a user and links the identity in one statement; null, with nothing created, when the e-mail is already
   * registered or the identity already linked (a concurrent sign-in won: look again).
   */
  createUserWithIdentity(user: NewUser, identity: Omit<NewOAuthIdentity, 'userId'>): Promise<UserRecord | null>;
  /**
   * Links the identity to an existing user in one statement, only while the user is not deleted, still has
   * `expected.securityStamp`, has no identity of this provider yet, and still is (or is not) an unverified password
   * account as `expected.removePassword` says. The e-mail becomes verified (the provider vouched for it); with
   * `removePassword` the password is removed and the stamp rotates in the same statement. Null, with nothing
   * changed, when a condition fails.
   */
  link(identity: NewOAuthIdentity, expected: { securityStamp: number; removePassword: boolean }, now: Date): Promise<UserRecord | null>;
  /** The user's identities, oldest first. */
  listForUser(userId: string): Promise<OAuthIdentityRecord[]>;
  /**
   * Removes the user's identity of `provider` unless it is the last way to sign in (no password, no other identity,
   * no passkey), decided in one statement on the rows as they are now.
   */
  unlink(userId: string, provider: string): Promise<UnlinkOutcome>;
}
