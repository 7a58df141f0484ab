import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { auditActions, expectError, json, login, registerUser, waitForMail } from './helpers';
import { claimsOf, codeNow, enable, liveSessions, mfaLogin, mfaUser, nextCode, passwordStep, post } from './mfa-helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('MFA from enrolment to disabling', () => {
  it('enrols, logs in with a code, refuses its replay, takes a backup code once, regenerates the codes and disables MFA', async () => {
    const { email, password, accessToken, user } = await registerUser(h);
    const enrolment = await enable(h, accessToken);
    expect(enrolment.otpauthUrl).toMatch(/^otpauth:\/\/totp\/authgate\.test:/);
    expect(new URL(enrolment.otpauthUrl).searchParams.get('issuer')).toBe('authgate.test');
    expect(decodeURIComponent(enrolment.otpauthUrl)).toContain(email);
    expect(enrolment.qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(enrolment.backupCodes).toHaveLength(8);
    const confirm = await post(h, '/mfa/verify', { code: await codeNow(h, enrolment.secretBytes) }, { token: accessToken });
    expect(await json(confirm)).toEqual({ success: true, data: { mfaEnabled: true } });

    // Login: the password step gives a challenge, the code step the session, marked as MFA in the token.
    const mfaToken = await passwordStep(h, { email, password });
    const code = await nextCode(h, enrolment.secretBytes);
    const signedIn = await json(await post(h, '/mfa/verify-login', { mfaToken, code }));
    expect(signedIn.data.user).toMatchObject({ id: user.id, mfaEnabled: true });
    expect(claimsOf(signedIn.data.accessToken).amr).toEqual(['pwd', 'otp']);
    // The same code again, with a new challenge: refused.
    await expectError(await post(h, '/mfa/verify-login', { mfaToken: await passwordStep(h, { email, password }), code }), 401, 'AUTHENTICATION_ERROR');

    // A backup code works once, typed loosely.
    const [first] = enrolment.backupCodes;
    const backup = await json(await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, { email, password }), code: ` ${first!.toUpperCase()} ` }));
    expect(backup.data).toMatchObject({ user: { id: user.id }, remainingBackupCodes: 7, tokenType: 'Bearer' });
    expect(claimsOf(backup.data.accessToken).amr).toEqual(['pwd', 'otp']);
    await expectError(await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, { email, password }), code: first }), 401, 'AUTHENTICATION_ERROR');

    // A new set: the old codes are dead, the new ones work.
    const regenerated = await json(await post(h, '/mfa/backup-codes', { password, code: await nextCode(h, enrolment.secretBytes) }, { token: accessToken }));
    expect(regenerated.data.backupCodes).toHaveLength(8);
    await expectError(await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, { email, password }), code: enrolment.backupCodes[1] }), 401, 'AUTHENTICATION_ERROR');
    const withNew = await post(h, '/mfa/verify-backup-code', { mfaToken: await passwordStep(h, { email, password }), code: regenerated.data.backupCodes[0] });
    expect((await json(withNew)).data.remainingBackupCodes).toBe(7);

    // Off: the password alone signs in again.
    const disabled = await post(h, '/mfa/disable', { password, code: await nextCode(h, enrolment.secretBytes) }, { token: accessToken });
    expect(await json(disabled)).toEqual({ success: true, data: { mfaEnabled: false } });
    const plain = await json(await login(h, email, password));
    expect(plain.data).toMatchObject({ mfaRequired: false, user: { mfaEnabled: false } });
    expect(claimsOf(plain.data.accessToken).amr).toEqual(['pwd']);

    expect(await auditActions(h, user.id)).toEqual(
      expect.arrayContaining(['MFA_ENABLED', 'MFA_REPLAY', 'BACKUP_CODE_USED', 'MFA_FAILURE', 'BACKUP_CODES_REGENERATED', 'MFA_DISABLED']),
    );
    for (const subject of [/two-factor authentication is on/i, /backup code was used/i, /new backup codes/i, /turned off/i]) {
      await waitForMail(h, email, subject);
    }
  });

  it('replaces a pending enrolment when enable is called again, and refuses enable while MFA is on (409)', async () => {
    const { accessToken } = await registerUser(h);
    const first = await enable(h, accessToken);
    const second = await enable(h, accessToken);
    expect(second.secret).not.toBe(first.secret);
    const stale = await expectError(await post(h, '/mfa/verify', { code: await codeNow(h, first.secretBytes) }, { token: accessToken }), 400, 'VALIDATION_ERROR');
    expect(stale.error.details).toEqual([{ path: 'code', message: expect.any(String) }]);
    expect((await post(h, '/mfa/verify', { code: await codeNow(h, second.secretBytes) }, { token: accessToken })).status).toBe(200);
    await expectError(await post(h, '/mfa/enable', {}, { token: accessToken }), 409, 'CONFLICT');
    await expectError(await post(h, '/mfa/verify', { code: await nextCode(h, second.secretBytes) }, { token: accessToken }), 409, 'CONFLICT');
  });

  it('creates exactly one session when two challenges of one user race with the same valid code', async () => {
    const user = await mfaUser(h);
    const tokens = [await passwordStep(h, user), await passwordStep(h, user)];
    const code = await nextCode(h, user.secret);
    const before = await liveSessions(h, user.userId);
    const responses = await Promise.all(tokens.map((mfaToken) => post(h, '/mfa/verify-login', { mfaToken, code })));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
    expect((await liveSessions(h, user.userId)) - before).toBe(1);
    expect(await auditActions(h, user.userId)).toContain('MFA_REPLAY');
  });

  it('reads a secret stored the legacy way (MFA_ENCRYPTION_KEY as the AES key) and re-encrypts it under the derived key', async () => {
    const user = await mfaUser(h);
    const [row] = await h.query('select mfa_secret_encrypted from users where id = $1', [user.userId]);
    const legacy = await sealLegacy(h.deps.legacyMfaKey, user.secret);
    expect(await h.deps.db.mfa.replaceSecret(user.userId, row!.mfa_secret_encrypted as string, legacy, new Date(h.clock.nowMs()))).toBe(true);

    await mfaLogin(h, user);
    const [migrated] = await h.query('select mfa_secret_encrypted from users where id = $1', [user.userId]);
    expect(migrated!.mfa_secret_encrypted).not.toBe(legacy);
    expect(await openWith(h.deps.legacyMfaKey, migrated!.mfa_secret_encrypted as string)).toBeNull();
    await mfaLogin(h, user); // and it still works
  });

  it('answers bad input per the error table: 400 naming the field when signed in, the generic 401 at the login step', async () => {
    const user = await mfaUser(h);
    for (const code of ['12345', '1234567', 'abcdef', '12 345']) {
      const body = await expectError(await post(h, '/mfa/disable', { password: user.password, code }, { token: user.accessToken }), 400, 'VALIDATION_ERROR');
      expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(['code']);
    }
    await expectError(await post(h, '/mfa/verify', { code: 123456 }, { token: user.accessToken }), 400, 'VALIDATION_ERROR');
    const mfaToken = await passwordStep(h, user);
    for (const body of [{ mfaToken, code: '12345' }, { mfaToken, code: 'x'.repeat(64) }, { mfaToken: 'not-a-token', code: '123456' }, { mfaToken: '', code: '' }]) {
      await expectError(await post(h, '/mfa/verify-login', body), 401, 'AUTHENTICATION_ERROR');
      await expectError(await post(h, '/mfa/verify-backup-code', body), 401, 'AUTHENTICATION_ERROR');
    }
    await expectError(await post(h, '/mfa/verify-login', { mfaToken }), 400, 'VALIDATION_ERROR');
    await expectError(await post(h, '/mfa/verify-login', { mfaToken: { $ne: '' }, code: '123456' }), 400, 'VALIDATION_ERROR');
  });

  it('limits /mfa/verify-login and /mfa/verify-backup-code to 5 requests a minute per client, each its own bucket', async () => {
    const ip = '198.51.100.77';
    for (const path of ['/mfa/verify-login', '/mfa/verify-backup-code']) {
      for (let i = 0; i < 5; i++) expect((await post(h, path, { mfaToken: 'x', code: '000000' }, { ip })).status).toBe(401);
      const limited = await post(h, path, { mfaToken: 'x', code: '000000' }, { ip });
      await expectError(limited, 429, 'RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('documents the MFA routes in the OpenAPI document', async () => {
    const doc = await json(await h.request('/openapi.json'));
    for (const path of ['enable', 'verify', 'verify-login', 'verify-backup-code', 'disable', 'backup-codes']) {
      expect(doc.paths[`/api/v1/mfa/${path}`]?.post, path).toBeDefined();
    }
  });
});

// The legacy at-rest format, built here from WebCrypto: AES-256-GCM under the raw key, no additional data.
async function sealLegacy(rawKey: Uint8Array, secret: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', rawKey as BufferSource, 'AES-GCM', false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, secret as BufferSource));
  const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex(iv)}:${hex(sealed.subarray(sealed.length - 16))}:${hex(sealed.subarray(0, sealed.length - 16))}`;
}

async function openWith(rawKey: Uint8Array, stored: string): Promise<Uint8Array | null> {
  const [iv, tag, ciphertext] = stored.split(':').map((part) => new Uint8Array(part.match(/../g)!.map((b) => parseInt(b, 16))));
  const key = await crypto.subtle.importKey('raw', rawKey as BufferSource, 'AES-GCM', false, ['decrypt']);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv! }, key, new Uint8Array([...ciphertext!, ...tag!])));
  } catch {
    return null;
  }
}
