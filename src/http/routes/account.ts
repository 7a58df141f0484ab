import { createRoute } from '@hono/zod-openapi';
import { changePassword } from '../../core/change-password';
import { forgotPassword, resetPassword } from '../../core/password-reset';
import { resendVerification, verifyEmail } from '../../core/verification';
import { requestContext } from '../context';
import { authenticate } from '../middleware/authenticate';
import { authRateLimit } from '../middleware/auth-rate-limit';
import { createRouter } from '../router';
import { ChangePasswordBody, Changed, EmailVerified, ForgotPasswordBody, LinkTokenParam, ResetDone, ResetPasswordBody, Sent } from '../schemas/account';
import { bearerSecurity, errorResponses, jsonBody, jsonContent } from '../schemas/common';

const verifyEmailRoute = createRoute({
  method: 'post',
  path: '/verify-email/{token}',
  tags: ['auth'],
  summary: 'Confirm an e-mail address with the link token from the verification mail',
  request: { params: LinkTokenParam },
  responses: { 200: jsonContent(EmailVerified, 'Verified'), ...errorResponses(400, 429) },
});

const resendRoute = createRoute({
  method: 'post',
  path: '/resend-verification',
  tags: ['auth'],
  summary: 'Send the verification mail again',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(Sent, 'Sent'), ...errorResponses(400, 401, 429, 503) },
});

const forgotRoute = createRoute({
  method: 'post',
  path: '/forgot-password',
  tags: ['auth'],
  summary: 'Mail a password-reset link (the answer is the same whether or not the account exists)',
  middleware: [authRateLimit('forgot-password')] as const,
  request: { body: jsonBody(ForgotPasswordBody) },
  responses: { 200: jsonContent(Sent, 'Sent if the account exists'), ...errorResponses(400, 429) },
});

const resetRoute = createRoute({
  method: 'post',
  path: '/reset-password/{token}',
  tags: ['auth'],
  summary: 'Set a new password with the link token; every session of the user ends',
  middleware: [authRateLimit('reset-password')] as const,
  request: { params: LinkTokenParam, body: jsonBody(ResetPasswordBody) },
  responses: { 200: jsonContent(ResetDone, 'Password reset'), ...errorResponses(400, 429, 503) },
});

const changeRoute = createRoute({
  method: 'post',
  path: '/change-password',
  tags: ['auth'],
  summary: 'Change the password; every other session ends',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  request: { body: jsonBody(ChangePasswordBody) },
  responses: { 200: jsonContent(Changed, 'Changed'), ...errorResponses(400, 401, 503) },
});

export const accountRoutes = createRouter()
  .openapi(verifyEmailRoute, async (c) => {
    await verifyEmail(c.get('deps'), c.req.valid('param').token, requestContext(c));
    return c.json({ success: true as const, data: { emailVerified: true as const } }, 200);
  })
  .openapi(resendRoute, async (c) => {
    await resendVerification(c.get('deps'), c.get('auth').userId, requestContext(c));
    return c.json({ success: true as const, data: { sent: true as const } }, 200);
  })
  .openapi(forgotRoute, async (c) => {
    await forgotPassword(c.get('deps'), c.req.valid('json').email, requestContext(c));
    return c.json({ success: true as const, data: { sent: true as const } }, 200);
  })
  .openapi(resetRoute, async (c) => {
    const deps = c.get('deps');
    await resetPassword(deps, deps.auth, c.req.valid('param').token, c.req.valid('json').password, requestContext(c));
    return c.json({ success: true as const, data: { reset: true as const } }, 200);
  })
  .openapi(changeRoute, async (c) => {
    const deps = c.get('deps');
    await changePassword(deps, deps.auth, c.get('auth'), c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { changed: true as const } }, 200);
  });
