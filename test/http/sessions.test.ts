import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, auditActions, expectError, json, login, registerUser } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

async function loginFrom(email: string, userAgent: string, ip: string) {
  const body = await json(await login(h, email, STRONG_PASSWORD, { headers: { 'user-agent': userAgent }, ip }));
  return body.data as { accessToken: string; refreshToken: string };
}

describe('sessions', () => {
  it('lists active sessions with device, address and times, marking the current one, never token values', async () => {
    const { email } = await registerUser(h);
    const phone = await loginFrom(email, FIREFOX_ANDROID, '203.0.113.7');
    const laptop = await loginFrom(email, CHROME_MAC, '203.0.113.8');
    const response = await h.request('/api/v1/sessions', { token: laptop.accessToken });
    expect(response.status).toBe(200);
    const { sessions } = (await json(response)).data;
    expect(sessions).toHaveLength(3);
    const current = sessions.filter((s: any) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ ipAddress: '203.0.113.8', userAgent: CHROME_MAC, device: 'Chrome 120 on macOS (desktop)' });
    expect(sessions.find((s: any) => s.ipAddress === '203.0.113.7')).toMatchObject({ device: 'Firefox 128 on Android (mobile)', current: false });
    for (const s of sessions) expect(Object.keys(s).sort()).toEqual(['createdAt', 'current', 'device', 'expiresAt', 'id', 'ipAddress', 'lastUsedAt', 'userAgent']);
    const text = JSON.stringify(sessions);
    for (const secret of [phone.accessToken, phone.refreshToken, laptop.refreshToken]) expect(text).not.toContain(secret);
  });

  it('ends one session: its access token and refresh token stop working at once, the others live on', async () => {
    const { email, accessToken, user } = await registerUser(h);
    const phone = await loginFrom(email, FIREFOX_ANDROID, '203.0.113.9');
    const phoneSession = (await json(await h.request('/api/v1/sessions', { token: phone.accessToken }))).data.sessions.find((s: any) => s.current);
    const response = await h.request(`/api/v1/sessions/${phoneSession.id}`, { method: 'DELETE', token: accessToken });
    expect(await json(response)).toEqual({ success: true, data: { revoked: true } });
    await expectError(await h.request('/api/v1/users/me', { token: phone.accessToken }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: phone.refreshToken } }), 401, 'AUTHENTICATION_ERROR');
    expect((await h.request('/api/v1/users/me', { token: accessToken })).status).toBe(200);
    const remaining = (await json(await h.request('/api/v1/sessions', { token: accessToken }))).data.sessions;
    expect(remaining.map((s: any) => s.id)).not.toContain(phoneSession.id);
    expect(await auditActions(h, user.id)).toContain('SESSION_REVOKED');
  });

  it("answers 404 for another user's session, which stays alive", async () => {
    const alice = await registerUser(h);
    const bob = await registerUser(h);
    const bobSession = (await json(await h.request('/api/v1/sessions', { token: bob.accessToken }))).data.sessions[0];
    await expectError(await h.request(`/api/v1/sessions/${bobSession.id}`, { method: 'DELETE', token: alice.accessToken }), 404, 'NOT_FOUND');
    await expectError(await h.request('/api/v1/sessions/no-such-session', { method: 'DELETE', token: alice.accessToken }), 404, 'NOT_FOUND');
    expect((await h.request('/api/v1/users/me', { token: bob.accessToken })).status).toBe(200);
    const aliceSees = (await json(await h.request('/api/v1/sessions', { token: alice.accessToken }))).data.sessions;
    expect(aliceSees.map((s: any) => s.id)).not.toContain(bobSession.id);
  });

  it('ends every session but the current one and says how many', async () => {
    const { email, accessToken } = await registerUser(h);
    const others = [await loginFrom(email, FIREFOX_ANDROID, '203.0.113.10'), await loginFrom(email, CHROME_MAC, '203.0.113.11')];
    const response = await h.request('/api/v1/sessions', { method: 'DELETE', token: accessToken });
    expect(await json(response)).toEqual({ success: true, data: { revoked: 2 } });
    for (const other of others) await expectError(await h.request('/api/v1/users/me', { token: other.accessToken }), 401, 'AUTHENTICATION_ERROR');
    const left = (await json(await h.request('/api/v1/sessions', { token: accessToken }))).data.sessions;
    expect(left).toHaveLength(1);
    expect(left[0].current).toBe(true);
  });

  it('no longer lists a logged-out session', async () => {
    const { email, accessToken } = await registerUser(h);
    const phone = await loginFrom(email, FIREFOX_ANDROID, '203.0.113.12');
    expect((await h.request('/api/v1/auth/logout', { method: 'POST', token: phone.accessToken })).status).toBe(200);
    const sessions = (await json(await h.request('/api/v1/sessions', { token: accessToken }))).data.sessions;
    expect(sessions).toHaveLength(1);
  });
});

describe('PATCH /users/me', () => {
  it('changes the display name and nothing else', async () => {
    const { accessToken, user } = await registerUser(h, { name: 'Old Name' });
    const response = await h.request('/api/v1/users/me', { method: 'PATCH', token: accessToken, json: { name: '  New Name ', role: 'ADMIN', email: 'x@evil.test' } });
    expect(response.status).toBe(200);
    expect((await json(response)).data.user).toMatchObject({ id: user.id, name: 'New Name', role: 'USER', email: user.email });
  });

  it('refuses a name with control characters', async () => {
    const { accessToken } = await registerUser(h);
    await expectError(await h.request('/api/v1/users/me', { method: 'PATCH', token: accessToken, json: { name: 'a\r\nb' } }), 400, 'VALIDATION_ERROR');
  });
});
