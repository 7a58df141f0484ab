import type { PasskeyVerifier } from '../../core/ports';
import type { RelyingParty } from './simplewebauthn';

/**
 * The passkey verifier with its library loaded by the first ceremony instead of at start-up (Node: @simplewebauthn/server
 * and the certificate stack its attestation formats need are about 500 of the ~1,000 module files a start-up would load,
 * and nothing else needs them). Workers take the adapter directly: every module is in the upload and evaluated anyway,
 * and a dynamic import there only wraps the library's modules in lazy initialisers (a bigger bundle). A failed load is
 * not remembered, and it is never taken for a refused passkey: the call rejects (a 500).
 */
export function lazyPasskeyVerifier(rp: RelyingParty): PasskeyVerifier {
  let verifier: Promise<PasskeyVerifier> | undefined;
  const load = (): Promise<PasskeyVerifier> => {
    verifier ??= import('./simplewebauthn').then(
      ({ createPasskeyVerifier }) => createPasskeyVerifier(rp),
      (error: unknown) => {
        verifier = undefined;
        throw error;
      },
    );
    return verifier;
  };
  return {
    registrationOptions: async (input) => (await load()).registrationOptions(input),
    authenticationOptions: async (input) => (await load()).authenticationOptions(input),
    verifyRegistration: async (response, challenge) => (await load()).verifyRegistration(response, challenge),
    verifyAuthentication: async (response, challenge, credential) => (await load()).verifyAuthentication(response, challenge, credential),
  };
}
