import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredTokens } from '../../src/core/maintenance';
import type { Harness } from '../support/harness';
import { ADMIN_EMAIL, ADMIN_ENV, adminApi, rootSession } from './admin-helpers';
import { expectError, login, registerUser } from './helpers';

// The 7-day dashboard and the audit trail as the admin API shows them. This file moves its clock by days, so it has
// a harness of its own.

let h: Harness;
beforeAll(async () => {
  h = await createHarness(ADMIN_ENV);
  // To the next UTC noon: every admin sign-in below moves the clock one TOTP step (30 s), and the dashboard's buckets
  // are UTC days, so no test here may straddle a midnight by accident.
  const dayMs = DAY * 1000;
  h.clock.advance((dayMs / 2 - (h.clock.nowMs() % dayMs) + dayMs) % dayMs / 1000);
});
afterAll(async () => {
  await h?.close();
});

/** A fresh admin session (the clock moves here, and access tokens live 15 minutes). */
const admin = async () => adminApi(h, (await rootSession(h)).accessToken);
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 24 * 3600;

describe('GET /admin/dashboard', () => {
  it('counts one day into 7 UTC buckets (oldest first, the last today), and the totals', async () => {
    const api = await admin();
    const before = await api.data('/dashboard');
    const [ada, bob] = [await registerUser(h), await registerUser(h)];
    for (let i = 0; i < 2; i++) expect((await login(h, ada.email, ada.password)).status).toBe(200);
    expect((await login(h, ada.email, 'wrong-password-123456')).status).toBe(401);
    await api.update(bob.user.id, { locked: true });
    const after = await api.data('/dashboard');

    expect(after.days).toHaveLength(7);
    expect(after.days.map((d: any) => d.date)).toEqual(Array.from({ length: 7 }, (_, i) => utcDate(h.clock.nowMs() - (6 - i) * DAY * 1000)));
    const [today, earlier] = [after.days[6], before.days[6]];
    expect(today).toEqual({
      date: earlier.date,
      signups: earlier.signups + 2,
      logins: earlier.logins + 2,
      failedLogins: earlier.failedLogins + 1,
      activeUsers: earlier.activeUsers + 2,
    });
    expect(after.totals).toEqual({
      ...before.totals,
      users: before.totals.users + 2,
      // Two registrations and two logins opened four sessions; locking Bob ended his one.
      activeSessions: before.totals.activeSessions + 3,
      lockedUsers: before.totals.lockedUsers + 1,
    });

    // A day later the same figures are yesterday's, and today holds only the admin's own sign-in to look.
    h.clock.advance(DAY);
    const nextDay = await (await admin()).data('/dashboard');
    expect(nextDay.days[5]).toEqual(today);
    expect(nextDay.days[6]).toEqual({ date: utcDate(h.clock.nowMs()), signups: 0, logins: 1, failedLogins: 0, activeUsers: 1 });
  });
});

describe('GET /admin/audit-logs', () => {
  it('filters by user, action, outcome and date, pages newest first, and names the admin who acted', async () => {
    const api = await admin();
    const rootId = (await h.deps.db.users.findByEmail(ADMIN_EMAIL))!.id;
    const victim = await registerUser(h);
    h.clock.advance(1);
    expect((await login(h, victim.email, 'wrong-password-123456')).status).toBe(401);
    h.clock.advance(1);
    await api.update(victim.user.id, { emailVerified: true });

    const all = await api.data(`/audit-logs?userId=${victim.user.id}`);
    expect(all.items.map((e: any) => e.action)).toEqual(['USER_UPDATED_BY_ADMIN', 'LOGIN_FAILURE', 'REGISTER']);
    expect(all.items[0]).toMatchObject({ userId: victim.user.id, actorId: rootId, outcome: 'success', metadata: { changes: { emailVerified: true } } });
    const failures = await api.data(`/audit-logs?userId=${victim.user.id}&outcome=failure`);
    expect(failures.items.map((e: any) => e.action)).toEqual(['LOGIN_FAILURE']);
    const byAction = await api.data(`/audit-logs?userId=${victim.user.id}&action=REGISTER`);
    expect(byAction.total).toBe(1);
    const paged = await api.data(`/audit-logs?userId=${victim.user.id}&limit=1&page=2`);
    expect(paged).toMatchObject({ page: 2, limit: 1, total: 3, totalPages: 3 });
    expect(paged.items[0].action).toBe('LOGIN_FAILURE');
    const today = utcDate(h.clock.nowMs());
    expect((await api.data(`/audit-logs?userId=${victim.user.id}&dateFrom=${today}&dateTo=${today}`)).total).toBe(3);
    expect((await api.data(`/audit-logs?userId=${victim.user.id}&dateTo=2000-01-01`)).total).toBe(0);
    await expectError(await api.get('/audit-logs?outcome=maybe'), 400, 'VALIDATION_ERROR');
  });
});

describe('the audit trail is append-only', () => {
  it('has no route that changes it: only GET answers at /admin/audit-logs', async () => {
    const api = await admin();
    for (const method of ['DELETE', 'PATCH', 'PUT', 'POST']) {
      const response = await h.request('/api/v1/admin/audit-logs', { method, token: (await rootSession(h)).accessToken, json: {} });
      await expectError(response, 405, 'METHOD_NOT_ALLOWED');
      expect(response.headers.get('allow')).toBe('GET');
    }
    expect((await api.get('/audit-logs')).status).toBe(200);
  });

  it('offers no update or delete in the ports: the audit repository appends and reads, the admin one reads', async () => {
    expect(Object.keys(h.deps.db.audit).sort()).toEqual(['append', 'listForUser']);
    expect(Object.keys(h.deps.db.admin).filter((name) => /audit/i.test(name))).toEqual(['listAudit']);
  });

  it('keeps every audit row when the purge removes expired sessions and tokens', async () => {
    await registerUser(h);
    const count = async () => (await h.query('select count(*)::int as n from audit_logs'))[0]!.n;
    const rowsBefore = await count();
    h.clock.advance(60 * DAY);
    expect(await purgeExpiredTokens(h.deps)).toBeGreaterThan(0);
    expect(await count()).toBe(rowsBefore);
  });
});
