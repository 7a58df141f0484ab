import { createHarness } from '#harness';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount, lockAccount } from '../../src/core/account-state';
import { INVALID_CREDENTIALS } from '../../src/core/errors';
import type { Harness } from '../support/harness';
import type { CeremonyTweaks } from '../support/software-authenticator';
import { auditActions, expectError, login, registerUser } from './helpers';
import { addedPasskey, lastFailureReason, loginOptions, newAuthenticator, passkeyLogin, registrationOptions, sessionCount } from './passkey-helpers';

// SECURITY.md "Passkeys", login side: every check of the assertion, each failing the way a phishing page, a stolen
// credential id, a cloned key or a replay would make it fail. Registration: passkey-registration.security.test.ts.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A user with one registered passkey, and the authenticator holding it. */
async function userWithPasskey(settings: Parameters<typeof newAuthenticator>[0] = {}) {
  const account = await registerUser(h);
  const authenticator = newAuthenticator(settings);
  const passkey = await addedPasskey(h, account.accessToken, authenticator);
  return { ...account, authenticator, passkey };
}

/**
 * The generic 401 of every failed login, proof that it started no session, and which check refused it (the newest
 * LOGIN_FAILURE: the clock moves a second first, so its audit row is the latest).
 */
async function expectRefused(userId: string, reason: string, attempt: () => Promise<Response>) {
  const before = await sessionCount(h, userId);
  h.clock.advance(1);
  const body = await expectError(await attempt(), 401, 'AUTHENTICATION_ERROR');
  expect(body.error.message).toBe(INVALID_CREDENTIALS);
  expect(await sessionCount(h, userId)).toBe(before);
  expect(await lastFailureReason(h, userId)).toBe(reason);
}

describe('a passkey login is refused with the generic 401, starting no session, when the assertion', () => {
  const cases: [string, CeremonyTweaks, string][] = [
    ['answers another challenge', { challenge: base64url.encode(crypto.getRandomValues(new Uint8Array(32))) }, 'challenge'],
    ['comes from another origin (a phishing page)', { origin: 'https://authgate.test.evil.example' }, 'origin'],
    ['comes from the right host on another port', { origin: 'http://authgate.test:8080' }, 'origin'],
    ['is scoped to another RP ID', { rpId: 'evil.example' }, 'rp_id'],
    ['lacks the user-present flag', { userPresent: false }, 'user_presence'],
    ['is signed by a key that is not the credential’s', { forgedSignature: true }, 'signature'],
    ['is a registration ceremony’s client data', { type: 'webauthn.create' }, 'type'],
    ['names another user in its user handle', { userHandle: base64url.encode(new TextEncoder().encode(crypto.randomUUID())) }, 'user_handle'],
  ];
  for (const [behaviour, tweaks, reason] of cases) {
    it(behaviour, async () => {
      const { user, authenticator } = await userWithPasskey();
      await expectRefused(user.id, reason, () => passkeyLogin(h, authenticator, tweaks));
      // Control: the same authenticator, untweaked, signs in.
      expect((await passkeyLogin(h, authenticator)).status).toBe(200);
    });
  }
});

describe('a login challenge', () => {
  it('works once: a replayed login is refused', async () => {
    const { user, authenticator } = await userWithPasskey();
    const { challengeId, options } = await loginOptions(h);
    const body = { challengeId, response: await authenticator.authenticate(options) };
    expect((await h.request('/api/v1/auth/passkey/verify', { method: 'POST', json: body })).status).toBe(200);
    const replay = await h.request('/api/v1/auth/passkey/verify', { method: 'POST', json: body });
    await expectError(replay, 401, 'AUTHENTICATION_ERROR');
    expect(await sessionCount(h, user.id)).toBe(2);
  });

  it('expires after 5 minutes', async () => {
    const { user, authenticator } = await userWithPasskey();
    const verify = async (ageSeconds: number) => {
      const { challengeId, options } = await loginOptions(h);
      const response = await authenticator.authenticate(options);
      h.clock.advance(ageSeconds);
      return h.request('/api/v1/auth/passkey/verify', { method: 'POST', json: { challengeId, response } });
    };
    expect((await verify(299)).status).toBe(200);
    await expectError(await verify(300), 401, 'AUTHENTICATION_ERROR');
    expect(await sessionCount(h, user.id)).toBe(2);
  });

  it('is not a registration challenge, nor the reverse', async () => {
    const { user, accessToken, authenticator } = await userWithPasskey();
    const registration = await registrationOptions(h, accessToken);
    const { options } = await loginOptions(h);
    const response = await authenticator.authenticate({ ...options, challenge: registration.options.challenge });
    await expectRefused(user.id, 'challenge', () =>
      h.request('/api/v1/auth/passkey/verify', { method: 'POST', json: { challengeId: registration.challengeId, response } }),
    );
  });
});

describe('a passkey login', () => {
  it('is refused for a credential nobody registered', async () => {
    const stranger = newAuthenticator();
    await stranger.register({ challenge: 'AA', rp: { id: 'authgate.test', name: 'x' }, user: { id: 'AA' } });
    await expectError(await passkeyLogin(h, stranger), 401, 'AUTHENTICATION_ERROR');
  });

  it('is the generic 401 for malformed, truncated or wrongly typed responses, never a 400 or 500', async () => {
    const { user, authenticator } = await userWithPasskey();
    const { challengeId, options } = await loginOptions(h);
    const good = await authenticator.authenticate(options);
    const bodies: unknown[] = [
      { challengeId, response: { ...good, response: { ...good.response, authenticatorData: good.response.authenticatorData.slice(0, 20) } } },
      { challengeId, response: { ...good, response: { ...good.response, clientDataJSON: base64url.encode(new TextEncoder().encode('{"type":')) } } },
      { challengeId, response: { ...good, response: { ...good.response, signature: 'AAAA' } } },
      { challengeId, response: { ...good, rawId: 'other' } },
      { challengeId, response: 'not an object' },
      { challengeId, response: { ...good, id: 42 } },
      { challengeId: 7, response: good },
      { response: good },
      {},
    ];
    for (const body of bodies) {
      await expectError(await h.request('/api/v1/auth/passkey/verify', { method: 'POST', json: body }), 401, 'AUTHENTICATION_ERROR');
    }
    expect(await sessionCount(h, user.id)).toBe(1);
  });

  it('refuses a counter that goes backwards or stands still, audits a suspected clone, and keeps the stored counter', async () => {
    const { user, authenticator, passkey } = await userWithPasskey();
    expect((await passkeyLogin(h, authenticator)).status).toBe(200);
    expect((await passkeyLogin(h, authenticator)).status).toBe(200);
    for (const signCount of [1, 2, 0]) await expectRefused(user.id, 'sign_count', () => passkeyLogin(h, authenticator, { signCount }));
    const clones = (await h.deps.db.audit.listForUser(user.id, 100)).filter((e) => e.action === 'PASSKEY_CLONE_SUSPECTED');
    expect(clones.map((e) => e.metadata)).toEqual([0, 2, 1].map((presented) => ({ passkeyId: passkey.id, storedSignCount: 2, presentedSignCount: presented })));
    const [row] = await h.query('select sign_count from passkeys where id = $1', [passkey.id]);
    expect(Number(row?.sign_count)).toBe(2);
    // The real authenticator, counting on, still signs in.
    expect((await passkeyLogin(h, authenticator, { signCount: 3 })).status).toBe(200);
  });

  it('stops working the moment its passkey is removed', async () => {
    const { user, accessToken, authenticator, passkey } = await userWithPasskey();
    expect((await h.request(`/api/v1/passkeys/${passkey.id}`, { method: 'DELETE', token: accessToken })).status).toBe(200);
    await expectError(await passkeyLogin(h, authenticator), 401, 'AUTHENTICATION_ERROR');
    expect(await sessionCount(h, user.id)).toBe(1);
  });

  it('never bypasses an administrative lock, a lockout by failed passwords, or a deletion', async () => {
    const locked = await userWithPasskey();
    await lockAccount(h.deps, locked.user.id, new Date(h.clock.nowMs() + 3600_000));
    await expectRefused(locked.user.id, 'locked', () => passkeyLogin(h, locked.authenticator));

    const lockedOut = await userWithPasskey();
    for (let i = 0; i < 5; i++) await login(h, lockedOut.email, 'wrong-password-guess');
    await expectRefused(lockedOut.user.id, 'locked', () => passkeyLogin(h, lockedOut.authenticator));

    const deleted = await userWithPasskey();
    await deleteAccount(h.deps, deleted.user.id);
    await expectRefused(deleted.user.id, 'deleted', () => passkeyLogin(h, deleted.authenticator));
    for (const { user } of [locked, deleted]) {
      const [row] = await h.query('select count(*)::int as n from sessions where user_id = $1 and revoked_at is null', [user.id]);
      expect(Number(row?.n)).toBe(0);
    }
  });

  it('is rate-limited per client address in a bucket of its own, refused attempts included', async () => {
    const ip = '198.51.100.61';
    const { email, password, authenticator } = await userWithPasskey();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await passkeyLogin(h, authenticator, { forgedSignature: true }, { ip })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    await expectError(await passkeyLogin(h, authenticator, {}, { ip }), 429, 'RATE_LIMITED');
    // The password login bucket of the same address is untouched.
    expect((await login(h, email, password, { ip })).status).toBe(200);
  });

  it('audits the success as a passkey login', async () => {
    const { user, authenticator, passkey } = await userWithPasskey({ userVerified: false });
    expect((await passkeyLogin(h, authenticator)).status).toBe(200);
    const entry = (await h.deps.db.audit.listForUser(user.id, 100)).find((e) => e.action === 'PASSKEY_LOGIN');
    expect(entry?.metadata).toEqual({ passkeyId: passkey.id, userVerified: false });
    expect(await auditActions(h, user.id)).toContain('LOGIN_SUCCESS');
  });
});
