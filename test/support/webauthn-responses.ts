// Registration and authentication responses as a browser sends them, for the WebAuthn verifier's unit tests: keys of
// the three algorithms we accept (and some we do not), `none` and `packed` attestation, and every field bendable.
// Built from WebCrypto and the tests' own CBOR encoder, independent of the code under test.
import { base64url } from 'jose';
import { encodeCbor, type CborValue } from './cbor';
import { concat, derSignature, sha256, uint32, utf8 } from './software-authenticator';

export type Alg = 'ES256' | 'EdDSA' | 'RS256' | 'RS256-1024' | 'ES384';

export interface TestKey {
  alg: Alg;
  coseAlg: number;
  cose: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

const cose = (entries: [number, number | Uint8Array][]) => encodeCbor(new Map<CborValue, CborValue>(entries));

export async function makeKey(alg: Alg): Promise<TestKey> {
  if (alg === 'ES256' || alg === 'ES384') {
    const [namedCurve, hash, coseAlg, crv, size] = alg === 'ES256' ? ['P-256', 'SHA-256', -7, 1, 32] as const : ['P-384', 'SHA-384', -35, 2, 48] as const;
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return {
      alg,
      coseAlg,
      cose: cose([[1, 2], [3, coseAlg], [-1, crv], [-2, base64url.decode(jwk.x!)], [-3, base64url.decode(jwk.y!)]]),
      sign: async (data) => {
        const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, pair.privateKey, data as BufferSource));
        return size === 32 ? derSignature(raw) : raw;
      },
    };
  }
  if (alg === 'EdDSA') {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return {
      alg,
      coseAlg: -8,
      cose: cose([[1, 1], [3, -8], [-1, 6], [-2, base64url.decode(jwk.x!)]]),
      sign: async (data) => new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, data as BufferSource)),
    };
  }
  const modulusLength = alg === 'RS256' ? 2048 : 1024;
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' };
  const pair = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return {
    alg,
    coseAlg: -257,
    cose: cose([[1, 3], [3, -257], [-1, base64url.decode(jwk.n!)], [-2, base64url.decode(jwk.e!)]]),
    sign: async (data) => new Uint8Array(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, pair.privateKey, data as BufferSource)),
  };
}

export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 };

export interface Bend {
  challenge: string;
  origin?: string;
  type?: string;
  /** Extra members of the client data (crossOrigin, topOrigin, ...). */
  clientData?: Record<string, unknown>;
  rpId?: string;
  flags?: number;
  signCount?: number;
  /** Registration: the attestation format and statement (default none with an empty statement). */
  attestation?: 'none' | 'packed-self' | 'packed-self-wrong-alg' | 'packed-self-forged' | 'packed-x5c' | 'tpm' | 'none-with-statement';
  /** Registration: the response's id, if not the authenticator data's credential id. */
  id?: string;
  /** Bytes appended to the authenticator data. */
  trailing?: Uint8Array;
  /** Authentication: sign with this key instead. */
  signer?: TestKey;
  /** Changes the authenticator data or the client data before anything signs them (an authenticator gone wrong). */
  authData?: (bytes: Uint8Array) => Uint8Array;
  clientDataJSON?: (bytes: Uint8Array) => Uint8Array;
}

const AAGUID = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

async function clientData(type: string, bend: Bend, rpOrigin: string) {
  const json = utf8(JSON.stringify({ type: bend.type ?? type, challenge: bend.challenge, origin: bend.origin ?? rpOrigin, crossOrigin: false, ...bend.clientData }));
  return bend.clientDataJSON?.(json) ?? json;
}

export async function registrationResponse(key: TestKey, credentialId: Uint8Array, rp: { rpId: string; origin: string }, bend: Bend) {
  const attested = concat(AAGUID, Uint8Array.of(credentialId.length >> 8, credentialId.length & 0xff), credentialId, key.cose);
  const flags = bend.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.AT;
  const made = concat(await sha256(utf8(bend.rpId ?? rp.rpId)), Uint8Array.of(flags), uint32(bend.signCount ?? 0), attested, bend.trailing ?? new Uint8Array());
  const authData = bend.authData?.(made) ?? made;
  const clientDataJSON = await clientData('webauthn.create', bend, rp.origin);
  const signed = concat(authData, await sha256(clientDataJSON));
  const kind = bend.attestation ?? 'none';
  let fmt = 'none';
  let attStmt = new Map<CborValue, CborValue>();
  if (kind === 'none-with-statement') attStmt = new Map<CborValue, CborValue>([['alg', key.coseAlg]]);
  if (kind.startsWith('packed') || kind === 'tpm') {
    fmt = kind === 'tpm' ? 'tpm' : 'packed';
    const signer = kind === 'packed-self-forged' ? await makeKey(key.alg) : key;
    attStmt = new Map<CborValue, CborValue>([['alg', kind === 'packed-self-wrong-alg' ? -35 : key.coseAlg], ['sig', await signer.sign(signed)]]);
    if (kind === 'packed-x5c' || kind === 'tpm') attStmt.set('x5c', [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)]);
  }
  const attestationObject = encodeCbor(new Map<CborValue, CborValue>([['fmt', fmt], ['attStmt', attStmt], ['authData', authData]]));
  const id = bend.id ?? base64url.encode(credentialId);
  return {
    id,
    rawId: id,
    type: 'public-key' as const,
    response: { clientDataJSON: base64url.encode(clientDataJSON), attestationObject: base64url.encode(attestationObject), transports: ['usb', 'internal', 'usb', 'carrier-pigeon'] },
    clientExtensionResults: {},
  };
}

export async function authenticationResponse(key: TestKey, credentialId: string, rp: { rpId: string; origin: string }, bend: Bend) {
  const flags = bend.flags ?? FLAGS.UP | FLAGS.UV;
  const made = concat(await sha256(utf8(bend.rpId ?? rp.rpId)), Uint8Array.of(flags), uint32(bend.signCount ?? 1), bend.trailing ?? new Uint8Array());
  const authData = bend.authData?.(made) ?? made;
  const clientDataJSON = await clientData('webauthn.get', bend, rp.origin);
  const signature = await (bend.signer ?? key).sign(concat(authData, await sha256(clientDataJSON)));
  return {
    id: credentialId,
    rawId: credentialId,
    type: 'public-key' as const,
    response: { clientDataJSON: base64url.encode(clientDataJSON), authenticatorData: base64url.encode(authData), signature: base64url.encode(signature) },
    clientExtensionResults: {},
  };
}
