import { describe, expect, it } from 'vitest';
import { webRandom } from '../../src/core/crypto';
import { hashBackupCode, newBackupCodes, normalizeBackupCode } from '../../src/core/mfa/backup-codes';
import { openTotpSecret, sealTotpSecret } from '../../src/core/mfa/secret-box';
import { matchTotpStep, newTotpSecret, otpauthUri } from '../../src/core/mfa/totp';
import { base32Decode, timeStep, totp } from '../support/totp';

const keys = { mfaKey: webRandom.bytes(32), legacyMfaKey: webRandom.bytes(32) };
const secret = newTotpSecret(webRandom);

describe('the TOTP secret box', () => {
  it('seals as iv:tag:ciphertext hex (96-bit IV, 128-bit tag) and opens under the derived key', async () => {
    const sealed = await sealTotpSecret(keys.mfaKey, webRandom, 'usr_1', secret);
    expect(sealed).toMatch(/^[0-9a-f]{24}:[0-9a-f]{32}:[0-9a-f]{40}$/);
    expect(await openTotpSecret(keys, 'usr_1', sealed)).toEqual({ secret, legacy: false });
    expect(await sealTotpSecret(keys.mfaKey, webRandom, 'usr_1', secret)).not.toBe(sealed); // a fresh IV each time
  });

  it('opens a secret sealed the legacy way (raw MFA_ENCRYPTION_KEY) and says so', async () => {
    const legacy = await sealWithoutAad(keys.legacyMfaKey, secret);
    expect(await openTotpSecret(keys, 'usr_1', legacy)).toEqual({ secret, legacy: true });
  });

  it("refuses another user's ciphertext, a flipped byte, a foreign key and malformed values", async () => {
    const sealed = await sealTotpSecret(keys.mfaKey, webRandom, 'usr_1', secret);
    expect(await openTotpSecret(keys, 'usr_2', sealed)).toBeNull();
    const flipped = sealed.slice(0, -1) + (sealed.endsWith('0') ? '1' : '0');
    expect(await openTotpSecret(keys, 'usr_1', flipped)).toBeNull();
    expect(await openTotpSecret({ mfaKey: webRandom.bytes(32), legacyMfaKey: webRandom.bytes(32) }, 'usr_1', sealed)).toBeNull();
    for (const bad of ['', 'abc', 'zz:zz:zz', sealed.replace(/:/g, '')]) expect(await openTotpSecret(keys, 'usr_1', bad)).toBeNull();
  });
});

describe('TOTP codes', () => {
  // Fixed secret and instant, so the five codes around it are known to differ and nothing here is left to chance.
  const secret = new TextEncoder().encode('12345678901234567890');
  const now = Date.UTC(2030, 0, 1, 12, 0, 10);

  it('match within one step either side, agreeing with the reference generator on the step', async () => {
    for (const offset of [-1, 0, 1]) {
      expect(matchTotpStep(secret, await totp(secret, now, { offset }), now)).toBe(timeStep(now) + offset);
    }
  });

  it('never match two steps away, or anything that is not six digits', async () => {
    const codes = await Promise.all([-2, -1, 0, 1, 2].map((offset) => totp(secret, now, { offset })));
    expect(new Set(codes).size).toBe(5);
    expect(matchTotpStep(secret, codes[0]!, now)).toBeNull();
    expect(matchTotpStep(secret, codes[4]!, now)).toBeNull();
    const code = await totp(secret, now);
    for (const bad of [code.slice(1), `${code}0`, ` ${code}`, code.replace(/\d/, 'x'), '']) expect(matchTotpStep(secret, bad, now)).toBeNull();
  });

  it('are described by an otpauth://totp/ URI carrying the secret, issuer, account and RFC 6238 parameters', () => {
    const uri = new URL(otpauthUri(secret, 'auth.example.com', 'ada@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/auth.example.com:ada@example.com');
    expect(base32Decode(uri.searchParams.get('secret')!)).toEqual(secret);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ issuer: 'auth.example.com', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});

describe('backup codes', () => {
  it('come eight at a time as xxxxx-xxxxx in Crockford base32, all different', () => {
    const codes = newBackupCodes(webRandom);
    expect(codes).toHaveLength(8);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(new Set(codes).size).toBe(8);
  });

  it('read what a user types: case, spaces, hyphens and the look-alikes i, l, o do not matter', async () => {
    expect(normalizeBackupCode(' 7MX2K-Q9D4Z ')).toBe('7mx2kq9d4z');
    expect(normalizeBackupCode('7mx2k q9d4z')).toBe('7mx2kq9d4z');
    expect(normalizeBackupCode('ILO00-11111')).toBe('1100011111');
    expect(await hashBackupCode('7MX2K Q9D4Z')).toBe(await hashBackupCode('7mx2k-q9d4z'));
    for (const bad of ['7mx2k-q9d4', '7mx2k-q9d4zz', '7mx2k-q9d4u', '', '123456']) expect(normalizeBackupCode(bad)).toBeNull();
    expect(await hashBackupCode('not a code')).toBeNull();
  });
});

async function sealWithoutAad(rawKey: Uint8Array, plain: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', rawKey as BufferSource, 'AES-GCM', false, ['encrypt']);
  const iv = webRandom.bytes(12);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, plain as BufferSource));
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  return `${hex(iv)}:${hex(sealed.subarray(-16))}:${hex(sealed.subarray(0, -16))}`;
}
