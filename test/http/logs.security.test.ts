import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { STRONG_PASSWORD, json, linkToken, login, registerUser, waitForMail } from './helpers';
import { codeNow, enable, nextCode, post } from './mfa-helpers';

// SECURITY.md: logs never contain passwords, codes or tokens — checked over every line a whole account life writes.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the log of a whole account life', () => {
  it('holds no password, token or link token, while it does log the requests', async () => {
    const secrets: string[] = [STRONG_PASSWORD, 'wrong-password-attempt'];
    const { email, accessToken, refreshToken } = await registerUser(h, { name: 'Logged Person' });
    secrets.push(accessToken, refreshToken);
    await login(h, email, 'wrong-password-attempt');
    const session = (await json(await login(h, email, STRONG_PASSWORD))).data;
    secrets.push(session.accessToken, session.refreshToken);
    const rotated = (await json(await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: session.refreshToken } }))).data;
    secrets.push(rotated.accessToken, rotated.refreshToken);
    // A replay outside the grace window: the reuse alarm is logged, the token is not.
    h.clock.advance(h.deps.config.refreshReuseGraceSeconds + 1);
    await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken: session.refreshToken } });

    const verify = linkToken((await waitForMail(h, email, /confirm/i))[0]!, 'verify-email');
    secrets.push(verify);
    await h.request(`/api/v1/auth/verify-email/${verify}`, { method: 'POST' });
    await h.request('/api/v1/auth/forgot-password', { method: 'POST', json: { email } });
    const reset = linkToken((await waitForMail(h, email, /reset/i))[0]!, 'reset-password');
    const newPassword = 'amber-meadow-compass-77';
    secrets.push(reset, newPassword);
    await h.request(`/api/v1/auth/reset-password/${reset}`, { method: 'POST', json: { password: newPassword } });
    const last = (await json(await login(h, email, newPassword))).data;
    secrets.push(last.accessToken, last.refreshToken);
    await h.request('/api/v1/auth/change-password', {
      method: 'POST',
      token: last.accessToken,
      json: { currentPassword: newPassword, newPassword: 'silver-otter-canyon-31' },
    });
    secrets.push('silver-otter-canyon-31');
    await h.request('/api/v1/auth/logout', { method: 'POST', token: last.accessToken });

    const log = h.logs.join('\n');
    expect(h.logs.filter((line) => JSON.parse(line).msg === 'request').length).toBe(11); // one line per request above
    expect(log).toContain('refresh token reuse detected');
    expect(log).toContain('"path":"/api/v1/auth/verify-email/:token"');
    for (const secret of secrets) expect(h.logs.filter((line) => line.includes(secret))).toEqual([]);
    // A mistyped link path is masked too.
    await h.request(`/api/v1/auth/verify-emial/${verify}`, { method: 'POST' });
    expect(h.logs.at(-1)).toContain('"path":"/api/v1/auth/verify-emial/:redacted"');
    // Nor any fragment of a JWT (its signature part is the secret-bearing piece of a leaked header).
    for (const token of [accessToken, session.accessToken, last.accessToken]) expect(log).not.toContain(token.split('.')[2]);
  });

  it('holds no TOTP secret, code, backup code or mfaToken over an MFA life, nor do the audit rows', async () => {
    const { email, password, accessToken, user } = await registerUser(h);
    const enrolment = await enable(h, accessToken);
    const secrets: string[] = [enrolment.secret, enrolment.otpauthUrl, ...enrolment.backupCodes];
    const codes: string[] = [await codeNow(h, enrolment.secretBytes)];
    await post(h, '/mfa/verify', { code: codes[0] }, { token: accessToken });
    const mfaToken = (await json(await login(h, email, password))).data.mfaToken as string;
    secrets.push(mfaToken);
    codes.push(codes[0] === '000000' ? '111111' : '000000'); // a wrong one
    await post(h, '/mfa/verify-login', { mfaToken, code: codes[1] });
    codes.push(await nextCode(h, enrolment.secretBytes));
    const session = (await json(await post(h, '/mfa/verify-login', { mfaToken, code: codes[2] }))).data;
    secrets.push(session.accessToken, session.refreshToken);
    const second = (await json(await login(h, email, password))).data.mfaToken as string;
    secrets.push(second);
    await post(h, '/mfa/verify-backup-code', { mfaToken: second, code: enrolment.backupCodes[0] });
    codes.push(await nextCode(h, enrolment.secretBytes));
    const renewed = (await json(await post(h, '/mfa/backup-codes', { password, code: codes[3] }, { token: accessToken }))).data.backupCodes as string[];
    secrets.push(...renewed);
    codes.push(await nextCode(h, enrolment.secretBytes));
    expect((await post(h, '/mfa/disable', { password, code: codes[4] }, { token: accessToken })).status).toBe(200);

    const audit = JSON.stringify(await h.deps.db.audit.listForUser(user.id, 100));
    expect(h.logs.some((line) => line.includes('/api/v1/mfa/verify-login'))).toBe(true);
    for (const secret of secrets) {
      expect(h.logs.filter((line) => line.includes(secret))).toEqual([]);
      expect(audit).not.toContain(secret);
    }
    // A code is six digits: it must not stand anywhere as a number of its own.
    for (const code of codes) {
      const alone = new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`);
      expect(h.logs.filter((line) => alone.test(line))).toEqual([]);
      expect(audit).not.toMatch(alone);
    }
  });
});
