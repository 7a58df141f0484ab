import { createHarness } from '#harness';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import type { Harness } from '../support/harness';
import { onSocialStub, routeProviderHostsTo } from '../support/provider-fetch';
import { SOCIAL_CLIENTS } from '../support/social-stub';
import { json } from './helpers';
import { callbackUrl, deliverCallback, exchange, rowCounts, startSignIn } from './oauth-helpers';

// Google and GitHub through arctic, against a local stand-in speaking their wire formats (test/support/social-stub.ts).
// Our adapters and arctic run unchanged: only the hosts they call are sent to the stand-in, by a test-only fetch.

let h: Harness;
beforeAll(async () => {
  routeProviderHostsTo(inject('socialStubUrl'));
  h = await createHarness({
    GOOGLE_CLIENT_ID: SOCIAL_CLIENTS.google.id,
    GOOGLE_CLIENT_SECRET: SOCIAL_CLIENTS.google.secret,
    GITHUB_CLIENT_ID: SOCIAL_CLIENTS.github.id,
    GITHUB_CLIENT_SECRET: SOCIAL_CLIENTS.github.secret,
  });
});
afterAll(async () => {
  await h?.close();
  vi.unstubAllGlobals();
});

/** Start at authgate, "sign in" at the stand-in as `user`, deliver the redirect back: where authgate sends the browser. */
async function returnUrl(provider: 'google' | 'github', user: Record<string, unknown>, tamper: (back: URL) => void = () => {}) {
  const started = await startSignIn(h, provider);
  const authorize = onSocialStub(inject('socialStubUrl'), started.location);
  authorize.searchParams.set('stub_user', base64url.encode(JSON.stringify(user)));
  const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
  tamper(back);
  return deliverCallback(h, back, started.cookie);
}

async function signIn(provider: 'google' | 'github', user: Record<string, unknown>) {
  const target = await returnUrl(provider, user);
  expect(target.searchParams.get('error')).toBeNull();
  const response = await exchange(h, target.searchParams.get('code')!);
  expect(response.status).toBe(200);
  return (await json(response)).data;
}

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describe('Google', () => {
  it("sends the browser to Google's authorization endpoint with PKCE S256, state and the OpenID scopes", async () => {
    const { location } = await startSignIn(h, 'google');
    expect(`${location.origin}${location.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: SOCIAL_CLIENTS.google.id, redirect_uri: callbackUrl('google'), response_type: 'code', scope: 'openid email profile', code_challenge_method: 'S256',
    });
  });

  it('signs in with the verified e-mail from userinfo, keyed by the Google subject', async () => {
    const sub = `1${unique()}`;
    const email = `ada.${unique()}@gmail.example`;
    const first = await signIn('google', { sub, email, email_verified: true, name: 'Ada' });
    expect(first).toMatchObject({ isNewUser: true, user: { email, emailVerified: true, name: 'Ada' } });
    const again = await signIn('google', { sub, email: `renamed.${email}`, email_verified: true });
    expect(again).toMatchObject({ isNewUser: false, user: { id: first.user.id } });
  });

  it('does not trust an e-mail Google has not verified', async () => {
    const before = await rowCounts(h);
    const target = await returnUrl('google', { sub: `1${unique()}`, email: `x.${unique()}@gmail.example`, email_verified: false });
    expect(target.searchParams.get('error')).toBe('email_not_verified');
    expect(await rowCounts(h)).toEqual(before);
  });

  it("refuses a code Google will not redeem (Google's 400 invalid_grant)", async () => {
    const target = await returnUrl('google', { sub: `1${unique()}` }, (back) => back.searchParams.set('code', 'made-up'));
    expect(target.searchParams.get('error')).toBe('provider_error');
  });
});

describe('GitHub', () => {
  const githubUser = (emails: { email: string; primary: boolean; verified: boolean }[], id = Math.floor(Math.random() * 1e9)) => ({
    id, login: `octo-${unique()}`, name: null, emails,
  });

  it("sends the browser to GitHub's authorization endpoint with PKCE S256 and the e-mail scope", async () => {
    const { location } = await startSignIn(h, 'github');
    expect(`${location.origin}${location.pathname}`).toBe('https://github.com/login/oauth/authorize');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: SOCIAL_CLIENTS.github.id, redirect_uri: callbackUrl('github'), scope: 'read:user user:email', code_challenge_method: 'S256',
    });
  });

  it('takes the verified primary address from the e-mails API, and keys the account by the numeric user id', async () => {
    const primary = `octo.${unique()}@github.example`;
    const user = githubUser([
      { email: `old.${unique()}@github.example`, primary: false, verified: true },
      { email: primary, primary: true, verified: true },
    ]);
    const first = await signIn('github', user);
    expect(first).toMatchObject({ isNewUser: true, user: { email: primary, name: user.login } });
    const renamed = await signIn('github', { ...user, login: 'renamed', emails: [{ email: `new.${primary}`, primary: true, verified: true }] });
    expect(renamed.user.id).toBe(first.user.id);
  });

  it('signs nobody in without a verified primary address', async () => {
    const before = await rowCounts(h);
    for (const emails of [
      [{ email: `a.${unique()}@github.example`, primary: true, verified: false }, { email: `b.${unique()}@github.example`, primary: false, verified: true }],
      [],
    ]) {
      expect((await returnUrl('github', githubUser(emails))).searchParams.get('error')).toBe('email_not_verified');
    }
    expect(await rowCounts(h)).toEqual(before);
  });

  it("refuses a code GitHub will not redeem (GitHub's 200 with an error body)", async () => {
    const target = await returnUrl('github', githubUser([]), (back) => back.searchParams.set('code', 'made-up'));
    expect(target.searchParams.get('error')).toBe('provider_error');
  });
});
