import { bytesToHex, hexToBytes } from '../crypto';
import type { CoreDeps } from '../deps';
import type { Random } from '../ports';

// TOTP secrets at rest (DESIGN.md): AES-256-GCM through WebCrypto, stored as `iv:tag:ciphertext` in hex.
// The user id is the additional authenticated data, so a ciphertext copied into another user's row does not decrypt.
// Secrets written by earlier versions used MFA_ENCRYPTION_KEY itself as the AES key and no additional data; they still
// open (with `legacy: true`), and the caller re-encrypts them under the derived key.

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^([0-9a-f]{24}):([0-9a-f]{32}):([0-9a-f]+)$/;
const encoder = new TextEncoder();

function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

const additionalData = (userId: string) => encoder.encode(`authgate:totp-secret:${userId}`);

export async function sealTotpSecret(key: Uint8Array, random: Random, userId: string, secret: Uint8Array): Promise<string> {
  const iv = random.bytes(IV_BYTES);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: additionalData(userId), tagLength: TAG_BYTES * 8 },
      await importAesKey(key),
      secret as BufferSource,
    ),
  );
  // WebCrypto appends the tag to the ciphertext; the stored form names it separately.
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  return `${bytesToHex(iv)}:${bytesToHex(tag)}:${bytesToHex(ciphertext)}`;
}

async function open(key: Uint8Array, parts: RegExpExecArray, aad: Uint8Array | undefined): Promise<Uint8Array | null> {
  const [, iv, tag, ciphertext] = parts;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: hexToBytes(iv!) as BufferSource, tagLength: TAG_BYTES * 8, ...(aad ? { additionalData: aad as BufferSource } : {}) },
      await importAesKey(key),
      hexToBytes(ciphertext! + tag!) as BufferSource,
    );
    return new Uint8Array(plain);
  } catch {
    return null; // wrong key or tampered: GCM's tag check failed
  }
}

/** The secret, and whether it was sealed the legacy way; null when the stored value opens under neither key. */
export async function openTotpSecret(
  keys: Pick<CoreDeps, 'mfaKey' | 'legacyMfaKey'>,
  userId: string,
  sealed: string,
): Promise<{ secret: Uint8Array; legacy: boolean } | null> {
  const parts = SEALED.exec(sealed);
  if (!parts) return null;
  const current = await open(keys.mfaKey, parts, additionalData(userId));
  if (current) return { secret: current, legacy: false };
  const legacy = await open(keys.legacyMfaKey, parts, undefined);
  return legacy ? { secret: legacy, legacy: true } : null;
}
