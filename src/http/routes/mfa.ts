import { createRoute } from '@hono/zod-openapi';
import { confirmEnrolment, startEnrolment } from '../../core/mfa/enrolment';
import { verifyLoginBackupCode, verifyLoginCode } from '../../core/mfa/login';
import { disableMfa, regenerateBackupCodes } from '../../core/mfa/manage';
import { requestContext } from '../context';
import { authenticate } from '../middleware/authenticate';
import { authRateLimit } from '../middleware/auth-rate-limit';
import { createRouter } from '../router';
import { bearerSecurity, errorResponses, jsonBody, jsonContent } from '../schemas/common';
import {
  BackupCodeLoginBody,
  BackupCodeLoginResult,
  BackupCodesResult,
  EnrolmentResult,
  MfaDisabled,
  MfaEnabled,
  MfaLoginBody,
  MfaLoginResult,
  PasswordAndCodeBody,
  VerifyMfaBody,
} from '../schemas/mfa';

const enableRoute = createRoute({
  method: 'post',
  path: '/enable',
  tags: ['mfa'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  summary: 'Start TOTP enrolment: a new secret, its QR code and backup codes (MFA stays off until /mfa/verify)',
  responses: { 200: jsonContent(EnrolmentResult, 'Enrolment pending'), ...errorResponses(401, 409, 503) },
});

const verifyRoute = createRoute({
  method: 'post',
  path: '/verify',
  tags: ['mfa'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  summary: 'Turn MFA on with a code of the pending secret',
  request: { body: jsonBody(VerifyMfaBody) },
  responses: { 200: jsonContent(MfaEnabled, 'MFA is on'), ...errorResponses(400, 401, 409, 503) },
});

const verifyLoginRoute = createRoute({
  method: 'post',
  path: '/verify-login',
  tags: ['mfa'],
  summary: 'Second login step with a TOTP code',
  middleware: [authRateLimit('mfa/verify-login')] as const,
  request: { body: jsonBody(MfaLoginBody) },
  responses: { 200: jsonContent(MfaLoginResult, 'Logged in'), ...errorResponses(400, 401, 429, 503) },
});

const verifyBackupRoute = createRoute({
  method: 'post',
  path: '/verify-backup-code',
  tags: ['mfa'],
  summary: 'Second login step with a backup code (each works once)',
  middleware: [authRateLimit('mfa/verify-backup-code')] as const,
  request: { body: jsonBody(BackupCodeLoginBody) },
  responses: { 200: jsonContent(BackupCodeLoginResult, 'Logged in'), ...errorResponses(400, 401, 429, 503) },
});

const disableRoute = createRoute({
  method: 'post',
  path: '/disable',
  tags: ['mfa'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  summary: 'Turn MFA off (password and a current code); every other session ends',
  request: { body: jsonBody(PasswordAndCodeBody) },
  responses: { 200: jsonContent(MfaDisabled, 'MFA is off'), ...errorResponses(400, 401, 409, 503) },
});

const backupCodesRoute = createRoute({
  method: 'post',
  path: '/backup-codes',
  tags: ['mfa'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  summary: 'Replace the backup codes (password and a current code); the old set stops working',
  request: { body: jsonBody(PasswordAndCodeBody) },
  responses: { 200: jsonContent(BackupCodesResult, 'The new codes'), ...errorResponses(400, 401, 409, 503) },
});

export const mfaRoutes = createRouter()
  .openapi(enableRoute, async (c) => {
    const enrolment = await startEnrolment(c.get('deps'), c.get('auth'));
    return c.json({ success: true as const, data: enrolment }, 200);
  })
  .openapi(verifyRoute, async (c) => {
    await confirmEnrolment(c.get('deps'), c.get('auth'), c.req.valid('json').code, requestContext(c));
    return c.json({ success: true as const, data: { mfaEnabled: true as const } }, 200);
  })
  .openapi(verifyLoginRoute, async (c) => {
    const { user, tokens } = await verifyLoginCode(c.get('deps'), c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { user, ...tokens } }, 200);
  })
  .openapi(verifyBackupRoute, async (c) => {
    const { user, tokens, remainingBackupCodes } = await verifyLoginBackupCode(c.get('deps'), c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { user, ...tokens, remainingBackupCodes } }, 200);
  })
  .openapi(disableRoute, async (c) => {
    await disableMfa(c.get('deps'), c.get('auth'), c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { mfaEnabled: false as const } }, 200);
  })
  .openapi(backupCodesRoute, async (c) => {
    const backupCodes = await regenerateBackupCodes(c.get('deps'), c.get('auth'), c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { backupCodes } }, 200);
  });
