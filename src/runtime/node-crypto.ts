// Node: the token hashes and the RS256 signature through node:crypto (see core/crypto.ts's HashEngine and
// core/keys.ts's signRs256). The same functions over the same keys as WebCrypto's, with less of the event loop's time:
// node:crypto hashes 43 bytes in about 2 µs where a WebCrypto digest job costs about 26; its RS256 sign still runs on
// the thread pool, without WebCrypto's per-call job machinery (about 0.17 ms of the event loop per refresh rotation,
// bench/refresh.ts's profile).
import { constants, createHash, createHmac, createSecretKey, KeyObject, sign } from 'node:crypto';
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

/** RSASSA-PKCS1-v1_5 with SHA-256 over `privateKey` (an extractable RS256 CryptoKey), on libuv's thread pool. */
export function nodeRs256Sign(privateKey: CryptoKey): Rs256Sign {
  const key = KeyObject.from(privateKey);
  return (data) =>
    new Promise((resolve, reject) =>
      sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, (error, signature) => (error ? reject(error) : resolve(new Uint8Array(signature)))),
    );
}
