// A passkey authenticator in software, for the HTTP tests on Node and inside workerd (WebCrypto only): ES256 keys
// (ECDSA P-256), `none` attestation, authenticatorData with the RP ID hash, the UP/UV/BE/BS/AT flags and a
// signature counter (WebAuthn L2 §6.1), and the JSON a browser would send. Tweaks bend one ceremony the way a
// phishing page, a cloned key or a broken authenticator would.
import { base64url } from 'jose';
import { encodeCbor, type CborValue } from './cbor';

export interface CreationOptionsLike {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string };
}

export interface RequestOptionsLike {
  challenge: string;
  rpId?: string;
}

export interface CeremonyTweaks {
  /** clientDataJSON.origin (default: the authenticator's origin). */
  origin?: string;
  /** The RP ID whose hash goes into authenticatorData (default: the options'). */
  rpId?: string;
  /** clientDataJSON.challenge (default: the options'). */
  challenge?: string;
  /** clientDataJSON.type (default: webauthn.create / webauthn.get). */
  type?: string;
  userPresent?: boolean;
  userVerified?: boolean;
  /** The counter to report (default: the credential's own, one more per assertion unless `syncedCounter`). */
  signCount?: number;
  /** Register: reuse this existing credential. Assert: use this one (default: the newest for the RP ID). */
  credentialId?: string;
  /** Assert: sign with a key that is not the credential's (someone who knows the id but not the key). */
  forgedSignature?: boolean;
  /** Assert: the user handle to report (default: the one registered). */
  userHandle?: string;
}

interface Credential {
  id: string;
  keys: CryptoKeyPair;
  rpId: string;
  userHandle: string;
  signCount: number;
}

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 };
const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const utf8 = (text: string) => new TextEncoder().encode(text);
export const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
export const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, part) => (out.set(part, offset), offset + part.length), 0);
  return out;
};
export const uint32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/** WebCrypto signs ECDSA as r‖s (IEEE P1363); WebAuthn wants an ASN.1 DER SEQUENCE of two INTEGERs. */
export function derSignature(p1363: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.slice(start);
    const body = trimmed[0]! & 0x80 ? concat(Uint8Array.of(0), trimmed) : trimmed;
    return concat(Uint8Array.of(0x02, body.length), body);
  };
  const sequence = concat(integer(p1363.slice(0, 32)), integer(p1363.slice(32)));
  return concat(Uint8Array.of(0x30, sequence.length), sequence);
}

async function coseKey(publicKey: CryptoKey): Promise<Uint8Array> {
  const jwk = await crypto.subtle.exportKey('jwk', publicKey);
  // RFC 9053: kty EC2 (1: 2), alg ES256 (3: -7), crv P-256 (-1: 1), x (-2), y (-3).
  return encodeCbor(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, base64url.decode(jwk.x!)], [-3, base64url.decode(jwk.y!)]]));
}

export function createSoftwareAuthenticator(settings: { origin: string; userVerified?: boolean; backedUp?: boolean; syncedCounter?: boolean }) {
  const credentials = new Map<string, Credential>();
  const aaguid = new Uint8Array(16).fill(0x5a);

  const flags = (tweaks: CeremonyTweaks, extra = 0) =>
    Uint8Array.of(
      ((tweaks.userPresent ?? true) ? FLAG.UP : 0) |
        ((tweaks.userVerified ?? settings.userVerified ?? true) ? FLAG.UV : 0) |
        (settings.backedUp ? FLAG.BE | FLAG.BS : 0) |
        extra,
    );
  const clientData = (type: string, challenge: string, tweaks: CeremonyTweaks) =>
    utf8(JSON.stringify({ type: tweaks.type ?? type, challenge: tweaks.challenge ?? challenge, origin: tweaks.origin ?? settings.origin, crossOrigin: false }));

  return {
    /** navigator.credentials.create() → RegistrationResponseJSON. */
    async register(options: CreationOptionsLike, tweaks: CeremonyTweaks = {}) {
      const rpId = options.rp.id!;
      const reused = tweaks.credentialId === undefined ? undefined : credentials.get(tweaks.credentialId);
      const credential: Credential = reused ?? {
        id: base64url.encode(crypto.getRandomValues(new Uint8Array(32))),
        keys: (await crypto.subtle.generateKey(ES256, false, ['sign', 'verify'])) as CryptoKeyPair,
        rpId,
        userHandle: options.user.id,
        signCount: 0,
      };
      credentials.set(credential.id, credential);
      const idBytes = base64url.decode(credential.id);
      const attested = concat(aaguid, Uint8Array.of(idBytes.length >> 8, idBytes.length & 0xff), idBytes, await coseKey(credential.keys.publicKey));
      const authData = concat(await sha256(utf8(tweaks.rpId ?? rpId)), flags(tweaks, FLAG.AT), uint32(tweaks.signCount ?? credential.signCount), attested);
      const attestationObject = encodeCbor(new Map<CborValue, CborValue>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key' as const,
        response: {
          clientDataJSON: base64url.encode(clientData('webauthn.create', options.challenge, tweaks)),
          attestationObject: base64url.encode(attestationObject),
          transports: ['internal', 'hybrid'],
        },
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: { credProps: { rk: true } },
      };
    },

    /** navigator.credentials.get() with no allowCredentials (discoverable) → AuthenticationResponseJSON. */
    async authenticate(options: RequestOptionsLike, tweaks: CeremonyTweaks = {}) {
      const rpId = options.rpId!;
      const credential = tweaks.credentialId === undefined ? [...credentials.values()].filter((c) => c.rpId === rpId).at(-1) : credentials.get(tweaks.credentialId);
      if (!credential) throw new Error(`software authenticator: no credential for ${rpId}`);
      if (!settings.syncedCounter) credential.signCount += 1;
      const authData = concat(await sha256(utf8(tweaks.rpId ?? rpId)), flags(tweaks), uint32(tweaks.signCount ?? credential.signCount));
      const clientDataJSON = clientData('webauthn.get', options.challenge, tweaks);
      const signer = tweaks.forgedSignature ? (await crypto.subtle.generateKey(ES256, false, ['sign', 'verify'])) as CryptoKeyPair : credential.keys;
      const signed = concat(authData, await sha256(clientDataJSON));
      const signature = derSignature(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer.privateKey, signed as BufferSource)));
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key' as const,
        response: {
          clientDataJSON: base64url.encode(clientDataJSON),
          authenticatorData: base64url.encode(authData),
          signature: base64url.encode(signature),
          userHandle: tweaks.userHandle ?? credential.userHandle,
        },
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: {},
      };
    },
  };
}

export type SoftwareAuthenticator = ReturnType<typeof createSoftwareAuthenticator>;
