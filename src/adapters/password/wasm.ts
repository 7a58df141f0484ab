import { argon2id, type IArgon2Options } from 'hash-wasm';
import type { PasswordHasher } from '../../core/ports';
import { createArgon2idHasher } from './argon2id-hasher';
import { constantTimeEqual } from './equal';
import type { Argon2Params } from './phc';

// hash-wasm's Argon2id: portable WebAssembly for runtimes without a native Argon2 (Workers). It runs on the
// calling thread. We parse and compare ourselves rather than use argon2Verify, so that hostile PHC strings meet
// our bounds and the comparison is constant-time (argon2Verify compares strings with ===).

/** hash-wasm's options for one derivation; also what the Node fallback sends to its worker threads. */
export function hashWasmArgon2idOptions(password: string, salt: Uint8Array, params: Argon2Params, tagBytes: number) {
  return {
    password,
    salt,
    memorySize: params.memoryKib,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: tagBytes,
    outputType: 'binary',
  } as const satisfies IArgon2Options;
}

export function createWasmPasswordHasher(params: Argon2Params): PasswordHasher {
  return createArgon2idHasher(params, {
    derive: (password, salt, p, tagBytes) => argon2id(hashWasmArgon2idOptions(password, salt, p, tagBytes)),
    randomSalt: (bytes) => crypto.getRandomValues(new Uint8Array(bytes)),
    equal: constantTimeEqual,
  });
}
