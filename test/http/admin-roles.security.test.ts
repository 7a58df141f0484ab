import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { accountWithRole, ADMIN_EMAIL, ADMIN_ENV, adminApi, adminSessionWithSecondFactor, auditRows, rootSession } from './admin-helpers';
import { expectError, json, login, registerUser } from './helpers';

// API.md's limits on PATCH /admin/users/:id: only a SUPER_ADMIN grants or removes ADMIN, nobody edits a SUPER_ADMIN but
// itself, the last SUPER_ADMIN cannot be demoted — also when two demotions race (on the real PostgreSQL: Node through
// node-postgres, workerd through the Neon HTTP bridge).

const TRIALS = 20;

let h: Harness;
let rootId: string;
const root = async () => adminApi(h, (await rootSession(h)).accessToken);
const roleOf = async (id: string) => (await h.deps.db.users.findById(id))?.role;

beforeAll(async () => {
  h = await createHarness(ADMIN_ENV, { database: 'postgres' });
  await h.request('/health');
  rootId = (await h.deps.db.users.findByEmail(ADMIN_EMAIL))!.id;
});
afterAll(async () => {
  await h?.close();
});

describe('role changes by a SUPER_ADMIN', () => {
  it('grants ADMIN: audited with the actor, the old sessions end, a new login carries the new role', async () => {
    const user = await registerUser(h);
    const updated = await (await root()).update(user.user.id, { role: 'ADMIN' });
    expect(updated.role).toBe('ADMIN');
    await expectError(await h.request('/api/v1/users/me', { token: user.accessToken }), 401, 'AUTHENTICATION_ERROR');
    const relogin = (await json(await login(h, user.email, user.password))).data;
    expect(JSON.parse(atob(relogin.accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).role).toBe('ADMIN');
    const [row] = (await auditRows(h, user.user.id)).filter((r) => r.action === 'ROLE_CHANGED');
    expect(row).toMatchObject({ outcome: 'success', actorId: rootId, metadata: { from: 'USER', to: 'ADMIN' } });
  });

  it('removes ADMIN', async () => {
    const admin = await accountWithRole(h, 'ADMIN');
    expect(await (await root()).update(admin.id, { role: 'USER' })).toMatchObject({ role: 'USER' });
  });
});

describe('what an ADMIN may not do', () => {
  it('grant or remove ADMIN or SUPER_ADMIN (403, audited), while it may lock a USER', async () => {
    const admin = adminApi(h, (await accountWithRole(h, 'ADMIN')).accessToken);
    const user = await registerUser(h);
    for (const role of ['ADMIN', 'SUPER_ADMIN'] as const) await expectError(await admin.patch(`/users/${user.user.id}`, { role }), 403, 'AUTHORIZATION_ERROR');
    const otherAdmin = await accountWithRole(h, 'ADMIN');
    await expectError(await admin.patch(`/users/${otherAdmin.id}`, { role: 'USER' }), 403, 'AUTHORIZATION_ERROR');
    expect(await roleOf(user.user.id)).toBe('USER');
    expect(await roleOf(otherAdmin.id)).toBe('ADMIN');
    expect((await auditRows(h, user.user.id)).filter((r) => r.action === 'ACCESS_DENIED').map((r) => r.metadata.reason)).toEqual(['role_change', 'role_change']);
    expect(await admin.update(user.user.id, { locked: true })).toMatchObject({ role: 'USER' });
  });

  it('edit another ADMIN at all, or end its sessions', async () => {
    const admin = adminApi(h, (await accountWithRole(h, 'ADMIN')).accessToken);
    const peer = await accountWithRole(h, 'ADMIN');
    await expectError(await admin.patch(`/users/${peer.id}`, { locked: true }), 403, 'AUTHORIZATION_ERROR');
    await expectError(await admin.delete(`/users/${peer.id}/sessions`), 403, 'AUTHORIZATION_ERROR');
    expect((await h.request('/api/v1/users/me', { token: peer.accessToken })).status).toBe(200);
  });
});

describe('a SUPER_ADMIN', () => {
  it('is edited by nobody but itself: an ADMIN and another SUPER_ADMIN get 403', async () => {
    const admin = adminApi(h, (await accountWithRole(h, 'ADMIN')).accessToken);
    const other = await accountWithRole(h, 'SUPER_ADMIN');
    for (const patch of [{ locked: true }, { role: 'USER' }, { deleted: true }, { emailVerified: false }]) {
      await expectError(await admin.patch(`/users/${rootId}`, patch), 403, 'AUTHORIZATION_ERROR');
      await expectError(await adminApi(h, other.accessToken).patch(`/users/${rootId}`, patch), 403, 'AUTHORIZATION_ERROR');
    }
    await expectError(await admin.delete(`/users/${rootId}/sessions`), 403, 'AUTHORIZATION_ERROR');
    expect(await h.deps.db.users.findById(rootId)).toMatchObject({ role: 'SUPER_ADMIN', lockedUntil: null, deletedAt: null });
    // Itself: allowed (it steps down while the root SUPER_ADMIN remains).
    expect(await adminApi(h, other.accessToken).update(other.id, { role: 'ADMIN' })).toMatchObject({ role: 'ADMIN' });
  });

  it('cannot lock or delete its own account (409)', async () => {
    const api = await root();
    await expectError(await api.patch(`/users/${rootId}`, { locked: true }), 409, 'CONFLICT');
    await expectError(await api.patch(`/users/${rootId}`, { deleted: true }), 409, 'CONFLICT');
    expect(await h.deps.db.users.findById(rootId)).toMatchObject({ lockedUntil: null, deletedAt: null });
  });

  it('cannot demote itself when it is the last one: 409, the role stays, the refusal is audited', async () => {
    const response = await (await root()).patch(`/users/${rootId}`, { role: 'ADMIN' });
    await expectError(response, 409, 'CONFLICT');
    expect(await roleOf(rootId)).toBe('SUPER_ADMIN');
    const [row] = (await auditRows(h, rootId)).filter((r) => r.action === 'ROLE_CHANGED');
    expect(row).toMatchObject({ outcome: 'failure', actorId: rootId, metadata: { reason: 'last_super_admin' } });
  });

  it(`of two demoting themselves at the same moment, exactly one succeeds and one SUPER_ADMIN remains (${TRIALS} trials)`, async () => {
    const other = await accountWithRole(h, 'SUPER_ADMIN');
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const [a, b] = await Promise.all([rootSession(h), adminSessionWithSecondFactor(h, other.email, other.password)]);
      const [first, second] = await Promise.all([
        adminApi(h, a.accessToken).patch(`/users/${rootId}`, { role: 'USER' }),
        adminApi(h, b.accessToken).patch(`/users/${other.id}`, { role: 'USER' }),
      ]);
      const statuses = [first.status, second.status].sort();
      outcomes.push(statuses.join('+'));
      const supers = [await roleOf(rootId), await roleOf(other.id)].filter((role) => role === 'SUPER_ADMIN');
      expect(supers, `trial ${trial}: ${statuses}`).toHaveLength(1);
      // Put the demoted one back for the next trial.
      const demoted = (await roleOf(rootId)) === 'USER' ? rootId : other.id;
      expect((await h.deps.db.admin.changeRole(demoted, 'SUPER_ADMIN', new Date(h.clock.nowMs()))).kind).toBe('changed');
    }
    expect(new Set(outcomes)).toEqual(new Set(['200+409']));
  }, 120_000);
});
