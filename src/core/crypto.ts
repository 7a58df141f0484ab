import { base64url } from 'jose';
import type { Random } from './ports';

// Thin wrappers over WebCrypto (present on Node and Workers alike); nothing home-made.

const encoder = new TextEncoder();

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** An opaque bearer secret: `bytes` of CSPRNG output, base64url. 32 bytes = 256 bits. */
export function randomToken(random: Random, bytes = 32): string {
  return base64url.encode(random.bytes(bytes));
}

export async function importHmacKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

export async function hmacBase64url(key: CryptoKey, message: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(message));
  return base64url.encode(new Uint8Array(mac));
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
