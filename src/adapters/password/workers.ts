import { argon2id } from 'hash-wasm';
import type { PasswordHasher } from '../../core/ports';
import type { Argon2Params } from './phc';
import { withStaticWasm } from './static-wasm';
import { createWasmPasswordHasher } from './wasm';
import argon2Module from './wasm/argon2.wasm';
import blake2bModule from './wasm/blake2b.wasm';
import { argon2WasmSha256, blake2bWasmSha256 } from './wasm/digests';

// The password hasher for Workers: hash-wasm, fed the WebAssembly modules bundled at deploy time.

let ready: Promise<void> | undefined;

// One tiny Argon2id makes hash-wasm compile (and cache) both of its binaries: argon2 and the blake2b it builds on.
function loadStaticWasm(): Promise<void> {
  ready ??= withStaticWasm(
    new Map([
      [argon2WasmSha256, argon2Module],
      [blake2bWasmSha256, blake2bModule],
    ]),
    () => argon2id({ password: 'warm-up', salt: new Uint8Array(8), memorySize: 8, iterations: 1, parallelism: 1, hashLength: 16 }),
  );
  return ready;
}

export function createWorkersPasswordHasher(params: Argon2Params): PasswordHasher {
  const hasher = createWasmPasswordHasher(params);
  return {
    async hash(password) {
      await loadStaticWasm();
      return hasher.hash(password);
    },
    async verify(phc, password) {
      await loadStaticWasm();
      return hasher.verify(phc, password);
    },
    needsRehash: (phc) => hasher.needsRehash(phc),
  };
}
