// Database.atomic, the same contract on every driver: PGlite and node-postgres (one transaction) and Neon HTTP
// through the bridge (one non-interactive batch). Steps never see each other's results in JavaScript; `when` makes a
// step conditional on an earlier one inside the database, and any failure leaves nothing of the batch behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError, WriteConflictError } from '../../src/core/errors';
import type { AuditRecord, Database, NewUser } from '../../src/core/ports';
import { dbTargets, type DbTarget, type DbTargetFactory } from '../support/db-targets';
import { openFaultyDatabase } from '../support/faulty-db';

const T0 = new Date('2031-03-01T00:00:00.000Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const id = (prefix: string) => `${prefix}_${crypto.randomUUID()}`;

const newUser = (overrides: Partial<NewUser> = {}): NewUser => {
  const userId = id('usr');
  return { id: userId, email: `${userId}@example.test`, name: null, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', role: 'USER', emailVerifiedAt: null, createdAt: T0, ...overrides };
};
const audit = (userId: string, action = 'REGISTER'): AuditRecord => ({
  id: id('aud'), createdAt: T0, action, outcome: 'success', userId, actorId: userId, ipAddress: null, userAgent: null, requestId: 'req-1', metadata: { via: 'test' },
});
const sessionFor = (userId: string, securityStamp = 0) => {
  const sessionId = id('ses');
  return {
    session: { id: sessionId, userId, createdAt: T0, expiresAt: later(3600), ipAddress: null, userAgent: null, amr: ['pwd'], securityStamp },
    token: { id: id('rt'), sessionId, tokenHash: id('hash'), parentId: null, createdAt: T0, expiresAt: later(3600) },
  };
};
const linkToken = (userId: string, purpose: 'verify_email' | 'reset_password' = 'verify_email') => ({
  id: id('ott'), userId, purpose, tokenHash: id('hash'), createdAt: T0, expiresAt: later(3600),
});

function atomicContract(factory: DbTargetFactory) {
  describe(`Database.atomic on ${factory.kind}`, () => {
    let target: DbTarget;
    let db: Database;
    beforeAll(async () => {
      target = await factory.open();
      db = target.db;
    });
    afterAll(() => target?.dispose());

    it('writes every step and hands back each result in order', async () => {
      const user = newUser();
      const { session, token } = sessionFor(user.id);
      const link = linkToken(user.id);
      const entry = audit(user.id);
      const results = await db.atomic((w) => {
        const created = w.users.create(user);
        return [created, w.audit.append(entry, { when: created }), w.oneTimeTokens.issue(link, { when: created }), w.sessions.createWithRefreshToken(session, token, { recordSignIn: false })] as const;
      });
      expect(results[0]).toMatchObject({ id: user.id, email: user.email, securityStamp: 0 });
      expect(results.slice(1)).toEqual([undefined, undefined, true]);
      expect(await db.audit.listForUser(user.id, 10)).toEqual([{ ...entry }]);
      expect(await db.oneTimeTokens.peek(link.tokenHash, 'verify_email', T0)).toBe(user.id);
      expect(await db.sessions.findById(session.id)).toMatchObject({ userId: user.id, revokedAt: null });
    });

    it('skips the steps conditional on one that did not apply, and keeps the unconditional ones', async () => {
      const first = newUser();
      expect(await db.users.create(first)).not.toBeNull();
      const loser = newUser({ email: first.email });
      const link = linkToken(loser.id);
      const entry = audit(loser.id);
      const other = audit(first.id, 'LOGIN_FAILURE');
      const [created] = await db.atomic((w) => {
        const create = w.users.create(loser);
        return [create, w.audit.append(entry, { when: create }), w.oneTimeTokens.issue(link, { when: create }), w.audit.append(other)] as const;
      });
      expect(created).toBeNull();
      expect(await db.users.findById(loser.id)).toBeNull();
      expect(await db.audit.listForUser(loser.id, 10)).toEqual([]);
      expect(await db.oneTimeTokens.peek(link.tokenHash, 'verify_email', T0)).toBeNull();
      expect(await db.audit.listForUser(first.id, 10)).toEqual([other]);
    });

    it('tells an update made by this batch from a row that merely exists: a spent link changes no password', async () => {
      const user = (await db.users.create(newUser()))!;
      const { session, token } = sessionFor(user.id);
      expect(await db.sessions.createWithRefreshToken(session, token, { recordSignIn: false })).toBe(true);
      const link = linkToken(user.id, 'reset_password');
      await db.oneTimeTokens.issue(link);
      const reset = (newHash: string) =>
        db.atomic((w) => {
          const spent = w.oneTimeTokens.consume(link.tokenHash, 'reset_password', later(60));
          const changed = w.users.changePassword(user.id, newHash, later(60), { reset: true }, { when: spent });
          return [spent, changed, w.sessions.revokeAllForUser(user.id, later(60), 'password_reset', undefined, { when: changed }), w.audit.append(audit(user.id, 'PASSWORD_RESET'), { when: changed })] as const;
        });
      const [spent, changed, revoked] = await reset('$argon2id$first');
      expect(spent).toBe(user.id);
      expect(changed).toMatchObject({ passwordHash: '$argon2id$first', securityStamp: user.securityStamp + 1 });
      expect(revoked).toEqual([session.id]);
      // The same link again: the token row exists (spent), but this batch did not write it, so nothing follows.
      const { session: fresh, token: freshToken } = sessionFor(user.id, user.securityStamp + 1);
      expect(await db.sessions.createWithRefreshToken(fresh, freshToken, { recordSignIn: false })).toBe(true);
      expect(await reset('$argon2id$second')).toEqual([null, null, [], undefined]);
      expect(await db.users.findById(user.id)).toMatchObject({ passwordHash: '$argon2id$first' });
      expect(await db.sessions.findById(fresh.id)).toMatchObject({ revokedAt: null });
      expect((await db.audit.listForUser(user.id, 10)).map((row) => row.action)).toEqual(['PASSWORD_RESET']);
    });

    it('claims a TOTP step, turns MFA off and revokes in one batch; a replayed step changes nothing', async () => {
      const user = (await db.users.create(newUser()))!;
      expect(await db.mfa.savePending(user.id, { secretEncrypted: 'sealed', backupCodeHashes: ['h1', 'h2'] }, T0)).toBe(true);
      expect(await db.mfa.activate(user.id, 'sealed', 100, T0)).toBe(true);
      const disable = (step: number) =>
        db.atomic((w) => {
          const claim = w.mfa.useTotpStep(user.id, step, later(30));
          const off = w.mfa.disable(user.id, later(30), undefined, { when: claim });
          return [claim, off, w.sessions.revokeAllForUser(user.id, later(30), 'mfa_disabled', undefined, { when: off })] as const;
        });
      // Step 100 was used by the activation: a replay claims nothing and MFA stays on.
      expect(await disable(100)).toEqual([false, null, []]);
      expect(await db.users.findById(user.id)).toMatchObject({ mfaSecretEncrypted: 'sealed', mfaLastUsedStep: 100 });
      const [claimed, off] = await disable(101);
      expect(claimed).toBe(true);
      expect(off).toMatchObject({ mfaEnabledAt: null, mfaSecretEncrypted: null, mfaLastUsedStep: null });
    });

    it('writes nothing when a later step fails, and answers a lost unique key with WriteConflictError', async () => {
      const user = newUser();
      const taken = audit(user.id);
      await db.audit.append(taken);
      const error = await db
        .atomic((w) => {
          const created = w.users.create(user);
          return [created, w.oneTimeTokens.issue(linkToken(user.id), { when: created }), w.audit.append({ ...audit(user.id), id: taken.id }, { when: created })] as const;
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriteConflictError);
      expect(await db.users.findById(user.id)).toBeNull();
      expect(await db.audit.listForUser(user.id, 10)).toEqual([taken]);
    });

    it('runs an empty batch as nothing at all', async () => {
      expect(await db.atomic(() => [] as const)).toEqual([]);
    });
  });
}

for (const factory of dbTargets) atomicContract(factory);

describe('Database.atomic on node-postgres when the connection fails', () => {
  it('gives the connection back whichever statement failed, BEGIN and COMMIT included, so the pool never runs dry', async () => {
    // One connection in the pool: a batch that kept it would leave every later statement waiting forever.
    const target = await openFaultyDatabase('postgres', { poolSize: 1 });
    try {
      const user = newUser();
      for (let n = 1; n <= 4; n++) {
        target.faults.failNth(n);
        const error = await target.db
          .atomic((w) => {
            const created = w.users.create({ ...user });
            return [created, w.audit.append(audit(user.id), { when: created })] as const;
          })
          .catch((e: unknown) => e);
        // BEGIN, the two statements, COMMIT: each failure is an outage (503), and nothing was written.
        expect(target.faults.injected).toBe(true);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        target.faults.failNth(null);
        expect(await target.db.users.findById(user.id)).toBeNull();
      }
      const [created] = await target.db.atomic((w) => [w.users.create(user)] as const);
      expect(created).toMatchObject({ id: user.id });
    } finally {
      await target.dispose();
    }
  });
});
