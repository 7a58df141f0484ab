// The WebAuthn relying-party checks (src/adapters/webauthn): what a browser's genuine response gets, what each bent
// one is refused for, and, against @simplewebauthn/server as the reference, that a mutated response is never accepted
// where the library refuses it.
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import fc from 'fast-check';
import { base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPasskeyVerifier } from '../../src/adapters/webauthn/verifier';
import type { PasskeyRecord } from '../../src/core/ports';
import { authenticationResponse, FLAGS, makeKey, registrationResponse, type Alg, type Bend, type TestKey } from '../support/webauthn-responses';

const RP = { rpId: 'auth.example.com', rpName: 'authgate', origins: ['https://auth.example.com', 'https://app.example.com'] };
const ORIGIN = { rpId: RP.rpId, origin: 'https://app.example.com' };
const CHALLENGE = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
const verifier = createPasskeyVerifier(RP);

const keys = new Map<Alg, TestKey>();
beforeAll(async () => {
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'RS256-1024', 'ES384'] as const) keys.set(alg, await makeKey(alg));
});
const key = (alg: Alg) => keys.get(alg)!;
const credentialId = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const stored = (k: TestKey): PasskeyRecord => ({
  id: 'pk_1',
  userId: 'u_1',
  credentialId: base64url.encode(credentialId),
  publicKey: base64url.encode(k.cose),
  signCount: 0,
  transports: [],
  backedUp: false,
  aaguid: '',
  name: 'key',
  createdAt: new Date(0),
  lastUsedAt: null,
});
const register = async (k: TestKey, bend: Partial<Bend> = {}) =>
  verifier.verifyRegistration(await registrationResponse(k, credentialId, ORIGIN, { challenge: CHALLENGE, ...bend }), CHALLENGE);
const login = async (k: TestKey, bend: Partial<Bend> = {}) =>
  verifier.verifyAuthentication(await authenticationResponse(k, base64url.encode(credentialId), ORIGIN, { challenge: CHALLENGE, ...bend }), CHALLENGE, stored(k));

describe('a passkey registration', () => {
  it.each(['ES256', 'EdDSA', 'RS256'] as const)('with an %s key is stored as the authenticator made it, and its logins verify', async (alg) => {
    const registered = await register(key(alg), { flags: FLAGS.UP | FLAGS.AT | FLAGS.BE | FLAGS.BS, signCount: 7 });
    expect(registered).toEqual({
      verified: true,
      credentialId: base64url.encode(credentialId),
      publicKey: base64url.encode(key(alg).cose),
      signCount: 7,
      // Known transports only, each once.
      transports: ['usb', 'internal'],
      backedUp: true,
      aaguid: 'a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf',
      userVerified: false,
    });
    expect(await login(key(alg), { signCount: 8 })).toEqual({ verified: true, signCount: 8, userVerified: true, backedUp: false });
  });

  it('accepts packed self-attestation signed by the new credential, and refuses any other attestation', async () => {
    expect(await register(key('ES256'), { attestation: 'packed-self' })).toMatchObject({ verified: true });
    expect(await register(key('EdDSA'), { attestation: 'packed-self' })).toMatchObject({ verified: true });
    for (const attestation of ['packed-self-forged', 'packed-self-wrong-alg', 'packed-x5c', 'tpm', 'none-with-statement'] as const) {
      expect(await register(key('ES256'), { attestation }), attestation).toEqual({ verified: false, reason: 'attestation' });
    }
  });

  const refusals: [string, Partial<Bend>, string][] = [
    ['another challenge', { challenge: 'b3RoZXI' }, 'challenge'],
    ['a foreign origin', { origin: 'https://evil.example' }, 'origin'],
    ['a cross-origin iframe', { clientData: { crossOrigin: true } }, 'origin'],
    ['a top origin', { clientData: { topOrigin: 'https://evil.example' } }, 'origin'],
    ['another RP ID', { rpId: 'evil.example' }, 'rp_id'],
    ['a login ceremony', { type: 'webauthn.get' }, 'type'],
    ['no user present', { flags: FLAGS.UV | FLAGS.AT }, 'user_presence'],
    ['no attested credential', { flags: FLAGS.UP | FLAGS.UV }, 'malformed'],
    ['backed up without being backup-eligible', { flags: FLAGS.UP | FLAGS.AT | FLAGS.BS }, 'malformed'],
    ['bytes after the credential', { trailing: Uint8Array.of(0) }, 'malformed'],
    ['extension flag without extensions', { flags: FLAGS.UP | FLAGS.AT | FLAGS.ED }, 'malformed'],
    ['an id that is not the credential id', { id: base64url.encode(Uint8Array.of(9, 9, 9)) }, 'malformed'],
  ];
  it.each(refusals)('is refused for %s', async (_, bend, reason) => {
    expect(await register(key('ES256'), bend)).toEqual({ verified: false, reason });
  });

  it('is refused for a key of another algorithm, or an RSA key under 2048 bits', async () => {
    expect(await register(key('ES384'))).toEqual({ verified: false, reason: 'malformed' });
    expect(await register(key('RS256-1024'))).toEqual({ verified: false, reason: 'malformed' });
  });

  it('is refused, never thrown, for truncated or garbled input', async () => {
    const genuine = await registrationResponse(key('ES256'), credentialId, ORIGIN, { challenge: CHALLENGE });
    const attestation = base64url.decode(genuine.response.attestationObject);
    for (const bent of [
      { ...genuine, response: { ...genuine.response, attestationObject: base64url.encode(attestation.subarray(0, attestation.length - 5)) } },
      { ...genuine, response: { ...genuine.response, clientDataJSON: base64url.encode(new TextEncoder().encode('{"type":')) } },
      { ...genuine, response: { ...genuine.response, clientDataJSON: base64url.encode(Uint8Array.of(0xff, 0xfe)) } },
      { ...genuine, response: { ...genuine.response, clientDataJSON: base64url.encode(new TextEncoder().encode('[1]')) } },
      { ...genuine, rawId: 'AAAA' },
      { ...genuine, type: 'secret-key' as 'public-key' },
    ]) {
      expect(await verifier.verifyRegistration(bent, CHALLENGE)).toEqual({ verified: false, reason: 'malformed' });
    }
  });
});

describe('a passkey login', () => {
  const refusals: [string, Partial<Bend>, string][] = [
    ['another challenge', { challenge: 'b3RoZXI' }, 'challenge'],
    ['a foreign origin', { origin: 'https://evil.example' }, 'origin'],
    ['a cross-origin iframe', { clientData: { crossOrigin: true, topOrigin: 'https://evil.example' } }, 'origin'],
    ['another RP ID', { rpId: 'evil.example' }, 'rp_id'],
    ['a registration ceremony', { type: 'webauthn.create' }, 'type'],
    ['no user present', { flags: FLAGS.UV }, 'user_presence'],
    ['backed up without being backup-eligible', { flags: FLAGS.UP | FLAGS.BS }, 'malformed'],
    ['bytes after the counter', { trailing: Uint8Array.of(1, 2) }, 'malformed'],
  ];
  it.each(refusals)('is refused for %s', async (_, bend, reason) => {
    expect(await login(key('ES256'), bend)).toEqual({ verified: false, reason });
  });

  it.each(['ES256', 'EdDSA', 'RS256'] as const)('is refused when another %s key signed it', async (alg) => {
    expect(await login(key(alg), { signer: await makeKey(alg) })).toEqual({ verified: false, reason: 'signature' });
  });

  it('is refused for a signature that is not DER, and never thrown for a stored key that is not a key', async () => {
    const genuine = await authenticationResponse(key('ES256'), base64url.encode(credentialId), ORIGIN, { challenge: CHALLENGE });
    const raw = { ...genuine, response: { ...genuine.response, signature: base64url.encode(new Uint8Array(64).fill(1)) } };
    expect(await verifier.verifyAuthentication(raw, CHALLENGE, stored(key('ES256')))).toEqual({ verified: false, reason: 'signature' });
    const broken = { ...stored(key('ES256')), publicKey: base64url.encode(Uint8Array.of(0xa1, 0x01)) };
    expect(await verifier.verifyAuthentication(genuine, CHALLENGE, broken)).toEqual({ verified: false, reason: 'malformed' });
  });
});

describe('the options a browser is given', () => {
  it('ask for a discoverable credential of ES256, EdDSA or RS256 with no attestation, excluding the registered ones', async () => {
    const user = { handle: 'dXNlcl8x', name: 'ada@example.com', displayName: 'Ada' };
    const options = await verifier.registrationOptions({ challenge: CHALLENGE, user, exclude: [stored(key('ES256'))] });
    expect(options).toEqual({
      challenge: CHALLENGE,
      rp: { name: 'authgate', id: 'auth.example.com' },
      user: { id: 'dXNlcl8x', name: 'ada@example.com', displayName: 'Ada' },
      pubKeyCredParams: [-7, -8, -257].map((alg) => ({ alg, type: 'public-key' })),
      timeout: 300_000,
      attestation: 'none',
      excludeCredentials: [{ id: base64url.encode(credentialId), type: 'public-key', transports: [] }],
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
      extensions: { credProps: true },
    });
    expect(await verifier.authenticationOptions({ challenge: CHALLENGE })).toEqual({ rpId: 'auth.example.com', challenge: CHALLENGE, timeout: 300_000, userVerification: 'preferred' });
  });
});

// One byte changed anywhere, by an authenticator gone wrong (before it signs) or on the way (after): the reference,
// @simplewebauthn/server, decides too, and we must never accept what it refuses. For logins the two agree exactly;
// registrations we may refuse more (we also check that the response's id is the credential's, and that its key
// imports, which the library leaves to the first login).
const flipped = (at: number, xor: number) => (bytes: Uint8Array) => {
  const copy = bytes.slice();
  copy[at % copy.length]! ^= xor;
  return copy;
};
const mutation = fc.record({ part: fc.constantFrom('authData', 'clientDataJSON', 'sent'), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) });

/** The tag and length bytes of a DER ECDSA signature: SEQUENCE { INTEGER r, INTEGER s }. */
const derFraming = (der: Uint8Array) => [0, 1, 2, 3, 4 + der[3]!, 5 + der[3]!];

async function reference(run: () => Promise<{ verified: boolean }>): Promise<boolean> {
  try {
    return (await run()).verified;
  } catch {
    return false;
  }
}

describe('against @simplewebauthn/server, with one byte changed', () => {
  it.each(['ES256', 'EdDSA', 'RS256'] as const)('%s logins are accepted and refused exactly as the reference does', async (alg) => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(mutation, async ({ part, at, xor }) => {
        const bend = part === 'sent' ? {} : { [part]: flipped(at, xor) };
        const response = await authenticationResponse(key(alg), base64url.encode(credentialId), ORIGIN, { challenge: CHALLENGE, ...bend });
        const signature = base64url.decode(response.response.signature);
        if (part === 'sent') response.response.signature = base64url.encode(flipped(at, xor)(signature));
        const ours = (await verifier.verifyAuthentication(response, CHALLENGE, stored(key(alg)))).verified;
        const theirs = await reference(() =>
          verifyAuthenticationResponse({
            response,
            expectedChallenge: CHALLENGE,
            expectedOrigin: RP.origins,
            expectedRPID: RP.rpId,
            requireUserVerification: false,
            credential: { id: response.id, publicKey: key(alg).cose as Uint8Array<ArrayBuffer>, counter: 0 },
          }),
        );
        seen[ours ? 'accepted' : 'refused']++;
        // The reference's ASN.1 parser reads BER, so a broken length or tag around r and s still passes there; an
        // ECDSA signature here must be DER exactly.
        if (alg === 'ES256' && part === 'sent' && derFraming(signature).includes(at % signature.length)) expect(ours).toBe(false);
        else expect(ours, `${part}[${at}] ^ ${xor}`).toBe(theirs);
      }),
      { numRuns: 300 },
    );
    // A changed counter or UV/BE bit keeps a login valid; a changed RP ID hash or signature does not.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it.each(['ES256', 'EdDSA', 'RS256'] as const)('%s registrations we accept, the reference accepts', async (alg) => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(mutation, fc.boolean(), async ({ part, at, xor }, packed) => {
        const bend = part === 'sent' ? {} : { [part]: flipped(at, xor) };
        const response = await registrationResponse(key(alg), credentialId, ORIGIN, { challenge: CHALLENGE, attestation: packed ? 'packed-self' : 'none', ...bend });
        if (part === 'sent') response.response.attestationObject = base64url.encode(flipped(at, xor)(base64url.decode(response.response.attestationObject)));
        const ours = (await verifier.verifyRegistration(response, CHALLENGE)).verified;
        seen[ours ? 'accepted' : 'refused']++;
        if (!ours) return;
        const theirs = await reference(() =>
          verifyRegistrationResponse({ response, expectedChallenge: CHALLENGE, expectedOrigin: RP.origins, expectedRPID: RP.rpId, requireUserVerification: false, supportedAlgorithmIDs: [-7, -8, -257] }),
        );
        expect(theirs, `${part}[${at}] ^ ${xor}`).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
