import { createHarness } from '#harness';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import type { CeremonyTweaks } from '../support/software-authenticator';
import { expectError, json, registerUser } from './helpers';
import { addPasskey, addedPasskey, loginOptions, newAuthenticator, passkeyCount, passkeyLogin, registrationOptions } from './passkey-helpers';

// SECURITY.md "Passkeys", registration side: every check of a new credential fails with a 400 that stores nothing,
// and a credential id is registered once. Login: passkeys.security.test.ts.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const verify = (token: string, body: unknown) => h.request('/api/v1/passkeys/register/verify', { method: 'POST', token, json: body });

/** A 400 naming the refused field (and, for the response, the check), with no passkey stored. */
async function expectNotStored(userId: string, response: Response, path: string, why?: string) {
  const body = await expectError(response, 400, 'VALIDATION_ERROR');
  expect(body.error.details[0].path).toBe(path);
  if (why) expect(body.error.details[0].message).toContain(`(${why})`);
  expect(await passkeyCount(h, userId)).toBe(0);
}

describe('registering a passkey is refused with 400, storing nothing, when the response', () => {
  const cases: [string, CeremonyTweaks, string][] = [
    ['answers another challenge', { challenge: base64url.encode(crypto.getRandomValues(new Uint8Array(32))) }, 'challenge'],
    ['comes from another origin (a phishing page)', { origin: 'https://authgate-test.evil.example' }, 'origin'],
    ['is scoped to another RP ID', { rpId: 'evil.example' }, 'rp_id'],
    ['lacks the user-present flag', { userPresent: false }, 'user_presence'],
    ['is a login ceremony’s client data', { type: 'webauthn.get' }, 'type'],
  ];
  for (const [behaviour, tweaks, why] of cases) {
    it(behaviour, async () => {
      const { user, accessToken } = await registerUser(h);
      const authenticator = newAuthenticator();
      await expectNotStored(user.id, await addPasskey(h, accessToken, authenticator, tweaks), 'response', why);
      // Control: the same authenticator, untweaked, registers.
      expect((await addPasskey(h, accessToken, authenticator)).status).toBe(201);
    });
  }

  it('is malformed, truncated or of the wrong types, never a 500', async () => {
    const { user, accessToken } = await registerUser(h);
    type Good = Awaited<ReturnType<ReturnType<typeof newAuthenticator>['register']>>;
    const damaged: [(good: Good) => unknown, string][] = [
      [(good) => ({ ...good, response: { ...good.response, attestationObject: good.response.attestationObject.slice(0, 40) } }), 'response'],
      [(good) => ({ ...good, response: { ...good.response, clientDataJSON: base64url.encode(new TextEncoder().encode('not json')) } }), 'response'],
      [(good) => ({ ...good, response: { ...good.response, attestationObject: 'not+base64url/' } }), 'response.response.attestationObject'],
      [(good) => ({ ...good, rawId: base64url.encode(new Uint8Array(16)) }), 'response'],
      [(good) => ({ ...good, id: 42 }), 'response.id'],
      [(good) => ({ ...good, type: 'password' }), 'response.type'],
      [() => 'a string', 'response'],
    ];
    for (const [damage, path] of damaged) {
      // Each on a challenge of its own: a refused response spends its challenge.
      const { challengeId, options } = await registrationOptions(h, accessToken);
      const response = damage(await newAuthenticator().register(options));
      const body = await expectError(await verify(accessToken, { challengeId, response }), 400, 'VALIDATION_ERROR');
      expect(body.error.details[0].path, JSON.stringify(response).slice(0, 80)).toBe(path);
    }
    expect(await passkeyCount(h, user.id)).toBe(0);
  });
});

describe('a registration challenge', () => {
  it('works once', async () => {
    const { user, accessToken } = await registerUser(h);
    const { challengeId, options } = await registrationOptions(h, accessToken);
    expect((await verify(accessToken, { challengeId, response: await newAuthenticator().register(options) })).status).toBe(201);
    await expectError(await verify(accessToken, { challengeId, response: await newAuthenticator().register(options) }), 400, 'VALIDATION_ERROR');
    expect(await passkeyCount(h, user.id)).toBe(1);
  });

  it('expires after 5 minutes', async () => {
    const { user, accessToken } = await registerUser(h);
    const attempt = async (ageSeconds: number) => {
      const { challengeId, options } = await registrationOptions(h, accessToken);
      const response = await newAuthenticator().register(options);
      h.clock.advance(ageSeconds);
      return verify(accessToken, { challengeId, response });
    };
    expect((await attempt(299)).status).toBe(201);
    await expectError(await attempt(300), 400, 'VALIDATION_ERROR');
    expect(await passkeyCount(h, user.id)).toBe(1);
  });

  it('is bound to the user who asked for it', async () => {
    const alice = await registerUser(h);
    const mallory = await registerUser(h);
    const { challengeId, options } = await registrationOptions(h, alice.accessToken);
    const response = await newAuthenticator().register(options);
    await expectNotStored(mallory.user.id, await verify(mallory.accessToken, { challengeId, response }), 'challengeId');
    expect(await passkeyCount(h, alice.user.id)).toBe(0);
  });

  it('is not a login challenge', async () => {
    const { user, accessToken } = await registerUser(h);
    const login = await loginOptions(h);
    const { options } = await registrationOptions(h, accessToken);
    const response = await newAuthenticator().register({ ...options, challenge: login.options.challenge });
    await expectNotStored(user.id, await verify(accessToken, { challengeId: login.challengeId, response }), 'challengeId');
  });
});

describe('a credential id', () => {
  it('is registered once: a second registration, by its owner or anyone else, is refused and changes nothing', async () => {
    const owner = await registerUser(h);
    const intruder = await registerUser(h);
    const authenticator = newAuthenticator();
    const first = await addedPasskey(h, owner.accessToken, authenticator);
    const [{ credential_id: credentialId, public_key: publicKey }] = (await h.query('select credential_id, public_key from passkeys where id = $1', [first.id])) as [
      { credential_id: string; public_key: string },
    ];
    await expectError(await addPasskey(h, owner.accessToken, authenticator, { credentialId }), 409, 'CONFLICT');
    await expectError(await addPasskey(h, intruder.accessToken, authenticator, { credentialId }), 409, 'CONFLICT');
    expect(await h.query('select id, user_id, public_key from passkeys where credential_id = $1', [credentialId])).toEqual([
      { id: first.id, user_id: owner.user.id, public_key: publicKey },
    ]);
    expect(await passkeyCount(h, intruder.user.id)).toBe(0);
    const session = await json(await passkeyLogin(h, authenticator, { credentialId }));
    expect(session.data.user.id).toBe(owner.user.id);
  });
});
