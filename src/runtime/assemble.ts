import type { Context } from 'hono';
import type { Config } from '../config';
import { deriveKeyBytes, hexToBytes, importHmacKey, randomToken, webRandom } from '../core/crypto';
import { loadSigningKeys, type PublicJwk, type Rs256Check, type Rs256Sign } from '../core/keys';
import type { Logger } from '../core/logger';
import { noopMetrics, type Metrics, type MetricsExposition } from '../core/metrics';
import type { Clock, Database, KeyValueStore, Mailer, OAuthProvider, PasswordHasher, Random } from '../core/ports';
import { configuredOAuthProviders } from '../adapters/oauth/providers';
import { createPasskeyVerifier } from '../adapters/webauthn/verifier';
import { isCommonPassword } from '../core/common-passwords';
import type { AppDeps, AppEnv, EarlyHeaders } from '../http/env';

export const systemClock: Clock = { nowMs: () => Date.now() };

export interface RuntimeParts {
  config: Config;
  db: Database;
  kv: KeyValueStore;
  passwords: PasswordHasher;
  mailer: Mailer;
  logger: Logger;
  /** PKCS#8 PEM or JWK of the signing key (configured, or generated and persisted in embedded mode). */
  privateKey: string;
  /** 64 hex characters. */
  mfaKeyHex: string;
  /** Public keys rotated out of the database but still verifying (key-rotation.ts), as PEM. */
  retiredPublicKeys?: readonly string[];
  clientIp: (c: Context<AppEnv>) => string | null;
  /** Node: the ServerResponse of the request, which takes the frame's headers early (http/frame-headers.ts). */
  earlyHeaders?: (c: Context<AppEnv>) => EarlyHeaders | null;
  clock?: Clock;
  random?: Random;
  /** Sign-in providers other than the configured ones (any implementation of the port); default: from the settings. */
  oauthProviders?: OAuthProvider[];
  /** A synchronous RS256 check over the published keys (Node); default: WebCrypto's asynchronous verify. */
  rs256Check?: (jwks: readonly PublicJwk[]) => Rs256Check;
  /** An RS256 signer over the current private key (Node); default: jose over WebCrypto. */
  rs256Sign?: (privateKey: CryptoKey) => Rs256Sign;
  /** Default: counted nowhere and no /metrics (Workers). */
  metrics?: { metrics: Metrics; exposition: MetricsExposition };
}

/** Turns a runtime's adapters into the app's dependencies; the same on Node and Workers. */
export async function assembleDeps(parts: RuntimeParts): Promise<AppDeps> {
  const clock = parts.clock ?? systemClock;
  const random = parts.random ?? webRandom;
  const loaded = await loadSigningKeys(parts.privateKey, [parts.config.jwt.previousPublicKeys, ...(parts.retiredPublicKeys ?? [])]);
  const keys = {
    ...loaded,
    ...(parts.rs256Check ? { checkRs256: parts.rs256Check(loaded.jwks.keys) } : {}),
    ...(parts.rs256Sign ? { signRs256: parts.rs256Sign(loaded.current.privateKey) } : {}),
  };
  // One master secret, one derived key per purpose (HKDF labels), so no key serves two algorithms.
  const masterKey = hexToBytes(parts.mfaKeyHex);
  const mfaKey = await deriveKeyBytes(masterKey, 'totp-secret-encryption');
  const refreshChildKey = await importHmacKey(await deriveKeyBytes(masterKey, 'refresh-token-child'));
  // Hashed lazily and once: the unknown-e-mail path of login verifies against it so it costs what a real verify costs.
  let dummy: Promise<string> | undefined;
  const auth = {
    isCommonPassword,
    get dummyPasswordHash() {
      dummy ??= parts.passwords.hash(randomToken(random));
      return dummy;
    },
  };
  return {
    config: parts.config,
    db: parts.db,
    kv: parts.kv,
    passwords: parts.passwords,
    passkeyVerifier: createPasskeyVerifier(parts.config.webauthn),
    mailer: parts.mailer,
    clock,
    random,
    keys,
    refreshChildKey,
    mfaKey,
    legacyMfaKey: masterKey,
    logger: parts.logger,
    metrics: parts.metrics?.metrics ?? noopMetrics,
    metricsExposition: parts.metrics?.exposition ?? null,
    oauthProviders: new Map((parts.oauthProviders ?? (await configuredOAuthProviders(parts.config, parts.logger))).map((provider) => [provider.id, provider])),
    auth,
    clientIp: parts.clientIp,
    ...(parts.earlyHeaders ? { earlyHeaders: parts.earlyHeaders } : {}),
  };
}
