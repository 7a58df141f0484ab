// The passkey verifier inside workerd: the three algorithms it accepts each import and verify with the Workers
// runtime's own WebCrypto (the HTTP suites' software authenticator only makes ES256 keys), and a key of another
// algorithm is refused there as on Node.
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { createPasskeyVerifier } from '../../src/adapters/webauthn/verifier';
import { authenticationResponse, makeKey, registrationResponse } from '../support/webauthn-responses';

const RP = { rpId: 'auth.example.com', rpName: 'authgate', origins: ['https://auth.example.com'] };
const ORIGIN = { rpId: RP.rpId, origin: RP.origins[0]! };
const verifier = createPasskeyVerifier(RP);
const credentialId = Uint8Array.of(7, 7, 7, 7);

describe('passkeys in workerd', () => {
  it.each(['ES256', 'EdDSA', 'RS256'] as const)('register and log in with an %s key; another key of the kind is refused', async (alg) => {
    const key = await makeKey(alg);
    const registered = await verifier.verifyRegistration(await registrationResponse(key, credentialId, ORIGIN, { challenge: 'Y2hhbGxlbmdl', attestation: 'packed-self' }), 'Y2hhbGxlbmdl');
    if (!registered.verified) throw new Error(`registration refused: ${registered.reason}`);
    const passkey = { ...registered, id: 'pk', userId: 'u', name: 'key', createdAt: new Date(0), lastUsedAt: null };
    const id = base64url.encode(credentialId);
    const login = await authenticationResponse(key, id, ORIGIN, { challenge: 'bG9naW4', signCount: 3 });
    expect(await verifier.verifyAuthentication(login, 'bG9naW4', passkey)).toEqual({ verified: true, signCount: 3, userVerified: true, backedUp: false });
    const forged = await authenticationResponse(key, id, ORIGIN, { challenge: 'bG9naW4', signer: await makeKey(alg) });
    expect(await verifier.verifyAuthentication(forged, 'bG9naW4', passkey)).toEqual({ verified: false, reason: 'signature' });
  });

  it('refuses a P-384 key at registration', async () => {
    const response = await registrationResponse(await makeKey('ES384'), credentialId, ORIGIN, { challenge: 'Y2hhbGxlbmdl' });
    expect(await verifier.verifyRegistration(response, 'Y2hhbGxlbmdl')).toEqual({ verified: false, reason: 'malformed' });
  });
});
