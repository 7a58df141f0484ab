import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, auditActions, expectError, json, linkToken, login, registerUser, uniqueEmail, waitForMail } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const WRONG = 'definitely-not-the-password';

/** The error body without its per-request id, for byte-for-byte comparison. */
async function failureBody(response: Response) {
  const body = await expectError(response, 401, 'AUTHENTICATION_ERROR');
  delete body.error.requestId;
  return JSON.stringify(body);
}

async function failLogins(email: string, times: number) {
  for (let i = 0; i < times; i++) await expectError(await login(h, email, WRONG), 401, 'AUTHENTICATION_ERROR');
}

describe('login without enumeration', () => {
  it('gives unknown, wrong-password and locked accounts the byte-identical 401 body', async () => {
    const known = await registerUser(h);
    const locked = await registerUser(h);
    await failLogins(locked.email, 5);
    const bodies = new Set([
      await failureBody(await login(h, uniqueEmail(), WRONG)),
      await failureBody(await login(h, known.email, WRONG)),
      await failureBody(await login(h, locked.email, STRONG_PASSWORD)),
    ]);
    expect(bodies.size).toBe(1);
  });

  it('runs one Argon2id verify for an unknown e-mail, as for a known one', async () => {
    const verify = vi.spyOn(h.deps.passwords, 'verify');
    try {
      await login(h, uniqueEmail(), WRONG);
      expect(verify).toHaveBeenCalledTimes(1);
      const { email } = await registerUser(h);
      verify.mockClear();
      await login(h, email, WRONG);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });

  it('does not truncate: a 100-character password does not log in with its first 72 characters', async () => {
    const password = 'p'.repeat(60) + 'q'.repeat(40);
    const { email } = await registerUser(h, { password });
    await expectError(await login(h, email, password.slice(0, 72)), 401, 'AUTHENTICATION_ERROR');
    expect((await login(h, email, password)).status).toBe(200);
  });

  it('treats NFC and NFD spellings of a password as the same password', async () => {
    const nfc = 'café-crème-brûlée-42'.normalize('NFC');
    const { email } = await registerUser(h, { password: nfc });
    expect((await login(h, email, nfc.normalize('NFD'))).status).toBe(200);
  });

  it('refuses a password over 128 characters before hashing it', async () => {
    const hash = vi.spyOn(h.deps.passwords, 'hash');
    try {
      const response = await h.request('/api/v1/auth/register', { method: 'POST', json: { email: uniqueEmail(), password: 'x'.repeat(129) } });
      await expectError(response, 400, 'VALIDATION_ERROR');
      expect(hash).not.toHaveBeenCalled();
    } finally {
      hash.mockRestore();
    }
  });
});

describe('account lockout', () => {
  it('locks after 5 consecutive failures: even the right password then fails, and the owner is told by mail', async () => {
    const { email, user } = await registerUser(h);
    await failLogins(email, 5);
    await expectError(await login(h, email, STRONG_PASSWORD), 401, 'AUTHENTICATION_ERROR');
    const [mail] = await waitForMail(h, email, /locked/i);
    expect(mail!.text).toContain('http://authgate.test/demo#forgot-password');
    const actions = await auditActions(h, user.id);
    expect(actions).toContain('ACCOUNT_LOCKED');
    expect(actions.filter((a) => a === 'LOGIN_FAILURE').length).toBeGreaterThanOrEqual(6);
  });

  it('unlocks by itself after 15 minutes', async () => {
    const { email } = await registerUser(h);
    await failLogins(email, 5);
    h.clock.advance(15 * 60 + 1);
    try {
      expect((await login(h, email, STRONG_PASSWORD)).status).toBe(200);
    } finally {
      h.clock.advance(-(15 * 60 + 1));
    }
  });

  it('starts the count again after a lock has lapsed: one more wrong password does not lock again', async () => {
    const { email } = await registerUser(h);
    await failLogins(email, 5);
    h.clock.advance(15 * 60 + 1);
    try {
      await failLogins(email, 1);
      expect((await login(h, email, STRONG_PASSWORD)).status).toBe(200);
    } finally {
      h.clock.advance(-(15 * 60 + 1));
    }
  });

  it('locks once under 10 concurrent wrong passwords: one ACCOUNT_LOCKED row, one mail', async () => {
    const { email, user } = await registerUser(h);
    await failLogins(email, 3);
    const answers = await Promise.all(Array.from({ length: 10 }, () => login(h, email, WRONG)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(401));
    await waitForMail(h, email, /locked/i);
    expect((await auditActions(h, user.id)).filter((a) => a === 'ACCOUNT_LOCKED')).toHaveLength(1);
    // A positive control sent through the same deferred path after the lock mail: once it is here, a second lock
    // mail would be too.
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email } })).status).toBe(200);
    await waitForMail(h, email, /reset/i);
    expect((await h.mailbox(email)).filter((m) => /locked/i.test(m.subject))).toHaveLength(1);
  });

  it('resets the failure count on a success', async () => {
    const { email } = await registerUser(h);
    await failLogins(email, 4);
    expect((await login(h, email, STRONG_PASSWORD)).status).toBe(200);
    await failLogins(email, 4);
    expect((await login(h, email, STRONG_PASSWORD)).status).toBe(200);
  });

  it('counts failures from many addresses against the one account', async () => {
    const { email } = await registerUser(h);
    for (let i = 0; i < 5; i++) await expectError(await login(h, email, WRONG, { ip: `192.0.2.${i + 1}` }), 401, 'AUTHENTICATION_ERROR');
    await expectError(await login(h, email, STRONG_PASSWORD, { ip: '192.0.2.99' }), 401, 'AUTHENTICATION_ERROR');
  });

  it('lets a locked user reset the password, which clears the lock', async () => {
    const { email } = await registerUser(h);
    await failLogins(email, 5);
    expect((await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email } })).status).toBe(200);
    const token = linkToken((await waitForMail(h, email, /reset/i))[0]!, 'reset-password');
    const newPassword = 'silver-otter-canyon-31';
    expect((await h.request(`/api/v1/auth/reset-password/${token}`, { method: 'POST', json: { password: newPassword } })).status).toBe(200);
    const response = await login(h, email, newPassword);
    expect(response.status).toBe(200);
    expect((await json(response)).data.mfaRequired).toBe(false);
  });

  it('counts wrong current passwords at change-password toward the lock', async () => {
    const { email, accessToken } = await registerUser(h);
    for (let i = 0; i < 5; i++) {
      const response = await h.request('/api/v1/auth/change-password', { method: 'POST', token: accessToken, json: { currentPassword: WRONG, newPassword: 'a-brand-new-password-1' } });
      await expectError(response, 400, 'VALIDATION_ERROR');
    }
    await expectError(await login(h, email, STRONG_PASSWORD), 401, 'AUTHENTICATION_ERROR');
  });
});

describe('audit trail of account events', () => {
  it('records register and login outcomes without any password or token in the rows', async () => {
    const { email, user, accessToken, refreshToken } = await registerUser(h);
    await login(h, email, WRONG);
    const ok = await json(await login(h, email, STRONG_PASSWORD));
    const rows = await h.deps.db.audit.listForUser(user.id, 50);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['REGISTER', 'LOGIN_FAILURE', 'LOGIN_SUCCESS']));
    const failure = rows.find((r) => r.action === 'LOGIN_FAILURE')!;
    expect(failure).toMatchObject({ outcome: 'failure', userId: user.id });
    expect(failure.requestId).toBeTruthy();
    const text = JSON.stringify(rows);
    for (const secret of [STRONG_PASSWORD, WRONG, accessToken, refreshToken, ok.data.accessToken, ok.data.refreshToken]) {
      expect(text).not.toContain(secret);
    }
  });
});
