import { createHarness } from '#harness';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { json, registerUser } from './helpers';

// One master secret (MFA_ENCRYPTION_KEY), one key per purpose: the AES-GCM key for TOTP secrets and the HMAC key of
// refresh-token children are each derived with their own HKDF label, and neither is the master itself. Computed
// here independently with WebCrypto (RFC 5869 HKDF-SHA-256, empty salt, info "authgate:<purpose>").
const MASTER_HEX = '8f'.repeat(16) + '3c'.repeat(16);
const master = Uint8Array.from(MASTER_HEX.match(/../g)!, (byte) => Number.parseInt(byte, 16));

async function hkdf(purpose: string): Promise<Uint8Array<ArrayBuffer>> {
  const ikm = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveBits']);
  const info = new TextEncoder().encode(`authgate:${purpose}`);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, ikm, 256));
}

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ MFA_ENCRYPTION_KEY: MASTER_HEX });
});
afterAll(async () => {
  await h?.close();
});

describe('keys derived from MFA_ENCRYPTION_KEY', () => {
  it('encrypts TOTP secrets under a key of its own, not the master secret', async () => {
    expect(h.deps.mfaKey).toEqual(await hkdf('totp-secret-encryption'));
    expect(h.deps.mfaKey).not.toEqual(master);
    // The master stays readable only as the legacy key for secrets stored before the split.
    expect(h.deps.legacyMfaKey).toEqual(master);
  });

  it('derives refresh-token children exactly as before the split, so tokens issued earlier keep rotating', async () => {
    const { refreshToken } = await registerUser(h);
    const rotated = await h.request('/api/v1/auth/refresh', { method: 'POST', json: { refreshToken } });
    const child = (await json(rotated)).data.refreshToken as string;
    const key = await crypto.subtle.importKey('raw', await hkdf('refresh-token-child'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const expected = base64url.encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(refreshToken))));
    expect(child).toBe(expected);
    expect(await hkdf('refresh-token-child')).not.toEqual(h.deps.mfaKey);
  });
});
