// The OAuth identity part of the Database contract (db.contract.test.ts runs it on every driver).
import { describe, expect, it } from 'vitest';
import type { Database, NewOAuthIdentity, NewUser, UserRecord } from '../../src/core/ports';

interface ContractContext {
  db: () => Database;
  newUser: (overrides?: Partial<NewUser>) => NewUser;
  createUser: (overrides?: Partial<NewUser>) => Promise<UserRecord>;
  at: (seconds: number) => Date;
  id: (prefix: string) => string;
}

export function oauthAccountContract({ db, newUser, createUser, at, id }: ContractContext) {
  describe('oauth accounts', () => {
    const identity = (overrides: Partial<NewOAuthIdentity> = {}): NewOAuthIdentity => ({
      id: id('oa'), userId: '', provider: 'acme', providerUserId: id('sub'), email: 'ada@acme.example', createdAt: at(10), ...overrides,
    });
    const forUser = (user: UserRecord, overrides: Partial<NewOAuthIdentity> = {}) => identity({ userId: user.id, ...overrides });
    const linkAs = (user: UserRecord, overrides: Partial<NewOAuthIdentity> = {}, removePassword = false) =>
      db().oauthAccounts.link(forUser(user, overrides), { securityStamp: user.securityStamp, removePassword }, at(20));

    it('creates a user and its identity in one go, and finds the user by (provider, subject) only', async () => {
      const { userId: _, ...linked } = identity();
      const input = newUser({ passwordHash: null, emailVerifiedAt: at(10), name: null });
      const user = await db().oauthAccounts.createUserWithIdentity(input, linked);
      expect(user).toMatchObject({ id: input.id, email: input.email, passwordHash: null, emailVerifiedAt: at(10), securityStamp: 0 });
      expect(await db().oauthAccounts.findUser('acme', linked.providerUserId)).toEqual(user);
      expect(await db().oauthAccounts.findUser('other', linked.providerUserId)).toBeNull();
      expect(await db().oauthAccounts.findUser('acme', id('sub'))).toBeNull();
      expect(await db().oauthAccounts.listForUser(input.id)).toEqual([{ provider: 'acme', email: 'ada@acme.example', linkedAt: at(10) }]);
    });

    it('creates nothing when the e-mail is taken or the identity already linked, and says so with null', async () => {
      const taken = await createUser();
      const { userId: _a, ...first } = identity();
      expect(await db().oauthAccounts.createUserWithIdentity(newUser({ email: taken.email }), first)).toBeNull();
      expect(await db().oauthAccounts.findUser('acme', first.providerUserId)).toBeNull();
      const owner = await db().oauthAccounts.createUserWithIdentity(newUser(), first);
      const second = newUser();
      expect(await db().oauthAccounts.createUserWithIdentity(second, { ...first, id: id('oa') })).toBeNull();
      expect(await db().users.findById(second.id)).toBeNull();
      expect(await db().oauthAccounts.findUser('acme', first.providerUserId)).toEqual(owner);
    });

    it('creates one user when the same identity signs in twice at once', async () => {
      const { userId: _, ...linked } = identity();
      const users = [newUser(), newUser(), newUser()];
      const results = await Promise.all(users.map((user, i) => db().oauthAccounts.createUserWithIdentity(user, { ...linked, id: id(`oa${i}`) })));
      expect(results.filter(Boolean)).toHaveLength(1);
      const survivors = await Promise.all(users.map((user) => db().users.findById(user.id)));
      expect(survivors.filter(Boolean)).toHaveLength(1);
    });

    it('links to a verified account keeping its password and stamp, and to an unverified one verifying it', async () => {
      const verified = await createUser({ emailVerifiedAt: at(1) });
      expect(await linkAs(verified)).toMatchObject({ id: verified.id, passwordHash: verified.passwordHash, securityStamp: verified.securityStamp, emailVerifiedAt: at(1), updatedAt: at(20) });
      const passwordless = await createUser({ passwordHash: null });
      expect(await linkAs(passwordless)).toMatchObject({ emailVerifiedAt: at(20), securityStamp: passwordless.securityStamp });
    });

    it('removes the password of an unverified password account and rotates its stamp in the linking statement', async () => {
      const squatted = await createUser();
      const linked = await linkAs(squatted, {}, true);
      expect(linked).toMatchObject({ passwordHash: null, securityStamp: squatted.securityStamp + 1, emailVerifiedAt: at(20) });
      expect(await db().users.findById(squatted.id)).toEqual(linked);
    });

    it('links nothing when the account changed since it was read, is deleted, or already has this provider', async () => {
      const stale = await createUser({ emailVerifiedAt: at(1) });
      await db().users.rotateSecurityStamp(stale.id, at(2));
      expect(await linkAs(stale)).toBeNull();
      // Read as an unverified password account; verified since: the password must not be removed.
      const unverified = await createUser();
      await db().users.markEmailVerified(unverified.id, at(3));
      expect(await linkAs(unverified, {}, true)).toBeNull();
      expect((await db().users.findById(unverified.id))?.passwordHash).toBe(unverified.passwordHash);
      const deleted = await createUser({ emailVerifiedAt: at(1) });
      await db().users.softDelete(deleted.id, at(4));
      expect(await linkAs({ ...deleted, securityStamp: deleted.securityStamp + 1 })).toBeNull();
      const twice = await createUser({ emailVerifiedAt: at(1) });
      expect(await linkAs(twice)).not.toBeNull();
      expect(await linkAs(twice, { providerUserId: id('other-sub') })).toBeNull();
      for (const user of [stale, unverified, deleted]) expect(await db().oauthAccounts.listForUser(user.id)).toEqual([]);
      expect(await db().oauthAccounts.listForUser(twice.id)).toHaveLength(1);
    });

    it('answers null, not an error, when the identity is already linked to someone else', async () => {
      const first = await createUser({ emailVerifiedAt: at(1) });
      const second = await createUser({ emailVerifiedAt: at(1) });
      const subject = id('sub');
      expect(await linkAs(first, { providerUserId: subject })).not.toBeNull();
      expect(await linkAs(second, { providerUserId: subject })).toBeNull();
      expect((await db().oauthAccounts.findUser('acme', subject))?.id).toBe(first.id);
    });

    it('lists identities oldest first', async () => {
      const user = await createUser({ emailVerifiedAt: at(1) });
      await db().oauthAccounts.link(forUser(user, { provider: 'zeta', createdAt: at(5), email: null }), { securityStamp: 0, removePassword: false }, at(5));
      await db().oauthAccounts.link(forUser(user, { provider: 'alpha', createdAt: at(9) }), { securityStamp: 0, removePassword: false }, at(9));
      expect(await db().oauthAccounts.listForUser(user.id)).toEqual([
        { provider: 'zeta', email: null, linkedAt: at(5) },
        { provider: 'alpha', email: 'ada@acme.example', linkedAt: at(9) },
      ]);
    });

    it('unlinks while another way to sign in remains: a password or another identity', async () => {
      const withPassword = await createUser({ emailVerifiedAt: at(1) });
      await linkAs(withPassword);
      expect(await db().oauthAccounts.unlink(withPassword.id, 'acme')).toBe('unlinked');
      expect(await db().oauthAccounts.unlink(withPassword.id, 'acme')).toBe('not_found');
      const twoIdentities = await createUser({ passwordHash: null, emailVerifiedAt: at(1) });
      await linkAs(twoIdentities, { provider: 'one' });
      await linkAs(twoIdentities, { provider: 'two' });
      expect(await db().oauthAccounts.unlink(twoIdentities.id, 'one')).toBe('unlinked');
      expect(await db().oauthAccounts.unlink(twoIdentities.id, 'two')).toBe('last_sign_in_method');
      expect(await db().oauthAccounts.listForUser(twoIdentities.id)).toHaveLength(1);
      expect(await db().oauthAccounts.unlink(id('usr'), 'two')).toBe('not_found');
    });

    it('leaves exactly one identity when unlinks of the last two race (20 trials)', async () => {
      for (let trial = 0; trial < 20; trial++) {
        const user = await createUser({ passwordHash: null, emailVerifiedAt: at(1) });
        await linkAs(user, { provider: 'one' });
        await linkAs(user, { provider: 'two' });
        const outcomes = await Promise.all([db().oauthAccounts.unlink(user.id, 'one'), db().oauthAccounts.unlink(user.id, 'two')]);
        expect(outcomes.sort()).toEqual(['last_sign_in_method', 'unlinked']);
        expect(await db().oauthAccounts.listForUser(user.id)).toHaveLength(1);
      }
    });
  });
}
