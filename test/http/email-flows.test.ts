import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, auditActions, expectError, json, linkToken, login, registerUser, uniqueEmail, waitForMail } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const NEW_PASSWORD = 'amber-meadow-compass-77';
const post = (path: string, options: Parameters<Harness['request']>[1] = {}) => h.request(path, { method: 'POST', ...options });

async function requestReset(email: string) {
  const response = await post('/api/v1/auth/forgot-password', { json: { email } });
  expect(response.status).toBe(200);
  expect(await json(response)).toEqual({ success: true, data: { sent: true } });
}

describe('e-mail verification', () => {
  it('mails a verification link built from APP_URL, whatever Host the request named', async () => {
    const email = uniqueEmail();
    await h.request('/api/v1/auth/register', {
      method: 'POST',
      json: { email, password: STRONG_PASSWORD },
      headers: { 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example' },
    });
    const [mail] = await waitForMail(h, email, /confirm/i);
    expect(mail!.text).toContain('http://authgate.test/demo#verify-email=');
    expect(mail!.html).toContain('http://authgate.test/demo#verify-email=');
    expect(mail!.text + mail!.html).not.toContain('evil.example');
    expect(linkToken(mail!, 'verify-email').length).toBeGreaterThanOrEqual(22); // ≥128 bits in base64url
  });

  it('verifies the address once with the mailed token, with an empty body and no content type', async () => {
    const { email, accessToken, user } = await registerUser(h);
    const token = linkToken((await waitForMail(h, email, /confirm/i))[0]!, 'verify-email');
    const first = await post(`/api/v1/auth/verify-email/${token}`);
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({ success: true, data: { emailVerified: true } });
    const me = await json(await h.request('/api/v1/users/me', { token: accessToken }));
    expect(me.data.user.emailVerified).toBe(true);
    const again = await expectError(await post(`/api/v1/auth/verify-email/${token}`), 400, 'VALIDATION_ERROR');
    expect(again.error.reason).toBe('invalid_or_expired');
    expect(await auditActions(h, user.id)).toContain('EMAIL_VERIFIED');
  });

  it('refuses an unknown or malformed token', async () => {
    await expectError(await post(`/api/v1/auth/verify-email/${'A'.repeat(43)}`), 400, 'VALIDATION_ERROR');
    await expectError(await post('/api/v1/auth/verify-email/not%20a%20token'), 400, 'VALIDATION_ERROR');
  });

  it('resends a fresh link, after which only the newest works; a verified address gets no more', async () => {
    const { email, accessToken } = await registerUser(h);
    const oldToken = linkToken((await waitForMail(h, email, /confirm/i))[0]!, 'verify-email');
    const resend = await post('/api/v1/auth/resend-verification', { token: accessToken });
    expect(await json(resend)).toEqual({ success: true, data: { sent: true } });
    const mails = await waitForMail(h, email, /confirm/i, 2);
    const newToken = linkToken(mails[0]!, 'verify-email');
    expect(newToken).not.toBe(oldToken);
    await expectError(await post(`/api/v1/auth/verify-email/${oldToken}`), 400, 'VALIDATION_ERROR');
    expect((await post(`/api/v1/auth/verify-email/${newToken}`)).status).toBe(200);
    const done = await expectError(await post('/api/v1/auth/resend-verification', { token: accessToken }), 400, 'VALIDATION_ERROR');
    expect(done.error.reason).toBe('already_verified');
  });

  it('sends at most three verification mails per ten minutes on request', async () => {
    const { accessToken } = await registerUser(h);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('/api/v1/auth/resend-verification', { token: accessToken })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('requires a bearer token to resend', async () => {
    await expectError(await post('/api/v1/auth/resend-verification'), 401, 'AUTHENTICATION_ERROR');
  });
});

describe('forgot and reset password', () => {
  it('answers the same for an unknown address and mails nothing', async () => {
    const email = uniqueEmail();
    await requestReset(email);
    // Control: a known account's reset, asked for afterwards through the same deferred path, has arrived — so the
    // unknown address would have had its mail by now too.
    const known = await registerUser(h);
    await requestReset(known.email);
    await waitForMail(h, known.email, /reset/i);
    expect(await h.mailbox(email)).toEqual([]);
  });

  it('resets with the mailed link: the new password works, the old one and every session are dead', async () => {
    const { email, accessToken, refreshToken, user } = await registerUser(h);
    const other = await json(await login(h, email, STRONG_PASSWORD));
    await requestReset(email);
    const [mail] = await waitForMail(h, email, /reset/i);
    expect(mail!.text).toContain('http://authgate.test/demo#reset-password=');
    const token = linkToken(mail!, 'reset-password');

    const reset = await post(`/api/v1/auth/reset-password/${token}`, { json: { password: NEW_PASSWORD } });
    expect(await json(reset)).toEqual({ success: true, data: { reset: true } });

    await expectError(await login(h, email, STRONG_PASSWORD), 401, 'AUTHENTICATION_ERROR');
    expect((await login(h, email, NEW_PASSWORD)).status).toBe(200);
    for (const stale of [accessToken, other.data.accessToken]) {
      await expectError(await h.request('/api/v1/users/me', { token: stale }), 401, 'AUTHENTICATION_ERROR');
    }
    await expectError(await post('/api/v1/auth/refresh', { json: { refreshToken } }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await post(`/api/v1/auth/reset-password/${token}`, { json: { password: 'another-fine-password-9' } }), 400, 'VALIDATION_ERROR');
    expect(await auditActions(h, user.id)).toEqual(expect.arrayContaining(['PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET']));
    await waitForMail(h, email, /password (was )?changed/i);
  });

  it('lets only the newest reset link work', async () => {
    const { email } = await registerUser(h);
    await requestReset(email);
    const older = linkToken((await waitForMail(h, email, /reset/i))[0]!, 'reset-password');
    await requestReset(email);
    const newer = linkToken((await waitForMail(h, email, /reset/i, 2))[0]!, 'reset-password');
    expect(newer).not.toBe(older);
    await expectError(await post(`/api/v1/auth/reset-password/${older}`, { json: { password: NEW_PASSWORD } }), 400, 'VALIDATION_ERROR');
    expect((await post(`/api/v1/auth/reset-password/${newer}`, { json: { password: NEW_PASSWORD } })).status).toBe(200);
  });

  it('expires a reset link after one hour', async () => {
    const { email } = await registerUser(h);
    await requestReset(email);
    const token = linkToken((await waitForMail(h, email, /reset/i))[0]!, 'reset-password');
    h.clock.advance(3601);
    try {
      await expectError(await post(`/api/v1/auth/reset-password/${token}`, { json: { password: NEW_PASSWORD } }), 400, 'VALIDATION_ERROR');
    } finally {
      h.clock.advance(-3601);
    }
  });

  it('refuses a weak new password without spending the link', async () => {
    const { email } = await registerUser(h);
    await requestReset(email);
    const token = linkToken((await waitForMail(h, email, /reset/i))[0]!, 'reset-password');
    const weak = await expectError(await post(`/api/v1/auth/reset-password/${token}`, { json: { password: 'short' } }), 400, 'VALIDATION_ERROR');
    expect(weak.error.details).toEqual([expect.objectContaining({ path: 'password' })]);
    expect((await post(`/api/v1/auth/reset-password/${token}`, { json: { password: NEW_PASSWORD } })).status).toBe(200);
  });

  it('does not accept a verification token as a reset token', async () => {
    const { email } = await registerUser(h);
    const verifyToken = linkToken((await waitForMail(h, email, /confirm/i))[0]!, 'verify-email');
    await expectError(await post(`/api/v1/auth/reset-password/${verifyToken}`, { json: { password: NEW_PASSWORD } }), 400, 'VALIDATION_ERROR');
    expect((await post(`/api/v1/auth/verify-email/${verifyToken}`)).status).toBe(200);
  });
});

describe('change password', () => {
  it('answers a wrong current password with 400 naming the field, not a logout-inducing 401', async () => {
    const { accessToken } = await registerUser(h);
    const response = await post('/api/v1/auth/change-password', { token: accessToken, json: { currentPassword: 'wrong-password-here', newPassword: NEW_PASSWORD } });
    const body = await expectError(response, 400, 'VALIDATION_ERROR');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'currentPassword' })]);
  });

  it('changes the password and ends every other session while this one lives on', async () => {
    const { email, accessToken, refreshToken, user } = await registerUser(h);
    const other = (await json(await login(h, email, STRONG_PASSWORD))).data;
    const response = await post('/api/v1/auth/change-password', { token: accessToken, json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD } });
    expect(await json(response)).toEqual({ success: true, data: { changed: true } });
    expect((await h.request('/api/v1/users/me', { token: accessToken })).status).toBe(200);
    expect((await post('/api/v1/auth/refresh', { json: { refreshToken } })).status).toBe(200);
    await expectError(await h.request('/api/v1/users/me', { token: other.accessToken }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await post('/api/v1/auth/refresh', { json: { refreshToken: other.refreshToken } }), 401, 'AUTHENTICATION_ERROR');
    expect((await login(h, email, NEW_PASSWORD)).status).toBe(200);
    await expectError(await login(h, email, STRONG_PASSWORD), 401, 'AUTHENTICATION_ERROR');
    expect(await auditActions(h, user.id)).toContain('PASSWORD_CHANGED');
  });

  it('holds the new password to the policy, naming newPassword', async () => {
    const { accessToken } = await registerUser(h);
    const response = await post('/api/v1/auth/change-password', { token: accessToken, json: { currentPassword: STRONG_PASSWORD, newPassword: 'password1234' } });
    const body = await expectError(response, 400, 'VALIDATION_ERROR');
    expect(body.error.details).toEqual([{ path: 'newPassword', message: 'Password is too common' }]);
  });
});
