import type { Config } from '../config';
import { bytesToHex, installHashEngine, webRandom } from '../core/crypto';
import { generatePrivateKeyPem } from '../core/keys';
import { PRIVATE_KEY_SECRET, RETIRED_KEYS_SECRET, liveRetiredKeyPems } from '../core/key-rotation';
import { createJsonLogger, describeError, type Logger } from '../core/logger';
import type { Clock, Database, KeyValueStore, Mailer, OAuthProvider } from '../core/ports';
import { createPrometheusMetrics } from '../adapters/metrics/prometheus';
import { createNodePasswordHasher } from '../adapters/password/node';
import type { AppDeps } from '../http/env';
import { assembleDeps, systemClock } from './assemble';
import { nodeRs256Check } from './node-rs256';
import { nodeHashes, nodeRs256Sign } from './node-crypto';
import { nodeClientIp } from './node-client-ip';
import { nodeEarlyHeaders } from './node-frame-response';
import { createNodeMailer } from './node-mailer';
import { openDatabase, openKeyValue } from './node-stores';

export interface NodeOverrides {
  db?: Database;
  kv?: KeyValueStore;
  mailer?: Mailer;
  clock?: Clock;
  logger?: Logger;
  oauthProviders?: OAuthProvider[];
}

/**
 * Secrets not given in the environment are generated once and kept in the database (first writer wins), so a
 * restart keeps verifying the tokens it minted before.
 */
async function persistedSecret(db: Database, name: string, configured: string | undefined, generate: () => Promise<string>) {
  // Read first: generating an RSA key on every start only to discard it would slow every restart.
  return configured ?? (await db.secrets.get(name)) ?? db.secrets.getOrCreate(name, await generate());
}

/** The Node wiring: settings → adapters → app dependencies. Tests reuse it with overrides. */
export async function createNodeDeps(config: Config, overrides: NodeOverrides = {}): Promise<AppDeps> {
  installHashEngine(nodeHashes);
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createJsonLogger(config.logLevel);
  // The key-value store first: a remote one that cannot be reached fails in a moment, before PGlite spends
  // seconds creating a database in DATA_DIR.
  const kv = overrides.kv ?? (await openKeyValue(config, clock));
  const db =
    overrides.db ??
    (await openDatabase(config).catch(async (error: unknown) => {
      if (!overrides.kv) await kv.close();
      throw error;
    }));
  const privateKey = await persistedSecret(db, PRIVATE_KEY_SECRET, config.jwt.privateKey, generatePrivateKeyPem);
  // A key kept in the database may have been rotated (`npm run admin -- rotate-signing-key`): its predecessors
  // verify until the tokens they signed have expired.
  const retiredPublicKeys = config.jwt.privateKey ? [] : liveRetiredKeyPems(await db.secrets.get(RETIRED_KEYS_SECRET), clock.nowMs());
  const mfaKeyHex = await persistedSecret(db, 'mfa_encryption_key', config.mfaEncryptionKeyHex, async () => bytesToHex(webRandom.bytes(32)));
  return assembleDeps({
    config,
    db,
    kv,
    passwords: createNodePasswordHasher(config.argon2),
    mailer: overrides.mailer ?? createNodeMailer(config.mail, { now: () => clock.nowMs() }),
    logger,
    privateKey,
    retiredPublicKeys,
    mfaKeyHex,
    clientIp: nodeClientIp(config.trustProxy),
    earlyHeaders: nodeEarlyHeaders,
    rs256Check: nodeRs256Check,
    rs256Sign: nodeRs256Sign,
    clock,
    metrics: createPrometheusMetrics({
      countActiveSessions: () => db.sessions.countActive(new Date(clock.nowMs())),
      onCollectError: (error) => logger.warn('active sessions not counted for /metrics', { err: describeError(error) }),
    }),
    ...(overrides.oauthProviders ? { oauthProviders: overrides.oauthProviders } : {}),
  });
}
