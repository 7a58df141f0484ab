import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../../core/errors';
import { toPublicUser } from '../../core/users';
import type { AppEnv } from '../env';
import { authenticate } from '../middleware/authenticate';
import { createRouter } from '../router';
import { NameSchema, UserSchema, bearerSecurity, errorResponses, jsonBody, jsonContent, ok } from '../schemas/common';

const UserResult = ok(z.object({ user: UserSchema })).openapi('UserResult');

const meRoute = createRoute({
  method: 'get',
  path: '/me',
  tags: ['users'],
  summary: 'The signed-in user',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  responses: { 200: jsonContent(UserResult, 'The user'), ...errorResponses(401, 503) },
});

const updateMeRoute = createRoute({
  method: 'patch',
  path: '/me',
  tags: ['users'],
  summary: 'Change your display name',
  security: bearerSecurity,
  middleware: [authenticate()] as const,
  request: { body: jsonBody(z.object({ name: NameSchema.nullable() }).openapi('UpdateMeRequest')) },
  responses: { 200: jsonContent(UserResult, 'The updated user'), ...errorResponses(400, 401, 503) },
});

/** A token can outlive its account: a deleted user's token stops working here even before it expires. */
async function currentUser(c: Context<AppEnv>) {
  const user = await c.get('deps').db.users.findById(c.get('auth').userId);
  if (!user || user.deletedAt) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
  return user;
}

export const userRoutes = createRouter()
  .openapi(meRoute, async (c) => {
    const user = await currentUser(c);
    return c.json({ success: true as const, data: { user: toPublicUser(user) } }, 200);
  })
  .openapi(updateMeRoute, async (c) => {
    const deps = c.get('deps');
    const user = await currentUser(c);
    const updated = await deps.db.users.updateName(user.id, c.req.valid('json').name, new Date(deps.clock.nowMs()));
    if (!updated) throw new AppError('AUTHENTICATION_ERROR', 'Invalid or missing access token');
    return c.json({ success: true as const, data: { user: toPublicUser(updated) } }, 200);
  });
