// One Argon2id worker thread of the Node fallback engine (argon2-worker-pool.ts). Plain JavaScript on purpose: a
// worker thread must load without the TypeScript loader the main thread happens to run under (tsx, vitest, none).
// Each message is hash-wasm's options for one derivation (hashWasmArgon2idOptions); the reply is the digest, or
// the error's message. The password arrives here by structured clone and is never echoed back.
import { parentPort } from 'node:worker_threads';
import { argon2id } from 'hash-wasm';

if (!parentPort) throw new Error('argon2-worker.mjs runs only as a worker thread');
const port = parentPort;

port.on('message', async (options) => {
  try {
    port.postMessage({ hash: await argon2id(options) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : 'argon2id failed' });
  }
});
