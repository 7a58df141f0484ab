import * as nodeCrypto from 'node:crypto';
import type { PasswordHasher } from '../../core/ports';
import { createArgon2WorkerPool, type Argon2WorkerPool } from './argon2-worker-pool';
import { type Argon2idEngine, createArgon2idHasher } from './argon2id-hasher';
import type { Argon2Params } from './phc';

// Node's own Argon2id (OpenSSL) where it exists: node:crypto.argon2 arrived in Node 24.7; older Node (20, 22) gets
// hash-wasm instead. Either runs in our worker threads (argon2-worker-pool.ts), not libuv's pool, for two reasons: a
// login that spends tens of milliseconds hashing never stalls the event loop, and those threads run at a lower
// priority than the event loop, so cheap requests keep their latency during a burst of logins. The namespace import
// is the feature detection: a named import of `argon2` would fail to link on those versions before any of our code
// could run.

type NodeArgon2 = typeof nodeCrypto.argon2;
const nativeArgon2: NodeArgon2 | undefined = (nodeCrypto as { argon2?: NodeArgon2 }).argon2;

function nativeDerive(argon2: NodeArgon2): Argon2idEngine['derive'] {
  return (password, salt, params, tagBytes) =>
    new Promise((resolve, reject) => {
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

/** The engine over a derive function: salts and the comparison come from node:crypto on every Node version. */
export function nodeArgon2idEngine(derive: Argon2idEngine['derive']): Argon2idEngine {
  return {
    derive,
    randomSalt: (bytes) => new Uint8Array(nodeCrypto.randomBytes(bytes)),
    equal: (a, b) => nodeCrypto.timingSafeEqual(a, b),
  };
}

// One pool for the process, started on the first hash: every hasher built here shares its threads.
let sharedPool: Argon2WorkerPool | undefined;

/** Where this Node hashes passwords, for the start-up summary. */
export const nodePasswordEngineName = nativeArgon2
  ? 'node:crypto.argon2 in low-priority worker threads'
  : 'hash-wasm in low-priority worker threads (no node:crypto.argon2 before Node 24.7)';

export function createNodePasswordHasher(params: Argon2Params): PasswordHasher {
  const derive: Argon2idEngine['derive'] = (...args) =>
    (sharedPool ??= createArgon2WorkerPool({ engine: nativeArgon2 ? 'native' : 'wasm' })).derive(...args);
  return createArgon2idHasher(params, nodeArgon2idEngine(derive));
}

/** At a shutdown: the logins still hashing finish at normal priority (Argon2WorkerPool.hurry). */
export function hurryPasswordHashing(): void {
  sharedPool?.hurry();
}

/** Node's native engine, for tests that cross-check it against the worker-thread one; undefined before Node 24.7. */
export const nativeArgon2idEngine = nativeArgon2 ? nodeArgon2idEngine(nativeDerive(nativeArgon2)) : undefined;
