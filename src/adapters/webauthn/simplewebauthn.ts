import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { PasskeyRefusal, PasskeyVerifier } from '../../core/ports';

// The PasskeyVerifier port over @simplewebauthn/server, which runs on WebCrypto alone (Node and workerd alike).

export interface RelyingParty {
  rpId: string;
  rpName: string;
  origins: string[];
}

// ES256, EdDSA and RS256, pinned: the library would add ML-DSA-44 where the runtime verifies it, and a passkey
// registered through Node must still verify on Workers.
const ALGORITHMS = [-7, -8, -257];
// What a browser may report; anything else is not worth storing (the list is shown to the user).
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
// As long as the challenge lives (core/passkeys), so the browser never waits on a dead one.
const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Which check refused a response, from the library's error (it throws plain Errors): for the audit trail and the
 * registration error's details. Never its message, which quotes the presented challenge.
 */
function refusal(error: unknown): PasskeyRefusal {
  const message = error instanceof Error ? error.message : '';
  if (/\bchallenge\b/i.test(message)) return 'challenge';
  if (/\borigin\b/i.test(message)) return 'origin';
  if (/\bRP ID\b/.test(message)) return 'rp_id';
  if (/\bresponse type\b/i.test(message)) return 'type';
  if (/\bnot present\b/i.test(message)) return 'user_presence';
  return 'malformed';
}

async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: PasskeyRefusal }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    // Truncated CBOR, a wrong challenge, a foreign origin: all just a refused response, never a 500.
    return { ok: false, reason: refusal(error) };
  }
}

export function createPasskeyVerifier(rp: RelyingParty): PasskeyVerifier {
  return {
    registrationOptions: ({ challenge, user, exclude }) =>
      generateRegistrationOptions({
        rpName: rp.rpName,
        rpID: rp.rpId,
        userName: user.name,
        userID: isoBase64URL.toBuffer(user.handle),
        userDisplayName: user.displayName,
        challenge: isoBase64URL.toBuffer(challenge),
        timeout: CEREMONY_TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: exclude.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
        // A discoverable credential is what lets a login start without a user name (API.md: no allowCredentials).
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
        supportedAlgorithmIDs: ALGORITHMS,
      }),

    authenticationOptions: ({ challenge }) =>
      generateAuthenticationOptions({ rpID: rp.rpId, challenge: isoBase64URL.toBuffer(challenge), timeout: CEREMONY_TIMEOUT_MS, userVerification: 'preferred' }),

    async verifyRegistration(response, challenge) {
      const result = await attempt(() =>
        verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origins,
          expectedRPID: rp.rpId,
          // Preferred, not required: without it the passkey is one factor (amr hwk), with it two (hwk + user).
          requireUserVerification: false,
          supportedAlgorithmIDs: ALGORITHMS,
        }),
      );
      if (!result.ok) return { verified: false, reason: result.reason };
      if (!result.value.verified) return { verified: false, reason: 'attestation' };
      const { credential, aaguid, credentialBackedUp, userVerified } = result.value.registrationInfo;
      return {
        verified: true,
        credentialId: credential.id,
        publicKey: isoBase64URL.fromBuffer(credential.publicKey),
        signCount: credential.counter,
        transports: [...new Set(response.response.transports ?? [])].filter((t) => TRANSPORTS.has(t)),
        backedUp: credentialBackedUp,
        aaguid,
        userVerified,
      };
    },

    async verifyAuthentication(response, challenge, credential) {
      const result = await attempt(() =>
        verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origins,
          expectedRPID: rp.rpId,
          requireUserVerification: false,
          // Counter 0 turns the library's own counter check off: the caller compares counters, and only after the
          // signature holds, so a forged assertion can never raise a clone alarm.
          credential: { id: credential.credentialId, publicKey: isoBase64URL.toBuffer(credential.publicKey), counter: 0 },
        }),
      );
      if (!result.ok) return { verified: false, reason: result.reason };
      if (!result.value.verified) return { verified: false, reason: 'signature' };
      const info = result.value.authenticationInfo;
      return { verified: true, signCount: info.newCounter, userVerified: info.userVerified, backedUp: info.credentialBackedUp };
    },
  };
}
