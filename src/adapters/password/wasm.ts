import { argon2id } from 'hash-wasm';
import type { PasswordHasher } from '../../core/ports';
import { constantTimeEqual } from './equal';
import { type Argon2Params, HASH_BYTES, SALT_BYTES, differsFromCurrent, formatPhc, parsePhc, phcLimits } from './phc';

// hash-wasm's Argon2id: portable WebAssembly for runtimes without a native Argon2 (Workers). It runs on the
// calling thread. We parse and compare ourselves rather than use argon2Verify, so that hostile PHC strings meet
// our bounds and the comparison is constant-time (argon2Verify compares strings with ===).

function derive(password: string, salt: Uint8Array, params: Argon2Params, tagBytes: number): Promise<Uint8Array> {
  return argon2id({
    password,
    salt,
    memorySize: params.memoryKib,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: tagBytes,
    outputType: 'binary',
  });
}

export function createWasmPasswordHasher(params: Argon2Params): PasswordHasher {
  const limits = phcLimits(params);
  return {
    async hash(password) {
      // hash-wasm refuses an empty password; say so plainly rather than with its message.
      if (password.length === 0) throw new RangeError('password must not be empty');
      const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
      const hash = await derive(password, salt, params, HASH_BYTES);
      return formatPhc({ params, salt, hash });
    },
    async verify(phc, password) {
      const parsed = parsePhc(phc, limits);
      if (!parsed || password.length === 0) return false;
      const derived = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
      return constantTimeEqual(derived, parsed.hash);
    },
    needsRehash(phc) {
      return differsFromCurrent(parsePhc(phc, limits), params);
    },
  };
}
