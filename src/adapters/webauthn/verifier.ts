// The PasskeyVerifier port: WebAuthn's relying-party checks (L3 §7.1 registration, §7.2 authentication) on WebCrypto,
// with @levischuck/tiny-cbor for CBOR. The same code on Node and workerd. Attestation: we ask for `none`, and accept
// `none` and `packed` self-attestation (a signature by the new credential's own key, which browsers pass through
// unchanged); a format that carries a certificate chain is refused, since verifying it needs trust anchors we do not
// keep and nothing here would act on what it proves (API.md: "Attestation `none` is accepted").
import { base64url } from 'jose';
import type { PasskeyRefusal, PasskeyVerifier } from '../../core/ports';
import { constantTimeEqual } from '../password/equal';
import {
  checkClientData,
  concat,
  decodeAttestationObject,
  fromBase64url,
  parseAuthenticatorData,
  Refused,
  sha256,
  utf8,
  uuid,
  type AttestationObject,
  type AuthenticatorData,
} from './ceremony-data';
import { ALGORITHMS, importCoseKey, UnusableKey, verifyWith, type CoseKey } from './cose';

export interface RelyingParty {
  rpId: string;
  rpName: string;
  origins: string[];
}

// What a browser may report; anything else is not worth storing (the list is shown to the user).
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
// As long as the challenge lives (core/passkeys), so the browser never waits on a dead one.
const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000;

async function attempt<T>(run: () => Promise<T>): Promise<({ verified: true } & T) | { verified: false; reason: PasskeyRefusal }> {
  try {
    return { verified: true, ...(await run()) };
  } catch (error) {
    // Truncated CBOR, a wrong challenge, a foreign origin: all just a refused response, never a 500.
    return { verified: false, reason: error instanceof Refused ? error.reason : 'malformed' };
  }
}

/** The credential object around a response: an id, the same id as rawId (both base64url), the public-key type. */
function checkCredential(response: { id?: unknown; rawId?: unknown; type?: unknown; response?: unknown }): Record<string, unknown> {
  if (typeof response.id !== 'string' || response.id === '' || response.id !== response.rawId || response.type !== 'public-key') throw new Refused('malformed');
  if (typeof response.response !== 'object' || response.response === null) throw new Refused('malformed');
  return response.response as Record<string, unknown>;
}

/** Our RP ID's hash, and someone present: the two checks both ceremonies make on the authenticator data. */
async function checkAuthenticator(data: AuthenticatorData, rpId: string): Promise<void> {
  if (!(await constantTimeEqual(data.rpIdHash, await sha256(utf8(rpId))))) throw new Refused('rp_id');
  if (!data.userPresent) throw new Refused('user_presence');
}

/** `none` with an empty statement, or `packed` self-attestation signed by the credential itself (§8.2). */
async function checkAttestation({ fmt, attStmt, authData }: AttestationObject, credential: CoseKey, clientDataHash: Uint8Array): Promise<void> {
  if (fmt === 'none' && attStmt.size === 0) return;
  if (fmt === 'packed' && !attStmt.has('x5c') && attStmt.get('alg') === credential.alg) {
    const signature = attStmt.get('sig');
    if (signature instanceof Uint8Array && (await verifyWith(credential, signature, concat(authData, clientDataHash)))) return;
  }
  throw new Refused('attestation');
}

async function usableKey(encoded: Uint8Array): Promise<CoseKey> {
  try {
    return await importCoseKey(encoded);
  } catch (error) {
    if (error instanceof UnusableKey) throw new Refused('malformed');
    throw error;
  }
}

export function createPasskeyVerifier(rp: RelyingParty): PasskeyVerifier {
  return {
    registrationOptions: async ({ challenge, user, exclude }) => ({
      challenge,
      rp: { name: rp.rpName, id: rp.rpId },
      user: { id: user.handle, name: user.name, displayName: user.displayName },
      pubKeyCredParams: ALGORITHMS.map((alg) => ({ alg, type: 'public-key' as const })),
      timeout: CEREMONY_TIMEOUT_MS,
      attestation: 'none',
      excludeCredentials: exclude.map((passkey) => ({ id: passkey.credentialId, type: 'public-key', transports: passkey.transports })),
      // A discoverable credential is what lets a login start without a user name (API.md: no allowCredentials).
      // User verification preferred, not required: without it the passkey is one factor (amr hwk), with it two.
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
      extensions: { credProps: true },
    }),

    authenticationOptions: async ({ challenge }) => ({ rpId: rp.rpId, challenge, timeout: CEREMONY_TIMEOUT_MS, userVerification: 'preferred' }),

    verifyRegistration: (response, challenge) =>
      attempt(async () => {
        const fields = checkCredential(response);
        const clientDataJSON = checkClientData(fields.clientDataJSON, { type: 'webauthn.create', challenge, origins: rp.origins });
        const attestation = decodeAttestationObject(fields.attestationObject);
        const data = parseAuthenticatorData(attestation.authData);
        await checkAuthenticator(data, rp.rpId);
        const attested = data.attested;
        if (!attested || !(await constantTimeEqual(attested.credentialId, fromBase64url(response.id)))) throw new Refused('malformed');
        const credential = await usableKey(attested.publicKey);
        await checkAttestation(attestation, credential, await sha256(clientDataJSON));
        const transports = Array.isArray(fields.transports) ? fields.transports : [];
        return {
          credentialId: base64url.encode(attested.credentialId),
          publicKey: base64url.encode(attested.publicKey),
          signCount: data.signCount,
          transports: [...new Set(transports)].filter((t): t is string => typeof t === 'string' && TRANSPORTS.has(t)),
          backedUp: data.backedUp,
          aaguid: uuid(attested.aaguid),
          userVerified: data.userVerified,
        };
      }),

    verifyAuthentication: (response, challenge, passkey) =>
      attempt(async () => {
        const fields = checkCredential(response);
        if (fields.userHandle !== undefined && typeof fields.userHandle !== 'string') throw new Refused('malformed');
        const clientDataJSON = checkClientData(fields.clientDataJSON, { type: 'webauthn.get', challenge, origins: rp.origins });
        const authData = fromBase64url(fields.authenticatorData);
        const signature = fromBase64url(fields.signature);
        const data = parseAuthenticatorData(authData);
        await checkAuthenticator(data, rp.rpId);
        // The counter is compared by the caller, and only after the signature holds, so a forged assertion can never
        // raise a clone alarm.
        const key = await usableKey(fromBase64url(passkey.publicKey));
        if (!(await verifyWith(key, signature, concat(authData, await sha256(clientDataJSON))))) throw new Refused('signature');
        return { signCount: data.signCount, userVerified: data.userVerified, backedUp: data.backedUp };
      }),
  };
}
