import { createRoute } from '@hono/zod-openapi';
import { login, register } from '../../core/auth';
import { refreshTokens } from '../../core/refresh';
import { logout } from '../../core/sessions';
import { requestContext } from '../context';
import { signInData } from '../sign-in-data';
import { authenticate } from '../middleware/authenticate';
import { authRateLimit } from '../middleware/auth-rate-limit';
import { createRouter } from '../router';
import { LoggedOut, LoginBody, LoginResult, RefreshBody, RegisterBody, SessionTokens, TokenPairResult } from '../schemas/auth';
import { bearerSecurity, errorResponses, jsonBody, jsonContent } from '../schemas/common';

const registerRoute = createRoute({
  method: 'post',
  path: '/register',
  tags: ['auth'],
  summary: 'Create an account and start a session',
  middleware: [authRateLimit('register')] as const,
  request: { body: jsonBody(RegisterBody) },
  responses: { 201: jsonContent(SessionTokens, 'Registered'), ...errorResponses(400, 409, 413, 415, 429) },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Password login (first step when MFA is on)',
  middleware: [authRateLimit('login')] as const,
  request: { body: jsonBody(LoginBody) },
  responses: { 200: jsonContent(LoginResult, 'Logged in, or MFA required'), ...errorResponses(400, 401, 429) },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/refresh',
  tags: ['auth'],
  summary: 'Rotate a refresh token',
  request: { body: jsonBody(RefreshBody) },
  responses: { 200: jsonContent(TokenPairResult, 'New token pair; the old refresh token is spent'), ...errorResponses(400, 401, 429, 503) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'Revoke this session and this access token at once',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(LoggedOut, 'Logged out'), ...errorResponses(401, 503) },
});

export const authRoutes = createRouter()
  .openapi(registerRoute, async (c) => {
    const deps = c.get('deps');
    const { user, tokens } = await register(deps, deps.auth, c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { user, ...tokens } }, 201);
  })
  .openapi(loginRoute, async (c) => {
    const deps = c.get('deps');
    const result = await login(deps, deps.auth, c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: signInData(result) }, 200);
  })
  .openapi(refreshRoute, async (c) => {
    const tokens = await refreshTokens(c.get('deps'), c.req.valid('json').refreshToken, requestContext(c));
    return c.json({ success: true as const, data: tokens }, 200);
  })
  .openapi(logoutRoute, async (c) => {
    await logout(c.get('deps'), c.get('auth'), requestContext(c));
    return c.json({ success: true as const, data: { loggedOut: true as const } }, 200);
  });
