// Node: the token hashes and the RS256 signature through node:crypto (see core/crypto.ts's HashEngine and
// core/keys.ts's signRs256). The same functions over the same keys as WebCrypto's, with less of the event loop's time:
// node:crypto hashes 43 bytes in about 2 µs where a WebCrypto digest job costs about 26; its RS256 sign skips
// WebCrypto's per-call job machinery (about 0.17 ms of the event loop per refresh rotation, bench/refresh.ts's
// profile).
import { constants, createHash, createHmac, createSecretKey, KeyObject, sign } from 'node:crypto';
import { eventLoopBusy } from '../adapters/event-loop-busy';
import { type HashEngine, webCryptoHashes } from '../core/crypto';
import type { Rs256Sign } from '../core/keys';

// The secret behind each HMAC CryptoKey this engine imported (the CryptoKey itself stays non-extractable).
const hmacSecrets = new WeakMap<CryptoKey, KeyObject>();

export const nodeHashes: HashEngine = {
  sha256Hex: async (value) => createHash('sha256').update(value, 'utf8').digest('hex'),
  async importHmacKey(secret) {
    const key = await webCryptoHashes.importHmacKey(secret);
    hmacSecrets.set(key, createSecretKey(secret));
    return key;
  },
  async hmacBase64url(key, message) {
    const secret = hmacSecrets.get(key);
    // A key imported before this engine was installed: WebCrypto computes the same MAC.
    if (!secret) return webCryptoHashes.hmacBase64url(key, message);
    return createHmac('sha256', secret).update(message, 'utf8').digest('base64url');
  },
};

/**
 * The event loop signs a token itself while it spent less than this share of the last ~200 ms running. An RSA-2048
 * signature costs about 0.7 ms of CPU wherever it runs; handed to libuv's pool it costs about 0.4 ms more per token on
 * a 2-core machine (waking a pool thread and being woken by it), which a login pays beside its hash: the login's CPU
 * outside Argon2id went from about 4.3 to 3.9 ms (bench/README.md, "Logins against the hash ceiling"). A loop busier
 * than this (refresh rotations, session checks beside the logins) hands signatures to the pool, where they take the
 * other core instead of delaying every request queued behind them.
 */
export const INLINE_SIGN_BELOW = 0.4;

/**
 * RSASSA-PKCS1-v1_5 with SHA-256 over `privateKey` (an extractable RS256 CryptoKey): on the event loop while `busy()`
 * says it has time to spare, on libuv's thread pool otherwise. The same bytes either way.
 */
export function nodeRs256Sign(privateKey: CryptoKey, busy: () => boolean = eventLoopBusy(INLINE_SIGN_BELOW)): Rs256Sign {
  const options = { key: KeyObject.from(privateKey), padding: constants.RSA_PKCS1_PADDING };
  return (data) =>
    new Promise((resolve, reject) => {
      // A synchronous sign that throws rejects this promise (the executor catches it).
      if (!busy()) resolve(new Uint8Array(sign('sha256', data, options)));
      else sign('sha256', data, options, (error, signature) => (error ? reject(error) : resolve(new Uint8Array(signature))));
    });
}
