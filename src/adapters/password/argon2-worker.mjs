// One Argon2id worker thread of the Node password engine (argon2-worker-pool.ts). Plain JavaScript on purpose: a
// worker thread must load without the TypeScript loader the main thread happens to run under (tsx, vitest, none).
// Each message is hash-wasm's options for one derivation (hashWasmArgon2idOptions); the reply is the digest, or
// the error's message. The password arrives here by structured clone and is never echoed back.
//
// workerData: `engine` 'native' (node:crypto.argon2Sync, Node 24.7+) or 'wasm' (hash-wasm: Node 20 and 22), both the
// same Argon2id; `nice`, this thread's scheduling niceness. On Linux the nice value belongs to the thread, so a
// raised one (lower priority) lets the event loop thread take a core first whenever both want one: a burst of
// logins then queues behind cheap requests instead of stretching every request's latency.
import * as nodeCrypto from 'node:crypto';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { argon2id } from 'hash-wasm';

if (!parentPort) throw new Error('argon2-worker.mjs runs only as a worker thread');
const port = parentPort;
const native = workerData?.engine === 'native' ? nodeCrypto.argon2Sync : undefined;
if (workerData?.engine === 'native' && !native) throw new Error('node:crypto.argon2Sync is not available in this Node');

if (typeof workerData?.nice === 'number' && workerData.nice !== 0) {
  try {
    setPriority(workerData.nice);
  } catch {
    // Not permitted here (some sandboxes): hash at normal priority.
  }
}

function deriveNative(options) {
  const digest = native('argon2id', {
    message: options.password,
    nonce: options.salt,
    memory: options.memorySize,
    passes: options.iterations,
    parallelism: options.parallelism,
    tagLength: options.hashLength,
  });
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

port.on('message', async (options) => {
  try {
    port.postMessage({ hash: native ? deriveNative(options) : await argon2id(options) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : 'argon2id failed' });
  }
});
