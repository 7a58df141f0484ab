import { base64url } from 'jose';
import type { Random } from './ports';

// Thin wrappers over WebCrypto (present on Node and Workers alike); nothing home-made.

const encoder = new TextEncoder();

/**
 * The two small hashes every token operation makes (a refresh rotation three of them). WebCrypto's are asynchronous
 * jobs: on Node about 26 µs of the event loop's time each for 43 bytes, against 2 µs for node:crypto's. A runtime
 * with a faster implementation of the very same functions installs it at start (Node: runtime/node-crypto.ts); the
 * results are the same bytes either way (test/unit/node-crypto.test.ts).
 */
export interface HashEngine {
  sha256Hex(value: string): Promise<string>;
  /** A non-extractable HMAC-SHA-256 key. */
  importHmacKey(secret: Uint8Array): Promise<CryptoKey>;
  /** HMAC-SHA-256 of `message` under `key` (from importHmacKey), base64url. */
  hmacBase64url(key: CryptoKey, message: string): Promise<string>;
}

export const webCryptoHashes: HashEngine = {
  async sha256Hex(value) {
    const digest = await crypto.subtle.digest('SHA-256', encoder.encode(value));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  },
  importHmacKey: (secret) => crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  async hmacBase64url(key, message) {
    const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(message));
    return base64url.encode(new Uint8Array(mac));
  },
};

let hashes: HashEngine = webCryptoHashes;

/** Replaces the hash implementation for this process (same functions, another engine). */
export function installHashEngine(engine: HashEngine): void {
  hashes = engine;
}

export function sha256Hex(value: string): Promise<string> {
  return hashes.sha256Hex(value);
}

/** An opaque bearer secret: `bytes` of CSPRNG output, base64url. 32 bytes = 256 bits. */
export function randomToken(random: Random, bytes = 32): string {
  return base64url.encode(random.bytes(bytes));
}

export function importHmacKey(secret: Uint8Array): Promise<CryptoKey> {
  return hashes.importHmacKey(secret);
}

export function hmacBase64url(key: CryptoKey, message: string): Promise<string> {
  return hashes.hmacBase64url(key, message);
}

/** Derives an independent 256-bit key for one purpose from a master secret (HKDF-SHA-256, RFC 5869). */
export async function deriveKeyBytes(master: Uint8Array, purpose: string): Promise<Uint8Array> {
  const ikm = await crypto.subtle.importKey('raw', master as BufferSource, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`authgate:${purpose}`) },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const webRandom: Random = {
  bytes(length) {
    return crypto.getRandomValues(new Uint8Array(length));
  },
};

export function newId(): string {
  return crypto.randomUUID();
}
