import { createRoute } from '@hono/zod-openapi';
import { revokeSessionsByAdmin, updateUserByAdmin } from '../../../core/admin/update-user';
import { listUsers, userDetail } from '../../../core/admin/users';
import { requestContext } from '../../context';
import { createRouter } from '../../router';
import { AdminUserResult, SessionsRevoked, UserDetailResult, UserIdParam, UserListQuery, UserPage, UserPatchBody, adminRoute, beforeBound, fromBound } from '../../schemas/admin';
import { errorResponses, jsonBody, jsonContent } from '../../schemas/common';

// /api/v1/admin/users: behind the admin gate (./index.ts), which has already read the caller from the database.

const gateErrors = [401, 403, 429, 503] as const;

const listRoute = createRoute({
  ...adminRoute,
  method: 'get',
  path: '/',
  summary: 'Users, filtered, searched, sorted and paged',
  request: { query: UserListQuery },
  responses: { 200: jsonContent(UserPage, 'A page of users (admin view)'), ...errorResponses(400, ...gateErrors) },
});

const detailRoute = createRoute({
  ...adminRoute,
  method: 'get',
  path: '/{id}',
  summary: 'One user with its active sessions and recent audit rows',
  request: { params: UserIdParam },
  responses: { 200: jsonContent(UserDetailResult, 'The user'), ...errorResponses(404, ...gateErrors) },
});

const patchRoute = createRoute({
  ...adminRoute,
  method: 'patch',
  path: '/{id}',
  summary: 'Change role, lock, e-mail verification or deletion; locking or deleting ends every session at once',
  request: { params: UserIdParam, body: jsonBody(UserPatchBody) },
  responses: { 200: jsonContent(AdminUserResult, 'The user after the change (admin view)'), ...errorResponses(400, 404, 409, ...gateErrors) },
});

const revokeRoute = createRoute({
  ...adminRoute,
  method: 'delete',
  path: '/{id}/sessions',
  summary: "End every session of the user at once (an addition to API.md's admin table)",
  request: { params: UserIdParam },
  responses: { 200: jsonContent(SessionsRevoked, 'How many ended'), ...errorResponses(404, ...gateErrors) },
});

export const adminUserRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const { dateFrom, dateTo, ...query } = c.req.valid('query');
    const page = await listUsers(c.get('deps'), { ...query, createdFrom: fromBound(dateFrom), createdBefore: beforeBound(dateTo) });
    return c.json({ success: true as const, data: page }, 200);
  })
  .openapi(detailRoute, async (c) => {
    const detail = await userDetail(c.get('deps'), c.req.valid('param').id);
    return c.json({ success: true as const, data: detail }, 200);
  })
  .openapi(patchRoute, async (c) => {
    const user = await updateUserByAdmin(c.get('deps'), c.get('user'), c.req.valid('param').id, c.req.valid('json'), requestContext(c));
    return c.json({ success: true as const, data: { user } }, 200);
  })
  .openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid('param');
    const revoked = await revokeSessionsByAdmin(c.get('deps'), c.get('user'), c.get('auth').sessionId, id, requestContext(c));
    return c.json({ success: true as const, data: { revoked } }, 200);
  });
