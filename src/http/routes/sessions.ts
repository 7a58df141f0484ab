import { createRoute, z } from '@hono/zod-openapi';
import { listSessions, revokeOtherSessions, revokeSession } from '../../core/sessions';
import { requestContext } from '../context';
import { authenticate } from '../middleware/authenticate';
import { createRouter } from '../router';
import { bearerSecurity, errorResponses, jsonContent, ok, pathParam } from '../schemas/common';

export const SessionSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    expiresAt: z.string(),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    device: z.string(),
    current: z.boolean(),
  })
  .openapi('Session');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['sessions'],
  summary: 'Your active sessions; `current` marks this one',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(ok(z.object({ sessions: z.array(SessionSchema) })), 'Sessions'), ...errorResponses(401, 503) },
});

const revokeOneRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['sessions'],
  summary: 'End one of your sessions',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  request: { params: z.object({ id: pathParam('id', 64) }) },
  responses: { 200: jsonContent(ok(z.object({ revoked: z.literal(true) })), 'Ended'), ...errorResponses(401, 404, 503) },
});

const revokeOthersRoute = createRoute({
  method: 'delete',
  path: '/',
  tags: ['sessions'],
  summary: 'End every session but this one',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(ok(z.object({ revoked: z.number().int() })), 'How many ended'), ...errorResponses(401, 503) },
});

export const sessionRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const sessions = await listSessions(c.get('deps'), c.get('auth'));
    return c.json({ success: true as const, data: { sessions } }, 200);
  })
  .openapi(revokeOneRoute, async (c) => {
    await revokeSession(c.get('deps'), c.get('auth'), c.req.valid('param').id, requestContext(c));
    return c.json({ success: true as const, data: { revoked: true as const } }, 200);
  })
  .openapi(revokeOthersRoute, async (c) => {
    const revoked = await revokeOtherSessions(c.get('deps'), c.get('auth'), requestContext(c));
    return c.json({ success: true as const, data: { revoked } }, 200);
  });
