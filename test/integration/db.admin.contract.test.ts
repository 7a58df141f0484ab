// The admin part of the Database port, on every driver: PGlite, node-postgres and Neon HTTP (through the bridge),
// each on a database of its own with no other users in it, so counts are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, NewUser, UserListQuery, UserRecord } from '../../src/core/ports';
import { dbTargets, type DbTarget, type DbTargetFactory } from '../support/db-targets';

const T0 = new Date('2030-01-10T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const DAY = 24 * 3600;
const id = (prefix: string) => `${prefix}_${crypto.randomUUID()}`;

function adminContract(factory: DbTargetFactory) {
  describe(`AdminRepository on ${factory.kind}`, () => {
    let target: DbTarget;
    let db: Database;
    beforeAll(async () => {
      target = await factory.open();
      db = target.db;
    });
    afterAll(() => target?.dispose());

    const createUser = async (overrides: Partial<NewUser> = {}): Promise<UserRecord> => {
      const userId = id('usr');
      const user = await db.users.create({ id: userId, email: `${userId}@example.test`, name: null, passwordHash: 'h', role: 'USER', emailVerifiedAt: null, createdAt: T0, ...overrides });
      if (!user) throw new Error('not created');
      return user;
    };
    const query = (overrides: Partial<UserListQuery>): UserListQuery => ({ page: 1, limit: 20, sortBy: 'createdAt', sortOrder: 'desc', now: T0, ...overrides });

    it('lists users with literal search, status and role filters, date bounds, sorting, pages and OAuth providers', async () => {
      const m = id('m').slice(2, 12);
      const a = await createUser({ email: `a_b.${m}@example.test`, createdAt: at(1) });
      const b = await createUser({ email: `axb.${m}@example.test`, createdAt: at(2), role: 'ADMIN' });
      const c = await createUser({ email: `c%.${m}@example.test`, createdAt: at(3) });
      await db.users.lockUntil(b.id, at(3600), T0);
      await db.users.softDelete(c.id, T0);
      await target.exec(`insert into oauth_accounts (id, user_id, provider, provider_user_id, created_at) values ($1, $2, 'github', '1', now()), ($3, $2, 'google', '2', now())`, [id('oa'), a.id, id('oa')]);

      const emails = async (q: Partial<UserListQuery>) => (await db.admin.listUsers(query(q))).items.map((u) => u.email);
      expect(await emails({ search: m })).toEqual([c.email, b.email, a.email]);
      expect(await emails({ search: `a_b.${m}` })).toEqual([a.email]);
      expect(await emails({ search: `c%.${m}` })).toEqual([c.email]);
      expect(await emails({ search: `%.${m}` })).toEqual([c.email]);
      expect(await emails({ search: `A_B.${m.toUpperCase()}` })).toEqual([a.email]);
      expect(await emails({ search: m, status: 'locked' })).toEqual([b.email]);
      expect(await emails({ search: m, status: 'locked', now: at(3600) })).toEqual([]);
      expect(await emails({ search: m, status: 'deleted' })).toEqual([c.email]);
      expect(await emails({ search: m, status: 'active' })).toEqual([a.email]);
      expect(await emails({ search: m, role: 'ADMIN' })).toEqual([b.email]);
      expect(await emails({ search: m, createdFrom: at(2), createdBefore: at(3) })).toEqual([b.email]);
      expect(await emails({ search: m, sortBy: 'email', sortOrder: 'asc' })).toEqual([a.email, b.email, c.email]);
      const page = await db.admin.listUsers(query({ search: m, limit: 2, page: 2 }));
      expect(page).toMatchObject({ total: 3, items: [{ id: a.id, oauthProviders: ['github', 'google'] }] });
      expect(await db.admin.findUser(b.id)).toMatchObject({ id: b.id, role: 'ADMIN', lockedUntil: at(3600), oauthProviders: [] });
      expect(await db.admin.findUser(id('usr'))).toBeNull();
    });

    it('sorts by last login with never-logged-in users as the oldest', async () => {
      const m = id('m').slice(2, 12);
      const never = await createUser({ email: `never.${m}@example.test` });
      const early = await createUser({ email: `early.${m}@example.test` });
      const late = await createUser({ email: `late.${m}@example.test` });
      await target.exec('update users set last_login_at = $2 where id = $1', [early.id, at(10).toISOString()]);
      await target.exec('update users set last_login_at = $2 where id = $1', [late.id, at(20).toISOString()]);
      const order = async (sortOrder: 'asc' | 'desc') => (await db.admin.listUsers(query({ search: m, sortBy: 'lastLoginAt', sortOrder }))).items.map((u) => u.id);
      expect(await order('desc')).toEqual([late.id, early.id, never.id]);
      expect(await order('asc')).toEqual([never.id, early.id, late.id]);
    });

    it('changes a role, rotating the stamp, and refuses to demote the last SUPER_ADMIN even when two demotions race', async () => {
      const user = await createUser();
      const changed = await db.admin.changeRole(user.id, 'ADMIN', T0);
      expect(changed).toMatchObject({ kind: 'changed', previousRole: 'USER', user: { role: 'ADMIN', securityStamp: user.securityStamp + 1 } });
      expect(await db.admin.changeRole(user.id, 'ADMIN', T0)).toMatchObject({ kind: 'unchanged', user: { role: 'ADMIN' } });
      expect(await db.admin.changeRole(id('usr'), 'ADMIN', T0)).toEqual({ kind: 'not_found' });

      // This database's only SUPER_ADMINs are the ones made here.
      const [x, y] = [await createUser(), await createUser()];
      for (let trial = 0; trial < 10; trial++) {
        for (const u of [x, y]) await db.admin.changeRole(u.id, 'SUPER_ADMIN', T0);
        const results = await Promise.all([db.admin.changeRole(x.id, 'USER', T0), db.admin.changeRole(y.id, 'USER', T0)]);
        expect(results.map((r) => r.kind).sort()).toEqual(['changed', 'last_super_admin']);
      }
      const [remaining] = (await db.admin.listUsers(query({ role: 'SUPER_ADMIN' }))).items;
      expect(await db.admin.changeRole(remaining!.id, 'ADMIN', T0)).toEqual({ kind: 'last_super_admin' });
      // A deleted SUPER_ADMIN does not count as another one.
      const ghost = await createUser();
      await db.admin.changeRole(ghost.id, 'SUPER_ADMIN', T0);
      await db.users.softDelete(ghost.id, T0);
      expect(await db.admin.changeRole(remaining!.id, 'ADMIN', T0)).toEqual({ kind: 'last_super_admin' });
    });

    it('sets and clears e-mail verification, and restores a deleted user', async () => {
      const user = await createUser();
      await db.admin.setEmailVerified(user.id, true, at(5));
      await db.admin.setEmailVerified(user.id, true, at(9));
      expect(await db.users.findById(user.id)).toMatchObject({ emailVerifiedAt: at(5) });
      await db.admin.setEmailVerified(user.id, false, at(10));
      expect(await db.users.findById(user.id)).toMatchObject({ emailVerifiedAt: null });
      await db.users.softDelete(user.id, T0);
      await db.admin.restore(user.id, at(11));
      expect(await db.users.findById(user.id)).toMatchObject({ deletedAt: null });
    });

    it('bootstraps a SUPER_ADMIN: creates it verified, promotes an existing account without its password, leaves a deleted one', async () => {
      const marker = (value: string) => ({ name: id('marker'), value });
      const candidate = (email: string): NewUser => ({ id: id('usr'), email, name: null, passwordHash: 'bootstrap-hash', role: 'SUPER_ADMIN', emailVerifiedAt: T0, createdAt: T0 });
      const fresh = candidate(`${id('root')}@example.test`);
      const m1 = marker(fresh.email);
      expect(await db.admin.bootstrapSuperAdmin(fresh, m1)).toBe('created');
      expect(await db.users.findById(fresh.id)).toMatchObject({ role: 'SUPER_ADMIN', emailVerifiedAt: T0, passwordHash: 'bootstrap-hash' });
      expect(await db.secrets.get(m1.name)).toBe(fresh.email);

      const existing = await createUser({ passwordHash: 'own-hash' });
      expect(await db.admin.bootstrapSuperAdmin(candidate(existing.email), marker(existing.email))).toBe('promoted');
      expect(await db.users.findById(existing.id)).toMatchObject({ role: 'SUPER_ADMIN', passwordHash: 'own-hash', emailVerifiedAt: T0 });

      const deleted = await createUser();
      await db.users.softDelete(deleted.id, T0);
      const m3 = marker(deleted.email);
      expect(await db.admin.bootstrapSuperAdmin(candidate(deleted.email), m3)).toBe('deleted');
      expect(await db.users.findById(deleted.id)).toMatchObject({ role: 'USER' });
      expect(await db.secrets.get(m3.name)).toBeNull();

      const racing = `${id('race')}@example.test`;
      const outcomes = await Promise.all([1, 2, 3].map(() => db.admin.bootstrapSuperAdmin(candidate(racing), marker(racing))));
      expect(outcomes.sort()).toEqual(['created', 'promoted', 'promoted']);
    });

    it('pages the audit trail newest first with filters', async () => {
      const userId = id('usr');
      const entry = (seconds: number, action: string, outcome: 'success' | 'failure') => ({
        id: id('aud'), createdAt: at(seconds), action, outcome, userId, actorId: 'admin', ipAddress: null, userAgent: null, requestId: null, metadata: { n: seconds },
      });
      const rows = [entry(1, 'LOGIN_FAILURE', 'failure'), entry(2, 'LOGIN_SUCCESS', 'success'), entry(3, 'ROLE_CHANGED', 'success')];
      for (const row of rows) await db.audit.append(row);
      expect(await db.admin.listAudit({ page: 1, limit: 10, userId })).toEqual({ items: [rows[2], rows[1], rows[0]], total: 3 });
      expect(await db.admin.listAudit({ page: 2, limit: 2, userId })).toEqual({ items: [rows[0]], total: 3 });
      expect((await db.admin.listAudit({ page: 1, limit: 10, userId, outcome: 'failure' })).items).toEqual([rows[0]]);
      expect((await db.admin.listAudit({ page: 1, limit: 10, userId, action: 'ROLE_CHANGED' })).items).toEqual([rows[2]]);
      expect((await db.admin.listAudit({ page: 1, limit: 10, userId, from: at(2), before: at(3) })).items).toEqual([rows[1]]);
    });

    it('counts the dashboard per UTC day since `from`, and the totals at `now`', async () => {
      const from = new Date('2031-03-01T00:00:00.000Z');
      const day = (d: number, seconds = 0) => new Date(from.getTime() + (d * DAY + seconds) * 1000);
      const before = day(7);
      const users = [await createUser({ createdAt: day(0, 10) }), await createUser({ createdAt: day(6, DAY - 1) }), await createUser({ createdAt: day(7) })];
      const audit = async (when: Date, action: string, userId: string) =>
        db.audit.append({ id: id('aud'), createdAt: when, action, outcome: action === 'LOGIN_FAILURE' ? 'failure' : 'success', userId, actorId: userId, ipAddress: null, userAgent: null, requestId: null, metadata: {} });
      await audit(day(2, 5), 'LOGIN_SUCCESS', users[0]!.id);
      await audit(day(2, 6), 'LOGIN_SUCCESS', users[0]!.id);
      await audit(day(2, 7), 'TOKEN_REFRESHED', users[1]!.id);
      await audit(day(2, 8), 'LOGIN_FAILURE', users[2]!.id);
      await audit(day(7, 1), 'LOGIN_SUCCESS', users[0]!.id);
      const result = await db.admin.dashboard({ from, before, now: day(3) });
      expect(result.days).toEqual([
        { date: '2031-03-01', signups: 1, logins: 0, failedLogins: 0, activeUsers: 0 },
        { date: '2031-03-03', signups: 0, logins: 2, failedLogins: 1, activeUsers: 2 },
        { date: '2031-03-07', signups: 1, logins: 0, failedLogins: 0, activeUsers: 0 },
      ]);
      expect(Object.keys(result.totals).sort()).toEqual(['activeSessions', 'lockedUsers', 'mfaUsers', 'users', 'verifiedUsers']);
      expect(Object.values(result.totals).every((n) => Number.isInteger(n))).toBe(true);
    });

    it('stores several instance secrets in one statement, replacing earlier values', async () => {
      const [a, b] = [id('secret'), id('secret')];
      await db.secrets.putAll({ [a]: 'one', [b]: 'two' });
      await db.secrets.putAll({ [a]: 'three' });
      expect([await db.secrets.get(a), await db.secrets.get(b)]).toEqual(['three', 'two']);
    });
  });
}

for (const factory of dbTargets) adminContract(factory);
