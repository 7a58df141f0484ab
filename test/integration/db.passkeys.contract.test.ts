// The Database port's passkey repository, run against every driver: PGlite, node-postgres and Neon HTTP (through the
// bridge), each on a database of its own. Time is passed in, so nothing here sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, NewPasskey, PasskeyRecord } from '../../src/core/ports';
import { dbTargets, type DbTarget, type DbTargetFactory } from '../support/db-targets';

const T0 = new Date('2030-01-01T00:00:00.123Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const id = (prefix: string) => `${prefix}_${crypto.randomUUID()}`;
const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA';

function passkeyContract(factory: DbTargetFactory) {
  describe(`passkey repository on ${factory.kind}`, () => {
    let target: DbTarget;
    let db: Database;
    beforeAll(async () => {
      target = await factory.open();
      db = target.db;
    });
    afterAll(() => target?.dispose());

    // A user who signs in with passkeys only unless given a password.
    const createUser = async (passwordHash: string | null = null) => {
      const userId = id('usr');
      await db.users.create({ id: userId, email: `${userId}@example.test`, name: null, passwordHash, role: 'USER', emailVerifiedAt: null, createdAt: T0 });
      return userId;
    };
    const newPasskey = (userId: string, overrides: Partial<NewPasskey> = {}): NewPasskey => ({
      id: id('pk'),
      userId,
      credentialId: id('cred'),
      publicKey: 'pQECAyYgASFYIA',
      // Beyond a signed 32-bit integer: WebAuthn's counter is unsigned.
      signCount: 3_000_000_000,
      transports: ['internal', 'hybrid'],
      backedUp: true,
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'Laptop',
      createdAt: T0,
      ...overrides,
    });
    const create = async (passkey: NewPasskey): Promise<PasskeyRecord> => {
      const created = await db.passkeys.create(passkey);
      if (!created) throw new Error('passkey was not created');
      return created;
    };

    it('stores a passkey and finds it by credential id, exactly as given and never used', async () => {
      const input = newPasskey(await createUser());
      const expected: PasskeyRecord = { ...input, lastUsedAt: null };
      expect(await db.passkeys.create(input)).toEqual(expected);
      expect(await db.passkeys.findByCredentialId(input.credentialId)).toEqual(expected);
      expect(await db.passkeys.findByCredentialId(id('cred'))).toBeNull();
    });

    it('registers a credential id once: a second registration, by anyone, is refused and changes nothing', async () => {
      const first = await create(newPasskey(await createUser()));
      expect(await db.passkeys.create(newPasskey(first.userId, { credentialId: first.credentialId, name: 'Again' }))).toBeNull();
      const intruder = await createUser();
      expect(await db.passkeys.create(newPasskey(intruder, { credentialId: first.credentialId, publicKey: 'other' }))).toBeNull();
      expect(await db.passkeys.findByCredentialId(first.credentialId)).toEqual(first);
      expect(await db.passkeys.listForUser(intruder)).toEqual([]);
    });

    it("lists only the user's passkeys, oldest first", async () => {
      const userId = await createUser();
      const newer = await create(newPasskey(userId, { createdAt: at(10) }));
      const older = await create(newPasskey(userId, { createdAt: at(5) }));
      await create(newPasskey(await createUser()));
      expect(await db.passkeys.listForUser(userId)).toEqual([older, newer]);
    });

    it("renames and removes only the user's own passkey", async () => {
      const mine = await create(newPasskey(await createUser(PASSWORD_HASH)));
      const stranger = await createUser();
      expect(await db.passkeys.rename(stranger, mine.id, 'Stolen')).toBeNull();
      expect(await db.passkeys.remove(stranger, mine.id)).toBe('not_found');
      expect(await db.passkeys.rename(mine.userId, mine.id, 'Phone')).toEqual({ ...mine, name: 'Phone' });
      expect(await db.passkeys.remove(mine.userId, mine.id)).toBe('removed');
      expect(await db.passkeys.remove(mine.userId, mine.id)).toBe('not_found');
      expect(await db.passkeys.findByCredentialId(mine.credentialId)).toBeNull();
      expect(await db.passkeys.rename(mine.userId, mine.id, 'Gone')).toBeNull();
    });

    it('records a use only when the counter moves forward', async () => {
      const passkey = await create(newPasskey(await createUser(), { signCount: 7, backedUp: false }));
      expect(await db.passkeys.recordUse(passkey.id, { signCount: 7, backedUp: true, usedAt: at(1) })).toBe(false);
      expect(await db.passkeys.recordUse(passkey.id, { signCount: 6, backedUp: true, usedAt: at(1) })).toBe(false);
      expect(await db.passkeys.recordUse(passkey.id, { signCount: 0, backedUp: true, usedAt: at(1) })).toBe(false);
      expect(await db.passkeys.findByCredentialId(passkey.credentialId)).toEqual(passkey);
      expect(await db.passkeys.recordUse(passkey.id, { signCount: 8, backedUp: true, usedAt: at(2) })).toBe(true);
      expect(await db.passkeys.findByCredentialId(passkey.credentialId)).toEqual({ ...passkey, signCount: 8, backedUp: true, lastUsedAt: at(2) });
    });

    it('records every use of a passkey whose counter stays 0, as synced passkeys report', async () => {
      const passkey = await create(newPasskey(await createUser(), { signCount: 0 }));
      expect(await db.passkeys.recordUse(passkey.id, { signCount: 0, backedUp: true, usedAt: at(1) })).toBe(true);
      expect(await db.passkeys.recordUse(passkey.id, { signCount: 0, backedUp: true, usedAt: at(2) })).toBe(true);
      expect(await db.passkeys.findByCredentialId(passkey.credentialId)).toMatchObject({ signCount: 0, lastUsedAt: at(2) });
    });

    it('lets exactly one of ten concurrent uses presenting the same counter through', async () => {
      const passkey = await create(newPasskey(await createUser(), { signCount: 1 }));
      const results = await Promise.all(Array.from({ length: 10 }, () => db.passkeys.recordUse(passkey.id, { signCount: 2, backedUp: false, usedAt: at(1) })));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('never removes the last way to sign in: a password, a linked identity or another passkey must remain', async () => {
      const userId = await createUser();
      const first = await create(newPasskey(userId));
      expect(await db.passkeys.remove(userId, first.id)).toBe('last_sign_in_method');
      expect(await db.passkeys.listForUser(userId)).toEqual([first]);
      const second = await create(newPasskey(userId));
      expect(await db.passkeys.remove(userId, first.id)).toBe('removed');
      expect(await db.passkeys.remove(userId, second.id)).toBe('last_sign_in_method');
      await db.oauthAccounts.link(
        { id: id('oa'), userId, provider: 'acme', providerUserId: id('sub'), email: null, createdAt: T0 },
        { securityStamp: 0, removePassword: false },
        T0,
      );
      expect(await db.passkeys.remove(userId, second.id)).toBe('removed');
      expect(await db.passkeys.listForUser(userId)).toEqual([]);
    });

    it('leaves exactly one passkey when removals of the last two race (20 trials)', async () => {
      for (let trial = 0; trial < 20; trial++) {
        const userId = await createUser();
        const [a, b] = [await create(newPasskey(userId)), await create(newPasskey(userId))];
        const outcomes = await Promise.all([db.passkeys.remove(userId, a.id), db.passkeys.remove(userId, b.id)]);
        expect(outcomes.sort()).toEqual(['last_sign_in_method', 'removed']);
        expect(await db.passkeys.listForUser(userId)).toHaveLength(1);
      }
    });

    it('records no use of a removed passkey', async () => {
      const passkey = await create(newPasskey(await createUser(PASSWORD_HASH), { signCount: 0 }));
      expect(await db.passkeys.remove(passkey.userId, passkey.id)).toBe('removed');
      expect(await db.passkeys.recordUse(passkey.id, { signCount: 1, backedUp: false, usedAt: at(1) })).toBe(false);
    });
  });
}

for (const factory of dbTargets) passkeyContract(factory);
