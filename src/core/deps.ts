import type { Config } from '../config';
import type { SigningKeys } from './keys';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { Clock, Database, KeyValueStore, Mailer, OAuthProvider, PasskeyVerifier, PasswordHasher, Random } from './ports';

/** Everything a use-case may touch, assembled by a runtime entry (src/runtime/*). */
export interface CoreDeps {
  config: Config;
  db: Database;
  kv: KeyValueStore;
  passwords: PasswordHasher;
  /** WebAuthn ceremonies for the configured relying party (config.webauthn). */
  passkeyVerifier: PasskeyVerifier;
  mailer: Mailer;
  clock: Clock;
  random: Random;
  keys: SigningKeys;
  /** HMAC key from which a refresh token's child is derived (grace-window retries get the same child). */
  refreshChildKey: CryptoKey;
  /** 32-byte AES-256-GCM key for TOTP secrets at rest, derived from MFA_ENCRYPTION_KEY for that purpose alone. */
  mfaKey: Uint8Array;
  /**
   * MFA_ENCRYPTION_KEY itself, which earlier versions used directly as the AES key: only for reading a secret stored
   * that way (it is re-encrypted under `mfaKey` when next written). Never used to encrypt.
   */
  legacyMfaKey: Uint8Array;
  logger: Logger;
  /** Counters of sign-ins, lockouts, rate-limit hits, refreshes and requests (no-op where nothing scrapes). */
  metrics: Metrics;
  /** The configured sign-in providers by id, in API.md's order: google, github, then each OIDC provider as listed. */
  oauthProviders: ReadonlyMap<string, OAuthProvider>;
}

/** Who is asking: carried into audit rows and sessions. */
export interface RequestContext {
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string;
  /**
   * Runs work after the response (mail delivery), so a reply's timing does not tell whether an account exists.
   * Handed to the runtime's waitUntil (Workers; Node's entry waits for it at shutdown before closing the stores).
   * Errors are logged by the caller's wrapper, never thrown.
   */
  defer(task: () => Promise<void>): void;
}
