// One contract for the Database port, run against every driver: PGlite, node-postgres and Neon HTTP (through
// the bridge), each on a database of its own. Time is always passed in, so nothing here sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, NewUser, UserRecord } from '../../src/core/ports';
import { dbTargets, type DbTarget, type DbTargetFactory } from '../support/db-targets';
import { oauthAccountContract } from './db.contract.oauth';

const T0 = new Date('2030-01-01T00:00:00.123Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
// Purging is database-wide: purge tests live years before everything else, so their counts are exact.
const EARLY = new Date('2020-06-01T00:00:00.000Z');
const early = (seconds: number) => new Date(EARLY.getTime() + seconds * 1000);
const HOUR = 3600;
const id = (prefix: string) => `${prefix}_${crypto.randomUUID()}`;

function databaseContract(factory: DbTargetFactory) {
  describe(`Database contract on ${factory.kind}`, () => {
    let target: DbTarget;
    let db: Database;
    beforeAll(async () => {
      target = await factory.open();
      db = target.db;
    });
    afterAll(() => target?.dispose());

    const newUser = (overrides: Partial<NewUser> = {}): NewUser => {
      const userId = id('usr');
      return { id: userId, email: `${userId}@example.test`, name: 'Ada', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', role: 'USER', emailVerifiedAt: null, createdAt: T0, ...overrides };
    };
    const createUser = async (overrides: Partial<NewUser> = {}): Promise<UserRecord> => {
      const user = await db.users.create(newUser(overrides));
      if (!user) throw new Error('user was not created');
      return user;
    };
    /** A user with a session (ends at T0 + 1 h) and its first refresh token (hash returned). */
    const startSession = async (options: { userId?: string; expiresAt?: Date; createdAt?: Date; stamp?: number; recordSignIn?: boolean } = {}) => {
      const userId = options.userId ?? (await createUser()).id;
      const sessionId = id('ses');
      const tokenHash = id('hash');
      const createdAt = options.createdAt ?? T0;
      const created = await db.sessions.createWithRefreshToken(
        { id: sessionId, userId, createdAt, expiresAt: options.expiresAt ?? at(HOUR), ipAddress: '203.0.113.7', userAgent: 'Firefox/140', amr: ['pwd', 'otp'], securityStamp: options.stamp ?? 0 },
        { id: id('rt'), sessionId, tokenHash, parentId: null, createdAt, expiresAt: options.expiresAt ?? at(HOUR) },
        { recordSignIn: options.recordSignIn ?? false },
      );
      return { userId, sessionId, tokenHash, created };
    };
    const policy = { threshold: 5, lockSeconds: 900 };
    const child = (now: Date = T0) => ({ id: id('rt'), tokenHash: id('hash'), createdAt: now, expiresAt: at(HOUR) });

    describe('users', () => {
      it('stores a new user and reads it back with defaults and exact timestamps', async () => {
        const input = newUser({ emailVerifiedAt: at(5) });
        const created = await db.users.create(input);
        const expected: UserRecord = {
          ...input, mfaSecretEncrypted: null, mfaEnabledAt: null, mfaLastUsedStep: null, failedLoginCount: 0,
          lockedUntil: null, deletedAt: null, updatedAt: T0, lastLoginAt: null, securityStamp: 0,
        };
        expect(created).toEqual(expected);
        expect(await db.users.findById(input.id)).toEqual(expected);
        expect(await db.users.findByEmail(input.email)).toEqual(expected);
      });

      it('keeps an OAuth-only user without a password hash and with an elevated role', async () => {
        const user = await createUser({ passwordHash: null, role: 'SUPER_ADMIN', name: null });
        expect(await db.users.findById(user.id)).toMatchObject({ passwordHash: null, role: 'SUPER_ADMIN', name: null });
      });

      it('returns null instead of throwing when the e-mail is already registered, keeping the first account', async () => {
        const first = await createUser();
        expect(await db.users.create(newUser({ email: first.email, name: 'Mallory' }))).toBeNull();
        expect(await db.users.findByEmail(first.email)).toMatchObject({ id: first.id, name: 'Ada' });
      });

      it('finds nobody for an unknown id or e-mail', async () => {
        expect(await db.users.findById(id('usr'))).toBeNull();
        expect(await db.users.findByEmail('nobody@example.test')).toBeNull();
      });

      it('updates the name and the update time, and answers null for an unknown user', async () => {
        const user = await createUser();
        expect(await db.users.updateName(user.id, 'Grace', at(60))).toMatchObject({ name: 'Grace', updatedAt: at(60) });
        expect(await db.users.updateName(user.id, null, at(61))).toMatchObject({ name: null });
        expect(await db.users.updateName(id('usr'), 'Ghost', at(60))).toBeNull();
      });

      it('re-hashes only over the hash it verified (compare-and-set), keeping the stamp', async () => {
        const user = await createUser();
        expect(await db.users.rehashPassword(user.id, user.passwordHash!, '$argon2id$rehashed', at(10))).toBe(true);
        expect(await db.users.rehashPassword(user.id, user.passwordHash!, '$argon2id$stale', at(11))).toBe(false);
        expect(await db.users.findById(user.id)).toMatchObject({ passwordHash: '$argon2id$rehashed', updatedAt: at(10), securityStamp: 0 });
      });

      it('changes the password with a new stamp, compare-and-set on the old hash, carrying one session over', async () => {
        const { userId, sessionId, tokenHash } = await startSession();
        const other = await startSession({ userId });
        const user = (await db.users.findById(userId))!;
        expect(await db.users.changePassword(userId, '$argon2id$stale', at(9), { expectedHash: '$argon2id$not-it' })).toBeNull();
        const changed = await db.users.changePassword(userId, '$argon2id$new', at(10), { expectedHash: user.passwordHash!, keepSessionId: sessionId });
        expect(changed).toMatchObject({ passwordHash: '$argon2id$new', securityStamp: 1, updatedAt: at(10) });
        // The kept session still refreshes; the other one, stamped before the change, does not.
        expect((await db.sessions.rotateRefreshToken(tokenHash, child(at(20)), at(20))).kind).toBe('rotated');
        expect((await db.sessions.rotateRefreshToken(other.tokenHash, child(at(20)), at(20))).kind).toBe('invalid');
      });

      it('resets the password: new stamp, lock and failures cleared, e-mail verified', async () => {
        const user = await createUser();
        await db.users.lockUntil(user.id, at(900), at(1));
        const reset = await db.users.changePassword(user.id, '$argon2id$reset', at(10), { reset: true });
        expect(reset).toMatchObject({ passwordHash: '$argon2id$reset', lockedUntil: null, failedLoginCount: 0, emailVerifiedAt: at(10), securityStamp: 2 });
      });

      it('counts concurrent login failures without losing one and locks exactly once', async () => {
        const user = await createUser();
        const results = await Promise.all(Array.from({ length: 7 }, () => db.users.recordLoginFailure(user.id, at(1), policy)));
        expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(results.filter((r) => r.lockedUntil !== null)).toEqual([{ failures: 5, lockedUntil: at(901) }]);
        expect(await db.users.findById(user.id)).toMatchObject({ failedLoginCount: 7, lockedUntil: at(901) });
      });

      it('starts the count again after a lock has lapsed', async () => {
        const user = await createUser();
        for (let i = 0; i < 5; i++) await db.users.recordLoginFailure(user.id, at(1), policy);
        expect(await db.users.recordLoginFailure(user.id, at(902), policy)).toEqual({ failures: 1, lockedUntil: null });
        expect(await db.users.findById(user.id)).toMatchObject({ failedLoginCount: 1, lockedUntil: null });
      });

      it('records a sign-in with the session: last login stamped, failures cleared, a lapsed lock gone', async () => {
        const user = await createUser();
        await db.users.recordLoginFailure(user.id, at(1), policy);
        await startSession({ userId: user.id, createdAt: at(3), recordSignIn: true });
        expect(await db.users.findById(user.id)).toMatchObject({ failedLoginCount: 0, lastLoginAt: at(3) });
      });

      it('locks until a given time (rotating the stamp) and unlocks clearing the failure counter', async () => {
        const user = await createUser();
        await db.users.recordLoginFailure(user.id, at(1), policy);
        await db.users.lockUntil(user.id, at(900), at(2));
        expect(await db.users.findById(user.id)).toMatchObject({ lockedUntil: at(900), failedLoginCount: 1, securityStamp: 1 });
        await db.users.unlock(user.id, at(3));
        expect(await db.users.findById(user.id)).toMatchObject({ lockedUntil: null, failedLoginCount: 0, updatedAt: at(3) });
      });

      it('marks the e-mail verified once and keeps the first verification time', async () => {
        const user = await createUser();
        expect(await db.users.markEmailVerified(user.id, at(10))).toMatchObject({ emailVerifiedAt: at(10) });
        expect(await db.users.markEmailVerified(user.id, at(20))).toMatchObject({ emailVerifiedAt: at(10) });
        expect(await db.users.markEmailVerified(id('usr'), at(20))).toBeNull();
      });

      it('soft-deletes once, keeping the row and the first deletion time, and rotates the stamp', async () => {
        const user = await createUser();
        await db.users.softDelete(user.id, at(10));
        await db.users.softDelete(user.id, at(20));
        expect(await db.users.findById(user.id)).toMatchObject({ id: user.id, deletedAt: at(10), securityStamp: 2 });
        expect(await db.users.findByEmail(user.email)).toMatchObject({ deletedAt: at(10) });
      });
    });

    describe('sessions', () => {
      it('creates a session with its first refresh token in one call', async () => {
        const { userId, sessionId, tokenHash } = await startSession();
        expect(await db.sessions.findById(sessionId)).toEqual({
          id: sessionId, userId, createdAt: T0, lastUsedAt: T0, expiresAt: at(HOUR), revokedAt: null,
          ipAddress: '203.0.113.7', userAgent: 'Firefox/140', amr: ['pwd', 'otp'],
        });
        expect((await db.sessions.rotateRefreshToken(tokenHash, child(), at(1))).kind).toBe('rotated');
      });

      it('creates nothing for an unknown user, a stale stamp, a deleted or a locked user', async () => {
        const unknown = await startSession({ userId: id('usr') });
        expect(unknown.created).toBe(false);
        expect(await db.sessions.findById(unknown.sessionId)).toBeNull();
        const user = await createUser();
        expect((await startSession({ userId: user.id, stamp: 1 })).created).toBe(false);
        await db.users.lockUntil(user.id, at(900), at(1));
        expect((await startSession({ userId: user.id, stamp: 1, createdAt: at(2) })).created).toBe(false);
        const lapsed = await startSession({ userId: user.id, stamp: 1, createdAt: at(901) });
        expect(lapsed.created).toBe(true);
        await db.users.softDelete(user.id, at(902));
        const deleted = await startSession({ userId: user.id, stamp: 2, createdAt: at(903) });
        expect(deleted.created).toBe(false);
        expect(await db.sessions.findById(deleted.sessionId)).toBeNull();
        expect(await db.sessions.listActiveForUser(user.id, at(903))).toHaveLength(1);
      });

      it('audits a sign-in and a rotation in the statement that makes them, and nothing when they are refused', async () => {
        const audit = (action: string, createdAt: Date) => ({
          id: id('aud'), createdAt, action, outcome: 'success' as const, ipAddress: '203.0.113.7', userAgent: 'Firefox/140', requestId: id('req'), metadata: { method: 'password' },
        });
        const user = await createUser();
        const sessionId = id('ses');
        const tokenHash = id('hash');
        const session = { id: sessionId, userId: user.id, createdAt: T0, expiresAt: at(HOUR), ipAddress: '203.0.113.7', userAgent: 'Firefox/140', amr: ['pwd'], securityStamp: 0 };
        const token = { id: id('rt'), sessionId, tokenHash, parentId: null, createdAt: T0, expiresAt: at(HOUR) };
        const signIn = audit('LOGIN_SUCCESS', T0);
        expect(await db.sessions.createWithRefreshToken(session, token, { recordSignIn: true, audit: signIn })).toBe(true);
        const refused = audit('LOGIN_SUCCESS', at(1));
        const staleSession = { ...session, id: id('ses'), securityStamp: 7 };
        expect(await db.sessions.createWithRefreshToken(staleSession, { ...token, id: id('rt'), sessionId: staleSession.id, tokenHash: id('hash') }, { recordSignIn: true, audit: refused })).toBe(false);

        const rotation = audit('TOKEN_REFRESHED', at(2));
        expect((await db.sessions.rotateRefreshToken(tokenHash, child(at(2)), at(2), { ...rotation, metadata: {} })).kind).toBe('rotated');
        // A replay rotates nothing, so it audits nothing either.
        expect((await db.sessions.rotateRefreshToken(tokenHash, child(at(3)), at(3), audit('TOKEN_REFRESHED', at(3)))).kind).toBe('spent');

        const rows = await db.audit.listForUser(user.id, 10);
        expect(rows).toEqual([
          { ...rotation, userId: user.id, actorId: user.id, metadata: { sessionId } },
          { ...signIn, userId: user.id, actorId: user.id },
        ]);
      });

      it('a stamp rotation racing 20 sign-ins verified against the old stamp leaves none of them alive after it', async () => {
        const user = await createUser();
        const attempts = Array.from({ length: 20 }, (_, i) => startSession({ userId: user.id, createdAt: at(i) }));
        const [rotated] = await Promise.all([db.users.rotateSecurityStamp(user.id, at(5)), ...attempts]);
        expect(rotated).toMatchObject({ securityStamp: 1 });
        const results = await Promise.all(attempts);
        // Whatever was created before the rotation is stamped 0 and can no longer refresh.
        for (const r of results.filter((r) => r.created)) {
          expect((await db.sessions.rotateRefreshToken(r.tokenHash, child(at(30)), at(30))).kind).toBe('invalid');
        }
        expect((await startSession({ userId: user.id, createdAt: at(40) })).created).toBe(false);
      });

      it('rotates a live token: the session is touched, the user returned and the child works next', async () => {
        const { userId, sessionId, tokenHash } = await startSession();
        const first = child(at(30));
        const outcome = await db.sessions.rotateRefreshToken(tokenHash, first, at(30));
        expect(outcome).toMatchObject({ kind: 'rotated', session: { id: sessionId, lastUsedAt: at(30), amr: ['pwd', 'otp'] }, user: { id: userId } });
        expect((await db.sessions.rotateRefreshToken(first.tokenHash, child(at(60)), at(60))).kind).toBe('rotated');
      });

      it('lets exactly one of ten concurrent rotations of one token win; the others see the same live child', async () => {
        const { tokenHash } = await startSession();
        const children = Array.from({ length: 10 }, () => child(at(5)));
        const outcomes = await Promise.all(children.map((c) => db.sessions.rotateRefreshToken(tokenHash, c, at(5))));
        const rotated = outcomes.flatMap((o, i) => (o.kind === 'rotated' ? [children[i]!] : []));
        expect(rotated).toHaveLength(1);
        const spent = outcomes.filter((o) => o.kind === 'spent');
        expect(spent).toHaveLength(9);
        for (const o of spent) expect(o).toMatchObject({ childTokenHash: rotated[0]!.tokenHash, childLive: true, spentAt: at(5) });
      });

      it('reports a replayed parent as spent with a dead child once the child itself was rotated', async () => {
        const { sessionId, tokenHash } = await startSession();
        const first = child(at(10));
        await db.sessions.rotateRefreshToken(tokenHash, first, at(10));
        await db.sessions.rotateRefreshToken(first.tokenHash, child(at(20)), at(20));
        const replay = await db.sessions.rotateRefreshToken(tokenHash, child(at(30)), at(30));
        expect(replay).toMatchObject({ kind: 'spent', session: { id: sessionId }, spentAt: at(10), childTokenHash: first.tokenHash, childLive: false });
      });

      it('reports a spent parent with a dead child once the session was revoked', async () => {
        const { userId, sessionId, tokenHash } = await startSession();
        await db.sessions.rotateRefreshToken(tokenHash, child(at(10)), at(10));
        await db.sessions.revoke(userId, sessionId, at(11), 'logout');
        expect(await db.sessions.rotateRefreshToken(tokenHash, child(at(12)), at(12))).toMatchObject({ kind: 'spent', childLive: false });
      });

      it('refuses an unknown token', async () => {
        expect(await db.sessions.rotateRefreshToken(id('hash'), child(), T0)).toEqual({ kind: 'invalid' });
      });


      it('refuses a token of a revoked session', async () => {
        const { userId, sessionId, tokenHash } = await startSession();
        expect(await db.sessions.revoke(userId, sessionId, at(1), 'logout')).toBe(true);
        expect(await db.sessions.rotateRefreshToken(tokenHash, child(at(2)), at(2))).toEqual({ kind: 'invalid' });
      });

      it('refuses a token after the absolute end of its session', async () => {
        const { tokenHash } = await startSession({ expiresAt: at(60) });
        expect(await db.sessions.rotateRefreshToken(tokenHash, child(at(61)), at(61))).toEqual({ kind: 'invalid' });
      });

      it('refuses a token of a deleted user', async () => {
        const { userId, tokenHash } = await startSession();
        await db.users.softDelete(userId, at(1));
        expect(await db.sessions.rotateRefreshToken(tokenHash, child(at(2)), at(2))).toEqual({ kind: 'invalid' });
      });

      it('refuses a token of a user locked out by failures until the lock has passed', async () => {
        const { userId, tokenHash } = await startSession();
        for (let i = 0; i < 5; i++) await db.users.recordLoginFailure(userId, at(1), { threshold: 5, lockSeconds: 99 });
        expect(await db.sessions.rotateRefreshToken(tokenHash, child(at(2)), at(2))).toEqual({ kind: 'invalid' });
        expect((await db.sessions.rotateRefreshToken(tokenHash, child(at(100)), at(100))).kind).toBe('rotated');
      });

      it('refuses a token of a user locked by an administrator for good: the lock rotated the stamp', async () => {
        const { userId, tokenHash } = await startSession();
        await db.users.lockUntil(userId, at(100), at(1));
        expect(await db.sessions.rotateRefreshToken(tokenHash, child(at(2)), at(2))).toEqual({ kind: 'invalid' });
        expect(await db.sessions.rotateRefreshToken(tokenHash, child(at(100)), at(100))).toEqual({ kind: 'invalid' });
      });

      it('lists only active sessions of the user, most recently used first', async () => {
        const user = await createUser();
        const older = await startSession({ userId: user.id });
        const newer = await startSession({ userId: user.id });
        const revoked = await startSession({ userId: user.id });
        await startSession({ userId: user.id, expiresAt: at(10) });
        await startSession();
        await db.sessions.touch(newer.sessionId, at(5));
        await db.sessions.revoke(user.id, revoked.sessionId, at(6), 'logout');
        const active = await db.sessions.listActiveForUser(user.id, at(20));
        expect(active.map((s) => s.id)).toEqual([newer.sessionId, older.sessionId]);
        expect(active[0]).toMatchObject({ lastUsedAt: at(5), amr: ['pwd', 'otp'] });
      });

      it('counts the sessions neither revoked nor expired, of every user', async () => {
        const before = await db.sessions.countActive(at(20));
        const user = await createUser();
        await startSession({ userId: user.id });
        await startSession();
        const revoked = await startSession({ userId: user.id });
        await startSession({ userId: user.id, expiresAt: at(10) });
        await db.sessions.revoke(user.id, revoked.sessionId, at(6), 'logout');
        expect((await db.sessions.countActive(at(20))) - before).toBe(2);
      });

      it("revokes the user's own session once and never another user's", async () => {
        const mine = await startSession();
        const theirs = await startSession();
        expect(await db.sessions.revoke(mine.userId, theirs.sessionId, at(1), 'logout')).toBe(false);
        expect((await db.sessions.findById(theirs.sessionId))?.revokedAt).toBeNull();
        expect(await db.sessions.revoke(mine.userId, mine.sessionId, at(1), 'logout')).toBe(true);
        expect(await db.sessions.revoke(mine.userId, mine.sessionId, at(2), 'logout')).toBe(false);
        expect((await db.sessions.findById(mine.sessionId))?.revokedAt).toEqual(at(1));
      });

      it('revokes every other active session of the user, keeping the current one and other users', async () => {
        const user = await createUser();
        const current = await startSession({ userId: user.id });
        const others = [await startSession({ userId: user.id }), await startSession({ userId: user.id })];
        const stranger = await startSession();
        const revoked = await db.sessions.revokeAllForUser(user.id, at(1), 'password_changed', current.sessionId);
        expect([...revoked].sort()).toEqual(others.map((s) => s.sessionId).sort());
        expect((await db.sessions.listActiveForUser(user.id, at(2))).map((s) => s.id)).toEqual([current.sessionId]);
        expect(await db.sessions.listActiveForUser(stranger.userId, at(2))).toHaveLength(1);
        expect(await db.sessions.revokeAllForUser(user.id, at(3), 'password_reset')).toEqual([current.sessionId]);
      });

      it('purges sessions and tokens that expired or were revoked before the cutoff, and counts them', async () => {
        const user = await createUser({ createdAt: EARLY });
        const expired = await startSession({ userId: user.id, createdAt: EARLY, expiresAt: early(10) });
        const revoked = await startSession({ userId: user.id, createdAt: EARLY, expiresAt: early(HOUR) });
        const live = await startSession({ userId: user.id, createdAt: EARLY, expiresAt: early(HOUR) });
        await db.sessions.revoke(user.id, revoked.sessionId, early(20), 'logout');
        // Each purged session takes its one refresh token with it: 2 sessions + 2 tokens.
        expect(await db.sessions.purgeExpired(early(30), 1000)).toEqual({ removed: 4, done: true });
        expect(await db.sessions.findById(expired.sessionId)).toBeNull();
        expect(await db.sessions.findById(revoked.sessionId)).toBeNull();
        expect((await db.sessions.rotateRefreshToken(live.tokenHash, child(early(40)), early(40))).kind).toBe('rotated');
      });

      it('purges a backlog in steps of at most `limit` sessions, saying when nothing is left', async () => {
        const user = await createUser({ createdAt: EARLY });
        const doomed = [];
        for (let i = 0; i < 5; i++) doomed.push(await startSession({ userId: user.id, createdAt: EARLY, expiresAt: early(10) }));
        const live = await startSession({ userId: user.id, createdAt: EARLY, expiresAt: early(HOUR) });
        // 2 sessions and their 2 tokens per step; the third step finds the last one, fewer than the limit.
        expect(await db.sessions.purgeExpired(early(30), 2)).toEqual({ removed: 4, done: false });
        expect(await db.sessions.purgeExpired(early(30), 2)).toEqual({ removed: 4, done: false });
        expect(await db.sessions.purgeExpired(early(30), 2)).toEqual({ removed: 2, done: true });
        for (const session of doomed) expect(await db.sessions.findById(session.sessionId)).toBeNull();
        expect(await db.sessions.findById(live.sessionId)).not.toBeNull();
        expect(await db.sessions.purgeExpired(early(30), 2)).toEqual({ removed: 0, done: true });
      });

      it('purges a refresh token that expired while its session lives on', async () => {
        const user = await createUser({ createdAt: EARLY });
        const session = await startSession({ userId: user.id, createdAt: EARLY, expiresAt: early(HOUR) });
        const shortLived = { ...child(early(5)), expiresAt: early(10) };
        await db.sessions.rotateRefreshToken(session.tokenHash, shortLived, early(5));
        // Only the expired child goes (the spent parent lasts an hour), and the session stays.
        expect(await db.sessions.purgeExpired(early(30), 1000)).toEqual({ removed: 1, done: true });
        expect(await db.sessions.findById(session.sessionId)).not.toBeNull();
        expect(await db.sessions.rotateRefreshToken(shortLived.tokenHash, child(early(31)), early(31))).toEqual({ kind: 'invalid' });
      });
    });

    describe('one-time tokens', () => {
      const issue = async (userId: string, purpose: 'verify_email' | 'reset_password', createdAt = T0, expiresAt = at(HOUR)) => {
        const tokenHash = id('hash');
        await db.oneTimeTokens.issue({ id: id('ott'), userId, purpose, tokenHash, createdAt, expiresAt });
        return tokenHash;
      };

      it('hands out the user id once per token', async () => {
        const user = await createUser();
        const token = await issue(user.id, 'verify_email');
        expect(await db.oneTimeTokens.consume(token, 'verify_email', at(1))).toBe(user.id);
        expect(await db.oneTimeTokens.consume(token, 'verify_email', at(2))).toBeNull();
      });

      it('peeks at a live token without using it up, and sees nothing once it is used, expired or of another purpose', async () => {
        const user = await createUser();
        const token = await issue(user.id, 'reset_password', T0, at(60));
        expect(await db.oneTimeTokens.peek(token, 'reset_password', at(1))).toBe(user.id);
        expect(await db.oneTimeTokens.peek(token, 'verify_email', at(1))).toBeNull();
        expect(await db.oneTimeTokens.peek(token, 'reset_password', at(60))).toBeNull();
        expect(await db.oneTimeTokens.consume(token, 'reset_password', at(2))).toBe(user.id);
        expect(await db.oneTimeTokens.peek(token, 'reset_password', at(3))).toBeNull();
      });

      it('refuses a token used for another purpose, which then still works for its own', async () => {
        const user = await createUser();
        const token = await issue(user.id, 'verify_email');
        expect(await db.oneTimeTokens.consume(token, 'reset_password', at(1))).toBeNull();
        expect(await db.oneTimeTokens.consume(token, 'verify_email', at(2))).toBe(user.id);
      });

      it('refuses an expired or unknown token', async () => {
        const user = await createUser();
        const token = await issue(user.id, 'reset_password', T0, at(60));
        expect(await db.oneTimeTokens.consume(token, 'reset_password', at(60))).toBeNull();
        expect(await db.oneTimeTokens.consume(id('hash'), 'reset_password', at(1))).toBeNull();
      });

      it('lets only the newest token of a user and purpose work', async () => {
        const user = await createUser();
        const older = await issue(user.id, 'reset_password', T0);
        const verify = await issue(user.id, 'verify_email', at(1));
        const newer = await issue(user.id, 'reset_password', at(2));
        expect(await db.oneTimeTokens.consume(older, 'reset_password', at(3))).toBeNull();
        expect(await db.oneTimeTokens.consume(newer, 'reset_password', at(3))).toBe(user.id);
        expect(await db.oneTimeTokens.consume(verify, 'verify_email', at(3))).toBe(user.id);
      });

      it('purges tokens expired or used before the cutoff and counts them', async () => {
        const user = await createUser({ createdAt: EARLY });
        await issue(user.id, 'verify_email', EARLY, early(10));
        const used = await issue(user.id, 'reset_password', EARLY, early(HOUR));
        await db.oneTimeTokens.consume(used, 'reset_password', early(5));
        const otherUser = await createUser({ createdAt: EARLY });
        const live = await issue(otherUser.id, 'reset_password', EARLY, early(HOUR));
        expect(await db.oneTimeTokens.purgeExpired(early(20), 1)).toEqual({ removed: 1, done: false });
        expect(await db.oneTimeTokens.purgeExpired(early(20), 1)).toEqual({ removed: 1, done: false });
        expect(await db.oneTimeTokens.purgeExpired(early(20), 1)).toEqual({ removed: 0, done: true });
        expect(await db.oneTimeTokens.consume(live, 'reset_password', early(30))).toBe(otherUser.id);
      });
    });

    oauthAccountContract({ db: () => db, newUser, createUser, at, id });

    describe('mfa', () => {
      const codeSet = (tag: string) => Array.from({ length: 8 }, (_, i) => `${tag}-${i}-${crypto.randomUUID()}`);
      /** A user with MFA on (secret "sealed:one", last used step `step`) and the hashes of its backup codes. */
      const enrolled = async (step = 100) => {
        const user = await createUser();
        const codes = codeSet('enrolled');
        expect(await db.mfa.savePending(user.id, { secretEncrypted: 'sealed:one', backupCodeHashes: codes }, at(1))).toBe(true);
        expect(await db.mfa.activate(user.id, 'sealed:one', step, at(2))).toBe(true);
        return { user, codes };
      };
      const spendAll = async (userId: string, codes: string[]) => {
        const spent = await Promise.all(codes.map((code) => db.mfa.useBackupCode(userId, code, at(50))));
        return codes.filter((_, i) => spent[i] !== null);
      };

      it('keeps an enrolment pending until it is activated with the secret the code was checked against', async () => {
        const user = await createUser();
        const first = codeSet('first');
        const second = codeSet('second');
        expect(await db.mfa.savePending(user.id, { secretEncrypted: 'sealed:first', backupCodeHashes: first }, at(1))).toBe(true);
        expect(await db.users.findById(user.id)).toMatchObject({ mfaSecretEncrypted: 'sealed:first', mfaEnabledAt: null });
        expect(await db.mfa.useBackupCode(user.id, first[0]!, at(2))).toBeNull(); // pending codes do not work yet
        expect(await db.mfa.savePending(user.id, { secretEncrypted: 'sealed:second', backupCodeHashes: second }, at(3))).toBe(true);
        expect(await db.mfa.activate(user.id, 'sealed:first', 100, at(4))).toBe(false);
        expect(await db.mfa.activate(user.id, 'sealed:second', 100, at(5))).toBe(true);
        expect(await db.users.findById(user.id)).toMatchObject({ mfaSecretEncrypted: 'sealed:second', mfaEnabledAt: at(5), mfaLastUsedStep: 100 });
        expect(await spendAll(user.id, first)).toEqual([]);
        expect(await db.mfa.useBackupCode(user.id, second[0]!, at(6))).toEqual({ remaining: 7 });
        expect(await db.mfa.savePending(user.id, { secretEncrypted: 'sealed:third', backupCodeHashes: codeSet('third') }, at(7))).toBe(false);
        expect(await db.mfa.activate(user.id, 'sealed:second', 200, at(8))).toBe(false);
      });

      it('accepts only TOTP steps newer than the last one used; of ten concurrent uses of one step exactly one wins', async () => {
        const { user } = await enrolled(100);
        expect(await db.mfa.useTotpStep(user.id, 100, at(10))).toBe(false);
        expect(await db.mfa.useTotpStep(user.id, 99, at(10))).toBe(false);
        expect(await db.mfa.useTotpStep(user.id, 101, at(10))).toBe(true);
        expect(await db.mfa.useTotpStep(user.id, 101, at(11))).toBe(false);
        const racing = await Promise.all(Array.from({ length: 10 }, () => db.mfa.useTotpStep(user.id, 102, at(12))));
        expect(racing.filter(Boolean)).toHaveLength(1);
        expect(await db.users.findById(user.id)).toMatchObject({ mfaLastUsedStep: 102 });
        const pending = await createUser();
        await db.mfa.savePending(pending.id, { secretEncrypted: 'sealed:p', backupCodeHashes: codeSet('p') }, at(1));
        expect(await db.mfa.useTotpStep(pending.id, 500, at(13))).toBe(false);
      });

      it('spends each backup code once, counting the unused ones left; five concurrent uses of one code succeed once', async () => {
        const { user, codes } = await enrolled();
        expect(await db.mfa.useBackupCode(user.id, codes[0]!, at(10))).toEqual({ remaining: 7 });
        expect(await db.mfa.useBackupCode(user.id, codes[0]!, at(11))).toBeNull();
        expect(await db.mfa.useBackupCode(user.id, 'not-a-code', at(11))).toBeNull();
        const other = await createUser();
        expect(await db.mfa.useBackupCode(other.id, codes[1]!, at(11))).toBeNull(); // another user's code
        const racing = await Promise.all(Array.from({ length: 5 }, () => db.mfa.useBackupCode(user.id, codes[1]!, at(12))));
        expect(racing.filter((r) => r !== null)).toEqual([{ remaining: 6 }]);
      });

      it('replaces the backup-code set while MFA is on; two racing replacements leave exactly one set of eight', async () => {
        const { user, codes } = await enrolled();
        const next = codeSet('next');
        expect(await db.mfa.replaceBackupCodes(user.id, next, at(10))).toBe(true);
        expect(await spendAll(user.id, codes)).toEqual([]);
        expect(await db.mfa.useBackupCode(user.id, next[0]!, at(11))).toEqual({ remaining: 7 });
        const [a, b] = [codeSet('a'), codeSet('b')];
        expect(await Promise.all([db.mfa.replaceBackupCodes(user.id, a, at(20)), db.mfa.replaceBackupCodes(user.id, b, at(20))])).toEqual([true, true]);
        const live = [...(await spendAll(user.id, a)), ...(await spendAll(user.id, b))];
        expect([a, b]).toContainEqual(live);
        const off = await createUser();
        expect(await db.mfa.replaceBackupCodes(off.id, codeSet('off'), at(21))).toBe(false);
      });

      it('replaces the secret only over the value it read (compare-and-set)', async () => {
        const { user } = await enrolled();
        expect(await db.mfa.replaceSecret(user.id, 'sealed:stale', 'sealed:never', at(10))).toBe(false);
        expect(await db.mfa.replaceSecret(user.id, 'sealed:one', 'sealed:migrated', at(11))).toBe(true);
        expect(await db.users.findById(user.id)).toMatchObject({ mfaSecretEncrypted: 'sealed:migrated', mfaLastUsedStep: 100 });
      });

      it('turns MFA off with its secret, step and codes, rotating the stamp and carrying one session over; once', async () => {
        const { user, codes } = await enrolled();
        const kept = await startSession({ userId: user.id });
        const other = await startSession({ userId: user.id });
        expect(await db.mfa.disable(user.id, at(10), kept.sessionId)).toMatchObject({
          mfaSecretEncrypted: null, mfaEnabledAt: null, mfaLastUsedStep: null, securityStamp: 1, updatedAt: at(10),
        });
        expect(await spendAll(user.id, codes)).toEqual([]);
        expect((await db.sessions.rotateRefreshToken(kept.tokenHash, child(at(20)), at(20))).kind).toBe('rotated');
        expect((await db.sessions.rotateRefreshToken(other.tokenHash, child(at(20)), at(20))).kind).toBe('invalid');
        expect(await db.mfa.disable(user.id, at(30))).toBeNull();
        // Enrolling again starts from nothing: the old codes stay dead.
        expect(await db.mfa.savePending(user.id, { secretEncrypted: 'sealed:again', backupCodeHashes: codeSet('again') }, at(40))).toBe(true);
        expect(await db.mfa.activate(user.id, 'sealed:again', 7, at(41))).toBe(true);
        expect(await spendAll(user.id, codes)).toEqual([]);
      });
    });

    describe('audit log', () => {
      it("round-trips entries with their metadata, newest first, only the user's own, up to the limit", async () => {
        const userId = id('usr');
        const entry = (seconds: number, metadata: Record<string, unknown>) => ({
          id: id('aud'), createdAt: at(seconds), action: 'LOGIN_FAILURE', outcome: 'failure' as const, userId,
          actorId: null, ipAddress: '2001:db8::1', userAgent: 'curl/8', requestId: id('req'), metadata,
        });
        const old = entry(1, { reason: 'bad_password', attempts: 3, nested: { ok: false, list: [1, 'zwei'] }, note: 'Grüße ✓' });
        const recent = entry(2, {});
        await db.audit.append(old);
        await db.audit.append(recent);
        await db.audit.append({ ...entry(3, {}), userId: id('usr') });
        expect(await db.audit.listForUser(userId, 10)).toEqual([recent, old]);
        expect(await db.audit.listForUser(userId, 1)).toEqual([recent]);
      });
    });

    describe('instance secrets', () => {
      it('keeps the first stored value: later and concurrent candidates get it back', async () => {
        const name = id('jwt_key');
        expect(await db.secrets.get(name)).toBeNull();
        const first = await db.secrets.getOrCreate(name, 'first');
        expect(await db.secrets.get(name)).toBe('first');
        expect(first).toBe('first');
        expect(await db.secrets.getOrCreate(name, 'second')).toBe('first');
        const racing = id('mfa_key');
        const values = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((candidate) => db.secrets.getOrCreate(racing, candidate)));
        expect(new Set(values).size).toBe(1);
      });
    });

    it('answers a ping', async () => {
      await expect(db.ping()).resolves.toBeUndefined();
      expect(db.kind).toBe(factory.kind);
    });
  });
}

for (const factory of dbTargets) databaseContract(factory);
