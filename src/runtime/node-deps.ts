import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config';
import { bytesToHex, webRandom } from '../core/crypto';
import { generatePrivateKeyPem } from '../core/keys';
import { PRIVATE_KEY_SECRET, RETIRED_KEYS_SECRET, liveRetiredKeyPems } from '../core/key-rotation';
import { createJsonLogger, type Logger } from '../core/logger';
import type { Clock, Database, KeyValueStore, Mailer } from '../core/ports';
import { openPgliteDatabase } from '../adapters/db/pglite';
import { openPostgresDatabase } from '../adapters/db/postgres';
import { createEmbeddedStore } from '../adapters/kv/embedded';
import { createRedisStore } from '../adapters/kv/redis';
import { createUpstashStore } from '../adapters/kv/upstash';
import { createNodePasswordHasher } from '../adapters/password/node';
import type { AppDeps } from '../http/env';
import { assembleDeps, systemClock } from './assemble';
import { nodeClientIp } from './node-client-ip';
import { createNodeMailer } from './node-mailer';

export interface NodeOverrides {
  db?: Database;
  kv?: KeyValueStore;
  mailer?: Mailer;
  clock?: Clock;
  logger?: Logger;
}

export async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) return openPostgresDatabase(config.databaseUrl);
  await mkdir(config.dataDir, { recursive: true });
  return openPgliteDatabase({ dataDir: join(config.dataDir, 'pglite') });
}

export async function openKeyValue(config: Config, clock: Clock): Promise<KeyValueStore> {
  if (config.redisUrl) return createRedisStore({ url: config.redisUrl, clock });
  if (config.upstash) return createUpstashStore(config.upstash);
  await mkdir(config.dataDir, { recursive: true });
  return createEmbeddedStore({ file: join(config.dataDir, 'kv.json'), clock });
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
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createJsonLogger(config.logLevel);
  const db = overrides.db ?? (await openDatabase(config));
  const kv = overrides.kv ?? (await openKeyValue(config, clock));
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
    clock,
  });
}
