import { createHarness } from '#harness';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Harness } from '../support/harness';
import { loginAtOidcProvider } from '../support/oidc-login';
import type { StandInMode } from '../support/oidc-stand-in';
import { expectError } from './helpers';
import { deliverCallback, exchange, oidcProviderSettings, providerUser, rowCounts, signInWithOidc, startSignIn } from './oauth-helpers';

// RFC 9700 and SECURITY.md "OAuth": every attack on the callback is refused with error= and no code, nothing is
// created, and where the state is wrong the provider's code is not even redeemed (it still works afterwards).

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    OIDC_PROVIDERS: 'corp,corp-b,standin',
    ...(await oidcProviderSettings('corp', inject('oidcIssuer'))),
    ...(await oidcProviderSettings('corp-b', inject('oidcIssuer'))),
    OIDC_STANDIN_ISSUER: inject('oidcStandInIssuer'),
    OIDC_STANDIN_CLIENT_ID: 'authgate-at-stand-in',
    OIDC_STANDIN_CLIENT_SECRET: 'stand-in-secret',
    OAUTH_ALLOWED_REDIRECTS: 'https://app.example.com/after-login',
  });
});
afterAll(async () => {
  await h?.close();
});

/** An attempt at `corp` as far as the provider's redirect back (with a fresh user), not yet delivered. */
async function attemptAt(provider: string) {
  const started = await startSignIn(h, provider);
  const back = await loginAtOidcProvider(started.location.href, providerUser());
  return { ...started, back };
}

const withParam = (url: URL, name: string, value: string | null) => {
  const copy = new URL(url);
  if (value === null) copy.searchParams.delete(name);
  else copy.searchParams.set(name, value);
  return copy;
};

/** Delivers a tampered callback and expects `error` with no code and no new rows. */
async function expectRefused(back: URL, cookie: string | undefined, error: string) {
  const before = await rowCounts(h);
  const target = await deliverCallback(h, back, cookie);
  expect(target.searchParams.get('error')).toBe(error);
  expect(target.searchParams.has('code')).toBe(false);
  expect(await rowCounts(h)).toEqual(before);
}

/** The genuine callback, delivered after an attack on it, still signs in: the attack spent neither state nor code. */
async function expectStillWorks(back: URL, cookie: string) {
  const target = await deliverCallback(h, back, cookie);
  expect(target.searchParams.get('error')).toBeNull();
  expect((await exchange(h, target.searchParams.get('code')!)).status).toBe(200);
}

describe('the state', () => {
  it('refuses a forged state before redeeming the code', async () => {
    const { back, cookie } = await attemptAt('corp');
    await expectRefused(withParam(back, 'state', base64url.encode(crypto.getRandomValues(new Uint8Array(32)))), cookie, 'invalid_state');
    await expectStillWorks(back, cookie);
  });

  it('refuses a missing state, and a callback without the attempt cookie', async () => {
    const { back, cookie } = await attemptAt('corp');
    await expectRefused(withParam(back, 'state', null), cookie, 'invalid_state');
    await expectRefused(back, undefined, 'invalid_state');
    await expectRefused(back, `authgate_oauth=${base64url.encode('{"provider":"corp"}')}`, 'invalid_state');
    await expectStillWorks(back, cookie);
  });

  it('works once: a replayed callback is refused as a state error, not a second redemption', async () => {
    const { back, cookie } = await attemptAt('corp');
    await expectStillWorks(back, cookie);
    await expectRefused(back, cookie, 'invalid_state');
  });

  it("refuses one provider's answer at another provider's callback, whichever cookie comes with it", async () => {
    const { back, cookie } = await attemptAt('corp');
    const atB = new URL(back);
    atB.pathname = '/api/v1/oauth/corp-b/callback';
    await expectRefused(atB, cookie, 'invalid_state');
    await expectRefused(atB, (await startSignIn(h, 'corp-b')).cookie, 'invalid_state');
    await expectStillWorks(back, cookie);
  });

  it('expires with the attempt after ten minutes', async () => {
    const { back, cookie } = await attemptAt('corp');
    h.clock.advance(601);
    try {
      await expectRefused(back, cookie, 'invalid_state');
    } finally {
      h.clock.advance(-601);
    }
  });
});

describe("the provider's answer", () => {
  it('refuses a code injected into another attempt: the PKCE verifier does not match, so the provider will not redeem it', async () => {
    const stolen = await attemptAt('corp');
    const victim = await attemptAt('corp');
    const injected = withParam(stolen.back, 'state', victim.back.searchParams.get('state'));
    await expectRefused(injected, victim.cookie, 'provider_error');
  });

  it("refuses an authorization response naming another issuer (RFC 9207 iss, mix-up)", async () => {
    const { back, cookie } = await attemptAt('corp');
    await expectRefused(withParam(back, 'iss', inject('oidcStandInIssuer')), cookie, 'provider_error');
  });

  const badTokens: [StandInMode, string][] = [
    ['wrong-iss', 'an ID token from another issuer (mix-up)'],
    ['wrong-aud', 'an ID token for another client'],
    ['expired', 'an expired ID token'],
    ['foreign-key', "an ID token signed by a key not in the provider's JWKS"],
    ['wrong-nonce', "an ID token with another attempt's nonce"],
    ['no-nonce', 'an ID token without the nonce'],
    ['unsigned', 'an unsigned (alg none) ID token'],
  ];
  for (const [mode, what] of badTokens) {
    it(`refuses ${what}`, async () => {
      const started = await startSignIn(h, 'standin');
      const back = await followStandIn(started.location, mode);
      await expectRefused(back, started.cookie, 'provider_error');
    });
  }

  it("signs in with the stand-in's valid ID token (the control: each refusal above is for its one defect)", async () => {
    const started = await startSignIn(h, 'standin');
    const back = await followStandIn(started.location, 'valid');
    await expectStillWorks(back, started.cookie);
  });
});

/** The stand-in's authorization endpoint, told which ID token to mint for this sign-in. */
async function followStandIn(authorizationUrl: URL, mode: StandInMode): Promise<URL> {
  const url = new URL(authorizationUrl);
  url.searchParams.set('standin_mode', mode);
  const response = await fetch(url, { redirect: 'manual' });
  return new URL(response.headers.get('location')!);
}

describe('where the browser returns', () => {
  it('refuses a redirectTo that is not exactly allow-listed, before any attempt starts', async () => {
    const tricks = [
      '//evil.example', '/\\evil.example', '/after-login', 'https://app.example.com.evil.example/after-login',
      'https://app.example.com@evil.example/after-login', 'https:\\\\evil.example', 'https://app.example.com/after-login/../../evil',
      'javascript:alert(document.cookie)', 'data:text/html,hi', 'http://app.example.com/after-login', 'https://app.example.com/after-login-not',
    ];
    for (const trick of tricks) {
      const response = await h.request(`/api/v1/oauth/corp?redirectTo=${encodeURIComponent(trick)}`, { redirect: 'manual' });
      await expectError(response, 400, 'VALIDATION_ERROR');
      expect(response.headers.getSetCookie(), trick).toEqual([]);
    }
  });

  it('returns to an allow-listed redirectTo with the code', async () => {
    const { target, body } = await signInWithOidc(h, 'corp', providerUser(), `?redirectTo=${encodeURIComponent('https://app.example.com/after-login')}`);
    expect(`${target.origin}${target.pathname}`).toBe('https://app.example.com/after-login');
    expect(body.mfaRequired).toBe(false);
  });

  it('does not follow a return URL smuggled into the attempt cookie', async () => {
    const { back, cookie } = await attemptAt('corp');
    const attempt = JSON.parse(new TextDecoder().decode(base64url.decode(cookie.slice('authgate_oauth='.length))));
    const forged = `authgate_oauth=${base64url.encode(JSON.stringify({ ...attempt, redirectTo: 'https://evil.example/steal' }))}`;
    const target = await deliverCallback(h, back, forged);
    expect(target.origin).toBe('http://authgate.test');
  });
});
