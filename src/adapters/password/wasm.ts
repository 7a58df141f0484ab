import { argon2id } from 'hash-wasm';
import type { PasswordHasher } from '../../core/ports';
import { createArgon2idHasher } from './argon2id-hasher';
import { constantTimeEqual } from './equal';
import type { Argon2Params } from './phc';

// hash-wasm's Argon2id: portable WebAssembly for runtimes without a native Argon2 (Workers). It runs on the
// calling thread. We parse and compare ourselves rather than use argon2Verify, so that hostile PHC strings meet
// our bounds and the comparison is constant-time (argon2Verify compares strings with ===).

export function createWasmPasswordHasher(params: Argon2Params): PasswordHasher {
  return createArgon2idHasher(params, {
    derive: (password, salt, p, tagBytes) =>
      argon2id({
        password,
        salt,
        memorySize: p.memoryKib,
        iterations: p.iterations,
        parallelism: p.parallelism,
        hashLength: tagBytes,
        outputType: 'binary',
      }),
    randomSalt: (bytes) => crypto.getRandomValues(new Uint8Array(bytes)),
    equal: constantTimeEqual,
  });
}
