import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { ADMIN_EMAIL, ADMIN_ENV, adminApi, auditRows, rootSession } from './admin-helpers';
import { expectError, json, login, registerUser, uniqueEmail } from './helpers';

// The SUPER_ADMIN from ADMIN_EMAIL manages users through the admin API: finds them, reads one, locks, unlocks,
// verifies, deletes and ends sessions, each change audited with the admin as actor.

let h: Harness;
let api: ReturnType<typeof adminApi>;
let rootId: string;
beforeAll(async () => {
  h = await createHarness(ADMIN_ENV);
  const root = await rootSession(h);
  api = adminApi(h, root.accessToken);
  rootId = (await json(await h.request('/api/v1/users/me', { token: root.accessToken }))).data.user.id;
});
afterAll(async () => {
  await h?.close();
});

/** A marker no other test's e-mails contain, so searches see exactly this test's users. */
const marker = () => `m${crypto.randomUUID().slice(0, 8)}`;

describe('the first SUPER_ADMIN', () => {
  it('comes from ADMIN_EMAIL, verified, with ADMIN_PASSWORD as its password (here followed by its TOTP step)', async () => {
    const step = await json(await login(h, ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD));
    expect(step.data).toMatchObject({ mfaRequired: true });
    expect((await login(h, ADMIN_EMAIL, 'not-the-admin-password-1')).status).toBe(401);
    const [root] = (await api.data('/users?role=SUPER_ADMIN')).items;
    expect(root).toMatchObject({ id: rootId, email: ADMIN_EMAIL, role: 'SUPER_ADMIN', emailVerified: true, mfaEnabled: true });
  });
});

describe('GET /admin/users', () => {
  it('pages, sorts and filters by role and status, with totals', async () => {
    const m = marker();
    const emails = ['c', 'a', 'b'].map((letter) => `${letter}.${m}@example.com`);
    const users = [];
    for (const email of emails) {
      // The test clock stands still unless moved: one second apart, so "newest first" has one answer.
      h.clock.advance(1);
      users.push((await registerUser(h, { email })).user);
    }
    await api.update(users[0].id, { locked: true });

    const first = await api.data(`/users?search=${m}&sortBy=email&sortOrder=asc&limit=2`);
    expect(first).toMatchObject({ page: 1, limit: 2, total: 3, totalPages: 2 });
    expect(first.items.map((u: any) => u.email)).toEqual([emails[1], emails[2]]);
    const second = await api.data(`/users?search=${m}&sortBy=email&sortOrder=asc&limit=2&page=2`);
    expect(second.items.map((u: any) => u.email)).toEqual([emails[0]]);
    const newestFirst = await api.data(`/users?search=${m}`);
    expect(newestFirst.items.map((u: any) => u.email)).toEqual([...emails].reverse());

    expect((await api.data(`/users?search=${m}&status=locked`)).items.map((u: any) => u.email)).toEqual([emails[0]]);
    expect((await api.data(`/users?search=${m}&status=active`)).total).toBe(2);
    expect((await api.data(`/users?search=${m}&role=ADMIN`)).total).toBe(0);
    expect((await api.data('/users?role=SUPER_ADMIN')).items.map((u: any) => u.email)).toEqual([ADMIN_EMAIL]);
  });

  it('shows the admin view of each user: lock, deletion, failure count and OAuth providers', async () => {
    const { user, email } = await registerUser(h);
    expect((await login(h, email, 'wrong-password-123456')).status).toBe(401);
    const [item] = (await api.data(`/users?search=${encodeURIComponent(email)}`)).items;
    expect(item).toEqual({ ...user, lastLoginAt: null, lockedUntil: null, deletedAt: null, failedLoginCount: 1, oauthProviders: [] });
  });

  it('takes % and _ in the search literally, not as wildcards', async () => {
    const m = marker();
    const underscore = (await registerUser(h, { email: `a_b.${m}@example.com` })).email;
    await registerUser(h, { email: `axb.${m}@example.com` });
    expect((await api.data(`/users?search=${encodeURIComponent(`a_b.${m}`)}`)).items.map((u: any) => u.email)).toEqual([underscore]);
    expect((await api.data(`/users?search=${encodeURIComponent(`${m}%`)}`)).total).toBe(0);
    expect((await api.data(`/users?search=${encodeURIComponent('%')}`)).total).toBe(0);
    // The control: the same search without the wildcard finds both.
    expect((await api.data(`/users?search=${m}`)).total).toBe(2);
  });

  it('filters by creation date (a day is its whole UTC day) and refuses a limit over 100', async () => {
    const { email } = await registerUser(h);
    const today = new Date(h.clock.nowMs()).toISOString().slice(0, 10);
    const search = encodeURIComponent(email);
    expect((await api.data(`/users?search=${search}&dateFrom=${today}&dateTo=${today}`)).total).toBe(1);
    expect((await api.data(`/users?search=${search}&dateTo=2000-01-01`)).total).toBe(0);
    expect((await api.data(`/users?search=${search}&dateFrom=2999-01-01T00:00:00Z`)).total).toBe(0);
    await expectError(await api.get('/users?limit=101'), 400, 'VALIDATION_ERROR');
    await expectError(await api.get('/users?sortBy=password'), 400, 'VALIDATION_ERROR');
  });
});

describe('GET /admin/users/:id', () => {
  it("shows the user with its active sessions and recent audit rows, and 404 for an unknown id", async () => {
    const { user, email, password } = await registerUser(h);
    h.clock.advance(1);
    expect((await login(h, email, password)).status).toBe(200);
    const detail = await api.data(`/users/${user.id}`);
    expect(detail.user).toMatchObject({ id: user.id, email });
    expect(detail.sessions).toHaveLength(2);
    expect(detail.sessions.every((s: any) => s.current === false)).toBe(true);
    expect(detail.recentAudit.map((a: any) => a.action)).toEqual(['LOGIN_SUCCESS', 'REGISTER']);
    expect(Object.keys(detail.recentAudit[0]).sort()).toEqual(['action', 'actorId', 'createdAt', 'id', 'ipAddress', 'metadata', 'outcome', 'requestId', 'userAgent', 'userId']);
    await expectError(await api.get(`/users/${crypto.randomUUID()}`), 404, 'NOT_FOUND');
  });
});

describe('PATCH /admin/users/:id', () => {
  it('locks: every session and access token of the user dies at once, logins fail; the change is audited with the actor', async () => {
    const victim = await registerUser(h);
    const second = (await json(await login(h, victim.email, victim.password))).data;
    const locked = await api.update(victim.user.id, { locked: true });
    expect(new Date(locked.lockedUntil).getTime()).toBeGreaterThan(h.clock.nowMs() + 100 * 365 * 24 * 3600_000);
    for (const token of [victim.accessToken, second.accessToken]) {
      await expectError(await h.request('/api/v1/users/me', { token }), 401, 'AUTHENTICATION_ERROR');
    }
    await expectError(await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: second.refreshToken } }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await login(h, victim.email, victim.password), 401, 'AUTHENTICATION_ERROR');
    expect((await api.data(`/users/${victim.user.id}`)).sessions).toEqual([]);
    const [row] = (await auditRows(h, victim.user.id)).filter((r) => r.action === 'USER_UPDATED_BY_ADMIN');
    expect(row).toMatchObject({ outcome: 'success', userId: victim.user.id, actorId: rootId, metadata: { changes: { locked: true } } });
  });

  it('unlocks: the lock and the failure count are cleared and the user logs in again', async () => {
    const victim = await registerUser(h);
    expect((await login(h, victim.email, 'wrong-password-123456')).status).toBe(401);
    await api.update(victim.user.id, { locked: true });
    const unlocked = await api.update(victim.user.id, { locked: false });
    expect(unlocked).toMatchObject({ lockedUntil: null, failedLoginCount: 0 });
    expect((await login(h, victim.email, victim.password)).status).toBe(200);
  });

  it('marks the e-mail verified and unverified', async () => {
    const { user } = await registerUser(h);
    expect(await api.update(user.id, { emailVerified: true })).toMatchObject({ emailVerified: true });
    expect(await api.update(user.id, { emailVerified: false })).toMatchObject({ emailVerified: false });
  });

  it('deletes: sessions die at once, the user is listed as deleted; restoring brings the account back', async () => {
    const victim = await registerUser(h);
    const deleted = await api.update(victim.user.id, { deleted: true });
    expect(deleted.deletedAt).not.toBeNull();
    await expectError(await h.request('/api/v1/users/me', { token: victim.accessToken }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await login(h, victim.email, victim.password), 401, 'AUTHENTICATION_ERROR');
    expect((await api.data(`/users?search=${encodeURIComponent(victim.email)}&status=deleted`)).total).toBe(1);
    expect(await api.update(victim.user.id, { deleted: false })).toMatchObject({ deletedAt: null });
    expect((await login(h, victim.email, victim.password)).status).toBe(200);
  });

  it('refuses unknown fields and wrong types, and answers 404 for an unknown user', async () => {
    const { user } = await registerUser(h);
    await expectError(await api.patch(`/users/${user.id}`, { lockd: true }), 400, 'VALIDATION_ERROR');
    await expectError(await api.patch(`/users/${user.id}`, { locked: 'yes' }), 400, 'VALIDATION_ERROR');
    await expectError(await api.patch(`/users/${user.id}`, { role: 'ROOT' }), 400, 'VALIDATION_ERROR');
    await expectError(await api.patch(`/users/${crypto.randomUUID()}`, { locked: true }), 404, 'NOT_FOUND');
  });
});

describe('DELETE /admin/users/:id/sessions', () => {
  it('ends every session of the user at once and says how many, audited with the actor', async () => {
    const victim = await registerUser(h, { email: uniqueEmail('sessions') });
    await login(h, victim.email, victim.password);
    const response = await api.delete(`/users/${victim.user.id}/sessions`);
    expect(await json(response)).toEqual({ success: true, data: { revoked: 2 } });
    await expectError(await h.request('/api/v1/users/me', { token: victim.accessToken }), 401, 'AUTHENTICATION_ERROR');
    expect((await login(h, victim.email, victim.password)).status).toBe(200);
    const [row] = (await auditRows(h, victim.user.id)).filter((r) => r.action === 'SESSION_REVOKED');
    expect(row).toMatchObject({ actorId: rootId, metadata: { scope: 'all', by: 'admin' } });
  });
});
