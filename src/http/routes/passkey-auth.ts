import { createRoute } from '@hono/zod-openapi';
import { invalidCredentials } from '../../core/errors';
import { finishPasskeyLogin, startPasskeyLogin } from '../../core/passkeys/login';
import { requestContext } from '../context';
import { authRateLimit } from '../middleware/auth-rate-limit';
import { createRouter } from '../router';
import { LoginResult } from '../schemas/auth';
import { errorResponses, jsonBody, jsonContent } from '../schemas/common';
import { LoginOptionsResult, PasskeyLoginBody } from '../schemas/passkeys';
import { signInData } from '../sign-in-data';

// The public half of passkeys, under /api/v1/auth: a discoverable login needs no user name, only a challenge.

const optionsRoute = createRoute({
  method: 'post',
  path: '/passkey/options',
  tags: ['auth', 'passkeys'],
  summary: 'Start a passkey login: options for navigator.credentials.get() (no allowCredentials) and their challenge',
  responses: { 200: jsonContent(LoginOptionsResult, 'Request options'), ...errorResponses(429, 503) },
});

const verifyRoute = createRoute({
  method: 'post',
  path: '/passkey/verify',
  tags: ['auth', 'passkeys'],
  summary: 'Finish a passkey login; with user verification it counts as MFA (amr hwk + user)',
  middleware: [authRateLimit('passkey-verify')] as const,
  request: { body: jsonBody(PasskeyLoginBody) },
  responses: { 200: jsonContent(LoginResult, 'Logged in, or MFA required'), ...errorResponses(401, 413, 415, 429) },
});

export const passkeyAuthRoutes = createRouter()
  .openapi(optionsRoute, async (c) => {
    const data = await startPasskeyLogin(c.get('deps'));
    return c.json({ success: true as const, data }, 200);
  })
  .openapi(
    verifyRoute,
    async (c) => {
      const result = await finishPasskeyLogin(c.get('deps'), c.req.valid('json'), requestContext(c));
      return c.json({ success: true as const, data: signInData(result) }, 200);
    },
    // Like a bad password, a response of the wrong shape is the one generic 401: a login answers nothing more.
    (result) => {
      if (!result.success) throw invalidCredentials();
    },
  );
