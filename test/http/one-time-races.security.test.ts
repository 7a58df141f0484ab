import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLinkToken } from '../../src/core/link-tokens';
import type { Harness } from '../support/harness';
import { auditActions, json, linkToken, login, registerUser, waitForMail } from './helpers';
import { liveSessions, mfaUser, nextCode, passwordStep, post } from './mfa-helpers';

// Every one-time secret is accepted exactly once, however many copies of it race: 20 concurrent presentations of an
// MFA code (TOTP and backup), an mfaToken, an e-mail verification link and a password-reset link. (The OAuth
// exchange code has the same test in oauth-exchange.security.test.ts.) Lockout is lifted so the 19 refused copies
// cannot lock the account under the one that wins: what is measured is "once", not the lockout.
const COPIES = 20;
const TRIALS = 10;

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ LOCKOUT_THRESHOLD: '100000' });
});
afterAll(async () => {
  await h?.close();
});

const statuses = (responses: Response[]) => responses.map((response) => response.status);
const count = (values: number[], wanted: number) => values.filter((value) => value === wanted).length;

describe(`${COPIES} concurrent presentations of one secret`, () => {
  it('a TOTP code on 20 login challenges of one user opens exactly one session', async () => {
    const user = await mfaUser(h);
    const tokens = await Promise.all(Array.from({ length: COPIES }, () => passwordStep(h, user)));
    const code = await nextCode(h, user.secret);
    const before = await liveSessions(h, user.userId);
    const answers = statuses(await Promise.all(tokens.map((mfaToken) => post(h, '/mfa/verify-login', { mfaToken, code }))));
    expect(count(answers, 200)).toBe(1);
    expect(count(answers, 401)).toBe(COPIES - 1);
    expect((await liveSessions(h, user.userId)) - before).toBe(1);
  });

  it(`one mfaToken with a valid code, sent 20 times at once, opens exactly one session (${TRIALS} trials)`, async () => {
    const user = await mfaUser(h);
    for (let trial = 0; trial < TRIALS; trial++) {
      const mfaToken = await passwordStep(h, user);
      const code = await nextCode(h, user.secret);
      const before = await liveSessions(h, user.userId);
      // Only the first few presentations (the challenge's attempts) get as far as the code; one of them must win,
      // whatever the presentations past the limit do meanwhile.
      const answers = statuses(await Promise.all(Array.from({ length: COPIES }, () => post(h, '/mfa/verify-login', { mfaToken, code }))));
      expect(count(answers, 200), `trial ${trial}`).toBe(1);
      expect(count(answers, 401)).toBe(COPIES - 1);
      expect((await liveSessions(h, user.userId)) - before).toBe(1);
    }
  });

  it('a backup code on 20 login challenges opens exactly one session and is spent', async () => {
    const user = await mfaUser(h);
    const tokens = await Promise.all(Array.from({ length: COPIES }, () => passwordStep(h, user)));
    const code = user.backupCodes[0]!;
    const before = await liveSessions(h, user.userId);
    const answers = statuses(await Promise.all(tokens.map((mfaToken) => post(h, '/mfa/verify-backup-code', { mfaToken, code }))));
    expect(count(answers, 200)).toBe(1);
    expect(count(answers, 401)).toBe(COPIES - 1);
    expect((await liveSessions(h, user.userId)) - before).toBe(1);
    expect((await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, user), code })).status).toBe(401);
  });

  it('an e-mail verification link verifies once: one 200, one audit row', async () => {
    const { email, user } = await registerUser(h);
    const token = linkToken((await waitForMail(h, email, /confirm/i))[0]!, 'verify-email');
    const answers = statuses(await Promise.all(Array.from({ length: COPIES }, () => h.request(`/api/v1/auth/verify-email/${token}`, { method: 'POST' }))));
    expect(count(answers, 200)).toBe(1);
    expect(count(answers, 400)).toBe(COPIES - 1);
    expect((await auditActions(h, user.id)).filter((action) => action === 'EMAIL_VERIFIED')).toHaveLength(1);
  });

  it('a password-reset link sets exactly one of 20 racing passwords, and that one is the password now', async () => {
    const { email, user } = await registerUser(h);
    const token = await issueLinkToken(h.deps, user.id, 'reset_password', 3600);
    const passwords = Array.from({ length: COPIES }, (_, i) => `raced-reset-${i}-harbour-lantern`);
    const responses = await Promise.all(passwords.map((password) => h.request(`/api/v1/auth/reset-password/${token}`, { method: 'POST', json: { password } })));
    const answers = statuses(responses);
    expect(count(answers, 200)).toBe(1);
    expect(count(answers, 400)).toBe(COPIES - 1);
    const winner = passwords[answers.indexOf(200)]!;
    const logins = statuses(await Promise.all(passwords.map((password) => login(h, email, password))));
    expect(logins).toEqual(passwords.map((password) => (password === winner ? 200 : 401)));
    await Promise.all(responses.map((response) => json(response)));
  });
});
