import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../core/ports';
import { type Argon2Params, HASH_BYTES, SALT_BYTES, differsFromCurrent, formatPhc, parsePhc, phcLimits } from './phc';

// Node's own Argon2id (OpenSSL). The callback form runs in libuv's thread pool, so a login that spends tens of
// milliseconds hashing never stalls the event loop for the other requests.

function argon2id(password: string, salt: Uint8Array, params: Argon2Params, tagBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: new TextEncoder().encode(password),
        nonce: salt,
        memory: params.memoryKib,
        passes: params.iterations,
        parallelism: params.parallelism,
        tagLength: tagBytes,
      },
      (error, derived) => (error ? reject(error) : resolve(derived)),
    );
  });
}

export function createNodePasswordHasher(params: Argon2Params): PasswordHasher {
  const limits = phcLimits(params);
  return {
    async hash(password) {
      // hash-wasm cannot hash an empty password, so neither adapter does: both must accept the other's hashes.
      if (password.length === 0) throw new RangeError('password must not be empty');
      const salt = new Uint8Array(randomBytes(SALT_BYTES));
      const hash = new Uint8Array(await argon2id(password, salt, params, HASH_BYTES));
      return formatPhc({ params, salt, hash });
    },
    async verify(phc, password) {
      const parsed = parsePhc(phc, limits);
      if (!parsed || password.length === 0) return false;
      const derived = await argon2id(password, parsed.salt, parsed.params, parsed.hash.length);
      return timingSafeEqual(derived, parsed.hash);
    },
    needsRehash(phc) {
      return differsFromCurrent(parsePhc(phc, limits), params);
    },
  };
}
