// A real OpenID provider for the tests: panva's oidc-provider (the certified implementation) on a loopback port.
// Its development login pages are replaced by a plain form that logs in as whoever the "user" types: a test (or the
// browser test) picks the subject, e-mail and whether the e-mail is verified. Clients register themselves through
// dynamic registration (RFC 7591), each suite with its own redirect URIs. Everything else is the provider's own:
// discovery, PKCE, nonce, signed ID tokens, userinfo, RFC 9207 `iss` in the authorization response.
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { serveOnLoopback, readText, type LoopbackServer } from './loopback-server';

interface Account {
  email: string;
  email_verified: boolean;
  name: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid: string): string {
  return `<!doctype html><html><head><title>Test OpenID provider</title></head><body>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<input name="sub" placeholder="subject" required><input name="email" placeholder="e-mail" required>
<label><input type="checkbox" name="email_verified" value="true"> e-mail verified</label>
<input name="name" placeholder="name"><button type="submit">Sign in</button></form></body></html>`;
}

export async function startOidcProvider(): Promise<LoopbackServer> {
  const accounts = new Map<string, Account>();
  let provider: Provider | undefined;
  const server = await serveOnLoopback((request, response) => {
    const path = new URL(request.url ?? '/', 'http://provider').pathname;
    // The browser asks every site for one; a 404 would show up as a console error in the browser test.
    if (path === '/favicon.ico') return void response.writeHead(204).end();
    const interaction = /^\/interaction\/([^/]+)(\/login)?$/.exec(path);
    if (!interaction) return provider!.callback()(request, response);
    void (async () => {
      try {
        if (request.method === 'GET') {
          const details = await provider!.interactionDetails(request, response);
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          response.end(loginForm(details.uid));
          return;
        }
        const form = new URLSearchParams(await readText(request));
        const sub = form.get('sub') ?? '';
        accounts.set(sub, { email: form.get('email') ?? '', email_verified: form.get('email_verified') === 'true', name: form.get('name') ?? '' });
        await provider!.interactionFinished(request, response, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end(String(error));
      }
    })();
  });
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const configuration: Configuration = {
    clients: [],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-provider-key', alg: 'RS256', use: 'sig' }] as never },
    cookies: { keys: ['test-provider-cookie-key'] },
    features: { devInteractions: { enabled: false }, registration: { enabled: true } },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, ...(accounts.get(sub) ?? {}) }),
    }),
    // The user consents to whatever the client asks for: consent screens are not what these tests are about.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
  };
  provider = new Provider(server.url, configuration);
  return server;
}
