import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { tamperJwt } from '../support/tamper';
import { accountWithRole, ADMIN_EMAIL, ADMIN_ENV, auditRows, passwordSession, rootSession } from './admin-helpers';
import { addedPasskey, newAuthenticator, passkeyLogin } from './passkey-helpers';
import { expectError, json, registerUser } from './helpers';

// SECURITY.md "Access control": every /admin route, found from the OpenAPI document (so a route added later is
// covered without touching this file), refuses no token, a USER, an admin session without a second factor and a
// demoted admin's still-valid token; and lets the SUPER_ADMIN from ADMIN_EMAIL through.

let h: Harness;
beforeAll(async () => {
  h = await createHarness(ADMIN_ENV);
});
afterAll(async () => {
  await h?.close();
});

interface Route {
  method: string;
  path: string;
}

/** Every operation under /api/v1/admin in /openapi.json, with `{id}` filled in by `id`. */
async function adminRoutes(id: string): Promise<Route[]> {
  const document = await json(await h.request('/openapi.json'));
  return Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .filter(([path]) => path.startsWith('/api/v1/admin'))
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path: path.replace('{id}', id) })));
}

const call = (route: Route, token?: string) =>
  h.request(route.path, { method: route.method, ...(token ? { token } : {}), ...(route.method === 'PATCH' ? { json: {} } : {}) });

describe('the admin gate on every admin route', () => {
  it('finds the five admin routes of API.md (and the sessions revoke) in the route table', async () => {
    const routes = (await adminRoutes('{id}')).map((r) => `${r.method} ${r.path}`).sort();
    expect(routes).toEqual([
      'DELETE /api/v1/admin/users/{id}/sessions',
      'GET /api/v1/admin/audit-logs',
      'GET /api/v1/admin/dashboard',
      'GET /api/v1/admin/users',
      'GET /api/v1/admin/users/{id}',
      'PATCH /api/v1/admin/users/{id}',
    ]);
  });

  it('lets a SUPER_ADMIN session with a second factor through (the control for the refusals below)', async () => {
    const target = await registerUser(h);
    const root = await rootSession(h);
    for (const route of await adminRoutes(target.user.id)) {
      const response = await call(route, root.accessToken);
      expect(response.status, `${route.method} ${route.path}: ${await response.clone().text()}`).toBe(200);
    }
  });

  it('answers 401 without a token and with a tampered one', async () => {
    const { accessToken } = await registerUser(h);
    const tampered = tamperJwt(accessToken);
    for (const route of await adminRoutes(crypto.randomUUID())) {
      await expectError(await call(route), 401, 'AUTHENTICATION_ERROR');
      await expectError(await call(route, tampered), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('answers 403 AUTHORIZATION_ERROR to a USER, even one whose session passed a second factor, and audits it', async () => {
    const user = await accountWithRole(h, 'USER');
    const routes = await adminRoutes(user.id);
    for (const route of routes) await expectError(await call(route, user.accessToken), 403, 'AUTHORIZATION_ERROR');
    const denied = (await auditRows(h, user.id)).filter((row) => row.action === 'ACCESS_DENIED');
    expect(denied).toHaveLength(routes.length);
    expect(denied[0]).toMatchObject({ outcome: 'failure', actorId: user.id, metadata: { reason: 'role', role: 'USER' } });
  });

  it('answers 403 MFA_REQUIRED to ADMIN and SUPER_ADMIN sessions that did not pass a second factor, and audits it', async () => {
    const admin = await accountWithRole(h, 'ADMIN', { secondFactor: false });
    const superAdmin = await accountWithRole(h, 'SUPER_ADMIN', { secondFactor: false });
    const routes = await adminRoutes(admin.id);
    for (const route of routes) {
      await expectError(await call(route, superAdmin.accessToken), 403, 'MFA_REQUIRED');
      await expectError(await call(route, admin.accessToken), 403, 'MFA_REQUIRED');
    }
    const denied = (await auditRows(h, admin.id)).filter((row) => row.action === 'ACCESS_DENIED');
    expect(denied).toHaveLength(routes.length);
    expect(denied[0]?.metadata).toMatchObject({ reason: 'mfa', role: 'ADMIN' });
  });

  it('counts a passkey sign-in with user verification as the second factor, and one without it not', async () => {
    for (const userVerified of [true, false]) {
      const admin = await accountWithRole(h, 'ADMIN', { secondFactor: false });
      const authenticator = newAuthenticator({ userVerified });
      await addedPasskey(h, admin.accessToken, authenticator);
      const body = await json(await passkeyLogin(h, authenticator));
      const response = await call({ method: 'GET', path: '/api/v1/admin/dashboard' }, body.data.accessToken);
      if (userVerified) expect(response.status).toBe(200);
      else await expectError(response, 403, 'MFA_REQUIRED');
    }
  });

  it("refuses a demoted admin's still-valid token at once with 403, though its role claim still says ADMIN", async () => {
    const admin = await accountWithRole(h, 'ADMIN');
    const routes = await adminRoutes(admin.id);
    // Before: the same token gets through (so the refusal below is the demotion's doing).
    expect((await call({ method: 'GET', path: '/api/v1/admin/dashboard' }, admin.accessToken)).status).toBe(200);
    // Demoted in the database alone (as another instance or the operator would): the token is still valid.
    expect((await h.deps.db.admin.changeRole(admin.id, 'USER', new Date(h.clock.nowMs()))).kind).toBe('changed');
    for (const route of routes) await expectError(await call(route, admin.accessToken), 403, 'AUTHORIZATION_ERROR');
  });

  it("refuses a locked or deleted admin's still-valid token with 401", async () => {
    for (const change of ['lock', 'delete'] as const) {
      const admin = await accountWithRole(h, 'ADMIN');
      const now = new Date(h.clock.nowMs());
      // Straight in the database, leaving the sessions alive: the gate itself must notice.
      if (change === 'lock') await h.deps.db.users.lockUntil(admin.id, new Date(now.getTime() + 3600_000), now);
      else await h.deps.db.users.softDelete(admin.id, now);
      for (const route of await adminRoutes(admin.id)) await expectError(await call(route, admin.accessToken), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('gives the gate\'s answer, not the route table, for unknown paths and methods under /admin', async () => {
    await expectError(await h.request('/api/v1/admin/no-such-thing'), 401, 'AUTHENTICATION_ERROR');
    const user = await accountWithRole(h, 'USER');
    await expectError(await h.request('/api/v1/admin/no-such-thing', { token: user.accessToken }), 403, 'AUTHORIZATION_ERROR');
  });
});

describe('with ADMIN_MFA_REQUIRED=false', () => {
  let relaxed: Harness;
  beforeAll(async () => {
    relaxed = await createHarness({ ...ADMIN_ENV, ADMIN_MFA_REQUIRED: 'false' });
  });
  afterAll(async () => {
    await relaxed?.close();
  });

  it('lets a password-only admin session through, and still refuses a USER', async () => {
    const root = await passwordSession(relaxed, ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD);
    expect((await relaxed.request('/api/v1/admin/dashboard', { token: root.accessToken })).status).toBe(200);
    const user = await registerUser(relaxed);
    await expectError(await relaxed.request('/api/v1/admin/dashboard', { token: user.accessToken }), 403, 'AUTHORIZATION_ERROR');
  });
});
