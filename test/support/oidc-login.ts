// The browser's and the user's part of a sign-in at the test OpenID provider (./oidc-provider.ts), over plain fetch
// so it runs in Node and inside workerd: follow the redirects a browser would, keep the provider's cookies, fill in
// the login form. Nothing here touches authgate: it hands back the URL the provider sends the browser to.

export interface ProviderUser {
  sub: string;
  email: string;
  emailVerified: boolean;
  name?: string;
}

/** Registers a client at the provider (RFC 7591), as an operator would in the provider's console. */
export async function registerOidcClient(issuer: string, redirectUris: string[]): Promise<{ clientId: string; clientSecret: string }> {
  const response = await fetch(`${issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: redirectUris, response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' }),
  });
  const body = (await response.json()) as { client_id?: string; client_secret?: string };
  if (response.status !== 201 || !body.client_id || !body.client_secret) throw new Error(`client registration failed: ${response.status} ${JSON.stringify(body)}`);
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** Cookies by name; a browser would scope them by path, but every one of the provider's is sent back anyway. */
function collect(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

/**
 * Follows `authorizationUrl` at the provider, logs in as `user` when the login form comes up, and returns the first
 * URL that leaves the provider (the redirect back to the relying party's callback).
 */
export async function loginAtOidcProvider(authorizationUrl: string, user: ProviderUser): Promise<URL> {
  const origin = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  let next = new URL(authorizationUrl);
  let form: string | undefined;
  for (let hop = 0; hop < 10; hop++) {
    if (next.origin !== origin) return next;
    const response = await fetch(next, {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(jar), ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(form === undefined ? {} : { body: form }),
    });
    collect(jar, response);
    form = undefined;
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (!location) throw new Error(`the provider stopped at ${next.pathname} with ${response.status}`);
    next = new URL(location, next);
    if (/^\/interaction\/[^/]+$/.test(next.pathname)) {
      // The login page: submit its form as the user would.
      next = new URL(`${next.pathname}/login`, next);
      form = new URLSearchParams({ sub: user.sub, email: user.email, name: user.name ?? '', ...(user.emailVerified ? { email_verified: 'true' } : {}) }).toString();
    }
  }
  throw new Error('too many redirects at the provider');
}
