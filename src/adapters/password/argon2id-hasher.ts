import type { PasswordHasher } from '../../core/ports';
import { type Argon2Params, HASH_BYTES, SALT_BYTES, differsFromCurrent, formatPhc, parsePhc, phcLimits } from './phc';

/** One Argon2id engine: derive `tagBytes` bytes from a password and salt with the given parameters. */
export interface Argon2idEngine {
  derive(password: string, salt: Uint8Array, params: Argon2Params, tagBytes: number): Promise<Uint8Array>;
  randomSalt(bytes: number): Uint8Array;
  /** Compares two digests in constant time. */
  equal(a: Uint8Array, b: Uint8Array): boolean | Promise<boolean>;
}

/**
 * The PasswordHasher both runtimes share; only the engine differs (node:crypto on Node, hash-wasm on Workers), so
 * their PHC strings, bounds on hostile stored hashes and re-hash rules cannot drift apart.
 */
export function createArgon2idHasher(params: Argon2Params, engine: Argon2idEngine): PasswordHasher {
  const limits = phcLimits(params);
  return {
    async hash(password) {
      // hash-wasm cannot hash an empty password, so neither engine does: each must accept the other's hashes.
      if (password.length === 0) throw new RangeError('password must not be empty');
      const salt = engine.randomSalt(SALT_BYTES);
      return formatPhc({ params, salt, hash: await engine.derive(password, salt, params, HASH_BYTES) });
    },
    async verify(phc, password) {
      const parsed = parsePhc(phc, limits);
      if (!parsed || password.length === 0) return false;
      const derived = await engine.derive(password, parsed.salt, parsed.params, parsed.hash.length);
      return derived.length === parsed.hash.length && (await engine.equal(derived, parsed.hash));
    },
    needsRehash(phc) {
      return differsFromCurrent(parsePhc(phc, limits), params);
    },
  };
}
