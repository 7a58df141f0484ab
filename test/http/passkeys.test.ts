import { createHarness } from '#harness';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { satisfiesMfa } from '../../src/core/sign-in';
import type { Harness } from '../support/harness';
import { auditActions, expectError, json, registerUser } from './helpers';
import { mfaUser, nextCode, post } from './mfa-helpers';
import { addedPasskey, loginOptions, newAuthenticator, passkeyLogin, registrationOptions } from './passkey-helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

async function signedIn(response: Response) {
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.data as { mfaRequired: false; user: { id: string; email: string }; accessToken: string; refreshToken: string; tokenType: string; expiresIn: number };
}

describe('adding a passkey', () => {
  it('offers creation options for a discoverable credential: resident key required, user verification preferred, attestation none', async () => {
    const { user, accessToken } = await registerUser(h, { name: 'Ada' });
    const { challengeId, options } = await registrationOptions(h, accessToken);
    expect(challengeId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options).toMatchObject({
      rp: { id: 'authgate.test', name: 'authgate' },
      user: { id: btoa(user.id).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), name: user.email, displayName: 'Ada' },
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
      attestation: 'none',
      excludeCredentials: [],
    });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-7, -8, -257]);
  });

  it('stores the credential and shows it without key material, named after the device unless named', async () => {
    const { user, accessToken } = await registerUser(h);
    const authenticator = newAuthenticator({ backedUp: true });
    const { challengeId, options } = await registrationOptions(h, accessToken);
    const credential = await authenticator.register(options);
    const response = await h.request('/api/v1/passkeys/register/verify', {
      method: 'POST',
      token: accessToken,
      headers: { 'user-agent': CHROME_MAC },
      json: { challengeId, response: credential },
    });
    expect(response.status).toBe(201);
    const { passkey } = (await json(response)).data;
    expect(Object.keys(passkey).sort()).toEqual(['backedUp', 'createdAt', 'id', 'lastUsedAt', 'name', 'transports']);
    expect(passkey).toMatchObject({ name: 'Chrome 120 on macOS (desktop)', lastUsedAt: null, backedUp: true, transports: ['internal', 'hybrid'] });
    // Listed oldest first: the second one is a second younger.
    h.clock.advance(1);
    const named = await addedPasskey(h, accessToken, newAuthenticator(), 'YubiKey');
    expect(named).toMatchObject({ name: 'YubiKey', backedUp: false });

    const listed = await json(await h.request('/api/v1/passkeys', { token: accessToken }));
    expect(listed.data.passkeys).toEqual([passkey, named]);
    const [stored] = await h.query('select credential_id, public_key from passkeys where id = $1', [passkey.id]);
    expect(stored?.credential_id).toBe(credential.id);
    expect(JSON.stringify(listed)).not.toContain(credential.id);
    expect(JSON.stringify(listed)).not.toContain(String(stored?.public_key));
    expect(await auditActions(h, user.id)).toContain('PASSKEY_ADDED');
  });

  it("excludes the user's existing credentials from new creation options", async () => {
    const { accessToken } = await registerUser(h);
    const authenticator = newAuthenticator();
    const first = await registrationOptions(h, accessToken);
    const credential = await authenticator.register(first.options);
    await h.request('/api/v1/passkeys/register/verify', { method: 'POST', token: accessToken, json: { challengeId: first.challengeId, response: credential } });
    const { options } = await registrationOptions(h, accessToken);
    expect(options.excludeCredentials).toEqual([{ id: credential.id, type: 'public-key', transports: ['internal', 'hybrid'] }]);
  });
});

describe('managing passkeys', () => {
  it("renames and removes the user's own passkey, and answers 404 for another user's", async () => {
    const alice = await registerUser(h);
    const bob = await registerUser(h);
    const bobs = await addedPasskey(h, bob.accessToken, newAuthenticator());
    await expectError(await h.request(`/api/v1/passkeys/${bobs.id}`, { method: 'PATCH', token: alice.accessToken, json: { name: 'Mine now' } }), 404, 'NOT_FOUND');
    await expectError(await h.request(`/api/v1/passkeys/${bobs.id}`, { method: 'DELETE', token: alice.accessToken }), 404, 'NOT_FOUND');
    expect((await json(await h.request('/api/v1/passkeys', { token: bob.accessToken }))).data.passkeys).toEqual([bobs]);

    const renamed = await h.request(`/api/v1/passkeys/${bobs.id}`, { method: 'PATCH', token: bob.accessToken, json: { name: '  Work laptop ' } });
    expect(await json(renamed)).toEqual({ success: true, data: { passkey: { ...bobs, name: 'Work laptop' } } });
    await expectError(await h.request(`/api/v1/passkeys/${bobs.id}`, { method: 'PATCH', token: bob.accessToken, json: { name: 'a\nb' } }), 400, 'VALIDATION_ERROR');

    expect(await json(await h.request(`/api/v1/passkeys/${bobs.id}`, { method: 'DELETE', token: bob.accessToken }))).toEqual({ success: true, data: { deleted: true } });
    expect((await json(await h.request('/api/v1/passkeys', { token: bob.accessToken }))).data.passkeys).toEqual([]);
    await expectError(await h.request(`/api/v1/passkeys/${bobs.id}`, { method: 'DELETE', token: bob.accessToken }), 404, 'NOT_FOUND');
    expect(await auditActions(h, bob.user.id)).toContain('PASSKEY_REMOVED');
  });

  it('needs a bearer token', async () => {
    await expectError(await h.request('/api/v1/passkeys'), 401, 'AUTHENTICATION_ERROR');
    await expectError(await h.request('/api/v1/passkeys/register/options', { method: 'POST' }), 401, 'AUTHENTICATION_ERROR');
  });
});

describe('signing in with a passkey', () => {
  it('offers request options without allowCredentials, so the authenticator names the account', async () => {
    const { challengeId, options } = await loginOptions(h);
    expect(challengeId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options).toMatchObject({ rpId: 'authgate.test', userVerification: 'preferred' });
    expect(options.allowCredentials ?? []).toEqual([]);
  });

  it('signs in without a password; with user verification the session carries amr hwk + user, which counts as MFA', async () => {
    const { user, accessToken } = await registerUser(h);
    const authenticator = newAuthenticator();
    const passkey = await addedPasskey(h, accessToken, authenticator);
    const session = await signedIn(await passkeyLogin(h, authenticator));
    expect(session).toMatchObject({ mfaRequired: false, user: { id: user.id, email: user.email }, tokenType: 'Bearer', expiresIn: 900 });
    const { amr, sub } = decodeJwt(session.accessToken);
    expect(sub).toBe(user.id);
    expect(amr).toEqual(['hwk', 'user']);
    expect(satisfiesMfa(amr as string[])).toBe(true);

    const [listed] = (await json(await h.request('/api/v1/passkeys', { token: session.accessToken }))).data.passkeys;
    expect(listed).toMatchObject({ id: passkey.id, lastUsedAt: new Date(h.clock.nowMs()).toISOString() });
    const actions = await auditActions(h, user.id);
    expect(actions).toEqual(expect.arrayContaining(['PASSKEY_LOGIN', 'LOGIN_SUCCESS']));
  });

  it('without user verification carries amr hwk alone, which is not MFA', async () => {
    const { accessToken } = await registerUser(h);
    const authenticator = newAuthenticator({ userVerified: false });
    await addedPasskey(h, accessToken, authenticator);
    const { amr } = decodeJwt((await signedIn(await passkeyLogin(h, authenticator))).accessToken);
    expect(amr).toEqual(['hwk']);
    expect(satisfiesMfa(amr as string[])).toBe(false);
  });

  it('lets an MFA user in with no TOTP code when the passkey verified the user, and asks for one when it did not', async () => {
    const user = await mfaUser(h);
    const verifying = newAuthenticator();
    await addedPasskey(h, user.accessToken, verifying);
    const session = await signedIn(await passkeyLogin(h, verifying));
    expect(session).toMatchObject({ mfaRequired: false, user: { id: user.userId, mfaEnabled: true } });
    expect(decodeJwt(session.accessToken).amr).toEqual(['hwk', 'user']);

    const presenceOnly = newAuthenticator({ userVerified: false });
    await addedPasskey(h, user.accessToken, presenceOnly);
    const challenged = await json(await passkeyLogin(h, presenceOnly));
    expect(Object.keys(challenged.data).sort()).toEqual(['expiresIn', 'mfaRequired', 'mfaToken']);
    expect(challenged.data.mfaRequired).toBe(true);
    const finished = await post(h, '/mfa/verify-login', { mfaToken: challenged.data.mfaToken, code: await nextCode(h, user.secret) });
    expect(decodeJwt((await signedIn(finished)).accessToken).amr).toEqual(['hwk', 'otp']);
  });

  it('accepts a synced passkey whose counter stays 0, time after time', async () => {
    const { accessToken } = await registerUser(h);
    const authenticator = newAuthenticator({ syncedCounter: true, backedUp: true });
    await addedPasskey(h, accessToken, authenticator);
    for (let i = 0; i < 3; i++) await signedIn(await passkeyLogin(h, authenticator));
  });

  it('starts a session like any other: listed, refreshed and logged out', async () => {
    const { user, accessToken } = await registerUser(h);
    const authenticator = newAuthenticator();
    await addedPasskey(h, accessToken, authenticator);
    const session = await signedIn(await passkeyLogin(h, authenticator, {}, { headers: { 'user-agent': CHROME_MAC } }));
    const sessions = (await json(await h.request('/api/v1/sessions', { token: accessToken }))).data.sessions;
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s: { device: string }) => s.device === 'Chrome 120 on macOS (desktop)')).toBeDefined();

    const refreshed = await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: session.refreshToken } });
    expect(refreshed.status).toBe(200);
    const { accessToken: next } = (await json(refreshed)).data;
    expect(decodeJwt(next).amr).toEqual(['hwk', 'user']);
    expect((await h.request('/api/v1/auth/logout', { method: 'POST', token: next })).status).toBe(200);
    await expectError(await h.request('/api/v1/users/me', { token: next }), 401, 'AUTHENTICATION_ERROR');
    expect((await json(await h.request('/api/v1/sessions', { token: accessToken }))).data.sessions).toHaveLength(1);
    expect(await auditActions(h, user.id)).toContain('LOGOUT');
  });
});

describe('the OpenAPI document', () => {
  it('documents every passkey route with the schemas that validate it, and a Passkey without key material', async () => {
    const doc = await json(await h.request('/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/passkeys', '/api/v1/passkeys/{id}', '/api/v1/passkeys/register/options', '/api/v1/passkeys/register/verify', '/api/v1/auth/passkey/options', '/api/v1/auth/passkey/verify']),
    );
    expect(Object.keys(doc.paths['/api/v1/passkeys/{id}']).sort()).toEqual(['delete', 'patch']);
    expect(doc.paths['/api/v1/auth/passkey/verify'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PasskeyLoginRequest' });
    expect(Object.keys(doc.components.schemas.Passkey.properties).sort()).toEqual(['backedUp', 'createdAt', 'id', 'lastUsedAt', 'name', 'transports']);
    expect(doc.components.schemas).toHaveProperty('RegistrationResponseJSON');
    expect(doc.components.schemas).toHaveProperty('PublicKeyCredentialRequestOptionsJSON');
  });
});
