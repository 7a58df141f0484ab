import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { expectError, login, registerUser, waitForMail } from './helpers';

// A deleted account (soft delete; the admin API will be the way in) is dead everywhere at once.
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
    await h.deps.db.users.softDelete(user.id, new Date(h.clock.nowMs()));
    await expectError(await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await h.request('/api/v1/users/me', { token: accessToken }), 401, 'AUTHENTICATION_ERROR');
    const deleted = await expectError(await login(h, email, password), 401, 'AUTHENTICATION_ERROR');
    const unknown = await expectError(await login(h, `nobody.${email}`, password), 401, 'AUTHENTICATION_ERROR');
    delete deleted.error.requestId;
    delete unknown.error.requestId;
    expect(JSON.stringify(deleted)).toBe(JSON.stringify(unknown));
  });

  it('gets no reset mail', async () => {
    const { email, user } = await registerUser(h);
    await h.deps.db.users.softDelete(user.id, new Date(h.clock.nowMs()));
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email } })).status).toBe(200);
    // Control: a live account's reset mail, asked for afterwards, arrives; the deleted one's never does.
    const live = await registerUser(h);
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email: live.email } })).status).toBe(200);
    await waitForMail(h, live.email, /reset/i);
    expect((await h.mailbox(email)).filter((m) => /reset/i.test(m.subject))).toEqual([]);
  });
});
