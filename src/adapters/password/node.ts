import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../core/ports';
import { createArgon2idHasher } from './argon2id-hasher';
import type { Argon2Params } from './phc';

// Node's own Argon2id (OpenSSL). The callback form runs in libuv's thread pool, so a login that spends tens of
// milliseconds hashing never stalls the event loop for the other requests.

function derive(password: string, salt: Uint8Array, params: Argon2Params, tagBytes: number): Promise<Uint8Array> {
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
      (error, derived) => (error ? reject(error) : resolve(new Uint8Array(derived))),
    );
  });
}

export function createNodePasswordHasher(params: Argon2Params): PasswordHasher {
  return createArgon2idHasher(params, {
    derive,
    randomSalt: (bytes) => new Uint8Array(randomBytes(bytes)),
    equal: (a, b) => timingSafeEqual(a, b),
  });
}
