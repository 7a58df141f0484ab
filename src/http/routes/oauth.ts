import { createRoute } from '@hono/zod-openapi';
import { exchangeOAuthCode } from '../../core/oauth/exchange';
import { finishOAuthCallback, startOAuth } from '../../core/oauth/flow';
import { listProviders, providerOf } from '../../core/oauth/providers';
import { requestContext } from '../context';
import { setAttemptCookie, takeAttemptCookie } from '../oauth-cookie';
import { createRouter } from '../router';
import { errorResponses, jsonBody, jsonContent } from '../schemas/common';
import { CallbackQuery, ExchangeBody, ExchangeResult, ProviderParam, Providers, RedirectResponse, StartQuery } from '../schemas/oauth';
import { signInData } from '../sign-in-data';

const providersRoute = createRoute({
  method: 'get',
  path: '/providers',
  tags: ['oauth'],
  summary: 'The configured sign-in providers',
  responses: { 200: jsonContent(Providers, 'google, github, then each OpenID provider as configured') },
});

const exchangeRoute = createRoute({
  method: 'post',
  path: '/exchange',
  tags: ['oauth'],
  summary: 'Swap the one-time code of a finished provider sign-in for tokens (or the MFA challenge)',
  request: { body: jsonBody(ExchangeBody) },
  // No per-route limit (API.md lists none): the code is 256 random bits, and a company's sign-ins behind one NAT
  // address would trip a 5-a-minute bucket. The global limit applies.
  responses: { 200: jsonContent(ExchangeResult, 'Signed in, or MFA required'), ...errorResponses(400, 401, 429, 503) },
});

const startRoute = createRoute({
  method: 'get',
  path: '/{provider}',
  tags: ['oauth'],
  summary: 'Start a sign-in: to the provider with state, PKCE (S256) and, for OpenID, a nonce',
  request: { params: ProviderParam, query: StartQuery },
  responses: { 302: RedirectResponse('To the provider'), ...errorResponses(400, 404, 503) },
});

const callbackRoute = createRoute({
  method: 'get',
  path: '/{provider}/callback',
  tags: ['oauth'],
  summary: "The provider's redirect back: to the app with a one-time code, or with error= and no code",
  request: { params: ProviderParam, query: CallbackQuery },
  responses: { 302: RedirectResponse('To OAUTH_REDIRECT_URL (or the allow-listed redirectTo) with code= or error='), ...errorResponses(404) },
});

export const oauthRoutes = createRouter()
  .openapi(providersRoute, (c) => c.json({ success: true as const, data: { providers: listProviders(c.get('deps')) } }, 200))
  .openapi(exchangeRoute, async (c) => {
    const result = await exchangeOAuthCode(c.get('deps'), c.req.valid('json').code, requestContext(c));
    return c.json({ success: true as const, data: signInData(result, { isNewUser: result.isNewUser }) }, 200);
  })
  .openapi(startRoute, async (c) => {
    const { provider } = c.req.valid('param');
    const started = await startOAuth(c.get('deps'), provider, c.req.valid('query').redirectTo);
    setAttemptCookie(c, provider, started.cookie, started.cookieMaxAgeSeconds);
    return c.redirect(started.location, 302);
  })
  .openapi(callbackRoute, async (c) => {
    const { provider } = c.req.valid('param');
    // An unknown provider is a 404 before anything else: its name becomes the cookie's Path below, and a name that
    // cannot be one (`;`, a character above U+00FF) made the cookie helper throw, a 500 (test/http/fuzz.test.ts).
    providerOf(c.get('deps'), provider);
    const cookie = takeAttemptCookie(c, provider);
    const location = await finishOAuthCallback(c.get('deps'), provider, new URL(c.req.url).searchParams, cookie, requestContext(c));
    return c.redirect(location, 302);
  });
