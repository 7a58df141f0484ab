import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { deleteAccount } from '../../src/core/account-state';
import { expectError, json, login, registerUser, waitForMail } from './helpers';

// A deleted account (core deleteAccount; the admin API will be the way in) is dead everywhere at once.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('a deleted user', () => {
  it('cannot refresh, cannot use a live access token and cannot log in, with the generic 401 body', async () => {
    const { email, password, accessToken, refreshToken, user } = await registerUser(h);
    await deleteAccount(h.deps, user.id);
    await expectError(await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await h.request('/api/v1/users/me', { token: accessToken }), 401, 'AUTHENTICATION_ERROR');
    const deleted = await expectError(await login(h, email, password), 401, 'AUTHENTICATION_ERROR');
    const unknown = await expectError(await login(h, `nobody.${email}`, password), 401, 'AUTHENTICATION_ERROR');
    delete deleted.error.requestId;
    delete unknown.error.requestId;
    expect(JSON.stringify(deleted)).toBe(JSON.stringify(unknown));
  });

  it('is refused with 401 on every bearer route of the API, found from the OpenAPI document', async () => {
    const document = await json(await h.request('/openapi.json'));
    const bearerRoutes = Object.entries(document.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => JSON.stringify(operation.security ?? []).includes('bearerAuth'))
        .map(([method, operation]) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, crypto.randomUUID()) })),
    );
    expect(bearerRoutes.length).toBeGreaterThanOrEqual(8);
    const call = (route: { method: string; path: string }, token: string) =>
      h.request(route.path, { method: route.method, token, ...(route.method === 'GET' ? {} : { json: {} }) });
    for (const route of bearerRoutes) {
      // Control: the same call with a live account's token gets past authentication (whatever it then answers).
      const live = await registerUser(h);
      expect((await call(route, live.accessToken)).status, `${route.method} ${route.path} (live)`).not.toBe(401);
      const doomed = await registerUser(h);
      await deleteAccount(h.deps, doomed.user.id);
      await expectError(await call(route, doomed.accessToken), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('gets no reset mail', async () => {
    const { email, user } = await registerUser(h);
    await deleteAccount(h.deps, user.id);
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email } })).status).toBe(200);
    // Control: a live account's reset mail, asked for afterwards, arrives; the deleted one's never does.
    const live = await registerUser(h);
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email: live.email } })).status).toBe(200);
    await waitForMail(h, live.email, /reset/i);
    expect((await h.mailbox(email)).filter((m) => /reset/i.test(m.subject))).toEqual([]);
  });
});
