import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { deleteAccount, lockAccount } from '../../src/core/account-state';
import type { Harness } from '../support/harness';
import { expectError, json, linkToken, login, registerUser, uniqueEmail, waitForMail } from './helpers';
import { loginAtOidcProvider } from '../support/oidc-login';
import { deliverCallback, exchange, oidcProviderSettings, oidcReturnUrl, providerUser, signInWithOidc, startSignIn } from './oauth-helpers';

// The one-time code the callback hands the app: it works once, for 60 seconds, and finishes the sign-in against the
// account as it was when the provider's answer was checked. Anything else is the generic 401 of a password login.

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ OIDC_PROVIDERS: 'corp', ...(await oidcProviderSettings('corp', inject('oidcIssuer'))) });
});
afterAll(async () => {
  await h?.close();
});

/** A fresh user signed in once (so the account exists), and a new code for it that is not exchanged yet. */
async function pendingCode() {
  const user = providerUser();
  const { body } = await signInWithOidc(h, 'corp', user);
  const code = (await oidcReturnUrl(h, 'corp', user)).searchParams.get('code')!;
  return { code, userId: body.user.id as string, accessToken: body.accessToken as string };
}

const activeSessions = async (userId: string) => (await h.deps.db.sessions.listActiveForUser(userId, new Date(h.clock.nowMs()))).length;

/** The 401 body of a failed password login, without its request id: what every refused exchange must look like. */
async function genericFailure(response: Response) {
  const body = await expectError(response, 401, 'AUTHENTICATION_ERROR');
  delete body.error.requestId;
  return JSON.stringify(body);
}

describe('the exchange code', () => {
  it('works once', async () => {
    const { code } = await pendingCode();
    expect((await exchange(h, code)).status).toBe(200);
    await expectError(await exchange(h, code), 401, 'AUTHENTICATION_ERROR');
  });

  it('gives exactly one session when 20 exchanges of one code race', async () => {
    const { code, userId } = await pendingCode();
    const before = await activeSessions(userId);
    const answers = await Promise.all(Array.from({ length: 20 }, () => exchange(h, code)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(401)]);
    expect(await activeSessions(userId)).toBe(before + 1);
  });

  it('expires after 60 seconds', async () => {
    const { code } = await pendingCode();
    h.clock.advance(61);
    try {
      await expectError(await exchange(h, code), 401, 'AUTHENTICATION_ERROR');
    } finally {
      h.clock.advance(-61);
    }
  });

  it('is refused like a password login, creating nothing, when the account is locked by an admin or deleted meanwhile', async () => {
    const passwordFailure = await genericFailure(await login(h, uniqueEmail(), 'not-the-password-at-all'));
    const locked = await pendingCode();
    await lockAccount(h.deps, locked.userId, new Date(h.clock.nowMs() + 3_600_000));
    const deleted = await pendingCode();
    await deleteAccount(h.deps, deleted.userId);
    for (const { code, userId } of [locked, deleted]) {
      const before = await activeSessions(userId);
      expect(await genericFailure(await exchange(h, code))).toBe(passwordFailure);
      expect(await activeSessions(userId)).toBe(before);
    }
  });

  /** A verified password account, and a code for it from the provider (linking the two). */
  async function passwordAccountWithCode() {
    const account = await registerUser(h);
    const verify = linkToken((await waitForMail(h, account.email, /confirm/i))[0]!, 'verify-email');
    expect((await h.request(`/api/v1/auth/verify-email/${verify}`, { method: 'POST' })).status).toBe(200);
    const code = (await oidcReturnUrl(h, 'corp', providerUser({ email: account.email }))).searchParams.get('code')!;
    return { account, code };
  }

  it('is refused while failed password logins have locked the account (a lock that leaves the stamp alone)', async () => {
    const { account, code } = await passwordAccountWithCode();
    for (let i = 0; i < 5; i++) await expectError(await login(h, account.email, 'not-the-password-at-all'), 401, 'AUTHENTICATION_ERROR');
    await expectError(await exchange(h, code), 401, 'AUTHENTICATION_ERROR');
    expect(await activeSessions(account.user.id)).toBe(1);
  });

  it('creates no session when the password is reset between the callback and the exchange', async () => {
    const { account, code } = await passwordAccountWithCode();
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email: account.email } })).status).toBe(200);
    const reset = linkToken((await waitForMail(h, account.email, /reset/i))[0]!, 'reset-password');
    expect((await h.request(`/api/v1/auth/reset-password/${reset}`, { method: 'POST', json: { password: 'a-fresh-password-after-reset' } })).status).toBe(200);
    await expectError(await exchange(h, code), 401, 'AUTHENTICATION_ERROR');
    expect(await activeSessions(account.user.id)).toBe(0);
  });

  it('refuses anything not shaped like a code, an access token included, with the same 401', async () => {
    const { accessToken } = await pendingCode();
    for (const code of [accessToken.slice(0, 256), 'x', 'A'.repeat(43)]) await expectError(await exchange(h, code), 401, 'AUTHENTICATION_ERROR');
  });
});

describe('a locked or deleted account at the callback', () => {
  it('returns error=account_unavailable and no code', async () => {
    const user = providerUser();
    const { body } = await signInWithOidc(h, 'corp', user);
    await lockAccount(h.deps, body.user.id, new Date(h.clock.nowMs() + 3_600_000));
    const target = await oidcReturnUrl(h, 'corp', user);
    expect(target.searchParams.get('error')).toBe('account_unavailable');
    expect(target.searchParams.has('code')).toBe(false);
  });
});

describe('audit and logs', () => {
  it('audits every refused callback with its reason, and never writes a code, state or token to a log or audit row', async () => {
    h.logs.length = 0;
    const user = providerUser();
    const refused = await oidcReturnUrl(h, 'corp', { ...user, emailVerified: false });
    expect(refused.searchParams.get('error')).toBe('email_not_verified');
    const started = await startSignIn(h, 'corp');
    const back = await loginAtOidcProvider(started.location.href, user);
    const target = await deliverCallback(h, back, started.cookie);
    const body = (await json(await exchange(h, target.searchParams.get('code')!))).data;
    const failures = (await h.query(`select metadata from audit_logs where action = 'OAUTH_LOGIN' and outcome = 'failure'`)).map((row) => row.metadata);
    expect(failures).toContainEqual({ provider: 'corp', reason: 'email_not_verified' });
    const secrets = [
      started.location.searchParams.get('state')!, started.cookie.split('=')[1]!, back.searchParams.get('code')!,
      target.searchParams.get('code')!, body.accessToken, body.refreshToken,
    ];
    const audit = JSON.stringify(await h.query('select * from audit_logs'));
    for (const secret of secrets) {
      expect(h.logs.join('\n')).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    expect((await json(await h.request('/api/v1/users/me', { token: body.accessToken }))).success).toBe(true);
  });
});
