// A passkey's public key, a COSE_Key (RFC 9052 §7, RFC 9053), imported into WebCrypto and used to verify an
// authenticator's signature. Three algorithms, pinned because a passkey registered on Node must verify on Workers:
// ES256 (ECDSA P-256, what almost every passkey uses), EdDSA (Ed25519) and RS256 (Windows Hello). Runs in workerd.
import { decodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { base64url } from 'jose';

export const ES256 = -7;
export const EDDSA = -8;
export const RS256 = -257;
/** In order of preference, as pubKeyCredParams lists them. */
export const ALGORITHMS = [ES256, EDDSA, RS256] as const;

// COSE_Key labels (RFC 9052 §7.1, RFC 9053 §7) and values.
const KTY = 1;
const ALG = 3;
const CRV = -1;
const X = -2;
const Y = -3;
const N = -1;
const E = -2;
const KTY_OKP = 1;
const KTY_EC2 = 2;
const KTY_RSA = 3;
const CRV_P256 = 1;
const CRV_ED25519 = 6;
const RSA_MIN_MODULUS_BYTES = 256;

export interface CoseKey {
  alg: number;
  key: CryptoKey;
}

/** A COSE key the verifier cannot use: malformed, of another algorithm, or with parameters that do not fit it. */
export class UnusableKey extends Error {}

function bytes(map: Map<string | number, CBORType>, label: number, length?: number): Uint8Array {
  const value = map.get(label);
  if (!(value instanceof Uint8Array) || value.length === 0 || (length !== undefined && value.length !== length)) {
    throw new UnusableKey(`COSE key parameter ${label} is missing or has the wrong length`);
  }
  return value;
}

function withoutLeadingZeros(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return value.subarray(start);
}

/** The JWK and WebCrypto algorithm for a decoded COSE key, each parameter checked against its algorithm. */
function jwkOf(map: Map<string | number, CBORType>): { alg: number; jwk: JsonWebKey; algorithm: RsaHashedImportParams | EcKeyImportParams | Algorithm } {
  const alg = map.get(ALG);
  const kty = map.get(KTY);
  if (alg === ES256 && kty === KTY_EC2 && map.get(CRV) === CRV_P256) {
    const jwk = { kty: 'EC', crv: 'P-256', x: base64url.encode(bytes(map, X, 32)), y: base64url.encode(bytes(map, Y, 32)) };
    return { alg, jwk, algorithm: { name: 'ECDSA', namedCurve: 'P-256' } };
  }
  if (alg === EDDSA && kty === KTY_OKP && map.get(CRV) === CRV_ED25519) {
    return { alg, jwk: { kty: 'OKP', crv: 'Ed25519', x: base64url.encode(bytes(map, X, 32)) }, algorithm: { name: 'Ed25519' } };
  }
  if (alg === RS256 && kty === KTY_RSA) {
    const modulus = withoutLeadingZeros(bytes(map, N));
    if (modulus.length < RSA_MIN_MODULUS_BYTES) throw new UnusableKey('RSA key shorter than 2048 bits');
    const jwk = { kty: 'RSA', alg: 'RS256', n: base64url.encode(modulus), e: base64url.encode(bytes(map, E)) };
    return { alg, jwk, algorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  }
  throw new UnusableKey(`COSE key of algorithm ${String(alg)} (kty ${String(kty)}) is not one of ES256, EdDSA, RS256`);
}

/** Decodes a COSE_Key that is exactly `encoded` (no trailing bytes) and imports it for verifying. */
export async function importCoseKey(encoded: Uint8Array): Promise<CoseKey> {
  let decoded: CBORType;
  try {
    decoded = decodeCBOR(encoded);
  } catch {
    throw new UnusableKey('COSE key is not well-formed CBOR');
  }
  if (!(decoded instanceof Map)) throw new UnusableKey('COSE key is not a map');
  const { alg, jwk, algorithm } = jwkOf(decoded);
  try {
    return { alg, key: await crypto.subtle.importKey('jwk', jwk, algorithm, false, ['verify']) };
  } catch {
    // Not a point on the curve, an RSA exponent WebCrypto refuses, ...
    throw new UnusableKey('COSE key parameters do not make a public key');
  }
}

/**
 * ECDSA signatures come DER-encoded (SEQUENCE of two INTEGERs, WebAuthn §6.5.5); WebCrypto verifies r‖s, each padded
 * to the curve's 32 bytes. Anything that is not that structure, exactly and with nothing after it, is not a signature.
 */
export function ecdsaDerToRaw(der: Uint8Array, size = 32): Uint8Array | null {
  // A P-256 signature is at most 72 bytes, so every DER length here has the short form.
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const raw = new Uint8Array(size * 2);
  let offset = 2;
  for (const slot of [0, 1]) {
    const length = der[offset + 1] ?? 0;
    if (der[offset] !== 0x02 || length === 0 || length > 0x7f || offset + 2 + length > der.length) return null;
    const integer = der.subarray(offset + 2, offset + 2 + length);
    // A negative INTEGER is never r or s.
    if (integer[0]! & 0x80) return null;
    const value = withoutLeadingZeros(integer);
    if (value.length > size) return null;
    raw.set(value, slot * size + size - value.length);
    offset += 2 + length;
  }
  return offset === der.length ? raw : null;
}

/** Whether `signature` is the key's signature of `data`; false for a signature that is not even well-formed. */
export async function verifyWith(key: CoseKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  if (key.alg === ES256) {
    const raw = ecdsaDerToRaw(signature);
    return raw !== null && crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key.key, raw as BufferSource, data as BufferSource);
  }
  const name = key.alg === EDDSA ? 'Ed25519' : 'RSASSA-PKCS1-v1_5';
  return crypto.subtle.verify({ name }, key.key, signature as BufferSource, data as BufferSource);
}
