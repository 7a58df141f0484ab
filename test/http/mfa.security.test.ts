import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { totp } from '../support/totp';
import { expectError, json, linkToken, login, registerUser, waitForMail } from './helpers';
import { codeNow, enable, liveSessions, mfaLogin, mfaUser, nextCode, passwordStep, post, type MfaUser } from './mfa-helpers';

// SECURITY.md "MFA" (and the MFA parts of "Login, enumeration, lockout" and "Tokens"), line by line.
let h: Harness;
/** Lockout far away, so what ends an mfaToken after 5 wrong codes is the token's own limit, not the account lock. */
let lenient: Harness;
beforeAll(async () => {
  [h, lenient] = await Promise.all([createHarness(), createHarness({ LOCKOUT_THRESHOLD: '50' })]);
});
afterAll(async () => {
  await Promise.all([h?.close(), lenient?.close()]);
});

const verifyLogin = (harness: Harness, mfaToken: string, code: string) => post(harness, '/mfa/verify-login', { mfaToken, code });
const refused = async (response: Response) => expectError(response, 401, 'AUTHENTICATION_ERROR');

/** A code of `user` that is certainly wrong now (none of the steps T−1..T+1 has it). */
async function wrongCode(harness: Harness, user: MfaUser): Promise<string> {
  const valid = await Promise.all([-1, 0, 1].map((offset) => codeNow(harness, user.secret, offset)));
  return ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
}

describe('the password step of an MFA user', () => {
  it('returns only {mfaRequired, mfaToken, expiresIn}: no tokens and no cookie', async () => {
    const user = await mfaUser(h);
    const response = await login(h, user.email, user.password);
    expect(response.headers.get('set-cookie')).toBeNull();
    const body = await json(response);
    expect(Object.keys(body.data).sort()).toEqual(['expiresIn', 'mfaRequired', 'mfaToken']);
    expect(body.data).toMatchObject({ mfaRequired: true, expiresIn: 300 });
    expect(await liveSessions(h, user.userId)).toBe(1); // only the one registration started
  });
});

describe('TOTP codes', () => {
  it('are accepted once: after step T was used, codes of T and T−1 fail', async () => {
    const user = await mfaUser(h);
    const t = await nextCode(h, user.secret);
    expect((await verifyLogin(h, await passwordStep(h, user), t)).status).toBe(200);
    await refused(await verifyLogin(h, await passwordStep(h, user), t));
    await refused(await verifyLogin(h, await passwordStep(h, user), await codeNow(h, user.secret, -1)));
    expect((await verifyLogin(h, await passwordStep(h, user), await nextCode(h, user.secret))).status).toBe(200);
  });

  it('accept T−1 and T+1 on first use, and never T−2 or T+2', async () => {
    for (const offset of [-1, 1]) {
      const user = await mfaUser(h);
      h.clock.advance(90); // clear of the enrolment's step and its neighbours
      expect((await verifyLogin(h, await passwordStep(h, user), await codeNow(h, user.secret, offset))).status, `T${offset}`).toBe(200);
    }
    for (const offset of [-2, 2]) {
      const user = await mfaUser(h);
      h.clock.advance(90);
      // Two steps apart two codes can coincide (3 in 10^6): then the next step is the one to try.
      while ((await Promise.all([-1, 0, 1].map((o) => codeNow(h, user.secret, o)))).includes(await codeNow(h, user.secret, offset))) h.clock.advance(30);
      const code = await codeNow(h, user.secret, offset);
      await refused(await verifyLogin(h, await passwordStep(h, user), code));
    }
  });
});

describe('the mfaToken', () => {
  it('expires after 5 minutes', async () => {
    const user = await mfaUser(h);
    const early = await passwordStep(h, user);
    h.clock.advance(299);
    expect((await verifyLogin(h, early, await codeNow(h, user.secret))).status).toBe(200);
    const late = await passwordStep(h, user);
    h.clock.advance(300);
    await refused(await verifyLogin(h, late, await codeNow(h, user.secret)));
  });

  it('works once', async () => {
    const user = await mfaUser(h);
    const mfaToken = await passwordStep(h, user);
    expect((await verifyLogin(h, mfaToken, await nextCode(h, user.secret))).status).toBe(200);
    await refused(await verifyLogin(h, mfaToken, await nextCode(h, user.secret)));
  });

  it("is bound to its user: another user's valid code does not finish it, and it signs in only its own user", async () => {
    const [alice, bob] = [await mfaUser(h), await mfaUser(h)];
    const mfaToken = await passwordStep(h, alice);
    h.clock.advance(30);
    await refused(await verifyLogin(h, mfaToken, await wrongFor(alice, bob)));
    const signedIn = await json(await verifyLogin(h, mfaToken, await codeNow(h, alice.secret)));
    expect(signedIn.data.user.id).toBe(alice.userId);
  });

  it('dies after 5 wrong codes, even for the right code next', async () => {
    const user = await mfaUser(lenient);
    const mfaToken = await passwordStep(lenient, user);
    const right = await nextCode(lenient, user.secret);
    const wrong = await wrongCode(lenient, user);
    for (let i = 0; i < 5; i++) await refused(await verifyLogin(lenient, mfaToken, wrong));
    await refused(await verifyLogin(lenient, mfaToken, right));
    // The account itself is not locked (threshold 50): a new challenge with the same code succeeds.
    expect((await verifyLogin(lenient, await passwordStep(lenient, user), right)).status).toBe(200);
  });

  it('is no access token, and an access token is no mfaToken', async () => {
    const user = await mfaUser(h);
    const mfaToken = await passwordStep(h, user);
    await refused(await h.request('/api/v1/users/me', { token: mfaToken }));
    await refused(await verifyLogin(h, user.accessToken, await nextCode(h, user.secret)));
    expect((await verifyLogin(h, mfaToken, await codeNow(h, user.secret))).status).toBe(200); // the right pairing works
  });

  it('cannot finish after a password reset between the two steps, and creates no session', async () => {
    const user = await mfaUser(h);
    const mfaToken = await passwordStep(h, user);
    expect((await post(h, '/auth/forgot-password', { email: user.email })).status).toBe(200);
    const reset = linkToken((await waitForMail(h, user.email, /reset/i))[0]!, 'reset-password');
    expect((await post(h, `/auth/reset-password/${reset}`, { password: 'silver-otter-canyon-31' })).status).toBe(200);
    await refused(await verifyLogin(h, mfaToken, await nextCode(h, user.secret)));
    expect(await liveSessions(h, user.userId)).toBe(0);
  });
});

describe('TOTP secrets', () => {
  it('have at least 160 bits, are stored encrypted and are never returned after enrolment', async () => {
    const { accessToken, email, password, user } = await registerUser(h);
    const enrolment = await enable(h, accessToken);
    expect(enrolment.secretBytes.length * 8).toBeGreaterThanOrEqual(160);
    const [row] = await h.query('select * from users where id = $1', [user.id]);
    expect(row!.mfa_secret_encrypted).toMatch(/^[0-9a-f]{24}:[0-9a-f]{32}:[0-9a-f]{40,}$/);
    const hex = Array.from(enrolment.secretBytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const rowText = JSON.stringify(row).toLowerCase();
    for (const form of [enrolment.secret.toLowerCase(), hex]) expect(rowText).not.toContain(form);
    expect((await post(h, '/mfa/verify', { code: await codeNow(h, enrolment.secretBytes) }, { token: accessToken })).status).toBe(200);
    // Nothing answers with it again: not enable (409), not the profile, not a login.
    const answers = [
      await (await post(h, '/mfa/enable', {}, { token: accessToken })).text(),
      await (await h.request('/api/v1/users/me', { token: accessToken })).text(),
      JSON.stringify(await mfaLogin(h, { email, password, userId: user.id, accessToken, secret: enrolment.secretBytes, backupCodes: [] })),
    ];
    for (const text of answers) expect(text).not.toContain(enrolment.secret);
  });

  it('leave MFA off until a code confirms them: until then the password alone signs in', async () => {
    const { accessToken, email, password } = await registerUser(h);
    const enrolment = await enable(h, accessToken);
    const before = await json(await login(h, email, password));
    expect(before.data).toMatchObject({ mfaRequired: false, user: { mfaEnabled: false } });
    expect(before.data.accessToken).toBeTruthy();
    expect((await post(h, '/mfa/verify', { code: await codeNow(h, enrolment.secretBytes) }, { token: accessToken })).status).toBe(200);
    expect((await json(await login(h, email, password))).data.mfaRequired).toBe(true);
  });
});

describe('disabling MFA and regenerating backup codes', () => {
  it.each(['/mfa/disable', '/mfa/backup-codes'])('%s needs the password and a current, unused code', async (path) => {
    const user = await mfaUser(h);
    const send = (body: unknown) => post(h, path, body, { token: user.accessToken });
    const fields = async (response: Response) => (await expectError(response, 400, 'VALIDATION_ERROR')).error.details.map((d: { path: string }) => d.path);
    expect(await fields(await send({ password: 'not-the-password-at-all', code: await nextCode(h, user.secret) }))).toEqual(['password']);
    expect(await fields(await send({ password: user.password, code: await wrongCode(h, user) }))).toEqual(['code']);
    expect(await fields(await send({ password: user.password }))).toEqual(['code']);
    await mfaLogin(h, user); // spends the current step
    expect(await fields(await send({ password: user.password, code: await codeNow(h, user.secret) }))).toEqual(['code']);
    // Still on; then the right pair works.
    const me = await json(await h.request('/api/v1/users/me', { token: user.accessToken }));
    expect(me.data.user.mfaEnabled).toBe(true);
    expect((await send({ password: user.password, code: await nextCode(h, user.secret) })).status).toBe(200);
  });

  it('ends every other session when MFA is turned off, keeping the current one', async () => {
    const user = await mfaUser(h);
    const other = await mfaLogin(h, user);
    expect((await post(h, '/mfa/disable', { password: user.password, code: await nextCode(h, user.secret) }, { token: user.accessToken })).status).toBe(200);
    await refused(await h.request('/api/v1/users/me', { token: other.accessToken }));
    await refused(await post(h, '/auth/refresh', { refreshToken: other.refreshToken }));
    expect((await h.request('/api/v1/users/me', { token: user.accessToken })).status).toBe(200);
  });
});

describe('backup codes', () => {
  it('each work once', async () => {
    const user = await mfaUser(h);
    const [code] = user.backupCodes;
    const first = await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, user), code });
    expect((await json(first)).data.remainingBackupCodes).toBe(7);
    await refused(await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, user), code }));
  });
});

describe('lockout', () => {
  it('counts wrong codes: 5 wrong codes lock the account, and then even the right password gets the generic 401', async () => {
    const user = await mfaUser(h);
    const wrong = await wrongCode(h, user);
    const mfaToken = await passwordStep(h, user);
    for (let i = 0; i < 3; i++) await refused(await verifyLogin(h, mfaToken, wrong));
    for (let i = 0; i < 2; i++) await refused(await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, user), code: 'zzzzz-zzzzz' }));
    const locked = await refused(await login(h, user.email, user.password));
    const unknown = await refused(await login(h, `nobody.${user.email}`, user.password));
    delete locked.error.requestId;
    delete unknown.error.requestId;
    expect(locked).toEqual(unknown);
    // Locked, a right code does not finish a challenge started before the lock either.
    await refused(await verifyLogin(h, mfaToken, await nextCode(h, user.secret)));
  });
});

/** A code valid for `other` now that is not valid for `owner` (so a refusal proves the binding, not a bad code). */
async function wrongFor(owner: MfaUser, other: MfaUser): Promise<string> {
  const code = await codeNow(h, other.secret);
  const ownerCodes = await Promise.all([-1, 0, 1].map((offset) => totp(owner.secret, h.clock.nowMs(), { offset })));
  return ownerCodes.includes(code) ? codeNow(h, other.secret, 1) : code;
}
