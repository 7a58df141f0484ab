// What an authenticator and a browser hand back in a WebAuthn ceremony, parsed strictly: the client data
// (WebAuthn L3 §5.8.1), the authenticator data (§6.1) and the attestation object (§6.5). Runs in workerd.
import { decodeCBOR, decodePartialCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { base64url } from 'jose';
import type { PasskeyRefusal } from '../../core/ports';

/** A ceremony refused by one named check; anything else thrown while verifying is a malformed response. */
export class Refused extends Error {
  constructor(readonly reason: PasskeyRefusal) {
    super(reason);
  }
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;
const FLAG_ED = 0x80;
/** WebAuthn L3 §5.8.3: a credential id is at most 1023 bytes. */
const MAX_CREDENTIAL_ID_BYTES = 1023;

export const utf8 = (text: string) => new TextEncoder().encode(text);
export const sha256 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Unpadded base64url, strictly (the request schemas check the alphabet too). */
export function fromBase64url(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value)) throw new Refused('malformed');
  return base64url.decode(value);
}

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
}

/**
 * The client data, checked against the ceremony: its type, our challenge, one of our origins, and no cross-origin
 * iframe (authgate is never embedded in another site's frame, so a response made inside one is refused).
 */
export function checkClientData(encoded: unknown, expected: { type: string; challenge: string; origins: readonly string[] }): Uint8Array {
  const json = fromBase64url(encoded);
  let data: Record<string, unknown>;
  try {
    // WHATWG "UTF-8 decode", as §7.1 says: a stray invalid byte becomes U+FFFD rather than failing the parse.
    data = JSON.parse(new TextDecoder().decode(json)) as Record<string, unknown>;
  } catch {
    throw new Refused('malformed');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Refused('malformed');
  // tokenBinding is ignored: WebAuthn L3 retired it and no browser sends it.
  const { type, challenge, origin, crossOrigin, topOrigin } = data;
  if (typeof type !== 'string' || typeof challenge !== 'string' || typeof origin !== 'string') throw new Refused('malformed');
  if (type !== expected.type) throw new Refused('type');
  if (challenge !== expected.challenge) throw new Refused('challenge');
  if (!expected.origins.includes(origin)) throw new Refused('origin');
  if (crossOrigin === true || topOrigin !== undefined) throw new Refused('origin');
  if (crossOrigin !== undefined && typeof crossOrigin !== 'boolean') throw new Refused('malformed');
  return json;
}

export interface AuthenticatorData {
  rpIdHash: Uint8Array;
  userPresent: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  backedUp: boolean;
  signCount: number;
  /** Present when the AT flag is set (registration). */
  attested?: { aaguid: Uint8Array; credentialId: Uint8Array; publicKey: Uint8Array };
}

/** Parses authenticator data; any inconsistency (lengths, flags without their data, leftover bytes) is malformed. */
export function parseAuthenticatorData(data: Uint8Array): AuthenticatorData {
  if (data.length < 37) throw new Refused('malformed');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const flags = data[32]!;
  // Backup state without backup eligibility is impossible (L3 §6.1.3).
  if (flags & FLAG_BS && !(flags & FLAG_BE)) throw new Refused('malformed');
  const parsed: AuthenticatorData = {
    rpIdHash: data.subarray(0, 32),
    userPresent: (flags & FLAG_UP) !== 0,
    userVerified: (flags & FLAG_UV) !== 0,
    backupEligible: (flags & FLAG_BE) !== 0,
    backedUp: (flags & FLAG_BS) !== 0,
    signCount: view.getUint32(33),
  };
  let offset = 37;
  if (flags & FLAG_AT) {
    if (data.length < offset + 18) throw new Refused('malformed');
    const aaguid = data.subarray(offset, offset + 16);
    const idLength = view.getUint16(offset + 16);
    offset += 18;
    if (idLength === 0 || idLength > MAX_CREDENTIAL_ID_BYTES || data.length < offset + idLength) throw new Refused('malformed');
    const credentialId = data.subarray(offset, offset + idLength);
    offset += idLength;
    const keyLength = cborItemLength(data, offset);
    parsed.attested = { aaguid, credentialId, publicKey: data.slice(offset, offset + keyLength) };
    offset += keyLength;
  }
  if (flags & FLAG_ED) offset += cborItemLength(data, offset);
  if (offset !== data.length) throw new Refused('malformed');
  return parsed;
}

function cborItemLength(data: Uint8Array, offset: number): number {
  if (offset >= data.length) throw new Refused('malformed');
  try {
    return decodePartialCBOR(data, offset)[1];
  } catch {
    throw new Refused('malformed');
  }
}

export interface AttestationObject {
  fmt: string;
  attStmt: Map<string | number, CBORType>;
  authData: Uint8Array;
}

export function decodeAttestationObject(encoded: unknown): AttestationObject {
  let decoded: CBORType;
  try {
    decoded = decodeCBOR(fromBase64url(encoded));
  } catch {
    throw new Refused('malformed');
  }
  if (!(decoded instanceof Map)) throw new Refused('malformed');
  const fmt = decoded.get('fmt');
  const attStmt = decoded.get('attStmt');
  const authData = decoded.get('authData');
  if (typeof fmt !== 'string' || !(attStmt instanceof Map) || !(authData instanceof Uint8Array)) throw new Refused('malformed');
  return { fmt, attStmt, authData };
}

/** The AAGUID as a UUID string (8-4-4-4-12 hex), as the metadata services write it. */
export function uuid(aaguid: Uint8Array): string {
  const hex = Array.from(aaguid, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
