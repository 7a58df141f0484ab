import { createHarness } from '#harness';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Harness } from '../support/harness';
import { auditActions, expectError, json, linkToken, login, registerUser, waitForMail } from './helpers';
import { callbackUrl, deliverCallback, oidcProviderSettings, providerUser, signInWithOidc, startSignIn } from './oauth-helpers';
import { mfaUser, nextCode, post } from './mfa-helpers';
import { addedPasskey, newAuthenticator, passkeyLogin } from './passkey-helpers';

// The OAuth / OpenID Connect flow end to end against a real OpenID provider (oidc-provider on loopback), on Node and
// inside workerd: authorize → provider login → callback → exchange → /users/me.

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    OIDC_PROVIDERS: 'corp',
    ...(await oidcProviderSettings('corp', inject('oidcIssuer'), { name: 'Corp SSO' })),
  });
});
afterAll(async () => {
  await h?.close();
});

const me = async (accessToken: string) => json(await h.request('/api/v1/users/me', { token: accessToken }));

describe('sign-in with an OpenID provider', () => {
  it('sends the browser to the provider with state, PKCE S256 and a nonce, remembered in an HttpOnly Lax cookie for that callback only', async () => {
    const { location, setCookie } = await startSignIn(h, 'corp');
    expect(location.origin).toBe(inject('oidcIssuer'));
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({ response_type: 'code', redirect_uri: callbackUrl('corp'), scope: 'openid email profile', code_challenge_method: 'S256' });
    for (const name of ['state', 'nonce', 'code_challenge']) expect(params[name]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toMatch(/; Path=\/api\/v1\/oauth\/corp\/callback(;|$)/);
    expect(setCookie).toMatch(/; HttpOnly(;|$)/);
    expect(setCookie).toMatch(/; SameSite=Lax(;|$)/);
    expect(setCookie).toMatch(/; Max-Age=600(;|$)/);
    // APP_URL is not a plain-http loopback URL here, so the cookie is Secure.
    expect(setCookie).toMatch(/; Secure(;|$)/);
    // Neither the verifier nor the nonce is readable from the URL: the challenge is their only trace.
    expect(setCookie).not.toContain(params.code_challenge);
  });

  it('creates a verified, password-less account on the first sign-in, and signs the same account in afterwards', async () => {
    const user = providerUser();
    const first = await signInWithOidc(h, 'corp', user);
    expect(first.target.origin + first.target.pathname).toBe('http://authgate.test/demo');
    expect([...first.target.searchParams.keys()]).toEqual(['code']);
    expect(first.body).toMatchObject({ mfaRequired: false, isNewUser: true, tokenType: 'Bearer', user: { email: user.email, emailVerified: true, name: 'Grace Hopper' } });
    expect(decodeJwt(first.body.accessToken)).toMatchObject({ amr: ['oauth'], email: user.email, sub: first.body.user.id });
    expect((await me(first.body.accessToken)).data.user.id).toBe(first.body.user.id);
    const [stored] = await h.query('select password_hash from users where id = $1', [first.body.user.id]);
    expect(stored).toEqual({ password_hash: null });

    const again = await signInWithOidc(h, 'corp', { ...user, email: `changed.${user.email}` });
    expect(again.body).toMatchObject({ isNewUser: false, user: { id: first.body.user.id, email: user.email } });
    const identities = await json(await h.request('/api/v1/users/me/identities', { token: again.body.accessToken }));
    expect(identities.data.identities).toEqual([{ provider: 'corp', email: user.email, linkedAt: expect.any(String) }]);
    expect(await auditActions(h, first.body.user.id)).toEqual(expect.arrayContaining(['REGISTER', 'OAUTH_LINKED', 'OAUTH_LOGIN', 'LOGIN_SUCCESS']));
  });

  it('links to the existing account of a verified e-mail, which keeps its password', async () => {
    const account = await registerUser(h);
    const token = linkToken((await waitForMail(h, account.email, /confirm/i))[0]!, 'verify-email');
    expect((await h.request(`/api/v1/auth/verify-email/${token}`, { method: 'POST' })).status).toBe(200);
    const { body } = await signInWithOidc(h, 'corp', providerUser({ email: account.email.toUpperCase() }));
    expect(body).toMatchObject({ isNewUser: false, user: { id: account.user.id } });
    expect((await login(h, account.email, account.password)).status).toBe(200);
    expect((await me(account.accessToken)).success).toBe(true);
  });

  it('takes an unverified password account from whoever registered it: the password stops working and its sessions die', async () => {
    const squatter = await registerUser(h);
    const { body } = await signInWithOidc(h, 'corp', providerUser({ email: squatter.email }));
    expect(body).toMatchObject({ isNewUser: false, user: { id: squatter.user.id, emailVerified: true } });
    await expectError(await login(h, squatter.email, squatter.password), 401, 'AUTHENTICATION_ERROR');
    await expectError(await h.request('/api/v1/users/me', { token: squatter.accessToken }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: squatter.refreshToken } }), 401, 'AUTHENTICATION_ERROR');
    expect((await me(body.accessToken)).data.user.id).toBe(squatter.user.id);
    const linked = (await h.deps.db.audit.listForUser(squatter.user.id, 50)).find((entry) => entry.action === 'OAUTH_LINKED');
    expect(linked?.metadata).toEqual({ provider: 'corp', passwordRemoved: true });
  });

  it('neither links nor creates an account for an e-mail the provider does not vouch for', async () => {
    const account = await registerUser(h);
    const { target } = await signInWithOidc(h, 'corp', providerUser({ email: account.email, emailVerified: false }));
    expect(target.searchParams.get('error')).toBe('email_not_verified');
    expect(target.searchParams.has('code')).toBe(false);
    expect(await h.deps.db.oauthAccounts.listForUser(account.user.id)).toEqual([]);
    expect((await login(h, account.email, account.password)).status).toBe(200);
    const stranger = providerUser({ emailVerified: false });
    expect((await signInWithOidc(h, 'corp', stranger)).target.searchParams.get('error')).toBe('email_not_verified');
    expect(await h.deps.db.users.findByEmail(stranger.email)).toBeNull();
  });

  it("refuses another subject of the same provider with an account's address (a recycled address), linking nothing", async () => {
    const first = providerUser();
    const { body } = await signInWithOidc(h, 'corp', first);
    const { target } = await signInWithOidc(h, 'corp', providerUser({ email: first.email }));
    expect(target.searchParams.get('error')).toBe('identity_conflict');
    expect(await h.deps.db.oauthAccounts.listForUser(body.user.id)).toHaveLength(1);
  });

  it('returns to OAUTH_REDIRECT_URL with error= and no code when the user declines at the provider', async () => {
    const started = await startSignIn(h, 'corp');
    const declined = new URL(callbackUrl('corp'));
    declined.searchParams.set('error', 'access_denied');
    declined.searchParams.set('state', started.location.searchParams.get('state')!);
    declined.searchParams.set('iss', inject('oidcIssuer'));
    const target = await deliverCallback(h, declined, started.cookie);
    expect(target.href).toBe('http://authgate.test/demo?error=access_denied');
  });
});

describe('an account with MFA on', () => {
  it('gets only the MFA challenge from the exchange, and its session carries both factors once the code passes', async () => {
    const account = await mfaUser(h);
    const verify = linkToken((await waitForMail(h, account.email, /confirm/i))[0]!, 'verify-email');
    expect((await h.request(`/api/v1/auth/verify-email/${verify}`, { method: 'POST' })).status).toBe(200);
    const { body } = await signInWithOidc(h, 'corp', providerUser({ email: account.email }));
    expect(body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), expiresIn: 300 });
    const response = await post(h, '/mfa/verify-login', { mfaToken: body.mfaToken, code: await nextCode(h, account.secret) });
    const finished = await json(response);
    expect(response.status, JSON.stringify(finished)).toBe(200);
    expect(decodeJwt(finished.data.accessToken)).toMatchObject({ sub: account.userId, amr: ['oauth', 'otp'] });
  });
});

describe('linked identities', () => {
  it('unlinks a provider from an account that still has a password, and refuses to unlink the only way in', async () => {
    const account = await registerUser(h);
    await h.deps.db.users.markEmailVerified(account.user.id, new Date(h.clock.nowMs()));
    await signInWithOidc(h, 'corp', providerUser({ email: account.email }));
    const unlink = await h.request('/api/v1/users/me/identities/corp', { method: 'DELETE', token: account.accessToken });
    expect(await json(unlink)).toMatchObject({ success: true, data: { unlinked: true } });
    await expectError(await h.request('/api/v1/users/me/identities/corp', { method: 'DELETE', token: account.accessToken }), 404, 'NOT_FOUND');
    expect(await auditActions(h, account.user.id)).toContain('OAUTH_UNLINKED');

    const { body } = await signInWithOidc(h, 'corp', providerUser());
    await expectError(await h.request('/api/v1/users/me/identities/corp', { method: 'DELETE', token: body.accessToken }), 409, 'CONFLICT');
    expect((await json(await h.request('/api/v1/users/me/identities', { token: body.accessToken }))).data.identities).toHaveLength(1);
  });

  it('counts a passkey as a way in: the provider unlinks, then the only passkey left cannot be removed (409)', async () => {
    const { body } = await signInWithOidc(h, 'corp', providerUser());
    const token = body.accessToken as string;
    const authenticator = newAuthenticator();
    const passkey = await addedPasskey(h, token, authenticator);
    expect(await json(await h.request('/api/v1/users/me/identities/corp', { method: 'DELETE', token }))).toMatchObject({ success: true, data: { unlinked: true } });
    await expectError(await h.request(`/api/v1/passkeys/${passkey.id}`, { method: 'DELETE', token }), 409, 'CONFLICT');
    expect((await json(await h.request('/api/v1/passkeys', { token }))).data.passkeys).toEqual([passkey]);
    // Still the way in.
    expect((await passkeyLogin(h, authenticator)).status).toBe(200);
  });
});

describe('providers', () => {
  it('lists only the configured providers: google, github, then each OpenID provider in order', async () => {
    const several = await createHarness({
      GOOGLE_CLIENT_ID: 'g', GOOGLE_CLIENT_SECRET: 'gs', GITHUB_CLIENT_ID: 'h', GITHUB_CLIENT_SECRET: 'hs',
      OIDC_PROVIDERS: 'zeta,acme', OIDC_ZETA_ISSUER: 'https://zeta.example', OIDC_ZETA_CLIENT_ID: 'z', OIDC_ZETA_CLIENT_SECRET: 'zs',
      OIDC_ACME_ISSUER: 'https://acme.example', OIDC_ACME_CLIENT_ID: 'a', OIDC_ACME_CLIENT_SECRET: 'as', OIDC_ACME_NAME: 'Acme',
    });
    try {
      expect((await json(await several.request('/api/v1/oauth/providers'))).data.providers).toEqual([
        { id: 'google', name: 'Google', type: 'oauth' },
        { id: 'github', name: 'GitHub', type: 'oauth' },
        { id: 'zeta', name: 'zeta', type: 'oidc' },
        { id: 'acme', name: 'Acme', type: 'oidc' },
      ]);
    } finally {
      await several.close();
    }
    expect((await json(await h.request('/api/v1/oauth/providers'))).data.providers).toEqual([{ id: 'corp', name: 'Corp SSO', type: 'oidc' }]);
    await expectError(await h.request('/api/v1/oauth/google'), 404, 'NOT_FOUND');
  });

  it('starts without a provider whose discovery fails: logged as unavailable, 503 there, the others still work', async () => {
    const partial = await createHarness({
      OIDC_PROVIDERS: 'down,corp',
      OIDC_DOWN_ISSUER: `${inject('oidcStandInIssuer')}/no-such-issuer`,
      OIDC_DOWN_CLIENT_ID: 'd',
      OIDC_DOWN_CLIENT_SECRET: 'ds',
      ...(await oidcProviderSettings('corp', inject('oidcIssuer'))),
    });
    try {
      await expectError(await partial.request('/api/v1/oauth/down', { redirect: 'manual' }), 503, 'SERVICE_UNAVAILABLE');
      expect(partial.logs.some((line) => line.includes('OIDC provider unavailable') && line.includes('"provider":"down"'))).toBe(true);
      const { body } = await signInWithOidc(partial, 'corp', providerUser());
      expect(body.mfaRequired).toBe(false);
    } finally {
      await partial.close();
    }
  });
});
