import { expect } from 'vitest';
import type { Harness } from '../support/harness';
import { loginAtOidcProvider, registerOidcClient, type ProviderUser } from '../support/oidc-login';
import { json } from './helpers';

// A sign-in as the browser drives it: start at authgate (which sets the attempt cookie and sends us to the
// provider), the provider's part, the redirect back to authgate's callback carrying the cookie, authgate's redirect
// to the app with a one-time code, and the app's exchange of that code.

/** The APP_URL every harness runs under (baseTestEnv): the redirect URI registered with the providers. */
export const callbackUrl = (provider: string) => `http://authgate.test/api/v1/oauth/${provider}/callback`;

/** Settings of an OpenID provider registered (dynamically) at `issuer` for authgate's callback. */
export async function oidcProviderSettings(id: string, issuer: string, extra: { name?: string } = {}): Promise<Record<string, string>> {
  const client = await registerOidcClient(issuer, [callbackUrl(id)]);
  const prefix = `OIDC_${id.toUpperCase().replaceAll('-', '_')}`;
  return {
    [`${prefix}_ISSUER`]: issuer,
    [`${prefix}_CLIENT_ID`]: client.clientId,
    [`${prefix}_CLIENT_SECRET`]: client.clientSecret,
    ...(extra.name ? { [`${prefix}_NAME`]: extra.name } : {}),
  };
}

export interface Started {
  /** Where authgate sent the browser: the provider's authorization URL. */
  location: URL;
  /** `name=value` of the attempt cookie, as the browser sends it back. */
  cookie: string;
  /** The whole Set-Cookie line, for its attributes. */
  setCookie: string;
}

export async function startSignIn(h: Harness, provider: string, query = ''): Promise<Started> {
  const response = await h.request(`/api/v1/oauth/${provider}${query}`, { redirect: 'manual' });
  expect(response.status, await response.clone().text()).toBe(302);
  const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('authgate_oauth='));
  if (!setCookie) throw new Error('no attempt cookie');
  return { location: new URL(response.headers.get('location')!), cookie: setCookie.split(';')[0]!, setCookie };
}

/** Delivers the provider's redirect to authgate's callback (with the attempt cookie, if any); returns where authgate sends the browser. */
export async function deliverCallback(h: Harness, providerRedirect: URL, cookie: string | undefined): Promise<URL> {
  const response = await h.request(`${providerRedirect.pathname}${providerRedirect.search}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  expect(response.status, await response.clone().text()).toBe(302);
  // The attempt is over whatever happened: the cookie is cleared on every callback.
  expect(response.headers.getSetCookie().some((line) => /^authgate_oauth=;.*Max-Age=0/i.test(line))).toBe(true);
  return new URL(response.headers.get('location')!);
}

export async function exchange(h: Harness, code: string): Promise<Response> {
  return h.request('/api/v1/oauth/exchange', { method: 'POST', json: { code } });
}

/** Start, log in at the OpenID provider, deliver the callback: where authgate sends the browser (code= or error=). */
export async function oidcReturnUrl(h: Harness, provider: string, user: ProviderUser, query = ''): Promise<URL> {
  const started = await startSignIn(h, provider, query);
  const back = await loginAtOidcProvider(started.location.href, user);
  return deliverCallback(h, back, started.cookie);
}

/** The whole flow at an OpenID provider; returns the return URL and, when it carries a code, the exchange's answer. */
export async function signInWithOidc(h: Harness, provider: string, user: ProviderUser, query = '') {
  const target = await oidcReturnUrl(h, provider, user, query);
  const code = target.searchParams.get('code');
  if (!code) return { target, body: null };
  const response = await exchange(h, code);
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return { target, body: body.data };
}

let subjects = 0;
/** A user at the provider nobody has signed in as before. */
export function providerUser(overrides: Partial<ProviderUser> = {}): ProviderUser {
  subjects += 1;
  const sub = `sub-${Date.now().toString(36)}-${subjects}-${Math.random().toString(36).slice(2, 8)}`;
  return { sub, email: `${sub}@provider.example`, emailVerified: true, name: 'Grace Hopper', ...overrides };
}

/** Rows that a refused sign-in must not have created. */
export async function rowCounts(h: Harness) {
  const [row] = await h.query(
    `select (select count(*) from users)::int as users, (select count(*) from oauth_accounts)::int as identities, (select count(*) from sessions)::int as sessions`,
  );
  return row;
}
