import { createRoute } from '@hono/zod-openapi';
import { listIdentities, unlinkIdentity } from '../../core/oauth/identities';
import { requestContext } from '../context';
import { authenticate } from '../middleware/authenticate';
import { createRouter } from '../router';
import { bearerSecurity, errorResponses, jsonContent } from '../schemas/common';
import { Identities, ProviderParam, Unlinked } from '../schemas/oauth';

const listRoute = createRoute({
  method: 'get',
  path: '/me/identities',
  tags: ['users'],
  summary: 'The sign-in providers linked to your account',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(Identities, 'Linked identities, oldest first'), ...errorResponses(401, 503) },
});

const unlinkRoute = createRoute({
  method: 'delete',
  path: '/me/identities/{provider}',
  tags: ['users'],
  summary: 'Unlink a provider (never the last way to sign in: 409)',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  request: { params: ProviderParam },
  responses: { 200: jsonContent(Unlinked, 'Unlinked'), ...errorResponses(401, 404, 409, 503) },
});

export const identityRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const identities = await listIdentities(c.get('deps'), c.get('auth').userId);
    return c.json({ success: true as const, data: { identities } }, 200);
  })
  .openapi(unlinkRoute, async (c) => {
    await unlinkIdentity(c.get('deps'), c.get('auth').userId, c.req.valid('param').provider, requestContext(c));
    return c.json({ success: true as const, data: { unlinked: true as const } }, 200);
  });
