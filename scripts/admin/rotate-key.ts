import type { Config } from '../../src/config';
import { PRIVATE_KEY_SECRET, RETIRED_KEYS_SECRET, publicKeyOf, rotateKey } from '../../src/core/key-rotation';
import { generatePrivateKeyPem } from '../../src/core/keys';
import { CliError } from './cli-error';
import type { CliStores } from './stores';

// rotate-signing-key. A configured JWT_PRIVATE_KEY belongs to the operator's secret store, so the CLI prints what to
// put there; a key the server keeps in its database is rotated in place.

/** JWT_PRIVATE_KEY is set: print the new private key and the current public key to keep verifying. */
export async function printRotation(config: Config, print: (text: string) => void): Promise<void> {
  const old = await publicKeyOf(config.jwt.privateKey!);
  const fresh = await generatePrivateKeyPem();
  const ttl = config.jwt.accessTokenTtlSeconds;
  print(`# 1. New signing key (kid ${(await publicKeyOf(fresh)).kid}): set it as JWT_PRIVATE_KEY.\n${fresh.trim()}`);
  print(
    `# 2. Append this public key (kid ${old.kid}, the current one) to JWT_PREVIOUS_PUBLIC_KEYS in the same deploy, so tokens it\n` +
      `#    signed keep verifying; remove it once ${ttl} s (ACCESS_TOKEN_TTL_SECONDS) have passed since the deploy.\n${old.pem.trim()}`,
  );
}

/** The key lives in the database: replace it, keeping the old public key published until its tokens have expired. */
export async function rotateStoredKey(stores: CliStores, print: (text: string) => void): Promise<void> {
  const { db, clock, config } = stores.deps;
  const current = await db.secrets.get(PRIVATE_KEY_SECRET);
  if (!current) throw new CliError('no signing key is stored yet (the server makes one on its first start)');
  const rotation = await rotateKey(current, await db.secrets.get(RETIRED_KEYS_SECRET), clock.nowMs(), config.jwt.accessTokenTtlSeconds);
  await db.secrets.putAll({ [PRIVATE_KEY_SECRET]: rotation.privateKeyPem, [RETIRED_KEYS_SECRET]: JSON.stringify(rotation.retired) });
  print(
    `rotated the signing key in the database: new kid ${rotation.newKid}; kid ${rotation.oldKid} stays published until ` +
      `${rotation.oldPublishedUntil.toISOString()}. (Re)start the server to sign with the new key.`,
  );
}
