import { createRoute } from '@hono/zod-openapi';
import { listPasskeys, removePasskey, renamePasskey } from '../../core/passkeys/manage';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../core/passkeys/register';
import { requestContext } from '../context';
import { authenticate } from '../middleware/authenticate';
import { createRouter } from '../router';
import { bearerSecurity, errorResponses, jsonBody, jsonContent } from '../schemas/common';
import {
  PasskeyDeleted,
  PasskeyIdParam,
  PasskeyList,
  PasskeyRegisterBody,
  PasskeyRenameBody,
  PasskeyResult,
  RegistrationOptionsResult,
} from '../schemas/passkeys';

const optionsRoute = createRoute({
  method: 'post',
  path: '/register/options',
  summary: 'Start adding a passkey: options for navigator.credentials.create() and the challenge they carry',
  tags: ['passkeys'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(RegistrationOptionsResult, 'Creation options'), ...errorResponses(401, 503) },
});

const verifyRoute = createRoute({
  method: 'post',
  path: '/register/verify',
  summary: "Store the authenticator's new credential (attestation `none` is accepted)",
  tags: ['passkeys'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  request: { body: jsonBody(PasskeyRegisterBody) },
  responses: { 201: jsonContent(PasskeyResult, 'Added'), ...errorResponses(400, 401, 409, 503) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'Your passkeys',
  tags: ['passkeys'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(PasskeyList, 'Passkeys'), ...errorResponses(401, 503) },
});

const renameRoute = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: 'Rename one of your passkeys',
  tags: ['passkeys'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  request: { params: PasskeyIdParam, body: jsonBody(PasskeyRenameBody) },
  responses: { 200: jsonContent(PasskeyResult, 'Renamed'), ...errorResponses(400, 401, 404, 503) },
});

const removeRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Remove one of your passkeys; it stops working at once (never the last way to sign in: 409)',
  tags: ['passkeys'],
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  request: { params: PasskeyIdParam },
  responses: { 200: jsonContent(PasskeyDeleted, 'Removed'), ...errorResponses(401, 404, 409, 503) },
});

export const passkeyRoutes = createRouter()
  .openapi(optionsRoute, async (c) => {
    const data = await startPasskeyRegistration(c.get('deps'), c.get('auth').userId);
    return c.json({ success: true as const, data }, 200);
  })
  .openapi(verifyRoute, async (c) => {
    const passkey = await finishPasskeyRegistration(c.get('deps'), c.get('auth').userId, c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { passkey } }, 201);
  })
  .openapi(listRoute, async (c) => {
    const passkeys = await listPasskeys(c.get('deps'), c.get('auth').userId);
    return c.json({ success: true as const, data: { passkeys } }, 200);
  })
  .openapi(renameRoute, async (c) => {
    const passkey = await renamePasskey(c.get('deps'), c.get('auth').userId, c.req.valid('param').id, c.req.valid('json').name);
    return c.json({ success: true as const, data: { passkey } }, 200);
  })
  .openapi(removeRoute, async (c) => {
    await removePasskey(c.get('deps'), c.get('auth').userId, c.req.valid('param').id, requestContext(c));
    return c.json({ success: true as const, data: { deleted: true as const } }, 200);
  });
